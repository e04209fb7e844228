"""The "Training" tab: settings, Start/Pause/Stop, live plots, progress and a log.

Training runs in a ``TrainingWorker`` on its own thread; this panel only shows what the
worker reports and passes the person's controls on to the trainer's thread-safe flags.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpacerItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...nn import check_hyper
from ...nn.losses import LOSS_TITLES
from ...nn.optimizers import OPTIMIZER_TITLES
from .plots import TrainingPlots
from .run_markers import ChangeWatch
from .status import (
    LOSS_TIPS,
    OPTIMIZER_TIPS,
    STALE_STATUS,
    RunClock,
    RunPlace,
    epoch_line,
    epochs_to_train,
    format_duration,
    format_lr,
    parse_number,
    plural,
    run_duration,
    stopped_test_text,
    stuck_warning,
)
from .worker import (
    TrainingWorker,
    describe_error,
    make_trainer,
    reports_per_epoch,
    val_sample_for,
)

__all__ = ["TrainingPanel", "format_duration", "format_lr", "parse_number"]

IDLE, RUNNING, PAUSED = "idle", "running", "paused"
VAL_SAMPLE = 1000
MAX_EPOCHS = 1000
MAX_SEED = 2**31 - 1  # QSpinBox holds a C int
MIN_WIDTH = 300  # the panel folds its rows below NARROW_WIDTH so it fits this
NARROW_WIDTH = 500
TICK_MS = 250  # while training, the bar and the times follow the samples this often

OK_COLOR, WARN_COLOR, ERROR_COLOR, INFO_COLOR = "#1e7b34", "#a15c00", "#b3261e", "#444"



class TrainingPanel(QWidget):
    """Settings, controls and live feedback for training ``session.model``.

    Public: ``start(epochs=None)`` (it first applies what is typed but not confirmed,
    ``commit_edits()``), ``toggle_pause()``, ``stop()``, ``train_one_epoch()``,
    ``reset_weights()``, ``actions_for_menu()``, ``shutdown()``, ``trainer()``, ``worker``,
    ``plots`` (a ``TrainingPlots``) and the widgets named in ``__init__``.
    """

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.session = session
        self._trainer = None
        self._trainer_key = None
        self._worker: TrainingWorker | None = None
        self._stopping = False
        self._lr_problem: str | None = None
        self._history_ref = None
        self._seconds_per_sample: float | None = None
        self._position = 0.0  # epochs of samples seen at the last report
        self.place = RunPlace()  # where the run under way (or the last) stands
        self.clock = RunClock()  # the run's training time (pauses not counted)
        self._tick = QTimer(self)  # the bar and the times between reports (big networks)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._show_live)
        self._run_model = None  # the model this run trains
        self._run_test: float | None = None  # the last test accuracy measured in this run
        self._run_test_epoch: int | None = None  # ... after this epoch
        self._stuck: str | None = None  # the near-chance warning of this run's last epoch
        self._status_color = None
        self._idle_status: tuple[str, str] = ("", INFO_COLOR)  # shown when not training
        self._shown_problem: str | None = None  # the "Cannot start" reason on show
        self._shown_note = ""  # "Continue will train epochs 2-6." on show
        self._last_report = None  # this run's last Progress
        self._run_epochs_seen = 0  # epochs of this run whose results arrived

        self._make_actions()
        self._make_widgets()
        self._make_layout()
        self.changes = ChangeWatch(session, self.plots, lambda: self._position, self._log)

        session.hyperChanged.connect(self._show_hyper)
        session.specChanged.connect(self._update_controls)
        session.modelChanged.connect(self._on_model_changed)
        session.trainingStateChanged.connect(self._update_controls)
        self._show_hyper()
        self._on_model_changed()

    # -- construction -------------------------------------------------------------------
    def _make_actions(self) -> None:
        def action(text, slot, shortcut, tip, name):
            a = QAction(text, self)
            a.setObjectName(name)
            a.setShortcut(QKeySequence(shortcut))
            a.setToolTip(tip)
            a.setStatusTip(tip)
            a.triggered.connect(slot)
            return a

        self.start_action = action("&Start", lambda: self.start(), "F5",
                                   "Train the network (F5)", "startAction")
        self.pause_action = action("&Pause", self.toggle_pause, "F6",
                                   "Pause training between two batches (F6)", "pauseAction")
        self.stop_action = action("S&top", self.stop, "Shift+F5",
                                  "Stop training after the current batch (Shift+F5)",
                                  "stopAction")
        self.epoch_action = action("+1 &epoch", self.train_one_epoch, "F7",
                                   "Train exactly one more epoch (F7)", "epochAction")
        self.reset_action = action("&Reset weights", self.reset_weights, "Ctrl+R",
                                   "Fresh random weights from the seed; the history "
                                   "starts again (Ctrl+R)", "resetAction")

    def _button(self, action: QAction, name: str) -> QPushButton:
        button = QPushButton(action.text().replace("&", ""))
        button.setObjectName(name)
        button.clicked.connect(action.trigger)

        def sync():
            button.setText(action.text().replace("&", ""))
            button.setEnabled(action.isEnabled())
            button.setToolTip(action.toolTip())

        action.changed.connect(sync)
        sync()
        return button

    def _make_widgets(self) -> None:
        self.loss_combo = QComboBox()
        self.loss_combo.setObjectName("lossCombo")
        for key, title in LOSS_TITLES.items():
            self.loss_combo.addItem(title, key)
            self.loss_combo.setItemData(self.loss_combo.count() - 1, LOSS_TIPS.get(key, title),
                                        Qt.ItemDataRole.ToolTipRole)
        self.loss_combo.setToolTip("The loss the training minimises:\n"
                                   + "\n".join(f"- {t}" for t in LOSS_TIPS.values()))
        self.loss_combo.activated.connect(
            lambda _: self._apply(loss=self.loss_combo.currentData()))

        self.optimizer_combo = QComboBox()
        self.optimizer_combo.setObjectName("optimizerCombo")
        for key, title in OPTIMIZER_TITLES.items():
            self.optimizer_combo.addItem(title, key)
            self.optimizer_combo.setItemData(self.optimizer_combo.count() - 1,
                                             OPTIMIZER_TIPS.get(key, title),
                                             Qt.ItemDataRole.ToolTipRole)
        self.optimizer_combo.setToolTip("How the gradients change the weights:\n"
                                        + "\n".join(f"- {t}" for t in OPTIMIZER_TIPS.values()))
        self.optimizer_combo.activated.connect(
            lambda _: self._apply(optimizer=self.optimizer_combo.currentData()))

        self.lr_edit = QLineEdit()
        self.lr_edit.setObjectName("lrEdit")
        self._lr_tip = ("The learning rate: how far each batch moves the weights. "
                        "A positive number such as 3, 0.5 or 1e-3.\n"
                        "You can change it while training: it takes effect at the next "
                        "batch and is marked on the plots.")
        self.lr_edit.setToolTip(self._lr_tip)
        self.lr_edit.textEdited.connect(self._check_lr_text)
        self.lr_edit.editingFinished.connect(self._apply_lr)

        self.batch_spin = QSpinBox()
        self.batch_spin.setObjectName("batchSpin")
        self.batch_spin.setKeyboardTracking(False)
        self.batch_spin.setToolTip("Images per mini-batch: the weights change once per "
                                   "batch. Small batches learn more per epoch; large "
                                   "batches run faster per image.")
        self.batch_spin.valueChanged.connect(lambda v: self._apply(batch_size=int(v)))

        self.epochs_spin = QSpinBox()
        self.epochs_spin.setObjectName("epochsSpin")
        self.epochs_spin.setRange(1, MAX_EPOCHS)
        self.epochs_spin.setKeyboardTracking(False)
        self.epochs_spin.setToolTip(f"Passes over the training images that Start runs "
                                    f"(1 to {MAX_EPOCHS:,}).")
        self.epochs_spin.valueChanged.connect(lambda v: self._apply(epochs=int(v)))

        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("seedSpin")
        self.seed_spin.setRange(0, MAX_SEED)
        self.seed_spin.setKeyboardTracking(False)
        self.seed_spin.setToolTip("The random seed: the same seed gives the same starting "
                                  "weights (after Reset weights) and the same shuffling.")
        self.seed_spin.valueChanged.connect(self._apply_seed)
        self._spins = ((self.batch_spin, "batch size", "batch_size"),
                       (self.epochs_spin, "epochs", "epochs"), (self.seed_spin, "seed", "seed"))
        for spin, _, _ in self._spins:  # a value typed and confirmed unchanged
            spin.editingFinished.connect(self._update_controls)

        self.lr_error = QLabel()
        self.lr_error.setObjectName("lrError")
        self.form_message = QLabel()
        self.form_message.setObjectName("formMessage")
        for label in (self.lr_error, self.form_message):
            label.setWordWrap(True)
            label.setStyleSheet(f"color: {ERROR_COLOR};")
            label.hide()

        self.start_button = self._button(self.start_action, "startButton")
        self.pause_button = self._button(self.pause_action, "pauseButton")
        self.stop_button = self._button(self.stop_action, "stopButton")
        self.epoch_button = self._button(self.epoch_action, "epochButton")
        self.reset_button = self._button(self.reset_action, "resetButton")
        self.start_button.setDefault(False)
        for b in (self.start_button, self.pause_button, self.stop_button):
            b.setMinimumWidth(QFontMetrics(b.font()).horizontalAdvance("Continue") + 20)

        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progressBar")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("Not started")
        self.progress_bar.setToolTip("The run: the epoch under way, and how much of the whole "
                                     "run is done (the fill and the percentage)")
        self.stats_label = QLabel()
        self.stats_label.setObjectName("statsLabel")
        self.stats_label.setToolTip("Training speed, time spent training (pauses not "
                                    "counted), and time left")
        self.stats_label.setTextFormat(Qt.TextFormat.PlainText)

        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setToolTip("What training is doing, and how the last run ended")

        self.plots = TrainingPlots()
        self.accuracy_plot = self.plots.accuracy_plot
        self.loss_plot = self.plots.loss_plot

        self.log = QPlainTextEdit()
        self.log.setObjectName("trainingLog")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(1000)
        self.log.setToolTip("Each epoch's results, and what happened during training")
        self.log.setPlaceholderText("Epoch results appear here.")
        lines = QFontMetrics(self.log.font()).lineSpacing()
        self.log.setMinimumHeight(lines * 2 + 12)
        self.log.setMaximumHeight(lines * 5 + 12)
        self.log.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def _make_layout(self) -> None:
        self._form = QGridLayout()
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

        run = QHBoxLayout()  # Start, Pause, Stop
        run.setSpacing(6)
        for b in (self.start_button, self.pause_button, self.stop_button):
            run.addWidget(b)
        more = QHBoxLayout()  # +1 epoch ... Reset weights
        more.setSpacing(6)
        more.addWidget(self.epoch_button)
        more.addStretch(1)
        more.addWidget(self.reset_button)
        self._buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._buttons.setSpacing(6)
        self._buttons.addLayout(run)
        self._buttons_gap = QSpacerItem(12, 0, QSizePolicy.Policy.Fixed,
                                        QSizePolicy.Policy.Fixed)
        self._buttons.addSpacerItem(self._buttons_gap)
        self._buttons.addLayout(more, 1)

        self._progress = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._progress.setSpacing(6)
        self._progress.addWidget(self.progress_bar, 1)
        self._progress.addWidget(self.stats_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        layout.addLayout(self._form)
        layout.addLayout(self._buttons)
        layout.addLayout(self._progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.plots, 1)
        layout.addWidget(self.log)
        # narrow (a small window, wide side panels): the form and rows fold in two
        self.setMinimumWidth(MIN_WIDTH)
        self._narrow: bool | None = None
        self._arrange(narrow=False)

    def _arrange(self, narrow: bool) -> None:
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
        direction = (QBoxLayout.Direction.TopToBottom if narrow
                     else QBoxLayout.Direction.LeftToRight)
        self._buttons_gap.changeSize(0 if narrow else 12, 0, QSizePolicy.Policy.Fixed,
                                     QSizePolicy.Policy.Fixed)
        self._buttons.setDirection(direction)
        self._progress.setDirection(direction)
        self._buttons.invalidate()

    def resizeEvent(self, event) -> None:
        self._arrange(event.size().width() < NARROW_WIDTH)
        super().resizeEvent(event)

    # -- public --------------------------------------------------------------------------
    def actions_for_menu(self) -> list[QAction]:
        """Start, Pause/Resume, Stop, +1 epoch, Reset weights (they drive the buttons)."""
        return [self.start_action, self.pause_action, self.stop_action, self.epoch_action,
                self.reset_action]

    @property
    def worker(self) -> TrainingWorker | None:
        """The worker of the run under way, or None."""
        return self._worker

    def trainer(self):
        """The model's trainer: one per model, kept across runs (Adam's state survives
        Continue); a new one when the model, its loss or its optimizer changes."""
        model = self.session.model
        if model is None:
            return None
        key = (model.hyper["loss"], model.hyper["optimizer"])
        if self._trainer is None or self._trainer.model is not model or self._trainer_key != key:
            self._trainer = make_trainer(model, self.session.data)
            self._trainer_key = key
        return self._trainer

    def start_problem(self) -> str | None:
        """Why Start is refused ("Cannot start: ..."), or None."""
        report = self.session.report
        if not report.ok or self.session.model is None:
            reason = str(report.errors[0]) if report.errors else "the network is not valid"
            return f"Cannot start: {reason}"
        if self._lr_problem:
            return f"Cannot start: {self._lr_problem}"
        return None

    def start(self, epochs: int | None = None) -> bool:
        """Train ``epochs`` epochs (the setting by default), continuing from the current
        weights. Returns False (and says why) if training cannot start."""
        if self._worker is not None:
            return False
        problem = self.commit_edits() or self.start_problem()
        if problem:
            self._set_status(problem, ERROR_COLOR)
            return False
        try:
            trainer = self.trainer()
            hyper = self.session.hyper
            trainer.lr = float(hyper["lr"])
            trainer.arm()  # a stop pressed as the last run ended must not stop this one
            data = self.session.data
            n = len(data.train_x)
            epochs = int(hyper["epochs"] if epochs is None else epochs)
            batches = math.ceil(n / int(hyper["batch_size"]))
            per_epoch = n * self._seconds_per_sample if self._seconds_per_sample else None
            worker = TrainingWorker(trainer, epochs, reports=reports_per_epoch(batches, per_epoch),
                                    val_sample=val_sample_for(trainer.model.network.param_count,
                                                              VAL_SAMPLE))
        except Exception as e:  # noqa: BLE001 - shown, never fatal
            self._fail(describe_error(e))
            return False
        worker.progressed.connect(self._on_progress)
        worker.epochFinished.connect(self._on_epoch)
        worker.paused.connect(self._on_paused)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self._stopping = False
        model = trainer.model
        self.place = RunPlace(len(model.history) + 1, epochs, n, model.samples_seen)
        self.clock.start()
        self._run_model = model
        self._run_test = self._run_test_epoch = self._stuck = None
        self._last_report, self._run_epochs_seen = None, 0
        self.changes.measured()  # what follows is measured on this network, these settings
        position = model.samples_seen / n
        self.plots.begin_run(position + epochs, position)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(self.place.bar(model.samples_seen)[1])
        self._set_stats("")
        which = epochs_to_train(self.place.first_epoch, epochs)
        if self.session.trained:
            what = f"Continuing: {plural(epochs, 'more epoch')} ({which})"
        else:
            what = f"Training: {plural(epochs, 'epoch')}"
        self._set_status(f"{what} of {n:,} images, batches of {hyper['batch_size']}...",
                         INFO_COLOR)
        self.session.set_training_state(RUNNING)
        worker.start()
        self._tick.start()
        self._update_controls()
        return True

    def train_one_epoch(self) -> bool:
        return self.start(1)

    def commit_edits(self) -> str | None:
        """Apply what is typed in the form but not yet confirmed with Enter (Start, +1 epoch
        and their shortcuts do not move the focus, so nothing else would), all at once: the
        form echoes the settings after each change, which would drop the other fields'
        typing. Returns why training cannot start ("Cannot start: ...") if a typed value
        is not accepted; nothing is applied then, and the typing stays to be corrected."""
        h = self.session.hyper
        changes = {}
        text = self.lr_edit.text()
        if text != format_lr(h["lr"]) or self._lr_problem:
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
            self._show_hyper()  # "3.0" reads "3" again
            return None
        if not self._apply(**changes):  # the session refused: the form shows why
            return "Cannot start: " + self.form_message.text().removeprefix("Not changed: ")
        if "lr" in changes and self.session.trained:
            self.plots.mark_lr(self._position, changes["lr"])
        if "seed" in changes and not self.session.trained:
            self.session.reset_weights()  # untrained: the new seed's weights, as on Enter
        return None

    def toggle_pause(self) -> None:
        """Pause between two batches, or go on."""
        worker = self._worker
        if worker is None or self._stopping:
            return
        if worker.trainer.paused:
            self.session.set_training_state(RUNNING)  # before the live network moves again
            self.clock.resume()
            worker.resume()
            self._set_status("Training...", INFO_COLOR)
        else:
            worker.pause()
            self._set_status("Pausing...", INFO_COLOR)
        self._update_controls()

    def stop(self) -> None:
        """Stop after the current batch; the weights and history so far stay."""
        worker = self._worker
        if worker is None or self._stopping:
            return
        self._stopping = True
        worker.request_stop(evaluate=True)  # measures the test accuracy it stops with
        self._set_status("Stopping...", INFO_COLOR)
        self._update_controls()

    def reset_weights(self) -> None:
        if self._worker is not None or self.session.model is None:
            return
        if not self._confirm_reset():
            return
        self.session.reset_weights()
        self._set_idle_status(f"Fresh random weights (seed {self.session.hyper['seed']}).",
                              INFO_COLOR)

    def shutdown(self) -> None:
        """Stop the worker and wait for its thread to end. Safe to call any number of times."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.stop(wait=True)
        self._stopping = False
        self._tick.stop()
        self.plots.end_run()
        self._publish_final(worker)
        self._set_final_stats()
        self._set_idle_status(f"Training stopped {self._place_text()}.", WARN_COLOR)
        self.progress_bar.setFormat(f"Stopped {self._place_text(True)}")
        self.session.set_training_state(IDLE)
        self._update_controls()

    # -- worker signals (queued: they run on the GUI thread) ----------------------------
    def _current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    @Slot(object, object)
    def _on_progress(self, progress, snapshot) -> None:
        if not self._current():
            return
        worker = self._worker
        try:
            self._position = progress.position
            self._last_report = progress
            self.session.publish(snapshot, progress)
            self.plots.add_report(progress.position, progress.accuracy, progress.loss,
                                  progress.val_accuracy)
            self._show_progress(progress)
        finally:
            worker.ack()

    @Slot(dict, object)
    def _on_epoch(self, record: dict, snapshot) -> None:
        if not self._current():
            return
        self.session.publish(snapshot)
        self.session.finish_epoch(record)
        self._run_epochs_seen += 1
        self.changes.measured()
        self.plots.add_epoch(self._position, record)
        if record.get("test_accuracy") is not None:
            self._run_test = record["test_accuracy"]
            self._run_test_epoch = record.get("epoch")
        self._log(epoch_line(record))
        was_stuck, self._stuck = self._stuck, stuck_warning(
            record, self._run_model, self.session.spec, self.session.hyper)
        if self._stuck and not was_stuck:  # once, not after every stuck epoch
            self._log(self._stuck)

    @Slot(bool)
    def _on_paused(self, waiting: bool) -> None:
        worker = self._worker
        if not self._current() or self._stopping:
            return
        # the worker is blocked until this thread resumes it: the live model may be saved
        if waiting and worker.waiting and worker.trainer.paused:
            # predictions use the weights Save would write: the live ones, as they are now
            snapshot = worker.paused_snapshot
            if snapshot is not None and snapshot is not self.session.predictor():
                self.session.publish(snapshot)
            self.clock.pause()
            self.session.set_training_state(PAUSED)
            self._show_live()  # the bar and the times as the pause took hold
            self._set_status(f"Paused {self._place_text()}. Resume to go on; "
                             f"File > Save saves the network as it is now.", INFO_COLOR)
            self._update_controls()

    @Slot(str, str)
    def _on_finished(self, status: str, message: str) -> None:
        if not self._current():
            return
        worker, self._worker = self._worker, None
        worker.wait()
        self._stopping = False
        self._tick.stop()
        model, size = self.session.model, self._train_size()
        if model is not None and size:
            self._position = model.samples_seen / size  # a stop may end between reports
        self.plots.end_run()
        self._publish_final(worker)
        self.session.set_training_state(IDLE)
        self._update_controls()
        elapsed = self._set_final_stats()
        stuck = f" {self._stuck}" if self._stuck else ""
        if status == "finished":
            done, last = self.place.epochs, self.place.last_epoch
            test = (f"test accuracy {100 * self._run_test:.1f}%" if self._run_test is not None
                    else "no test images to measure")
            self._set_idle_status(f"Finished {plural(done, 'epoch')} in {elapsed}: "
                                  f"{test}.{stuck}",
                                  WARN_COLOR if stuck else OK_COLOR)
            self.progress_bar.setValue(1000)
            self.progress_bar.setFormat(f"Done: epoch {last}")
            self._log(f"Finished: {test} after epoch {last}.")
        elif status == "stopped":
            place = self._place_text()
            test = stopped_test_text(
                worker.stop_test_accuracy, worker.stop_test_images,
                len(self.session.data.test_x), self._run_test, self._run_test_epoch,
                before_first_epoch=self._run_epochs_seen == 0, too_big=worker.stop_too_big)
            self._set_idle_status(f"Stopped {place} after {elapsed}: {test}. Continue goes "
                                  f"on from these weights.{stuck}", WARN_COLOR)
            self.progress_bar.setFormat(f"Stopped {self._place_text(True)}")
            self._log(f"Stopped {place}: {test}.")
        elif status == "diverged":
            text = message or "Training diverged; the last good weights were restored."
            if not text.lower().startswith("training diverged"):
                text = f"Training diverged: {text}"
            self._set_idle_status(text, ERROR_COLOR)
            self.progress_bar.setFormat("Diverged")
            self._log(text)
        else:
            self._fail(message or "unknown error")

    # -- helpers -----------------------------------------------------------------------
    def _publish_final(self, worker) -> None:
        """After a run: the predictor gets the final weights (restored ones if diverged),
        as copied by the worker on its thread (a big network's copy takes a second)."""
        model = self.session.model
        if model is None:
            return
        try:
            snapshot = worker.final_snapshot
            self.session.publish(snapshot if snapshot is not None else model.network.snapshot())
        except Exception as e:  # noqa: BLE001 - shown, never fatal
            self._log(f"Could not publish the final weights: {describe_error(e)}")

    def _fail(self, message: str) -> None:
        self._set_idle_status(f"Training failed: {message}", ERROR_COLOR)
        self.progress_bar.setFormat("Failed")
        self._log(f"Training failed: {message}")
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        QMessageBox.warning(self, "Training failed",
                            f"Training stopped because of an error:\n\n{message}")

    def _confirm_reset(self) -> bool:
        if not (self.session.trained and self.session.dirty):
            return True
        answer = QMessageBox.question(
            self, "Reset weights",
            "Reset the weights? The trained weights and their history will be lost.",
            QMessageBox.StandardButton.Reset | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Reset

    def _set_status(self, text: str, color: str) -> None:
        self.status_label.setText(text)
        if color != self._status_color:  # a style sheet change re-polishes: only when needed
            self._status_color = color
            self.status_label.setStyleSheet(f"color: {color};")

    def _set_idle_status(self, text: str, color: str) -> None:
        """The status to show when not training (and Start is possible): shown now, and
        shown again when a "Cannot start" problem goes away; with what Continue trains."""
        self._idle_status = (text, color)
        self._shown_note = note = self._next_note()
        self._set_status("\n".join(t for t in (text, note) if t), color)

    def _show_idle_status(self) -> None:
        """When idle: the reason Start is refused (when it changes), else the last news."""
        problem, note = self.start_problem(), self._next_note()
        if (problem, note) == (self._shown_problem, self._shown_note):
            return
        self._shown_problem = problem
        if problem:
            self._shown_note = note
            self._set_status(problem, ERROR_COLOR)
        else:
            self._set_idle_status(*self._idle_status)

    def _next_note(self) -> str:
        """Once trained, the Epochs setting means more epochs: which ones Continue trains."""
        model = self.session.model
        if not self.session.trained or self._worker is not None or model is None:
            return ""
        which = epochs_to_train(len(model.history) + 1, int(self.session.hyper["epochs"]))
        return f"Continue will train {which}."

    def _show_epochs_meaning(self) -> None:
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

    def _place_text(self, short: bool = False) -> str:
        model = self._run_model
        return self.place.text(model.samples_seen if model is not None else 0, short)

    def _set_final_stats(self) -> str:
        """After a run: its speed and training time, no ETA (nothing is left to wait
        for). Returns the duration as shown ("0:10 of training (paused 0:19)")."""
        duration = run_duration(self.clock.training, self.clock.paused)
        model, seconds = self._run_model, self.clock.training  # as during the run
        done = self.place.done(model.samples_seen) if model is not None else 0
        speed = f"{done / seconds:,.0f} images/s   " if done and seconds > 0 else ""
        self._set_stats(f"{speed}{duration}")
        return duration

    def _set_stats(self, text: str) -> None:
        self.stats_label.setText(text)
        self.stats_label.setVisible(bool(text))

    def _log(self, line: str) -> None:
        self.log.appendPlainText(line)

    def _show_progress(self, p) -> None:
        if p.samples_per_second > 0:
            self._seconds_per_sample = 1.0 / p.samples_per_second
        self._show_live()

    @Slot()
    def _show_live(self) -> None:
        """The bar, the times and the status from the samples trained so far (read from
        the live model: an int the worker updates after each batch) and the run's clock;
        at each report and on a timer, so they move on between a big network's reports."""
        model, p = self._run_model, self._last_report
        if model is None or self._worker is None:
            return
        seen = model.samples_seen
        value, text = self.place.bar(seen)
        self.progress_bar.setValue(value)
        self.progress_bar.setFormat(text)
        self._set_stats(self.place.stats(seen, self.clock.training))
        if self._stopping or self.session.training_state != RUNNING:
            return
        measuring = self.place.measuring(seen, self._run_epochs_seen)
        if measuring is not None:
            text = f"Measuring epoch {measuring} on the validation and test images..."
        elif p is not None:
            epoch = self.place.where(seen)[0]
            text = (f"Training epoch {epoch} of {self.place.last_epoch}: running accuracy "
                    f"{100 * p.accuracy:.1f}%, loss {p.loss:.3g}, lr {p.lr:g}")
        else:
            return
        if self._stuck:
            self._set_status(f"{text}. {self._stuck}", WARN_COLOR)
        else:
            self._set_status(text, INFO_COLOR)

    # -- the form ------------------------------------------------------------------------
    def _show_hyper(self) -> None:
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
            self.batch_spin.setRange(1, self._train_size() or 1_000_000)
            self.batch_spin.setValue(int(h["batch_size"]))
            self.epochs_spin.setValue(int(h["epochs"]))
            self.seed_spin.setValue(min(int(h["seed"]), MAX_SEED))
        finally:
            del blockers
        self._set_lr_problem(None)
        self.form_message.hide()
        self.changes.hyper_changed()

    def _train_size(self) -> int | None:
        try:
            return len(self.session.data.train_x)
        except Exception:  # noqa: BLE001 - no data: no upper bound to show
            return None

    def _apply(self, **changes) -> bool:
        """Change settings through the session; shows its problems and restores the form."""
        problems = self.session.set_hyper(**changes)
        if problems:
            self._show_hyper()
            self.form_message.setText("Not changed: " + "; ".join(problems) + ".")
            self.form_message.show()
            return False
        self.form_message.hide()
        return True

    def _lr_problems(self, value) -> list[str]:
        problems = check_hyper({**self.session.hyper, "lr": value}, self._train_size())
        return [p for p in problems if p.startswith("learning rate")]

    def _set_lr_problem(self, problem: str | None) -> None:
        self._lr_problem = problem
        if problem:
            self.lr_edit.setStyleSheet(f"QLineEdit {{ border: 1px solid {ERROR_COLOR}; }}")
            self.lr_edit.setToolTip(f"Not accepted: {problem}.\n\n{self._lr_tip}")
            self.lr_error.setText(f"Not accepted: {problem}.")
            self.lr_error.show()
        else:
            self.lr_edit.setStyleSheet("")
            self.lr_edit.setToolTip(self._lr_tip)
            self.lr_error.hide()
        self._update_controls()

    def _check_lr_text(self, text: str) -> None:
        problems = self._lr_problems(parse_number(text))
        if not problems and self._lr_problem:
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
        if not self._apply(lr=lr):
            return
        self.lr_edit.setText(format_lr(lr))
        worker = self._worker
        if worker is not None:
            worker.set_lr(lr)  # the next batch uses it
            self._log(f"Learning rate set to {lr:g} at epoch {self._position:.2f}.")
        if worker is not None or self.session.trained:
            self.plots.mark_lr(self._position, lr)

    def _apply_seed(self, seed: int) -> None:
        if self._apply(seed=int(seed)) and not self.session.trained and self._worker is None:
            self.session.reset_weights()  # untrained: the new seed's weights right away

    # -- state -----------------------------------------------------------------------------
    def _on_model_changed(self) -> None:
        if self._worker is not None:  # the builder locks the stack while training; be safe
            self.shutdown()
        model = self.session.model
        self._trainer = None
        self._run_model = None
        self._seconds_per_sample = None
        history = model.history if model is not None else None
        if history is None or history is not self._history_ref:
            self.plots.clear()
            self.log.clear()
            self.changes.measured()
            self._run_test = self._run_test_epoch = self._stuck = None
            self._position = 0.0
            self.progress_bar.setValue(0)
            self.progress_bar.setFormat("Not started")
            self._set_stats("")
            size = self._train_size()
            self._set_idle_status(f"Ready to train on {size:,} images." if size else "",
                                  INFO_COLOR)
            if history:
                self.plots.load_history(history)
                for record in history:
                    self._log(epoch_line(record))
                self._position = model.samples_seen / max(1, self._train_size() or 1)
                self.progress_bar.setFormat(f"Trained for {len(history)} epoch"
                                            f"{'s' if len(history) != 1 else ''}")
                self._set_idle_status(f"Trained for {len(history)} epoch"
                                      f"{'s' if len(history) != 1 else ''}: Continue goes "
                                      f"on from these weights.", INFO_COLOR)
            self._shown_problem = None  # a problem is shown again over the news above
        elif self.changes.model_changed():  # the same weights in another network, or back
            self._set_idle_status(STALE_STATUS if self.changes.stale else
                                  f"Trained for {plural(len(history), 'epoch')}: the figures "
                                  f"shown are this network's again.", INFO_COLOR)
            self._shown_problem = None
        self._history_ref = history
        self._update_controls()

    def _update_controls(self, *_) -> None:
        busy = self._worker is not None
        stopping = busy and self._stopping
        paused = busy and self._worker.trainer.paused
        problem = self.start_problem()
        trained = self.session.trained

        self.start_action.setEnabled(not busy and problem is None)
        self.start_action.setText("&Continue" if trained else "&Start")
        self.start_action.setToolTip(problem or (
            "Continue training from the current weights (F5)" if trained
            else "Train the network from its random start (F5)"))
        self.pause_action.setEnabled(busy and not stopping)
        self.pause_action.setText("&Resume" if paused else "&Pause")
        self.pause_action.setToolTip("Go on training (F6)" if paused else
                                     "Pause training between two batches (F6)")
        self.stop_action.setEnabled(busy and not stopping)
        self.epoch_action.setEnabled(not busy and problem is None)
        self.epoch_action.setToolTip(problem or "Train exactly one more epoch (F7)")
        self.reset_action.setEnabled(not busy and self.session.model is not None)
        for w in (self.loss_combo, self.optimizer_combo, self.batch_spin, self.epochs_spin,
                  self.seed_spin):
            w.setEnabled(not busy)
        self._show_epochs_meaning()
        if not busy:
            self._show_idle_status()
