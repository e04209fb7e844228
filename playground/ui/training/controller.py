"""The training controller: the trainer, the worker and the run, without any widget.

It owns the model's trainer (one per model, so Adam's state survives Continue), the
``TrainingWorker`` of the run under way and its thread, and the run's state: where it
stands (``place``), its clock, the last report, the test accuracy measured so far, the
near-chance warning. It writes the session (published weights, epoch records, the
training state) and tells the Training tab what happened through signals; the tab only
shows it and forwards the person's clicks.

Reports are not sent: the worker keeps only the latest one (and its snapshot) and a
``POLL_MS`` timer reads it here on the GUI thread, so the GUI draws at most ~10 times a
second whatever the worker's pace, and nothing queues up. Epoch ends, pauses and the
finish come as queued signals; each first takes the latest report, so what is drawn
stays in order.

    controller = TrainingController(session)
    controller.reported.connect(...)      # (Progress,) at most every POLL_MS
    problem = controller.start(epochs=3)  # None, or why it could not start
    controller.toggle_pause(); controller.stop(); controller.shutdown()
"""

from __future__ import annotations

import math
import sys
import threading

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ...data.augment import Augment
from ...nn.history import EpochRecord
from ...nn.settings import train_size_of
from ...state.hints import layer_madds, training_madds
from ...state.session import IDLE, PAUSED, RUNNING
from ...state.speed import planning_rate
from ..bind import listen
from .status import RunClock, RunPlace, run_duration, stuck_warning
from .worker import (
    TrainingWorker,
    describe_error,
    make_trainer,
    reports_per_epoch,
    val_sample_for,
    work_per_image,
)

VAL_SAMPLE = 1000  # validation images each report measures, at most
SLOW_FIRST_EPOCH = 10.0  # seconds: a first epoch planned to take longer is planned for
POLL_MS = 100  # while training, the latest report is drawn this often (and the bar moves)


class _SwitchInterval:
    """Python's GIL hand-over interval, short while any run trains, restored after.

    The worker releases the GIL in each of a small batch's matrix products; when the GUI
    thread is painting, it takes the GIL then, and the worker waits up to the interval to
    get it back. Measured with benchmarks/bench_window_vs_cli.py (medians of 3 rounds,
    the 2 cores shared, load about 2): window/CLI 1.29 and 1.32 with Python's default of
    5 ms, 1.18 and 1.02 with 1 ms, run alternately. So it is kept, here only: it is
    process-wide, so it is counted across controllers and restored by the last run.
    """

    INTERVAL = 0.001  # seconds
    _lock = threading.Lock()
    _runs = 0
    _saved: float | None = None

    @classmethod
    def enter(cls) -> None:
        with cls._lock:
            if cls._runs == 0:
                cls._saved = sys.getswitchinterval()
                sys.setswitchinterval(cls.INTERVAL)
            cls._runs += 1

    @classmethod
    def leave(cls) -> None:
        with cls._lock:
            cls._runs -= 1
            if cls._runs == 0 and cls._saved is not None:
                sys.setswitchinterval(cls._saved)


