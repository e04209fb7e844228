"""Labelled vertical lines on the training plots where something about the run changed:
the learning rate, the loss or optimizer, the weight decay or augmentation, or the network
itself.

A label sits on the side of its line that faces the middle of the view, so a marker near
the right edge keeps its label inside the plot (never clipped by the edge).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

from ...nn.losses import LOSS_TITLES
from ...nn.optimizers import OPTIMIZER_TITLES
from .. import theme
from .status import augment_summary, format_lr

LR, SETTING, NETWORK, REGULARISE = "lr", "setting", "network", "regularise"
STYLES = {  # kind: (colour, pen style, label height as a fraction of the view)
    LR: (theme.rgb(theme.LR_MARKER), Qt.PenStyle.DashLine, 0.92),
    SETTING: (theme.rgb(theme.SETTING_MARKER), Qt.PenStyle.DashDotLine, 0.80),
    NETWORK: (theme.rgb(theme.NETWORK_MARKER), Qt.PenStyle.SolidLine, 0.68),
    REGULARISE: (theme.rgb(theme.SETTING_MARKER), Qt.PenStyle.DotLine, 0.56),
}
# pyqtgraph picks the first anchor when the view's centre is right of the line, the
# second when it is left of it: the label's left edge, or its right edge, on the line
LABEL_ANCHORS = [(0, 0), (1, 0)]


class RunMarkers:
    """Markers of several kinds, one line in each plot per marker.

    ``mark(kind, position, label, tip)`` adds one (or relabels the last of that kind if
    it is at the same position); ``unmark(kind, position)`` removes it again;
    ``lines(kind)`` lists the lines of a kind (one per plot per marker).
    """

    def __init__(self, plots):
        self._plots = list(plots)
        self._lines: dict[str, list[pg.InfiniteLine]] = {k: [] for k in STYLES}

    def lines(self, kind: str) -> list[pg.InfiniteLine]:
        return self._lines[kind]

    def all_lines(self) -> list[pg.InfiniteLine]:
        return [line for lines in self._lines.values() for line in lines]

    def last(self, kind: str, position: float) -> list[pg.InfiniteLine]:
        """The lines of the last marker of ``kind`` if it stands at ``position``."""
        lines = self._lines[kind][-len(self._plots):]
        if lines and abs(lines[0].value() - position) < 1e-9:
            return lines
        return []

    def mark(self, kind: str, position: float, label: str, tip: str) -> None:
        same = self.last(kind, position)
        if same:
            for line in same:
                line.label.setFormat(label)
                line.setToolTip(tip)
            return
        color, style, height = STYLES[kind]
        for plot in self._plots:
            line = pg.InfiniteLine(
                pos=position, angle=90, movable=False,
                pen=pg.mkPen(color, width=1, style=style), label=label,
                labelOpts={"position": height, "color": tuple(c * 3 // 4 for c in color),
                           "anchors": LABEL_ANCHORS, "fill": (255, 255, 255, 200)})
            line.setToolTip(tip)
            plot.addItem(line, ignoreBounds=True)
            self._lines[kind].append(line)

    def unmark(self, kind: str, position: float) -> bool:
        """Remove the last marker of ``kind`` if it is at ``position``."""
        same = self.last(kind, position)
        if not same:
            return False
        for plot, line in zip(self._plots, same, strict=True):
            plot.removeItem(line)
        del self._lines[kind][-len(same):]
        return True

    def clear(self) -> None:
        for lines in self._lines.values():
            for i, line in enumerate(lines):
                self._plots[i % len(self._plots)].removeItem(line)
            lines.clear()


class ChangeWatch:
    """Tells, for the Training tab, when a change makes its figures out of date.

    * The network changed (a layer inserted, removed or moved) while its weights were
      kept: the accuracy figures were measured on another network. They are ``stale``
      until training measures the new one (or an undo brings the old one back).
    * The loss or the optimizer changed after training: a marker, and the loss curve
      starts a new segment (losses of two kinds are not one curve).
    * The weight decay or the augmentation changed while training (the next batch uses
      them) or after it (the next run does): a marker, and a line in the log.

    ``position()`` gives where training stands (epochs); ``log(text)`` writes a line.
    """

    def __init__(self, session, plots, position, log):
        self.session = session
        self.plots = plots
        self._position = position
        self._log = log
        self._measured_spec = None  # the network the history was measured on
        self._settings = None  # (loss, optimizer) the last loss segment was trained with
        self._marked = None  # the label of the setting marker shown, if any
        self._history = None  # the history measured (a new one: another model)
        self._live = None  # (weight decay, augmentation) the curves were trained with
        self._live_base = None  # ... before the changes marked at ``_live_at``
        self._live_at: float | None = None

    def _current(self) -> tuple[dict | None, tuple[str, str]]:
        model = self.session.model
        spec = model.network.spec if model is not None else None
        h = self.session.hyper
        return spec, (h["loss"], h["optimizer"])

    def _live_now(self) -> tuple[float, dict]:
        h = self.session.hyper
        augment = h.get("augment")
        return (float(h.get("weight_decay") or 0.0),
                {k: v for k, v in augment.items() if v} if isinstance(augment, dict) else {})

    def measured(self) -> None:
        """The history (plotted afresh, or growing in a run) belongs to this network and
        these settings."""
        self._measured_spec, self._settings = self._current()
        self._marked = None
        model = self.session.model
        self._history = model.history if model is not None else None
        self._live, self._live_at = self._live_now(), None

    @property
    def stale(self) -> bool:
        return self.plots.stale

    def model_changed(self) -> bool:
        """The model was rebuilt but kept its weights and history: stale or not? Returns
        whether the staleness changed."""
        spec, _ = self._current()
        stale = spec is not None and spec != self._measured_spec
        if stale == self.plots.stale:
            return False
        self.plots.set_stale(stale, self._position())
        self._log("The network changed: the figures above were measured on the network "
                  "before the change." if stale else
                  "The network is the one the figures above were measured on again.")
        return True

    def hyper_changed(self) -> None:
        """Mark a new loss or optimizer (once trained), weight decay or augmentation (while
        training or once trained); unmark it when changed back."""
        self._live_changed()
        if not self.session.trained or self._settings is None:
            return
        _, now = self._current()
        position = self._position()
        if now == self._settings:
            if self._marked is not None:
                self.plots.unmark_setting(position)
                self._log(f"Changed back at epoch {position:.2f}: the loss and optimizer "
                          f"the curves were trained with.")
            self._marked = None
            return
        parts = []
        if now[0] != self._settings[0]:
            parts.append(f"loss: {LOSS_TITLES.get(now[0], now[0]).lower()}")
        if now[1] != self._settings[1]:
            parts.append(f"optimizer: {OPTIMIZER_TITLES.get(now[1], now[1])}")
        label = ", ".join(parts)
        if label == self._marked:
            return
        self._marked = label
        loss_changed = now[0] != self._settings[0]
        tip = (f"From here on: {label}."
               + (" The loss curve starts again: a loss of another kind has other values."
                  if loss_changed else ""))
        self.plots.mark_setting(position, label, tip, loss_changed)
        self._log(f"Changed at epoch {position:.2f}: {label}."
                  + (" The loss curve starts a new segment." if loss_changed else ""))

    def _live_changed(self) -> None:
        model = self.session.model
        if self._live is None or model is None or model.history is not self._history:
            return  # another model (being opened): ``measured`` follows
        now = self._live_now()
        if now == self._live:
            return
        before, self._live = self._live, now
        session = self.session
        if not (session.busy or session.trained):
            return  # nothing plotted yet: the run will start with these
        position = self._position()
        if self._live_at is None or abs(position - self._live_at) > 1e-9:
            self._live_base, self._live_at = before, position  # the first change here
        base = self._live_base
        markers = self.plots.markers
        if now == base:
            markers.unmark(REGULARISE, position)
            self._log(f"Changed back at epoch {position:.2f}: the weight decay and "
                      f"augmentation the curves were trained with.")
            return
        parts = []
        if now[0] != base[0]:
            parts.append(f"weight decay {format_lr(now[0])}" if now[0] else "no weight decay")
        if now[1] != base[1]:
            parts.append(augment_summary(now[1]) or "no augmentation")
        label = ", ".join(parts)
        when = ("from the next batch on" if session.busy else "for the next run")
        markers.mark(REGULARISE, position, label, f"From here on: {label}.")
        self._log(f"Changed at epoch {position:.2f}: {label} ({when}).")
