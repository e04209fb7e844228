"""The live training plots: accuracy and loss against epochs.

Each plot has, thick and with a dot per epoch, the training and the validation figures
measured with each epoch's final weights (they compare like with like), the shaded gap
between them (see ``plots_gap``) and a readout of it beside the title; thin and light,
what is measured during an epoch (the running training mean, a validation sample), so
the curves move while an epoch trains; and, on the accuracy plot, the test accuracy.

Every curve is created once and updated with ``setData`` from growing NumPy arrays.
One legend row above the plots names the curves (inside a plot it would cover them).
Where the loss or optimizer changes, the loss curves start a new segment (two losses are
never joined into one line); where the network changes, everything measured before is
drawn in grey (``STALE``): those figures belong to a network that no longer exists.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from ...nn.history import TRAIN_SAMPLE, EpochRecord
from ...state import overfit
from .. import theme
from ..axes import nice_ceil, percent_range
from .plot_items import (
    AXIS_FONT_PT,
    LIVE_TRAIN,
    LIVE_VAL,
    LOSS_KEYS,
    OLD_Z,
    STALE,
    STYLES,
    TEST,
    TRAIN,
    VAL,
    Series,
    color_curve,
    log_ticks,
    make_curve,
    make_plot,
    pen_is_stale,
    show_dots,
)
from .plots_gap import GapBand, GapHeading, band_points, blend_on_plot, percent, positive
from .run_markers import LR, NETWORK, SETTING, RunMarkers

__all__ = ["AXIS_FONT_PT", "STALE", "TrainingPlots", "nice_ceil", "pen_is_stale"]

HINT = theme.rgb(theme.PLOT_HINT)
EMPTY_HINT = "Press Start to train"
X_GROWTH = 1.25  # during a run the x axis grows to a nice bound at least this far ahead
# once the data reaches FRAME_AFTER epochs, the accuracy axis frames what was measured
# from FRAME_FROM epochs on: the climb of the first epoch would squash the gap
FRAME_FROM, FRAME_AFTER = 1.0, 2.0
END_ROOM = 0.05  # beyond the ends of the accuracy axis, as a fraction of its span
EPOCH_KEYS = ("epoch_train_accuracy", "epoch_val_accuracy", "test_accuracy",
              "epoch_train_loss", "epoch_val_loss")
#: what each epoch-level curve plots from a record
FROM_RECORD = {
    "epoch_train_accuracy": lambda r: percent(r.train_sample_accuracy),
    "epoch_val_accuracy": lambda r: percent(r.val_accuracy),
    "test_accuracy": lambda r: percent(r.test_accuracy),
    "epoch_train_loss": lambda r: positive(r.train_sample_loss),
    "epoch_val_loss": lambda r: positive(r.val_loss),
}


def _plot(name: str, title: str, left: str) -> pg.PlotWidget:
    """A titled plot in the style of these (the Robustness view's)."""
    return make_plot(name, left, title)


class TrainingPlots(QWidget):
    """Accuracy (training, validation and their gap, test after each epoch) beside the
    loss (training, validation and their gap)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.accuracy_plot = make_plot("accuracyPlot", "accuracy (%)")
        self.loss_plot = make_plot("lossPlot", "loss (log scale)")
        sample = f"the first {TRAIN_SAMPLE:,} training images (all, when fewer)"
        self.accuracy_plot.setToolTip(
            f"Accuracy against epochs of training. Thick: on {sample} and on the "
            f"validation images, with the weights at each epoch's end; the band between "
            f"them is the gap. Dots: the test set after each epoch. Thin: during an "
            f"epoch, the running accuracy on the training batches and on a validation "
            f"sample.\nDrag to pan, wheel to zoom, double-click to fit.")
        self.loss_plot.setToolTip(
            f"The loss against epochs (log scale). Thick: on {sample} and on the "
            f"validation images, with the weights at each epoch's end; the band between "
            f"them is the gap. Thin: the mean over the training batches since the "
            f"previous report.\nDrag to pan, wheel to zoom, double-click to fit.")
        self.loss_plot.setLogMode(x=False, y=True)
        self.legend = QLabel()
        self.legend.setObjectName("plotLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.legend.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.legend.setToolTip("The curves of both plots: accuracy (left) and loss (right)")
        self.accuracy_heading = GapHeading("Accuracy", "accuracyGap", overfit.accuracy_text)
        self.loss_heading = GapHeading("Loss", "lossGap", overfit.loss_text)

        self.series = {key: Series() for key in STYLES}
        self.curves = {key: make_curve(self._plot_of(key), style)
                       for key, style in STYLES.items()}
        self.accuracy_band = GapBand(self.accuracy_plot)
        self.loss_band = GapBand(self.loss_plot, log=True)
        self._records: list[EpochRecord] = []  # measured on this network
        self._points: list[tuple[float, dict]] = []  # where each is plotted, and its values
        self._verdicts: list[overfit.Gap] = []  # the gap as of each of them
        self._loss_from = 0  # the first of them trained with the loss of the curves
        self.gap: overfit.Gap | None = None  # the gap at the latest of them
        self._loss_range = None
        self._accuracy_range = None
        self._x_end = None  # during a run: the right end of the fixed x axis
        self._x_cap = None  # during a run: where it ends (the x axis never goes further)
        self.markers = RunMarkers((self.accuracy_plot, self.loss_plot))
        self._old: list[tuple[pg.PlotWidget, pg.PlotDataItem]] = []  # earlier segments
        self._old_bands: list[GapBand] = []
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
        layout.addWidget(self.accuracy_heading, 1, 0)
        layout.addWidget(self.loss_heading, 1, 1)
        layout.addWidget(self.accuracy_plot, 2, 0)
        layout.addWidget(self.loss_plot, 2, 1)
        layout.setRowStretch(2, 1)
        self.clear()

    def _plot_of(self, key: str) -> pg.PlotWidget:
        return self.loss_plot if key in LOSS_KEYS else self.accuracy_plot

    @property
    def lr_markers(self) -> list[pg.InfiniteLine]:
        """The learning-rate markers: two per change, one in each plot."""
        return self.markers.lines(LR)

    def _show_legend(self) -> None:
        def swatch(color, text="", mark="&#9473;&#9473;"):
            hex_color = "#" + "".join(f"{c:02x}" for c in color)
            # one item never breaks across lines: only the gaps between items do
            return (f'<span style="white-space:nowrap"><span style="color:{hex_color}; '
                    f'font-weight:bold">{mark}</span>'
                    + (f"&nbsp;{text}" if text else "") + "</span>")

        thin = "&#9472;&#9472;"
        items = [swatch(TRAIN, "training"), swatch(VAL, "validation"),
                 swatch(blend_on_plot(theme.GAP_FILL), "gap", "&#9608;&#9608;")]
        if self.accuracy_band.overfit_points:
            items.append(swatch(blend_on_plot(theme.OVERFIT_FILL), "overfitting",
                                "&#9608;&#9608;"))
        items += [swatch(TEST, "test", "&#9679;"),
                  swatch(LIVE_TRAIN, mark=thin) + swatch(LIVE_VAL, "during an epoch", thin)]
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
        for band in self._old_bands:
            band.remove()
        self._old_bands.clear()
        self._old_loss = (math.inf, -math.inf)
        self._break_loss = False
        self._records.clear()
        self._points.clear()
        self._verdicts.clear()
        self._loss_from = 0
        self.set_stale(False)
        self._show_gap()
        self._refresh()
        self._loss_range = None
        self._accuracy_range = None
        self._x_end = None
        self._x_cap = None
        for plot in (self.accuracy_plot, self.loss_plot):
            plot.disableAutoRange()
            plot.setXRange(0, 1, padding=0.02)
        self._fit_accuracy()
        self.loss_plot.setYRange(-2, 0, padding=0.02)
        self.loss_plot.getAxis("left").setTicks(log_ticks(-2, 0))
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
        """A training report at ``position`` epochs (accuracies as fractions): the thin
        curves of what is measured during an epoch."""
        self._new_segment()
        self._grow_x(position)
        self._append("train_accuracy", position, 100.0 * accuracy)
        if val_accuracy is not None:
            self._append("val_accuracy", position, 100.0 * val_accuracy)
        if loss > 0 and math.isfinite(loss):
            self._append("train_loss", position, loss)
        self._refresh("train_accuracy", "val_accuracy", "train_loss")

    def add_epoch(self, position: float, record: EpochRecord) -> None:
        """An epoch's record at ``position`` epochs: the points of the thick curves, the
        test accuracy, the band and the gap."""
        self._new_segment()
        self._grow_x(position)
        self._add_record(position, record)
        self._show_gap()
        self._refresh(*EPOCH_KEYS)

    def _add_record(self, x: float, record: EpochRecord) -> None:
        values = {key: value_of(record) for key, value_of in FROM_RECORD.items()}
        for key, value in values.items():
            if value is not None:
                self._append(key, x, value)
        self._records.append(record)
        self._points.append((x, values))
        self._verdicts.append(overfit.gap(self._records))

    def load_history(self, history: list[EpochRecord]) -> None:
        """Plot a model's stored history (one point per epoch: no per-report detail; the
        thin training curves get the means over each epoch)."""
        self.clear()
        for i, record in enumerate(history, 1):
            x = float(i if record.epoch is None else record.epoch)
            accuracy, loss = percent(record.accuracy), positive(record.loss)
            if accuracy is not None:
                self._append("train_accuracy", x, accuracy)
            if loss is not None:
                self._append("train_loss", x, loss)
            self._add_record(x, record)
        self._show_gap()
        self._refresh()

    def _show_gap(self) -> None:
        """The bands and readouts for the records measured on this network."""
        self.gap = g = self._verdicts[-1] if self._verdicts else None
        since = overfit.overfitting_since(self._verdicts)
        for band, first, keys in (
                (self.accuracy_band, 0, ("epoch_train_accuracy", "epoch_val_accuracy")),
                (self.loss_band, self._loss_from, ("epoch_train_loss", "epoch_val_loss"))):
            band.set_data(*band_points(self._points, first, since, *keys))
        for heading in (self.accuracy_heading, self.loss_heading):
            heading.show_gap(g, self.stale)
        self._show_legend()

    def mark_lr(self, position: float, lr: float) -> None:
        """A dashed vertical line where the learning rate changed, labelled "lr 0.5"."""
        self.markers.mark(LR, position, f"lr {lr:g}", f"The learning rate became {lr:g} here")

    def mark_setting(self, position: float, label: str, tip: str, loss_changed: bool) -> None:
        """A line where the loss or the optimizer changed, labelled (e.g. "loss:
        cross-entropy"); with ``loss_changed`` the loss curves start a new segment."""
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
        for curve in self.curves.values():
            color_curve(curve, STALE if stale else curve.style.color)
        for _, item in self._old:  # earlier segments: measured on the old network too
            color_curve(item, STALE if stale else item.own_color)
        for band in (self.accuracy_band, self.loss_band, *self._old_bands):
            band.set_stale(stale)
        for heading in (self.accuracy_heading, self.loss_heading):
            heading.show_gap(self.gap, stale)
        self._show_legend()

    def _new_segment(self) -> None:
        """Before new data: curves measured on another network, or a loss of another
        kind, become fixed earlier segments; the live curves start afresh."""
        stale = self.stale
        keys = list(self.series) if stale else LOSS_KEYS if self._break_loss else ()
        for key in keys:
            s = self.series[key]
            if not len(s):
                continue
            plot = self._plot_of(key)
            old = make_curve(plot, STYLES[key], STALE if stale else None, OLD_Z)
            old.setData(s.x.copy(), s.y.copy())
            self._old.append((plot, old))
            if key in LOSS_KEYS:
                lo, hi = self._old_loss
                self._old_loss = (min(lo, float(s.y.min())), max(hi, float(s.y.max())))
            s.clear()
        bands = ((self.accuracy_band, self.loss_band) if stale
                 else (self.loss_band,) if self._break_loss else ())
        for band in bands:
            if len(band):
                self._old_bands.append(band.freeze())
            band.clear()
        if self._break_loss:
            self._loss_from = len(self._records)
        self._break_loss = False
        if stale:
            self.stale = False
            self._records.clear()
            self._points.clear()
            self._verdicts.clear()
            self._loss_from = 0
            for curve in self.curves.values():
                color_curve(curve, curve.style.color)
            for band in (self.accuracy_band, self.loss_band):
                band.set_stale(False)
            self._show_gap()

    def fit_view(self) -> None:
        """Show all the data again (after the person zoomed or panned)."""
        self._loss_range = None
        self._accuracy_range = None
        if self._x_end is None:
            self._fit_x()
        else:
            self._set_x_end(self._x_end)
        self._fit_accuracy()
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
            show_dots(self.curves[key], len(s))
        if not self.empty:
            self._show_hints(False)
            if self._x_end is None:
                self._fit_x()
            self._fit_accuracy()
            self._fit_loss()

    def _fit_x(self) -> None:
        ends = [s.x[-1] for s in self.series.values() if len(s)]
        ends += [float(item.xData[-1]) for _, item in self._old if item.xData is not None
                 and len(item.xData)]
        end = max(ends) if ends else 1.0
        for plot in (self.accuracy_plot, self.loss_plot):
            plot.setXRange(0, max(end, 1e-9), padding=0.02)

    def _accuracy_data(self) -> list[tuple[np.ndarray, np.ndarray]]:
        data = [(s.x, s.y) for key, s in self.series.items()
                if key not in LOSS_KEYS and len(s)]
        data += [(item.xData, item.yData) for plot, item in self._old
                 if plot is self.accuracy_plot and item.xData is not None
                 and len(item.xData)]
        return data

    def _fit_accuracy(self) -> None:
        """The accuracy axis from a round number below the data (after the first epoch,
        once there are two) to 100%, so the gap between high accuracies shows."""
        data = self._accuracy_data()
        end = max((float(x.max()) for x, _ in data), default=0.0)
        start = FRAME_FROM - 1e-9 if end >= FRAME_AFTER else -math.inf
        lows = [float(y[x >= start].min()) for x, y in data if (x >= start).any()]
        span = percent_range(min(lows) if lows else None)
        if span != self._accuracy_range:
            self._accuracy_range = span
            lo, hi = span
            # room for the end ticks' labels (a label that would not fit is not drawn)
            self.accuracy_plot.setYRange(lo, hi, padding=END_ROOM)

    def _fit_loss(self) -> None:
        """The loss axis spans whole powers of ten, so it changes (and repaints) rarely."""
        lo, hi = self._old_loss
        for key in LOSS_KEYS:
            s = self.series[key]
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
            self.loss_plot.getAxis("left").setTicks(log_ticks(*span))

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
