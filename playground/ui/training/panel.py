"""The "Training" tab: settings, Start/Pause/Stop, live plots, progress and a log.

A thin widget: the ``TrainingController`` owns the trainer, the worker and the run; this
panel shows what it reports and forwards the person's clicks to it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QFontMetrics
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from ...nn.history import EpochRecord
from ...state.session import RUNNING
from ..actions import create_action
from ..bind import listen
from .controller import VAL_SAMPLE, TrainingController
from .form import MAX_EPOCHS, MAX_SEED, TrainingForm
from .plots import TrainingPlots
from .run_markers import ChangeWatch
from .status import (
    STALE_STATUS,
    epoch_line,
    epochs_to_train,
    format_duration,
    format_lr,
    live_text,
    parse_number,
    plural,
    run_end_text,
    start_text,
)
from .status_line import ERROR, INFO, WARN, StatusLine
from .worker import TrainingWorker

__all__ = ["ERROR", "MAX_EPOCHS", "MAX_SEED", "VAL_SAMPLE", "TrainingPanel", "format_duration",
           "format_lr", "parse_number"]

MIN_WIDTH = 300  # the panel folds its rows below NARROW_WIDTH so it fits this
NARROW_WIDTH = 500



class TrainingPanel(QWidget):
    """Settings, controls and live feedback for training ``session.model``.

    Public: ``start(epochs=None)`` (it first applies what is typed but not confirmed,
    ``commit_edits()``), ``toggle_pause()``, ``stop()``, ``train_one_epoch()``,
    ``reset_weights()``, ``actions_for_menu()``, ``shutdown()``, ``trainer()``, ``worker``,
    ``controller`` (a ``TrainingController``), ``form`` (a ``TrainingForm``), ``plots``
    (a ``TrainingPlots``) and the widgets named in ``__init__``.
    """

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.session = session
        self.controller = TrainingController(session, self)
        self._history_ref = None

        self._make_actions()
        self._make_widgets()
        self._make_layout()
        self.changes = ChangeWatch(session, self.plots, lambda: self.controller.position,
                                   self._log)

        c = self.controller
        c.runStarted.connect(self._on_run_started)
        c.reported.connect(self._on_report)
        c.ticked.connect(self._show_live)
        c.epochEnded.connect(self._on_epoch)
        c.pauseTookHold.connect(self._on_pause_took_hold)
        c.runEnded.connect(self._on_run_ended)
        c.interrupted.connect(self._on_interrupted)
        c.controlsChanged.connect(self._update_controls)
        c.problem.connect(self._log)
        self.form.lrApplied.connect(self._on_lr_applied)
        self.form.problemChanged.connect(self._update_controls)
        self.form.confirmed.connect(self._update_controls)
        listen(session.hyperChanged, self._on_hyper, self)
        listen(session.specChanged, self._update_controls, self)
        listen(session.modelChanged, self._on_model_changed, self)
        listen(session.trainingStateChanged, self._update_controls, self)
        self.form.show_hyper()
        self._on_hyper()
        self._on_model_changed()

    # -- construction -------------------------------------------------------------------
    def _make_actions(self) -> None:
        def action(text, slot, shortcut, tip, name):
            return create_action(self, text, slot, shortcut, tip, name=name)

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
        self.form = TrainingForm(self.session)
        f = self.form  # the form's widgets, by the names scripts and tests know
        self.loss_combo, self.optimizer_combo, self.lr_edit = (
            f.loss_combo, f.optimizer_combo, f.lr_edit)
        self.batch_spin, self.epochs_spin, self.seed_spin = f.batch_spin, f.epochs_spin, f.seed_spin
        self.lr_error, self.form_message = f.lr_error, f.form_message

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

        self.status_label = StatusLine()

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
        layout.addWidget(self.form)
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
        self.form.arrange(narrow)
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
        return self.controller.worker

    def trainer(self):
        """The model's trainer (see ``TrainingController.trainer``)."""
        return self.controller.trainer()

    def start_problem(self) -> str | None:
        """Why Start is refused ("Cannot start: ..."), or None."""
        report = self.session.report
        if not report.ok or self.session.model is None:
            reason = str(report.errors[0]) if report.errors else "the network is not valid"
            return f"Cannot start: {reason}"
        if self.form.lr_problem:
            return f"Cannot start: {self.form.lr_problem}"
        return None

    def commit_edits(self) -> str | None:
        """Apply what is typed in the form but not confirmed (see ``TrainingForm``)."""
        return self.form.commit_edits()

    def start(self, epochs: int | None = None) -> bool:
        """Train ``epochs`` epochs (the setting by default), continuing from the current
        weights. Returns False (and says why) if training cannot start."""
        if self.controller.busy:
            return False
        problem = self.commit_edits() or self.start_problem()
        if problem:
            self._set_status(problem, ERROR)
            return False
        error = self.controller.start(epochs)
        if error:
            self._fail(error)
            return False
        return True

    def train_one_epoch(self) -> bool:
        return self.start(1)

    def toggle_pause(self) -> None:
        """Pause between two batches, or go on."""
        c = self.controller
        if not c.busy or c.stopping:
            return
        going_on = c.toggle_pause()
        self._set_status("Training..." if going_on else "Pausing...", INFO)

    def stop(self) -> None:
        """Stop after the current batch; the weights and history so far stay."""
        if self.controller.stop():
            self._set_status("Stopping...", INFO)

    def reset_weights(self) -> None:
        if self.controller.busy or self.session.model is None:
            return
        if not self._confirm_reset():
            return
        self.session.reset_weights()
        self._set_idle_status(f"Fresh random weights (seed {self.session.hyper['seed']}).",
                              INFO)

    def shutdown(self) -> None:
        """Stop training and wait for its thread to end. Safe to call any number of times."""
        self.controller.shutdown()

    # -- from the controller -------------------------------------------------------------
    @Slot()
    def _on_run_started(self) -> None:
        c = self.controller
        self.changes.measured()  # what follows is measured on this network, these settings
        place, hyper = c.place, self.session.hyper
        position = place.start_seen / place.train_size
        self.plots.begin_run(position + place.epochs, position)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(place.bar(c.seen())[1])
        self._set_stats("")
        self._set_status(start_text(place, self.session.trained, hyper["batch_size"]),
                         INFO)

    @Slot(object)
    def _on_report(self, p) -> None:
        self.plots.add_report(p.position, p.accuracy, p.loss, p.val_accuracy)

    @Slot(object)
    def _on_epoch(self, record: EpochRecord) -> None:
        c = self.controller
        self.changes.measured()
        self.plots.add_epoch(c.position, record)
        self._log(epoch_line(record))
        if c.stuck_is_new:  # once, not after every stuck epoch
            self._log(c.stuck)

    @Slot()
    def _on_pause_took_hold(self) -> None:
        self._show_live()  # the bar and the times as the pause took hold
        self._set_status(f"Paused {self.controller.place_text()}. Resume to go on; "
                         f"File > Save saves the network as it is now.", INFO)

    @Slot()
    def _on_interrupted(self) -> None:
        c = self.controller
        self.plots.end_run()
        self._set_final_stats()
        self._set_idle_status(f"Training stopped {c.place_text()}.", WARN)
        self.progress_bar.setFormat(f"Stopped {c.place_text(True)}")
        self._update_controls()

    @Slot(str, str)
    def _on_run_ended(self, status: str, message: str) -> None:
        self.plots.end_run()
        elapsed = self._set_final_stats()
        if status not in ("finished", "stopped", "diverged"):
            self._fail(message or "unknown error")
            return
        text, kind, bar, line = run_end_text(status, message, self.controller, elapsed,
                                             len(self.session.data.test_x))
        self._set_idle_status(text, kind)
        if status == "finished":
            self.progress_bar.setValue(1000)
        self.progress_bar.setFormat(bar)
        self._log(line)

    @Slot(float)
    def _on_lr_applied(self, lr: float) -> None:
        c = self.controller
        if c.set_lr(lr):  # the next batch uses it
            self._log(f"Learning rate set to {lr:g} at epoch {c.position:.2f}.")
        if c.busy or self.session.trained:
            self.plots.mark_lr(c.position, lr)

    # -- showing ---------------------------------------------------------------------------
    def _fail(self, message: str) -> None:
        text, _, bar, line = run_end_text("error", message, self.controller, "", 0)
        self._set_idle_status(text, ERROR)
        self.progress_bar.setFormat(bar)
        self._log(line)
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

    def _set_status(self, text: str, state: str) -> None:
        self.status_label.set(text, state)

    def _set_idle_status(self, text: str, state: str) -> None:
        self.status_label.set_idle(text, state, self._next_note())

    def _next_note(self) -> str:
        """Once trained, the Epochs setting means more epochs: which ones Continue trains."""
        model = self.session.model
        if not self.session.trained or self.controller.busy or model is None:
            return ""
        which = epochs_to_train(len(model.history) + 1, int(self.session.hyper["epochs"]))
        return f"Continue will train {which}."

    def _set_final_stats(self) -> str:
        """After a run: its speed and training time, no ETA (nothing is left to wait
        for). Returns the duration as shown ("0:10 of training (paused 0:19)")."""
        speed, duration = self.controller.final_stats()
        self._set_stats(f"{speed}   {duration}" if speed else duration)
        return duration

    def _set_stats(self, text: str) -> None:
        self.stats_label.setText(text)
        self.stats_label.setVisible(bool(text))

    def _log(self, line: str) -> None:
        self.log.appendPlainText(line)

    @Slot()
    def _show_live(self) -> None:
        """The bar, the times and the status from the samples trained so far (an int the
        worker updates per batch) and the run's clock, on the controller's timer."""
        c = self.controller
        if c.run_model is None or not c.busy:
            return
        seen = c.seen()
        value, text = c.place.bar(seen, c.last_measuring)
        self.progress_bar.setValue(value)
        self.progress_bar.setFormat(text)
        self._set_stats(c.place.stats(seen, c.clock.training))
        if c.stopping or self.session.training_state != RUNNING:
            return
        text = live_text(c.place, seen, c.epochs_seen, c.last_report, c.last_measuring)
        if text is not None:
            self._set_status(f"{text}. {c.stuck}" if c.stuck else text,
                             WARN if c.stuck else INFO)

    # -- state -----------------------------------------------------------------------------
    def _on_hyper(self) -> None:
        self.changes.hyper_changed()
        self.status_label.retell_ready(self.form.train_size())  # a new training-set size

    def _on_model_changed(self) -> None:
        c = self.controller
        c.model_changed()
        model = self.session.model
        history = model.history if model is not None else None
        if history is None or history is not self._history_ref:
            self.plots.clear()
            self.log.clear()
            self.changes.measured()
            c.run_test = c.run_test_epoch = c.stuck = None
            self.progress_bar.setValue(0)
            self.progress_bar.setFormat("Not started")
            self._set_stats("")
            size = self.form.train_size()
            self._set_idle_status(f"Ready to train on {size:,} images." if size else "",
                                  INFO)
            if history:
                self.plots.load_history(history)
                for record in history:
                    self._log(epoch_line(record))
                trained = f"Trained for {plural(len(history), 'epoch')}"
                self.progress_bar.setFormat(trained)
                self._set_idle_status(f"{trained}: Continue goes on from these weights.",
                                      INFO)
            self.status_label.forget_problem()  # a problem is shown again over the news
        elif self.changes.model_changed():  # the same weights in another network, or back
            self._set_idle_status(STALE_STATUS if self.changes.stale else
                                  f"Trained for {plural(len(history), 'epoch')}: the figures "
                                  f"shown are this network's again.", INFO)
            self.status_label.forget_problem()
        self._history_ref = history
        self._update_controls()

    def _update_controls(self, *_) -> None:
        c = self.controller
        busy, stopping, paused = c.busy, c.busy and c.stopping, c.paused
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
        self.form.set_busy(busy)
        self.form.show_epochs_meaning()
        if not busy:
            self.status_label.show_idle(self.start_problem(), self._next_note())
