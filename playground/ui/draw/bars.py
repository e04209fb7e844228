"""The ten output bars: one per digit, the answer highlighted, the axis 0..1 for
probabilities and following the range, to round numbers, for plain scores."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QSizePolicy

from .. import theme
from ..axes import BAR_STEPS, nice_ceil

BARS_MIN_HEIGHT, BARS_HEIGHT = 110, 170
Y_LABEL_ROOM = 8  #: pixels above and below the bars' y range: room for the end labels
PROBABILITIES = (0.0, 1.0)


class OutputBars(pg.PlotWidget):
    """The output bars' plot (``bars`` is its BarGraphItem), asking for a compact height."""

    def __init__(self):
        super().__init__(background=theme.PLOT_BACKGROUND)  # like the training plots
        self.setObjectName("probabilityBars")
        self.setMinimumHeight(BARS_MIN_HEIGHT)
        # Maximum: never taller than BARS_HEIGHT (its size hint), shorter if need be
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.setToolTip(
            "The network's ten outputs, one per digit; the highest (highlighted) is its\n"
            "answer. With a softmax output they are probabilities that add up to 1;\n"
            "with sigmoid outputs each is between 0 and 1 on its own. With a ReLU, Tanh\n"
            "or Dense last layer they are scores, not probabilities, and the axis\n"
            "follows their range.")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=False, y=False)
        plot.showGrid(x=False, y=True, alpha=0.25)
        plot.setXRange(-0.6, 9.6, padding=0)
        self._y_range = None
        for name in ("bottom", "left"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(theme.PLOT_AXIS, width=1))
            axis.setTextPen(pg.mkPen(theme.PLOT_TEXT, width=1))
        plot.getAxis("bottom").setTicks([[(i, str(i)) for i in range(10)]])
        plot.getAxis("left").setWidth(34)
        # short plots: draw the end labels ("0", "1") even if they reach past the axis
        plot.getAxis("left").setStyle(hideOverlappingLabels=False)
        self.bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7,
                                    brushes=[theme.OUTPUT_BAR] * 10, pen=pg.mkPen(None))
        plot.addItem(self.bars)
        plot.getViewBox().sigResized.connect(
            lambda _vb: self._fit_y_range() if self._y_range is not None else None)
        self._set_y_range(PROBABILITIES)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), BARS_HEIGHT)

    def show_outputs(self, heights, brushes, probabilities: bool) -> None:
        """Ten bar heights and brushes; the axis 0..1 for probabilities, else round
        numbers around the scores."""
        self.bars.setOpts(height=heights, brushes=brushes)
        if probabilities:
            self._set_y_range(PROBABILITIES)
            return
        top = nice_ceil(float(np.max(heights)), BAR_STEPS)
        bottom = -nice_ceil(-float(np.min(heights)), BAR_STEPS)
        self._set_y_range((bottom, top) if top > bottom else PROBABILITIES)

    def _set_y_range(self, y_range: tuple[float, float]) -> None:
        """0..1 with fixed ticks for probabilities; automatic ticks for scores."""
        if y_range == self._y_range:
            return
        self._y_range = y_range
        self._fit_y_range()
        self.getPlotItem().getAxis("left").setTicks(
            [[(0, "0"), (0.5, "0.5"), (1, "1")]] if y_range == PROBABILITIES else None)

    def _fit_y_range(self) -> None:
        """Show ``_y_range`` with a few pixels to spare at both ends, so that the labels
        at its ends fit inside the axis (pyqtgraph hides labels that do not)."""
        lo, hi = self._y_range
        span = hi - lo
        height = self.getPlotItem().getViewBox().height()
        pad = min(Y_LABEL_ROOM / (height - 2 * Y_LABEL_ROOM), 0.25) \
            if height > 4 * Y_LABEL_ROOM else 0.06
        self.getPlotItem().setYRange(lo - pad * span, hi + pad * span, padding=0)
