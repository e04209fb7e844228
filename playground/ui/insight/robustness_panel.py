"""One kind of perturbation in the Robustness view: its accuracy curve (now, and the
network before as a dashed line) above one test digit changed at each level."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...data.perturb import Kind
from .. import theme
from ..training.plot_items import make_plot
from .common import digit_pixmap

NOW = theme.rgb(theme.ROBUSTNESS_NOW)
BEFORE = theme.rgb(theme.ROBUSTNESS_BEFORE)
CHANCE = theme.rgb(theme.PLOT_HINT)
THUMB = 36  # pixels per example digit
CHANCE_PERCENT = 10.0  # ten digits: guessing is right one time in ten
NOW_NAME, BEFORE_NAME = "now", "before"  # the legend's words


class KindPanel(QWidget):
    """Accuracy (%) against the levels of one ``kind``, and the example at each level."""

    def __init__(self, kind: Kind, legend: bool = False, parent=None):
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"robustness_{kind.name}")
        levels = np.array(kind.levels, float)
        self.plot = make_plot(f"robustness_{kind.name}Plot", "test accuracy (%)", kind.title)
        self.plot.setLabel("bottom", kind.axis, color=theme.PLOT_TEXT)
        self.plot.setToolTip(f"{kind.title}: {kind.description}.\nThe test accuracy at each "
                             "level; the dashed line is the network before.")
        self.plot.setMouseEnabled(False, False)
        self.plot.getAxis("bottom").setTicks([[(lv, kind.tick(lv)) for lv in levels]])
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)  # no "(x0.001)" on sigma
        self.plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in range(0, 101, 20)]])
        span = float(levels.max() - levels.min()) or 1.0
        self.plot.setXRange(levels.min() - 0.08 * span, levels.max() + 0.08 * span, padding=0)
        self.plot.setYRange(0, 100, padding=0.06)
        self.plot.setMinimumSize(180, 160)
        chance = pg.InfiniteLine(CHANCE_PERCENT, angle=0, movable=False,
                                 pen=pg.mkPen(CHANCE, width=1, style=Qt.PenStyle.DotLine))
        chance.setToolTip("Chance: guessing gets one digit in ten")
        self.plot.addItem(chance)
        self.legend = self.plot.addLegend(offset=(6, -6), labelTextSize="8pt",
                                          labelTextColor=theme.PLOT_TEXT) if legend else None
        self.before = self.plot.plot(pen=pg.mkPen(BEFORE, width=2, style=Qt.PenStyle.DashLine),
                                     symbol="o", symbolSize=5, symbolBrush=pg.mkBrush(BEFORE),
                                     symbolPen=None)
        self.now = self.plot.plot(pen=pg.mkPen(NOW, width=2), symbol="o", symbolSize=7,
                                  symbolBrush=pg.mkBrush(NOW),
                                  symbolPen=pg.mkPen(theme.PLOT_BACKGROUND, width=1))

        # the example digit at each level, under the plot
        self.thumbs: list[QLabel] = []
        self.captions: list[QLabel] = []
        strip = QWidget()
        strip.setObjectName(f"robustness_{kind.name}Examples")
        grid = QGridLayout(strip)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(0)
        for i, level in enumerate(kind.levels):
            thumb = QLabel()
            thumb.setFixedSize(THUMB, THUMB)
            thumb.setToolTip(f"The example digit, {kind.title.lower()} {kind.label(level)}")
            caption = QLabel(kind.label(level))
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption.setTextFormat(Qt.TextFormat.RichText)
            font = caption.font()
            font.setPointSizeF(font.pointSizeF() * 0.85)
            caption.setFont(font)
            grid.addWidget(thumb, 0, i, Qt.AlignmentFlag.AlignHCenter)
            grid.addWidget(caption, 1, i, Qt.AlignmentFlag.AlignHCenter)
            self.thumbs.append(thumb)
            self.captions.append(caption)
        grid.setColumnStretch(len(kind.levels), 1)
        strip.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot, 1)
        layout.addWidget(strip, 0, Qt.AlignmentFlag.AlignHCenter)

    # -- curves -----------------------------------------------------------------------------
    def show_curves(self, now: list | None, before: list | None) -> None:
        """``[(level, accuracy 0..1), ...]`` of the network now and before (None: none)."""
        for item, points in ((self.now, now), (self.before, before)):
            if points:
                x, y = zip(*points, strict=True)
                item.setData(np.array(x, float), 100.0 * np.array(y, float))
            else:
                item.setData([], [])
        if self.legend is not None:
            self.legend.clear()
            if now:
                self.legend.addItem(self.now, NOW_NAME)
            if before:
                self.legend.addItem(self.before, BEFORE_NAME)

    def curve(self, which: str = NOW_NAME) -> tuple[np.ndarray, np.ndarray]:
        """The points drawn (level, percent) of the curve ``now`` or ``before``."""
        x, y = (self.now if which == NOW_NAME else self.before).getData()
        return (np.zeros(0) if x is None else x), (np.zeros(0) if y is None else y)

    # -- the example ------------------------------------------------------------------------
    def show_examples(self, images: np.ndarray, answers: np.ndarray | None,
                      label: int) -> None:
        """``images`` (levels, 28, 28) float 0..1; ``answers`` the network's digit for each
        (None: not measured), ``label`` the true digit."""
        for i, (thumb, caption) in enumerate(zip(self.thumbs, self.captions, strict=True)):
            thumb.setPixmap(digit_pixmap(images[i], THUMB))
            text = self.kind.label(self.kind.levels[i])
            if answers is not None:
                said = int(answers[i])
                colour = theme.OK if said == label else theme.ERROR
                text += f"<br><span style='color:{colour}'>says {said}</span>"
            caption.setText(text)
