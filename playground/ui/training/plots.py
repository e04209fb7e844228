"""The live training plots: accuracy and loss against epochs.

Every curve is created once and updated with ``setData`` from growing NumPy arrays.
One legend row above the plots names the curves (inside a plot it would cover them).
Where the loss or optimizer changes, the loss curve starts a new segment (two losses are
never joined into one line); where the network changes, everything measured before is
drawn in grey (``STALE``): those figures belong to a network that no longer exists.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGraphicsItem, QGridLayout, QLabel, QSizePolicy, QWidget

from ...nn.history import EpochRecord
from .. import theme
from ..axes import nice_ceil
from .run_markers import LR, NETWORK, SETTING, RunMarkers

TRAIN = theme.rgb(theme.TRAINING_CURVE)
VAL = theme.rgb(theme.VALIDATION_CURVE)
TEST = theme.rgb(theme.TEST_CURVE)
STALE = theme.rgb(theme.STALE)  # curves measured before the network last changed
HINT = theme.rgb(theme.PLOT_HINT)
EMPTY_HINT = "Press Start to train"
AXIS_FONT_PT = 8  # tick labels: small enough for two plots side by side at 1024 px
WIDEST_TICK = "0.0001"  # the widest y tick label (the loss axis: 1e-05 is narrower)
BOTTOM_AXIS_HEIGHT = 32
X_GROWTH = 1.25  # during a run the x axis grows to a nice bound at least this far ahead
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


def _plot(name: str, title: str, left: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background=theme.PLOT_BACKGROUND)
    plot.setObjectName(name)
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


CURVE_COLORS = {"train_accuracy": TRAIN, "val_accuracy": VAL, "test_accuracy": TEST,
                "train_loss": TRAIN}


def pen_is_stale(item: pg.PlotDataItem) -> bool:
    """Drawn in the colour of figures measured before the network changed."""
    return getattr(item, "stale_color", False)


def _color_curve(item: pg.PlotDataItem, color) -> None:
    item.stale_color = tuple(color) == STALE
    if item.opts.get("symbol") is None:
        item.setPen(pg.mkPen(color, width=1))
    else:
        item.setSymbolBrush(pg.mkBrush(color))
        item.scatter.setBrush(pg.mkBrush(color))


def _curve(plot: pg.PlotWidget, name: str | None, color, symbol: str | None = None
           ) -> pg.PlotDataItem:
    if symbol is None:
        item = plot.plot(name=name, pen=pg.mkPen(color, width=1), skipFiniteCheck=True)
    else:
        brush, pen = pg.mkBrush(color), pg.mkPen(theme.PLOT_BACKGROUND, width=1)
        item = plot.plot(name=name, pen=None, symbol=symbol, symbolSize=8,
                         symbolBrush=brush, symbolPen=pen, skipFiniteCheck=True)
        # the legend draws the scatter's own defaults until data arrives
        item.scatter.setBrush(brush)
        item.scatter.setPen(pen)
        item.scatter.setSize(8)
    item.setClipToView(True)
    item.setDownsampling(auto=True, method="peak")
    item.stale_color = tuple(color) == STALE
    return item


def _log_ticks(lo: int, hi: int) -> list[list[tuple[float, str]]]:
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


class TrainingPlots(QWidget):
    """Accuracy (training, validation, test after each epoch) beside the training loss."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.accuracy_plot = _plot("accuracyPlot", "Accuracy", "accuracy (%)")
        self.loss_plot = _plot("lossPlot", "Loss", "loss (log scale)")
        self.accuracy_plot.setToolTip(
            "Accuracy against epochs of training: the running accuracy on the training "
            "batches, on a validation sample, and on the test set after each epoch.\n"
            "Drag to pan, wheel to zoom, double-click to fit.")
        self.loss_plot.setToolTip(
            "The training loss against epochs (log scale): the mean over the batches "
            "since the previous report.\n"
            "Drag to pan, wheel to zoom, double-click to fit.")
        self.loss_plot.setLogMode(x=False, y=True)
        self.legend = QLabel()
        self.legend.setObjectName("plotLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.legend.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.legend.setToolTip("The curves of both plots: accuracy (left) and loss (right)")

        self.series = {key: Series() for key in
                       ("train_accuracy", "val_accuracy", "test_accuracy", "train_loss")}
        self.curves = {
            "train_accuracy": _curve(self.accuracy_plot, "training", TRAIN),
            "val_accuracy": _curve(self.accuracy_plot, "validation", VAL),
            "test_accuracy": _curve(self.accuracy_plot, "test (each epoch)", TEST, "o"),
            "train_loss": _curve(self.loss_plot, "training", TRAIN),
        }
        self._loss_range = None
        self._x_end = None  # during a run: the right end of the fixed x axis
        self._x_cap = None  # during a run: where it ends (the x axis never goes further)
        self.markers = RunMarkers((self.accuracy_plot, self.loss_plot))
        self._old: list[tuple[pg.PlotWidget, pg.PlotDataItem]] = []  # earlier segments
        self._old_loss = (math.inf, -math.inf)  # their loss range (the axis spans it too)
        self._break_loss = False  # the next loss starts a new segment
        self.stale = False  # the curves were measured before the network last changed

        self._hints = []
        for plot in (self.accuracy_plot, self.loss_plot):
            hint = pg.TextItem(EMPTY_HINT, color=HINT, anchor=(0.5, 0.5))
            plot.addItem(hint, ignoreBounds=True)
            self._hints.append(hint)
        for plot in (self.accuracy_plot, self.loss_plot):
            plot.getViewBox().sigRangeChanged.connect(self._place_hints)
            plot.scene().sigMouseClicked.connect(self._on_click)

        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(6)
        layout.setVerticalSpacing(2)
        layout.addWidget(self.legend, 0, 0, 1, 2)
        layout.addWidget(self.accuracy_plot, 1, 0)
        layout.addWidget(self.loss_plot, 1, 1)
        layout.setRowStretch(1, 1)
        self.clear()

    @property
    def lr_markers(self) -> list[pg.InfiniteLine]:
        """The learning-rate markers: two per change, one in each plot."""
        return self.markers.lines(LR)

    def _show_legend(self) -> None:
        def swatch(color, text, mark="&#9473;&#9473;"):
            hex_color = "#" + "".join(f"{c:02x}" for c in color)
            return (f'<span style="color:{hex_color}; font-weight:bold">{mark}</span>'
                    f"&nbsp;{text}")

        items = [swatch(TRAIN, "training"), swatch(VAL, "validation"),
                 swatch(TEST, "test (each epoch)", "&#9679;")]
        if self.stale or any(pen_is_stale(item) for _, item in self._old):
            items.append(swatch(STALE, "before the network changed"))
        self.legend.setText(f'<span style="color:{theme.INFO}">'
                            + " &nbsp; ".join(items) + "</span>")

    # -- data -------------------------------------------------------------------------
    @property
    def empty(self) -> bool:
        return not self._old and all(len(s) == 0 for s in self.series.values())

    def clear(self) -> None:
        """No data, no markers: the empty state."""
        for s in self.series.values():
            s.clear()
        self.markers.clear()
        for plot, item in self._old:
            plot.removeItem(item)
        self._old.clear()
        self._old_loss = (math.inf, -math.inf)
        self._break_loss = False
        self.set_stale(False)
        self._show_legend()
        self._refresh()
        self._loss_range = None
        self._x_end = None
        self._x_cap = None
        for plot in (self.accuracy_plot, self.loss_plot):
            plot.disableAutoRange()
            plot.setXRange(0, 1, padding=0.02)
        self.accuracy_plot.setYRange(0, 100, padding=0.02)
        self.loss_plot.setYRange(-2, 0, padding=0.02)
        self.loss_plot.getAxis("left").setTicks(_log_ticks(-2, 0))
        self._show_hints(True)

    def begin_run(self, x_end: float, position: float = 0.0) -> None:
        """A run from ``position`` to ``x_end`` epochs starts. The x axis is fixed, so it
        does not change (and repaint) with every report, but not to the run's end: a long
        run would squash the curves against the left edge. It spans 0 to a "nice" bound
        ahead of the data and grows in steps (see ``x_bound``) up to ``x_end``."""
        self._x_cap = max(float(x_end), 1e-9)
        self._set_x_end(self.x_bound(position, self._x_cap))

    @staticmethod
    def x_bound(position: float, cap: float) -> float:
        """Where the fixed x axis ends for data up to ``position``: the next nice number
        at least ``X_GROWTH`` times ``position`` (and at least one epoch), at most ``cap``."""
        return min(cap, nice_ceil(max(X_GROWTH * max(position, 0.0), 1.0)))

    def _set_x_end(self, x_end: float) -> None:
        self._x_end = max(float(x_end), 1e-9)
        for plot in (self.accuracy_plot, self.loss_plot):
            plot.disableAutoRange(axis=pg.ViewBox.XAxis)
            plot.setXRange(0, self._x_end, padding=0.02)

    def _grow_x(self, position: float) -> None:
        """During a run: widen the fixed x axis once the data reaches its right end."""
        if self._x_end is not None and position > self._x_end:
            self._set_x_end(self.x_bound(position, max(self._x_cap, position)))

    def end_run(self) -> None:
        """The x axis fits the data again."""
        self._x_end = None
        self._x_cap = None
        self._fit_x()

    @property
    def x_range(self) -> tuple[float, float]:
        """The accuracy plot's visible x range."""
        (x0, x1), _ = self.accuracy_plot.getViewBox().viewRange()
        return x0, x1

    def add_report(self, position: float, accuracy: float, loss: float,
                   val_accuracy: float | None) -> None:
        """A training report at ``position`` epochs (accuracies as fractions)."""
        self._new_segment()
        self._grow_x(position)
        self._append("train_accuracy", position, 100.0 * accuracy)
        if val_accuracy is not None:
            self._append("val_accuracy", position, 100.0 * val_accuracy)
        if loss > 0 and math.isfinite(loss):
            self._append("train_loss", position, loss)
        self._refresh("train_accuracy", "val_accuracy", "train_loss")

    def add_epoch(self, position: float, record: EpochRecord) -> None:
        """An epoch's record (its test accuracy) at ``position`` epochs."""
        test = record.test_accuracy
        if test is not None:
            self._new_segment()
            self._grow_x(position)
            self._append("test_accuracy", position, 100.0 * test)
            self._refresh("test_accuracy")

    def load_history(self, history: list[EpochRecord]) -> None:
        """Plot a model's stored history (one point per epoch: no per-report detail)."""
        self.clear()
        for i, record in enumerate(history, 1):
            x = float(i if record.epoch is None else record.epoch)
            if record.accuracy is not None:
                self._append("train_accuracy", x, 100.0 * record.accuracy)
            if record.val_accuracy is not None:
                self._append("val_accuracy", x, 100.0 * record.val_accuracy)
            if record.loss is not None and record.loss > 0:
                self._append("train_loss", x, record.loss)
            self.add_epoch(x, record)
        self._refresh()

    def mark_lr(self, position: float, lr: float) -> None:
        """A dashed vertical line where the learning rate changed, labelled "lr 0.5"."""
        self.markers.mark(LR, position, f"lr {lr:g}", f"The learning rate became {lr:g} here")

    def mark_setting(self, position: float, label: str, tip: str, loss_changed: bool) -> None:
        """A line where the loss or the optimizer changed, labelled (e.g. "loss:
        cross-entropy"); with ``loss_changed`` the loss curve starts a new segment."""
        self.markers.mark(SETTING, position, label, tip)
        self._break_loss = loss_changed

    def unmark_setting(self, position: float) -> None:
        """The settings are back to those of the curves (nothing trained in between)."""
        self.markers.unmark(SETTING, position)
        self._break_loss = False

    def set_stale(self, stale: bool, position: float | None = None) -> None:
        """The network changed (``stale``) after the curves were measured: grey them and
        mark where; or it is back to the one they were measured on (an undo before any
        training): colour them again. The next data starts new, coloured curves."""
        if stale == self.stale:
            return
        self.stale = stale
        if stale and position is not None:
            self.markers.mark(NETWORK, position, "network changed",
                              "The network changed here: the figures left of this line "
                              "were measured on the network before the change")
        elif not stale and position is not None:
            self.markers.unmark(NETWORK, position)
        for key, curve in self.curves.items():
            _color_curve(curve, STALE if stale else CURVE_COLORS[key])
        for _, item in self._old:  # earlier segments: measured on the old network too
            _color_curve(item, STALE if stale else item.own_color)
        self._show_legend()

    def _new_segment(self) -> None:
        """Before new data: curves measured on another network, or a loss of another
        kind, become fixed earlier segments; the live curves start afresh."""
        keys = list(self.series) if self.stale else ["train_loss"] if self._break_loss else []
        for key in keys:
            s = self.series[key]
            if not len(s):
                continue
            plot = self.loss_plot if key == "train_loss" else self.accuracy_plot
            old = _curve(plot, None, STALE if self.stale else CURVE_COLORS[key],
                         "o" if key == "test_accuracy" else None)
            old.setData(s.x.copy(), s.y.copy())
            old.setZValue(-1)
            old.own_color = STALE if self.stale else CURVE_COLORS[key]
            self._old.append((plot, old))
            if key == "train_loss":
                lo, hi = self._old_loss
                self._old_loss = (min(lo, float(s.y.min())), max(hi, float(s.y.max())))
            s.clear()
        self._break_loss = False
        if self.stale:
            self.stale = False
            for key, curve in self.curves.items():
                _color_curve(curve, CURVE_COLORS[key])
            self._show_legend()

    def fit_view(self) -> None:
        """Show all the data again (after the person zoomed or panned)."""
        self._loss_range = None
        if self._x_end is None:
            self._fit_x()
        else:
            self._set_x_end(self._x_end)
        self.accuracy_plot.setYRange(0, 100, padding=0.02)
        self._fit_loss()

    def _on_click(self, event) -> None:
        if event.double():
            event.accept()
            self.fit_view()

    # -- drawing ----------------------------------------------------------------------
    def _append(self, key: str, x: float, y: float) -> None:
        self.series[key].append(x, y)

    def _refresh(self, *keys: str) -> None:
        for key in keys or self.series:
            s = self.series[key]
            self.curves[key].setData(s.x, s.y)
        if not self.empty:
            self._show_hints(False)
            if self._x_end is None:
                self._fit_x()
            self._fit_loss()

    def _fit_x(self) -> None:
        ends = [s.x[-1] for s in self.series.values() if len(s)]
        ends += [float(item.xData[-1]) for _, item in self._old if item.xData is not None
                 and len(item.xData)]
        end = max(ends) if ends else 1.0
        for plot in (self.accuracy_plot, self.loss_plot):
            plot.setXRange(0, max(end, 1e-9), padding=0.02)

    def _fit_loss(self) -> None:
        """The loss axis spans whole powers of ten, so it changes (and repaints) rarely."""
        s = self.series["train_loss"]
        lo, hi = self._old_loss
        if len(s):
            lo, hi = min(lo, float(s.y.min())), max(hi, float(s.y.max()))
        if not hi >= lo:
            return
        span = (math.floor(math.log10(lo)), math.ceil(math.log10(hi)))
        if span[1] <= span[0]:
            span = (span[0], span[0] + 1)
        if span != self._loss_range:
            self._loss_range = span
            self.loss_plot.setYRange(*span, padding=0.02)
            self.loss_plot.getAxis("left").setTicks(_log_ticks(*span))

    def _show_hints(self, visible: bool) -> None:
        for hint in self._hints:
            hint.setVisible(visible)
        if visible:
            self._place_hints()

    def _place_hints(self, *_) -> None:
        for plot, hint in zip((self.accuracy_plot, self.loss_plot), self._hints, strict=True):
            if hint.isVisible():
                (x0, x1), (y0, y1) = plot.getViewBox().viewRange()
                hint.setPos((x0 + x1) / 2, (y0 + y1) / 2)
