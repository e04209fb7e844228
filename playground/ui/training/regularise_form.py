"""The Training tab's second group of settings, in a section that folds: weight decay,
training-set size, learning-rate schedule, early stopping and data augmentation (with a
preview of eight augmented training digits).

Like the first group (``TrainingForm``) it shows ``session.hyper`` and changes it only
through ``session.set_hyper``; a setting that is off is removed from the settings (None),
so setting it back gives the settings it had. Folded, its header still says which of
these settings are on, so a model that trains with augmentation never does so unseen.
Weight decay and augmentation may change while training (the controller passes them on
at the next batch); the others are locked during a run, with a tooltip saying why.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...nn.schedules import SCHEDULES, STEP_AT, STEP_FACTOR
from ...nn.settings import MAX_PATIENCE, MAX_WEIGHT_DECAY, train_size_of, weight_decay_problem
from .. import theme
from ..bind import listen
from .augment_form import AugmentForm
from .status import augment_summary, format_lr, parse_number
from .status_line import ERROR, apply_settings

WD_TIP = ("Weight decay (L2 regularisation): every batch also pulls each weight a little "
          "towards 0 (by learning rate x weight decay x the weight), so the network keeps "
          "its weights small and memorises the training images less. Biases are not "
          "decayed.\n"
          f"0 is off. Try 1e-4 to 1e-3 with SGD or momentum, about 1e-2 with Adam (there it "
          f"is decoupled, as in AdamW). From 0 to {MAX_WEIGHT_DECAY:g}.\n"
          "You can change it while training: it takes effect at the next batch and is "
          "marked on the plots.")
TRAIN_SIZE_TIP = ("How many training images each epoch uses: the first so many of the "
                  "training set. Fewer images train faster per epoch but make it easier "
                  "for the network to memorise them (see how the training and validation "
                  "curves part).\n"
                  "The validation and test images stay the same whatever you choose, so "
                  "the figures stay comparable.")
_FIRST, _SECOND = (f"{100 * at:.0f}%" for at in STEP_AT)
SCHEDULE_TIPS = {
    "constant": "Constant: the learning rate you set, all through the run.",
    "step": (f"Step: the rate you set, divided by {1 / STEP_FACTOR:.0f} after {_FIRST} "
             f"of the run and again after {_SECOND}: big steps first, small steps to "
             f"settle."),
    "cosine": ("Cosine: from the rate you set down to nearly 0 along a smooth curve by the "
               "end of the run."),
}
SCHEDULE_TITLES = {"constant": "Constant", "step": "Step decay", "cosine": "Cosine"}
SCHEDULE_TIP = ("How the learning rate changes over one run (one Start or Continue):\n"
                + "\n".join(f"- {SCHEDULE_TIPS[s]}" for s in SCHEDULES))
PATIENCE_TIP = ("Early stopping: stop when the validation accuracy has not improved for so "
                "many epochs, and keep the weights of the best epoch. Off trains every "
                "epoch asked for.")
LOCKED = "Locked while training: stop or wait for the run to end to change it."
SIZE_LOCKED = ("Locked: these weights were trained on epochs of this many images, and the "
               "plots count epochs. Reset weights to train on another number of images.")
TITLE = "Regularisation and data"
FOLD_TIP = ("Settings that keep a network from memorising its training images: weight "
            "decay, fewer or more training images, the learning-rate schedule, early "
            "stopping and data augmentation")


MIN_BODY_HEIGHT = 60  # unfolded on a small screen, the settings scroll in this much at least
# ... and they get all they need when the screen's height leaves that much besides them for
# the rest of the window (measured at 1024 x 600: the plots keep their minimum height)
REST_OF_WINDOW = 540


class _Body(QScrollArea):
    """The unfolded settings: as tall as they are when the screen has room, else
    scrolling, so that unfolding them on a small screen never squeezes the rest of the tab
    together (the tab's plots would otherwise take the room: their size hint is big)."""

    def __init__(self, inner: QWidget):
        super().__init__()
        self.setObjectName("regulariseBody")
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = self.widget().sizeHint()
        return QSize(hint.width() + self.verticalScrollBar().sizeHint().width(), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        inner = self.widget()
        width = inner.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        screen = self.screen()
        room = screen.availableGeometry().height() - REST_OF_WINDOW if screen else 0
        return QSize(width, min(inner.sizeHint().height(), max(MIN_BODY_HEIGHT, room)))


class _Summary(QLabel):
    """One line that ends in "..." when it does not fit (its tooltip has it all)."""

    def __init__(self):
        super().__init__()
        self.full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full(self, text: str) -> None:
        self.full = text
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideRight,
                                                   max(0, self.width())))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._elide()


