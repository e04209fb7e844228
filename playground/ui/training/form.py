"""The Training tab's settings form: loss, optimizer, learning rate, batch size, epochs, seed,
and below them the section that folds with weight decay, training-set size, schedule, early
stopping and augmentation (``RegulariseForm``).

It shows ``session.hyper`` and changes it through ``session.set_hyper`` (the session
checks); a refused value is shown in the form, which then shows the settings again. A
learning rate that is typed but not accepted keeps the typing and blocks Start
(``lr_problem``).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from ...nn.losses import LOSS_TITLES
from ...nn.optimizers import OPTIMIZER_TITLES
from ...nn.settings import MAX_EPOCHS, MAX_SEED, check_hyper, train_size_of
from .. import theme
from ..bind import listen
from .regularise_form import RegulariseForm
from .status import LOSS_TIPS, OPTIMIZER_TIPS, epochs_to_train, format_lr, parse_number, plural
from .status_line import ERROR, apply_settings

LR_TIP = ("The learning rate: how far each batch moves the weights. "
          "A positive number such as 3, 0.5 or 1e-3.\n"
          "You can change it while training: it takes effect at the next "
          "batch and is marked on the plots.")


class TrainingForm(QWidget):
    """The settings; ``lrApplied(lr)`` when the learning rate changed through the form,
    ``problemChanged`` when the learning rate's problem (``lr_problem``) came or went."""

    lrApplied = Signal(float)
    problemChanged = Signal()
    confirmed = Signal()  # a value typed and confirmed, changed or not

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.lr_problem: str | None = None
        self._make_widgets()
        self.regularise = RegulariseForm(session)
        self.regularise.problemChanged.connect(self.problemChanged)
        self._form = QGridLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.setHorizontalSpacing(8)
        self._form.setVerticalSpacing(6)
        self._form_cells = []
        cells = [("&Loss", self.loss_combo), ("&Optimizer", self.optimizer_combo),
                 ("Learning &rate", self.lr_edit), ("&Batch size", self.batch_spin),
                 ("E&pochs", self.epochs_spin), ("See&d", self.seed_spin)]
        for text, widget in cells:
            label = QLabel(text)
            label.setBuddy(widget)
            label.setToolTip(widget.toolTip())
            widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            widget.setMinimumWidth(50)
            self._form_cells.append((label, widget))
        self._narrow: bool | None = None
        self.arrange(narrow=False)
        listen(session.hyperChanged, self.show_hyper, self)

    def _make_widgets(self) -> None:
        def combo(name, titles, tips, key, intro):
            box = QComboBox()
            box.setObjectName(name)
            for value, title in titles.items():
                box.addItem(title, value)
                box.setItemData(box.count() - 1, tips.get(value, title),
                                Qt.ItemDataRole.ToolTipRole)
            box.setToolTip(intro + "\n".join(f"- {t}" for t in tips.values()))
            box.activated.connect(lambda _: self.apply(**{key: box.currentData()}))
            return box

        self.loss_combo = combo("lossCombo", LOSS_TITLES, LOSS_TIPS, "loss",
                                "The loss the training minimises:\n")
        self.optimizer_combo = combo("optimizerCombo", OPTIMIZER_TITLES, OPTIMIZER_TIPS,
                                     "optimizer", "How the gradients change the weights:\n")

        self.lr_edit = QLineEdit()
        self.lr_edit.setObjectName("lrEdit")
        self.lr_edit.setToolTip(LR_TIP)
        self.lr_edit.textEdited.connect(self._check_lr_text)
        self.lr_edit.editingFinished.connect(self._apply_lr)

        def spin(name, tip, low=1, high=None):
            box = QSpinBox()
            box.setObjectName(name)
            if high is not None:
                box.setRange(low, high)
            box.setKeyboardTracking(False)
            box.setToolTip(tip)
            box.editingFinished.connect(self.confirmed)  # a value typed and confirmed
            return box

        self.batch_spin = spin("batchSpin", "Images per mini-batch: the weights change once "
                               "per batch. Small batches learn more per epoch; large "
                               "batches run faster per image.")
        self.batch_spin.valueChanged.connect(lambda v: self.apply(batch_size=int(v)))
        self.epochs_spin = spin("epochsSpin", f"Passes over the training images that Start "
                                f"runs (1 to {MAX_EPOCHS:,}).", 1, MAX_EPOCHS)
        self.epochs_spin.valueChanged.connect(lambda v: self.apply(epochs=int(v)))
        self.seed_spin = spin("seedSpin", "The random seed: the same seed gives the same "
                              "starting weights (after Reset weights) and the same "
                              "shuffling.", 0, MAX_SEED)
        self.seed_spin.valueChanged.connect(self._apply_seed)
        self._spins = ((self.batch_spin, "batch size", "batch_size"),
                       (self.epochs_spin, "epochs", "epochs"), (self.seed_spin, "seed", "seed"))

        self.lr_error = QLabel()
        self.lr_error.setObjectName("lrError")
        self.form_message = QLabel()
        self.form_message.setObjectName("formMessage")
        for label in (self.lr_error, self.form_message):
            label.setWordWrap(True)
            theme.set_state(label, ERROR)
            label.hide()

    def arrange(self, narrow: bool) -> None:
        """Three settings a row, or two when ``narrow``."""
        if narrow == self._narrow:
            return
        self._narrow = narrow
        per_row = 2 if narrow else 3
        form = self._form
        for label, widget in self._form_cells:
            form.removeWidget(label)
            form.removeWidget(widget)
        form.removeWidget(self.lr_error)
        form.removeWidget(self.form_message)
        form.removeWidget(self.regularise)
        for column in range(6):
            form.setColumnStretch(column, 0)
        for i, (label, widget) in enumerate(self._form_cells):
            row, col = divmod(i, per_row)
            form.addWidget(label, row, 2 * col)
            form.addWidget(widget, row, 2 * col + 1)
            form.setColumnStretch(2 * col + 1, 1)
        rows = math.ceil(len(self._form_cells) / per_row)
        form.addWidget(self.lr_error, rows, 0, 1, 2 * per_row)
        form.addWidget(self.form_message, rows + 1, 0, 1, 2 * per_row)
        form.addWidget(self.regularise, rows + 2, 0, 1, 2 * per_row)
        self.regularise.arrange(narrow)

    def set_busy(self, busy: bool) -> None:
        """While training only the learning rate, the weight decay and the augmentation
        may change."""
        for w in (self.loss_combo, self.optimizer_combo, self.batch_spin, self.epochs_spin,
                  self.seed_spin):
            w.setEnabled(not busy)
        self.regularise.set_busy(busy)

    # -- showing ----------------------------------------------------------------------------
    def show_hyper(self) -> None:
        """Echo ``session.hyper`` in the form (no signals back: no loops)."""
        h = self.session.hyper
        widgets = (self.loss_combo, self.optimizer_combo, self.lr_edit, self.batch_spin,
                   self.epochs_spin, self.seed_spin)
        blockers = [QSignalBlocker(w) for w in widgets]
        try:
            self.loss_combo.setCurrentIndex(max(0, self.loss_combo.findData(h["loss"])))
            self.optimizer_combo.setCurrentIndex(
                max(0, self.optimizer_combo.findData(h["optimizer"])))
            self.lr_edit.setText(format_lr(h["lr"]))
            self.batch_spin.setRange(1, self.train_size() or 1_000_000)
            self.batch_spin.setValue(int(h["batch_size"]))
            self.epochs_spin.setValue(int(h["epochs"]))
            self.seed_spin.setValue(min(int(h["seed"]), MAX_SEED))
        finally:
            del blockers
        self._set_lr_problem(None)
        self.form_message.hide()

    def show_epochs_meaning(self) -> None:
        """Once trained, the Epochs setting means more epochs: say which ones."""
        label = self._form_cells[4][0]
        model, trained = self.session.model, self.session.trained
        label.setText("More e&pochs" if trained else "E&pochs")
        tip = (f"Passes over the training images that Start runs (1 to {MAX_EPOCHS:,}).")
        if trained and model is not None:
            done = len(model.history)
            which = epochs_to_train(done + 1, int(self.session.hyper["epochs"]))
            tip = (f"More epochs: how many Continue trains on top of the "
                   f"{plural(done, 'epoch')} done (now {which}); 1 to {MAX_EPOCHS:,}.")
        for widget in (label, self.epochs_spin):
            widget.setToolTip(tip)

    def train_size(self) -> int | None:
        """Training images a run trains on (the "train_size" setting, else all); None if
        the data cannot be read."""
        try:
            return train_size_of(self.session.hyper, len(self.session.data.train_x))
        except Exception:  # noqa: BLE001 - no data: no upper bound to show
            return None

    # -- changing -----------------------------------------------------------------------------
    def apply(self, **changes) -> bool:
        """Change settings through the session; shows its problems and restores the form."""
        return apply_settings(self.session, self.form_message, self.show_hyper, **changes)

    def _lr_problems(self, value) -> list[str]:
        problems = check_hyper({**self.session.hyper, "lr": value}, self.train_size())
        return [p for p in problems if p.startswith("learning rate")]

    def _set_lr_problem(self, problem: str | None) -> None:
        self.lr_problem = problem
        if problem:
            border = theme.pick(theme.ERROR, self.lr_edit)
            self.lr_edit.setStyleSheet(f"QLineEdit {{ border: 1px solid {border}; }}")
            self.lr_edit.setToolTip(f"Not accepted: {problem}.\n\n{LR_TIP}")
            self.lr_error.setText(f"Not accepted: {problem}.")
            self.lr_error.show()
        else:
            self.lr_edit.setStyleSheet("")
            self.lr_edit.setToolTip(LR_TIP)
            self.lr_error.hide()
        self.problemChanged.emit()

    def _check_lr_text(self, text: str) -> None:
        problems = self._lr_problems(parse_number(text))
        if not problems and self.lr_problem:
            self._set_lr_problem(None)

    def _apply_lr(self) -> None:
        value = parse_number(self.lr_edit.text())
        problems = self._lr_problems(value)
        if problems:
            self._set_lr_problem(problems[0])
            return
        self._set_lr_problem(None)
        lr = float(value)
        if lr == self.session.hyper["lr"]:
            self.lr_edit.setText(format_lr(lr))
            return
        if not self.apply(lr=lr):
            return
        self.lr_edit.setText(format_lr(lr))
        self.lrApplied.emit(lr)

    def _apply_seed(self, seed: int) -> None:
        self.apply(seed=int(seed))  # untrained, the session draws the seed's weights

    def commit_edits(self) -> str | None:
        """Apply what is typed in the form but not yet confirmed with Enter (Start, +1 epoch
        and their shortcuts do not move the focus, so nothing else would), all at once: the
        form echoes the settings after each change, which would drop the other fields'
        typing. Returns why training cannot start ("Cannot start: ...") if a typed value
        is not accepted; nothing is applied then, and the typing stays to be corrected."""
        h = self.session.hyper
        changes, problem = self.regularise.commit_edits()
        if problem:
            return problem
        text = self.lr_edit.text()
        if text != format_lr(h["lr"]) or self.lr_problem:
            value = parse_number(text)
            problems = self._lr_problems(value)
            if problems:
                self._set_lr_problem(problems[0])
                return f"Cannot start: {problems[0]}"
            if float(value) != h["lr"]:
                changes["lr"] = float(value)
        for spin, name, key in self._spins:
            text = spin.text()
            if text == spin.textFromValue(spin.value()):
                continue
            if not spin.hasAcceptableInput():
                typed = f'"{text.strip()}" is' if text.strip() else "nothing is"
                return (f"Cannot start: {typed} typed for {name}: enter a whole number "
                        f"from {spin.minimum():,} to {spin.maximum():,}")
            value = int(spin.valueFromText(text))
            if value != h[key]:
                changes[key] = value
        self._set_lr_problem(None)
        if not changes:
            self.show_hyper()  # "3.0" reads "3" again
            return None
        if not self.apply(**changes):  # the session refused: the form shows why
            return "Cannot start: " + self.form_message.text().removeprefix("Not changed: ")
        if "lr" in changes:
            self.lrApplied.emit(changes["lr"])
        return None