class TrainingController(QObject):
    """Start, pause/resume, stop, +1 epoch and shutdown of training ``session.model``."""

    runStarted = Signal()  # a run began (``place`` and ``clock`` are new)
    reported = Signal(object)  # (Progress,): the latest report, on the poll timer
    ticked = Signal()  # the poll timer (the bar and the times move on between reports)
    measured = Signal(object)  # (Measuring,): the latest of an epoch's end, on the timer
    epochEnded = Signal(object)  # (EpochRecord,)
    pauseTookHold = Signal()  # the worker is blocked; the live model may be saved
    runEnded = Signal(str, str)  # (status, message) "finished"/"stopped"/"diverged"/"error"
    interrupted = Signal()  # the run was shut down (model replaced, window closed)
    controlsChanged = Signal()  # busy, paused or stopping changed
    problem = Signal(str)  # something went wrong that does not end the run (for the log)

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self._trainer = None
        self._trainer_key = None
        self._worker: TrainingWorker | None = None
        self.last_worker: TrainingWorker | None = None  # of the run that ended last
        self.stopping = False  # a stop was asked for and the run has not ended yet
        self.place = RunPlace()  # where the run under way (or the last) stands
        self.clock = RunClock()  # the run's training time (pauses not counted)
        self.run_model = None  # the model this run trains
        self.run_test: float | None = None  # the last test accuracy measured in this run
        self.run_test_epoch: int | None = None  # ... after this epoch
        self.stuck: str | None = None  # the near-chance warning of this run's last epoch
        self.stuck_is_new = False  # ... and the epoch before was not stuck
        self.last_report = None  # this run's last Progress
        # the latest Measuring of the epoch whose results are being measured, or None
        self.last_measuring = None
        self.epochs_seen = 0  # epochs of this run whose results arrived
        self.position = 0.0  # epochs of samples seen at the last report
        # with early stopping: (epoch, validation accuracy) of the weights the last run kept
        self.best: tuple[int, float] | None = None
        self._seconds_per_sample: float | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll)
        # weight decay and augmentation changed while training: the next batch uses them
        listen(session.hyperChanged, self._forward_live_settings, self)

    # -- reading ----------------------------------------------------------------------------
    @property
    def worker(self) -> TrainingWorker | None:
        """The worker of the run under way, or None."""
        return self._worker

    @property
    def busy(self) -> bool:
        return self._worker is not None

    @property
    def paused(self) -> bool:
        """A pause was asked for (it takes hold between two batches)."""
        return self._worker is not None and self._worker.trainer.paused

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

    def seen(self) -> int:
        """Samples the run's model has trained on (an int the worker updates per batch)."""
        return self.run_model.samples_seen if self.run_model is not None else 0

    def place_text(self, short: bool = False) -> str:
        return self.place.text(self.seen(), short)

    def final_stats(self) -> tuple[str, str]:
        """After a run: (its speed, its training time as "0:10 of training (paused 0:19)")."""
        duration = run_duration(self.clock.training, self.clock.paused)
        seconds = self.clock.training
        done = self.place.done(self.run_model.samples_seen) if self.run_model is not None else 0
        speed = f"{done / seconds:,.0f} images/s" if done and seconds > 0 else ""
        return speed, duration

    # -- control ----------------------------------------------------------------------------
    def start(self, epochs: int | None = None) -> str | None:
        """Train ``epochs`` epochs (the setting by default) from the current weights.
        Returns None once started, else why not (the text of the error)."""
        if self._worker is not None:
            return "training is already under way"
        try:
            trainer = self.trainer()
            hyper = self.session.hyper
            trainer.lr = float(hyper["lr"])
            trainer.arm()  # a stop pressed as the last run ended must not stop this one
            n = self.train_size()
            epochs = int(hyper["epochs"] if epochs is None else epochs)
            batches = math.ceil(n / int(hyper["batch_size"]))
            net = trainer.model.network
            per_layer = layer_madds(net.spec)
            if self._seconds_per_sample:
                per_epoch = n * self._seconds_per_sample
            else:  # a first run: a network planned to be slow (e.g. convolutions) gets
                # enough reports to move at least once a second; others as many as a
                # 1-second epoch needs (reports_per_epoch)
                planned = training_madds(per_layer) * n / planning_rate(
                    int(hyper["batch_size"]), str(hyper["optimizer"])) if per_layer else 0
                per_epoch = planned if planned > SLOW_FIRST_EPOCH else None
            worker = TrainingWorker(trainer, epochs, reports=reports_per_epoch(batches, per_epoch),
                                    val_sample=val_sample_for(work_per_image(net), VAL_SAMPLE))
        except Exception as e:  # noqa: BLE001 - shown, never fatal
            return describe_error(e)
        worker.epochFinished.connect(self._on_epoch)
        worker.paused.connect(self._on_paused)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self.stopping = False
        model = trainer.model
        self.place = RunPlace(len(model.history) + 1, epochs, n, model.samples_seen)
        self.clock.start()
        self.run_model = model
        self.run_test = self.run_test_epoch = self.stuck = None
        self.last_report, self.epochs_seen, self.best = None, 0, None
        self.last_measuring = None
        self.runStarted.emit()
        self.session.set_training_state(RUNNING)
        _SwitchInterval.enter()
        worker.start()
        self._poll.start()
        self.controlsChanged.emit()
        return None

    def toggle_pause(self) -> bool:
        """Pause between two batches, or go on. Returns True if it now goes on."""
        worker = self._worker
        if worker is None or self.stopping:
            return False
        going_on = worker.trainer.paused
        if going_on:
            self.session.set_training_state(RUNNING)  # before the weights move
            self.clock.resume()
            worker.resume()
        else:
            worker.pause()
        self.controlsChanged.emit()
        return going_on

    def stop(self) -> bool:
        """Stop after the current batch (measuring the test accuracy it stops with); the
        weights and history so far stay. False if there is nothing to stop."""
        worker = self._worker
        if worker is None or self.stopping:
            return False
        self.stopping = True
        worker.request_stop(evaluate=True)
        self.controlsChanged.emit()
        return True

    def set_lr(self, lr: float) -> bool:
        """The run under way (if any) uses ``lr`` from its next batch; True if one is."""
        if self._worker is None:
            return False
        self._worker.set_lr(lr)
        return True

    def set_weight_decay(self, weight_decay: float) -> bool:
        """The run under way (if any) decays with ``weight_decay`` from its next batch;
        True if one is."""
        if self._worker is None:
            return False
        self._worker.set_weight_decay(weight_decay)
        return True

    def set_augment(self, settings: dict | None) -> bool:
        """The run under way (if any) augments with ``settings`` from its next batch;
        True if one is."""
        if self._worker is None:
            return False
        self._worker.set_augment(settings)
        return True

    def train_size(self) -> int:
        """Training images a run trains on (the "train_size" setting, or all of them)."""
        return train_size_of(self.session.hyper, len(self.session.data.train_x))

    def _forward_live_settings(self) -> None:
        """The settings changed: a new weight decay or augmentation reaches the run under
        way (the learning rate goes through ``set_lr``, which the Training tab logs)."""
        worker = self._worker
        if worker is None:
            return
        h, trainer = self.session.hyper, worker.trainer
        absent = {"weight_decay", "augment"} - h.keys()  # off: the trainer writes 0 and {}
        try:
            weight_decay = float(h.get("weight_decay") or 0.0)
            if weight_decay != trainer.weight_decay:
                self.set_weight_decay(weight_decay)
            augment = h.get("augment") or {}
            if Augment(**augment) != trainer.augment:
                self.set_augment(augment)
            for key in absent:  # ... which the settings leave out, as before the change
                h.pop(key, None)
        except (TypeError, ValueError) as e:  # the session checked them; be safe
            self.problem.emit(f"Could not change the run's settings: {describe_error(e)}")

    def model_changed(self) -> None:
        """The session's model was replaced: forget its trainer and the run."""
        if self._worker is not None:  # the builder locks the stack while training; be safe
            self.shutdown()
        self._trainer = None
        self.run_model = None
        self._seconds_per_sample = None
        model = self.session.model
        size = self.train_size() if model is not None else 0
        self.position = model.samples_seen / size if size else 0.0

    def shutdown(self) -> None:
        """Stop the worker and wait for its thread to end. Safe to call any number of times."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        self.last_worker = worker
        worker.stop(wait=True)
        self._end(worker)
        self.interrupted.emit()
        self.controlsChanged.emit()

    # -- from the worker (queued: they run on the GUI thread) -----------------------------
    def _current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    @Slot()
    def _on_poll(self) -> None:
        self._take_latest()
        self.ticked.emit()

    def _take_latest(self) -> None:
        worker = self._worker
        measured = worker.measuring.take() if worker is not None else None
        if measured is not None:
            self.last_measuring = measured[0]
            self.measured.emit(measured[0])
        item = worker.latest.take() if worker is not None else None
        if item is None:
            return
        progress, snapshot = item
        if progress.samples_per_second > 0:
            self._seconds_per_sample = 1.0 / progress.samples_per_second
        self.position = progress.position
        self.last_report = progress
        self.session.publish(snapshot, progress)
        self.reported.emit(progress)

    @Slot(object, object)
    def _on_epoch(self, record: EpochRecord, snapshot) -> None:
        if not self._current():
            return
        self._take_latest()  # the epoch's last report comes before its record
        self.last_measuring = None  # its measuring is over (put before the record came)
        self._worker.measuring.take()
        self.session.publish(snapshot)
        self.session.finish_epoch(record)
        self.epochs_seen += 1
        if record.test_accuracy is not None:
            self.run_test = record.test_accuracy
            self.run_test_epoch = record.epoch
        was_stuck, self.stuck = self.stuck, stuck_warning(
            record, self.run_model, self.session.spec, self.session.hyper)
        self.stuck_is_new = bool(self.stuck and not was_stuck)
        self.epochEnded.emit(record)

    @Slot(bool)
    def _on_paused(self, waiting: bool) -> None:
        worker = self._worker
        if not self._current() or self.stopping:
            return
        self._take_latest()
        # the worker is blocked until this thread resumes it: the live model may be saved
        if waiting and worker.waiting and worker.trainer.paused:
            # predictions use the weights Save would write: the live ones, as they are now
            snapshot = worker.paused_snapshot
            if snapshot is not None and snapshot is not self.session.predictor():
                self.session.publish(snapshot)
            self.clock.pause()
            self.session.set_training_state(PAUSED)
            self.pauseTookHold.emit()
            self.controlsChanged.emit()

    @Slot(str, str)
    def _on_finished(self, status: str, message: str) -> None:
        if not self._current():
            return
        worker = self._worker
        self._take_latest()
        self._worker, self.last_worker = None, worker
        worker.wait()
        self._end(worker)
        self.best = worker.trainer.best
        model, size = self.session.model, self.train_size()
        if model is not None and size:
            self.position = model.samples_seen / size  # a stop may end between reports
        self.controlsChanged.emit()
        self.runEnded.emit(status, message)

    def _end(self, worker: TrainingWorker) -> None:
        self.stopping = False
        self._poll.stop()
        _SwitchInterval.leave()
        self._publish_final(worker)
        self.session.set_training_state(IDLE)

    def _publish_final(self, worker: TrainingWorker) -> None:
        """After a run: the predictor gets the final weights (restored ones if diverged),
        as copied by the worker on its thread (a big network's copy takes a second)."""
        model = self.session.model
        if model is None:
            return
        try:
            snapshot = worker.final_snapshot
            self.session.publish(snapshot if snapshot is not None else model.network.snapshot())
        except Exception as e:  # noqa: BLE001 - shown, never fatal
            self.problem.emit(f"Could not publish the final weights: {describe_error(e)}")