class RegulariseForm(QWidget):
    """The second group of settings; ``problemChanged`` when the weight decay's problem
    (``wd_problem``) came or went."""

    problemChanged = Signal()

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("regulariseForm")
        self.session = session
        self.wd_problem: str | None = None
        self._busy = False
        self._make_widgets()
        self._make_layout()
        self.set_folded(True)
        listen(session.hyperChanged, self.show_hyper, self)
        self.show_hyper()

    # -- construction -----------------------------------------------------------------------
    def _make_widgets(self) -> None:
        self.toggle = QToolButton()
        self.toggle.setObjectName("regulariseToggle")
        self.toggle.setText(TITLE)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolTip(FOLD_TIP + " (click to show or hide them)")
        self.toggle.toggled.connect(lambda shown: self.set_folded(not shown))
        self.summary = _Summary()
        self.summary.setObjectName("regulariseSummary")
        theme.set_state(self.summary, theme.HINT)

        self.wd_edit = QLineEdit()
        self.wd_edit.setObjectName("weightDecayEdit")
        self.wd_edit.setPlaceholderText("0 (off)")
        self.wd_edit.setToolTip(WD_TIP)
        self.wd_edit.textEdited.connect(self._check_wd_text)
        self.wd_edit.editingFinished.connect(self._apply_wd)

        self.train_size_spin = QSpinBox()
        self.train_size_spin.setObjectName("trainSizeSpin")
        self.train_size_spin.setKeyboardTracking(False)
        self.train_size_spin.setSingleStep(1000)
        self.train_size_spin.setGroupSeparatorShown(True)
        self.train_size_spin.setToolTip(TRAIN_SIZE_TIP)
        self.train_size_spin.valueChanged.connect(self._apply_train_size)

        self.schedule_combo = QComboBox()
        self.schedule_combo.setObjectName("scheduleCombo")
        for name in SCHEDULES:
            self.schedule_combo.addItem(SCHEDULE_TITLES.get(name, name), name)
            self.schedule_combo.setItemData(self.schedule_combo.count() - 1,
                                            SCHEDULE_TIPS.get(name, name),
                                            Qt.ItemDataRole.ToolTipRole)
        self.schedule_combo.setToolTip(SCHEDULE_TIP)
        self.schedule_combo.activated.connect(
            lambda _: self._apply(schedule=self._off(self.schedule_combo.currentData(),
                                                     "constant")))

        self.patience_spin = QSpinBox()
        self.patience_spin.setObjectName("patienceSpin")
        self.patience_spin.setRange(0, MAX_PATIENCE)
        self.patience_spin.setSpecialValueText("Off")
        self.patience_spin.setSuffix(" epochs")
        self.patience_spin.setKeyboardTracking(False)
        self.patience_spin.setToolTip(PATIENCE_TIP)
        self.patience_spin.valueChanged.connect(
            lambda v: self._apply(patience=self._off(int(v), 0)))

        self.augment = AugmentForm(self.session, self._apply)

        self.wd_error = QLabel()
        self.wd_error.setObjectName("weightDecayError")
        self.message = QLabel()
        self.message.setObjectName("regulariseMessage")
        for label in (self.wd_error, self.message):
            label.setWordWrap(True)
            theme.set_state(label, ERROR)
            label.hide()
        self._tips = {self.wd_edit: WD_TIP, self.train_size_spin: TRAIN_SIZE_TIP,
                      self.schedule_combo: SCHEDULE_TIP, self.patience_spin: PATIENCE_TIP}

    def _make_layout(self) -> None:
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(6)
        header.addWidget(self.toggle)
        header.addWidget(self.summary, 1)

        inner = QWidget()
        self._grid = grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        self._labels = {}
        cells = [("&Weight decay", self.wd_edit), ("Training ima&ges", self.train_size_spin),
                 ("Sched&ule", self.schedule_combo), ("Earl&y stop", self.patience_spin)]
        for text, widget in cells:
            label = QLabel(text)
            label.setBuddy(widget)
            label.setToolTip(widget.toolTip())
            widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            widget.setMinimumWidth(50)
            self._labels[widget] = label
        self._narrow: bool | None = None
        self._place_cells(narrow=False)
        body = QVBoxLayout(inner)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(6)
        body.addLayout(grid)
        body.addWidget(self.augment)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        self.body = _Body(inner)
        layout.addWidget(self.body)

    # -- folding, arranging, locking --------------------------------------------------------
    @property
    def folded(self) -> bool:
        return self.body.isHidden()

    def set_folded(self, folded: bool) -> None:
        self.body.setVisible(not folded)
        with QSignalBlocker(self.toggle):
            self.toggle.setChecked(not folded)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow if folded else Qt.ArrowType.DownArrow)
        if not folded:
            self.augment.preview_shown()

    def arrange(self, narrow: bool) -> None:
        """Two settings a row, or one when ``narrow`` (the augmentation: three or two)."""
        self._place_cells(narrow)
        self.augment.arrange(narrow)

    def _place_cells(self, narrow: bool) -> None:
        if narrow == self._narrow:
            return
        self._narrow = narrow
        per_row, grid = (1 if narrow else 2), self._grid
        for widget, label in self._labels.items():
            grid.removeWidget(label)
            grid.removeWidget(widget)
        for extra in (self.wd_error, self.message):
            grid.removeWidget(extra)
        for column in range(4):
            grid.setColumnStretch(column, 0)
        for i, (widget, label) in enumerate(self._labels.items()):
            row, col = divmod(i, per_row)
            grid.addWidget(label, row, 2 * col)
            grid.addWidget(widget, row, 2 * col + 1)
            grid.setColumnStretch(2 * col + 1, 1)
        rows = -(-len(self._labels) // per_row)
        grid.addWidget(self.wd_error, rows, 0, 1, 2 * per_row)
        grid.addWidget(self.message, rows + 1, 0, 1, 2 * per_row)

    def set_busy(self, busy: bool) -> None:
        """While training, weight decay and augmentation may change; the rest is locked.
        Once trained, the training-set size stays until Reset weights (an epoch of the
        network trained so far is one of that many images)."""
        self._busy = busy
        trained = self.session.trained
        for widget in (self.train_size_spin, self.schedule_combo, self.patience_spin):
            why = LOCKED if busy else (
                SIZE_LOCKED if trained and widget is self.train_size_spin else None)
            widget.setEnabled(why is None)
            tip = f"{why}\n\n{self._tips[widget]}" if why else self._tips[widget]
            widget.setToolTip(tip)
            self._labels[widget].setToolTip(tip)

    # -- showing ------------------------------------------------------------------------------
    def available(self) -> int | None:
        """Training images there are (None if the data cannot be read)."""
        try:
            return len(self.session.data.train_x)
        except Exception:  # noqa: BLE001 - no data: no size to offer
            return None

    def show_hyper(self) -> None:
        """Echo ``session.hyper`` (no signals back: no loops)."""
        h = self.session.hyper
        available = self.available() or 0
        widgets = (self.wd_edit, self.train_size_spin, self.schedule_combo, self.patience_spin)
        blockers = [QSignalBlocker(w) for w in widgets]
        try:
            wd = float(h.get("weight_decay") or 0.0)
            self.wd_edit.setText(format_lr(wd) if wd else "0")
            spin = self.train_size_spin
            spin.setRange(0, max(available, 1))
            spin.setSpecialValueText(f"All ({available:,})")
            size = h.get("train_size")
            spin.setValue(0 if size is None or size >= available else int(size))
            self.schedule_combo.setCurrentIndex(
                max(0, self.schedule_combo.findData(h.get("schedule") or "constant")))
            self.patience_spin.setValue(min(int(h.get("patience") or 0), MAX_PATIENCE))
        finally:
            del blockers
        if available:
            self.augment.set_source(self.session.data.train_x, train_size_of(h, available))
        self.augment.show_hyper()
        self._set_wd_problem(None)
        self.message.hide()
        self._show_summary()

    def _show_summary(self) -> None:
        h = self.session.hyper
        parts = []
        if h.get("weight_decay"):
            parts.append(f"weight decay {format_lr(float(h['weight_decay']))}")
        if h.get("train_size") is not None:
            parts.append(f"{int(h['train_size']):,} images")
        if (h.get("schedule") or "constant") != "constant":
            parts.append(f"{SCHEDULE_TITLES.get(h['schedule'], h['schedule']).lower()} "
                         f"schedule")
        if h.get("patience"):
            parts.append(f"early stop {h['patience']}")
        augment = augment_summary(h.get("augment"))
        if augment:
            parts.append(augment)
        text = ", ".join(parts)
        self.summary.set_full(text or "all off")
        self.summary.setToolTip(("On: " + text) if text else
                                "None of these settings is on: no weight decay, all the "
                                "training images, a constant learning rate, no early "
                                "stopping, no augmentation")

    # -- changing -----------------------------------------------------------------------------
    @staticmethod
    def _off(value, off):
        """None (removed from the settings) for a setting's "off" value."""
        return None if value == off else value

    def _apply(self, **changes) -> bool:
        return apply_settings(self.session, self.message, self.show_hyper, **changes)

    def _apply_train_size(self, value: int) -> None:
        available = self.available() or 0
        size = None if value == 0 or value >= available else int(value)
        changes = {"train_size": size}
        if size is not None and self.session.hyper["batch_size"] > size:
            changes["batch_size"] = size  # a batch cannot hold more images than there are
        self._apply(**changes)

    def _wd_value(self, text: str):
        value = parse_number(text) if text.strip() else 0.0
        return value, weight_decay_problem(value)

    def _set_wd_problem(self, problem: str | None) -> None:
        if problem == self.wd_problem:
            return
        self.wd_problem = problem
        if problem:
            border = theme.pick(theme.ERROR, self.wd_edit)
            self.wd_edit.setStyleSheet(f"QLineEdit {{ border: 1px solid {border}; }}")
            self.wd_edit.setToolTip(f"Not accepted: {problem}.\n\n{WD_TIP}")
            kept = format_lr(float(self.session.hyper.get("weight_decay") or 0.0))
            self.wd_error.setText(f"Not accepted: {problem} (such as 0, 1e-4 or 0.0005). "
                                  f"The weight decay stays {kept}.")
            self.wd_error.show()
        else:
            self.wd_edit.setStyleSheet("")
            self.wd_edit.setToolTip(WD_TIP)
            self.wd_error.hide()
        self.problemChanged.emit()

    def _check_wd_text(self, text: str) -> None:
        if self.wd_problem and not self._wd_value(text)[1]:
            self._set_wd_problem(None)

    def _apply_wd(self) -> None:
        value, problem = self._wd_value(self.wd_edit.text())
        if problem:
            self._set_wd_problem(problem)
            return
        self._set_wd_problem(None)
        wd = float(value)
        if wd == float(self.session.hyper.get("weight_decay") or 0.0):
            self.wd_edit.setText(format_lr(wd) if wd else "0")
            return
        self._apply(weight_decay=self._off(wd, 0.0))

    def commit_edits(self) -> tuple[dict, str | None]:
        """What is typed but not confirmed: (the changes to apply, or why training cannot
        start). Applies nothing (the caller applies all the changes at once)."""
        text = self.wd_edit.text()
        current = float(self.session.hyper.get("weight_decay") or 0.0)
        if text == (format_lr(current) if current else "0") and not self.wd_problem:
            return {}, None
        value, problem = self._wd_value(text)
        if problem:
            self._set_wd_problem(problem)
            return {}, f"Cannot start: {problem}"
        self._set_wd_problem(None)
        wd = float(value)
        return ({"weight_decay": self._off(wd, 0.0)} if wd != current else {}), None
