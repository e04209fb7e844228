"""The pieces of the training plots: growing series, the two plot widgets, the curves
and how each is drawn, and the ticks of the log-scale loss axis."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGraphicsItem

from .. import theme

TRAIN = theme.rgb(theme.TRAINING_CURVE)
VAL = theme.rgb(theme.VALIDATION_CURVE)
LIVE_TRAIN = theme.rgb(theme.LIVE_TRAINING_CURVE)
LIVE_VAL = theme.rgb(theme.LIVE_VALIDATION_CURVE)
TEST = theme.rgb(theme.TEST_CURVE)
STALE = theme.rgb(theme.STALE)  # curves measured before the network last changed
AXIS_FONT_PT = 8  # tick labels: small enough for two plots side by side at 1024 px
WIDEST_TICK = "0.0001"  # the widest y tick label (the loss axis: 1e-05 is narrower)
BOTTOM_AXIS_HEIGHT = 32


@dataclass(frozen=True)
class Style:
    """How a curve is drawn: its colour, line width (0: no line), dots, stacking."""
    color: tuple
    width: int = 1
    symbol: str | None = None
    size: int = 0
    z: float = 0.0


EPOCH_DOT = 5  # the dots of the curves measured at each epoch's end ...
MAX_DOTS = 60  # ... up to this many epochs (more would merge into a string of beads)
#: every curve of the two plots: what is measured during an epoch (thin, light), what is
#: measured at each epoch's end (thick, with a dot per epoch), and the test accuracy
STYLES = {
    "train_accuracy": Style(LIVE_TRAIN),
    "val_accuracy": Style(LIVE_VAL),
    "epoch_train_accuracy": Style(TRAIN, 2, "o", EPOCH_DOT, 1),
    "epoch_val_accuracy": Style(VAL, 2, "o", EPOCH_DOT, 1),
    "test_accuracy": Style(TEST, 0, "o", 8, 0.5),  # under the validation curve
    "train_loss": Style(LIVE_TRAIN),
    "epoch_train_loss": Style(TRAIN, 2, "o", EPOCH_DOT, 1),
    "epoch_val_loss": Style(VAL, 2, "o", EPOCH_DOT, 1),
}
LOSS_KEYS = ("train_loss", "epoch_train_loss", "epoch_val_loss")
OLD_Z = -1  # earlier segments lie under the live curves


class Series:
    """x/y values in preallocated arrays that double when full."""

    def __init__(self, capacity: int = 256):
        self._x = np.empty(capacity)
        self._y = np.empty(capacity)
        self.n = 0

    def append(self, x: float, y: float) -> None:
        if self.n == len(self._x):
            self._x = np.resize(self._x, 2 * self.n)
            self._y = np.resize(self._y, 2 * self.n)
        self._x[self.n] = x
        self._y[self.n] = y
        self.n += 1

    def clear(self) -> None:
        self.n = 0

    @property
    def x(self) -> np.ndarray:
        return self._x[:self.n]

    @property
    def y(self) -> np.ndarray:
        return self._y[:self.n]

    def __len__(self) -> int:
        return self.n


def make_plot(name: str, left: str, title: str | None = None) -> pg.PlotWidget:
    """A plot in the training plots' style (theirs have no title in the plot: it is a
    label above it, see plots_gap.GapHeading)."""
    plot = pg.PlotWidget(background=theme.PLOT_BACKGROUND)
    plot.setObjectName(name)
    if title:
        plot.setTitle(title, color=theme.PLOT_TEXT, size="10pt")
    plot.setLabel("bottom", "epochs", color=theme.PLOT_TEXT)
    plot.setLabel("left", left, color=theme.PLOT_TEXT)
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.setMinimumSize(130, 150)
    font = QFont()
    font.setPointSizeF(AXIS_FONT_PT)
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(pg.mkPen(theme.PLOT_AXIS, width=1))
        axis.setTextPen(pg.mkPen(theme.PLOT_TEXT))
        axis.setTickFont(font)
        axis.label.setFont(font)
        # labels need about 40 px each: no crowding on a narrow plot
        axis.setStyle(tickTextOffset=3, autoExpandTextSpace=False, tickLength=-4)
        # drawn once into a pixmap, again only when its ticks change: a new point on a
        # curve repaints the plot, and replaying the axes' text was most of that cost
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    metrics = QFontMetrics(font)  # room for the widest tick label and the title, no more
    plot.getAxis("left").setWidth(metrics.horizontalAdvance(WIDEST_TICK) + metrics.height() + 10)
    plot.getAxis("bottom").setHeight(BOTTOM_AXIS_HEIGHT)
    return plot


def pen_is_stale(item: pg.PlotDataItem) -> bool:
    """Drawn in the colour of figures measured before the network changed."""
    return getattr(item, "stale_color", False)


def color_curve(item: pg.PlotDataItem, color) -> None:
    """Draw ``item`` (made by ``make_curve``) in ``color``, its style otherwise kept."""
    item.stale_color = tuple(color) == STALE
    style = item.style
    if style.width:
        item.setPen(pg.mkPen(color, width=style.width))
    if style.symbol is not None:
        item.setSymbolBrush(pg.mkBrush(color))
        item.scatter.setBrush(pg.mkBrush(color))


def show_dots(item: pg.PlotDataItem, points: int) -> None:
    """A curve with a line and dots keeps its dots while it has at most ``MAX_DOTS``."""
    style = item.style
    if style.width and style.symbol is not None:
        want = style.symbol if points <= MAX_DOTS else None
        if item.opts["symbol"] != want:
            item.setSymbol(want)


def make_curve(plot: pg.PlotWidget, style: Style, color=None, z: float | None = None
               ) -> pg.PlotDataItem:
    """A curve in ``plot`` drawn as ``style`` says (in ``color`` if given)."""
    color = style.color if color is None else color
    pen = pg.mkPen(color, width=style.width) if style.width else None
    if style.symbol is None:
        item = plot.plot(pen=pen, skipFiniteCheck=True)
    else:
        brush, outline = pg.mkBrush(color), pg.mkPen(theme.PLOT_BACKGROUND, width=1)
        item = plot.plot(pen=pen, symbol=style.symbol, symbolSize=style.size,
                         symbolBrush=brush, symbolPen=outline, skipFiniteCheck=True)
        # the scatter draws its own defaults until data arrives
        item.scatter.setBrush(brush)
        item.scatter.setPen(outline)
        item.scatter.setSize(style.size)
    item.setClipToView(True)
    item.setDownsampling(auto=True, method="peak")
    item.style = style
    item.own_color = color
    item.stale_color = tuple(color) == STALE
    item.setZValue(style.z if z is None else z)
    return item


def log_ticks(lo: int, hi: int) -> list[list[tuple[float, str]]]:
    """Ticks for a log axis from 10**lo to 10**hi: decades labelled; 2 and 5 labelled too
    when the axis spans at most two decades; the other minor ticks unlabelled."""
    major, minor = [], []
    few = hi - lo <= 2
    for k in range(lo, hi + 1):
        major.append((float(k), f"{10.0 ** k:g}"))
        if k == hi:
            break
        for m in range(2, 10):
            label = f"{m * 10.0 ** k:g}" if few and m in (2, 5) else ""
            minor.append((k + math.log10(m), label))
    return [major, minor]
