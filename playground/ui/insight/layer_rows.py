"""The rows of the Inside view that show a layer's outputs: a heat strip of a layer's
units, the ten output bars."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from .. import theme
from ..fold_layout import FoldLayout
from .common import DIVERGING

MAX_STRIP = 128  # units per row of a heat strip; wider layers wrap onto more rows
ROW_PX = 20  # height of one heat-strip row
SEQUENTIAL = "viridis"  #: the colour map of values that are never negative

def strip_shape(units: int) -> tuple[int, int]:
    """(rows, columns) for a heat strip of ``units`` cells: at most MAX_STRIP per row."""
    rows = max(1, math.ceil(units / MAX_STRIP))
    return rows, math.ceil(units / rows)



def title_head(title: str, kind: str) -> tuple[QLabel, QLabel, FoldLayout]:
    """A row's title and readout (object names ``<kind>Title``, ``<kind>Readout``) in a
    head that puts them side by side when they fit, else the readout under the title: it
    never holds the view wider than it is."""
    label = QLabel(title)
    label.setObjectName(f"{kind}Title")
    readout = QLabel(" ")
    readout.setObjectName(f"{kind}Readout")
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    readout.setMinimumWidth(1)
    head = FoldLayout()
    head.setSpacing(8)
    head.add(label, 1)
    head.add(readout, 0, Qt.AlignmentFlag.AlignRight, Qt.AlignmentFlag.AlignLeft)
    return label, readout, head


class LayerPlot(QWidget):
    """A layer's title and readout above a small still plot (no menu, zoom or pan)."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.title, self.readout, self.head = title_head(title, "layer")
        head = self.head
        self.plot = pg.PlotWidget()
        self.plot.setBackground(theme.PLOT_BACKGROUND)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addLayout(head)
        lay.addWidget(self.plot)

    @property
    def folded(self) -> bool:
        """The readout is under the title (they do not fit side by side)."""
        return self.head.folded


class LayerStrip(LayerPlot):
    """One layer group's outputs as a heat strip (hover a cell for its value)."""

    def __init__(self, title: str, units: int, parent=None):
        super().__init__(f"<b>{title}</b>", parent)
        self.values = np.zeros(units, np.float32)
        self.rows, self.cols = strip_shape(units)
        self._cmap: str | None = None  # the colour map on the image
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.getViewBox().invertY(True)
        self.plot.getPlotItem().setContentsMargins(0, 0, 0, 0)
        self.plot.setFixedHeight(self.rows * ROW_PX + 6)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.plot.setToolTip(f"{title}: one cell per unit, colour = its output for the drawing. "
                             "Hover a cell to read it.")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.plot.setXRange(0, self.cols, padding=0)
        self.plot.setYRange(0, self.rows, padding=0)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse)

    def set_values(self, values: np.ndarray) -> None:
        v = np.asarray(values, np.float32).ravel()
        self.values = v
        grid = np.full(self.rows * self.cols, np.nan, np.float32)
        grid[:len(v)] = v
        lo, hi = (float(v.min()), float(v.max())) if len(v) else (0.0, 1.0)
        if lo >= 0:
            levels = (0.0, 1.0 if hi <= 1 else hi)
            cmap = SEQUENTIAL
        else:
            m = max(abs(lo), abs(hi)) or 1.0
            levels = (-m, m)
            cmap = DIVERGING
        if cmap != self._cmap:
            self.image.setLookupTable(pg.colormap.get(cmap).getLookupTable(nPts=256))
            self._cmap = cmap
        self.image.setImage(grid.reshape(self.rows, self.cols), levels=levels, autoLevels=False)
        active = int(np.count_nonzero(v > 0.5 * levels[1])) if lo >= 0 else None
        text = f"{len(v):,} units, {lo + 0.0:.2f} .. {hi + 0.0:.2f}"  # + 0.0: no "-0.00"
        if active is not None:
            text += f", {active:,} strongly on"
        self.readout.setText(text)

    def _on_mouse(self, pos) -> None:
        p = self.image.mapFromScene(pos)
        r, c = int(math.floor(p.y())), int(math.floor(p.x()))
        if 0 <= r < self.rows and 0 <= c < self.cols:
            unit = r * self.cols + c
            if unit < len(self.values):
                QToolTip.showText(QCursor.pos(), f"unit {unit}: {self.values[unit]:.3f}",
                                  self.plot)


class OutputBars(LayerPlot):
    """The output layer as ten bars, the winning digit highlighted."""

    def __init__(self, title: str, parent=None):
        super().__init__(f"<b>{title}</b> (the output)", parent)
        self.plot.setFixedHeight(120)
        self.plot.getAxis("bottom").setTicks([[(d, str(d)) for d in range(10)]])
        self.plot.getAxis("left").setWidth(36)
        self.plot.setXRange(-0.6, 9.6, padding=0)
        self.plot.setToolTip("The network's output for each digit; the tallest bar wins")
        self.bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7,
                                    brushes=[theme.ACTIVATION_BAR] * 10, pen=pg.mkPen(None))
        self.plot.addItem(self.bars)

    def set_values(self, values: np.ndarray) -> None:
        v = np.asarray(values, np.float32).ravel()
        n = len(v)
        best = int(v.argmax()) if n else -1
        brushes = [theme.ACTIVATION_ANSWER_BAR if i == best else theme.ACTIVATION_BAR
                   for i in range(n)]
        self.bars.setOpts(x=np.arange(n), height=v, brushes=brushes)
        lo, hi = (float(v.min()), float(v.max())) if n else (0.0, 1.0)
        if lo >= 0 and hi <= 1:
            self.plot.setYRange(0, 1, padding=0.02)
        else:
            self.plot.setYRange(min(lo, 0), max(hi, 0) or 1, padding=0.05)
        if n:
            self.readout.setText(f"says <b>{best}</b> ({v[best]:.2f})")
