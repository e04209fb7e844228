"""Training off the GUI thread: a QObject worker moved to a QThread.

Only the worker touches the live network. It drives ``Trainer.steps()``; at a report,
while the generator is suspended (the network is consistent there), it takes a snapshot
of the weights and publishes it with the report in a ``Latest`` box, at most ~30 times a
second: each replaces the one before, so the worker never waits for the GUI and the GUI
never falls behind. The GUI reads the box on a timer (``TrainingController``). At an
epoch's end, while its weights are measured, the newest ``Measuring`` goes in the same
way into ``measuring`` (never a signal per chunk). Epoch ends,
pauses and the finish, which must not be dropped, go through queued signals. Control goes
straight to the trainer's thread-safe flags (``pause``, ``resume``, ``stop``, ``lr``,
``weight_decay``, ``set_augment``): a queued slot would never run while the worker loops.

    trainer = make_trainer(model, data)          # one per model: Adam's state survives
    worker = TrainingWorker(trainer, epochs=1)   # no parent, so it can change threads
    worker.start()                               # its own QThread; started -> run
    worker.latest.take()                         # (Progress, Network snapshot) or None
    worker.measuring.take()                      # (Measuring, None) or None
    worker.stop()                                # flag, quit, wait: never terminate()

When a pause takes hold, the worker (blocked, the network consistent) keeps a snapshot of
the live weights in ``paused_snapshot`` before it emits ``paused(True)``. A stop asked
with ``request_stop(evaluate=True)`` measures the test accuracy of the weights the run
leaves (``stop_test_accuracy``, on ``stop_test_images`` test images) on the worker
thread, before ``finished``. The weights a run ends with are copied on the worker thread
too (``final_snapshot``): a big network's copy takes a second, which the window must not
wait for.
"""

from __future__ import annotations

import math
import threading
import time
import weakref

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

from ...nn import EpochEnd, Trainer
from ...nn.training import Measuring
from ...state.hints import forward_madds

MIN_INTERVAL = 1 / 30  # seconds between two published reports, at the least
REPORTS_PER_SECOND = 25  # aimed for when the speed is known, over the first ...
SMOOTH_SECONDS = 2.0  # ... seconds of an epoch (a smooth curve); after them only ...
SLOW_REPORTS_PER_SECOND = 2  # ... this many more: each report the window shows costs the
# training thread the time the window holds the interpreter to draw it (a 13-second LeNet
# epoch trained 35% slower with 200 reports than with 10)
# A stop asked for by the person measures the test accuracy of the weights it leaves, when
# that costs at most this many multiply-adds (parameters x test images; the seed network
# on 10,000 images is 2.4e8, about 20 ms). Bigger networks say "not measured" instead.
STOP_EVAL_BUDGET = 3e9
STOP_EVAL_MIN_IMAGES = 1000  # ... on the first test images that fit the budget, not fewer
# Each report measures a validation sample; a big network measures fewer images so that
# the reports do not cost more than the training (at most this many multiply-adds).
VAL_BUDGET = 2e8
VAL_MIN_IMAGES = 100

_workers: weakref.WeakSet = weakref.WeakSet()  # started, for running_threads()


class Latest:
    """The newest (report, snapshot) pair: the worker puts, the GUI takes. Each put
    replaces the pair not yet taken, so nothing queues up; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._item = None
        self.count = 0  # pairs put so far (tests and benchmarks)

    def put(self, progress, snapshot) -> None:
        with self._lock:
            self._item = (progress, snapshot)
            self.count += 1

    def take(self):
        """The pair put since the last take, or None."""
        with self._lock:
            item, self._item = self._item, None
        return item


def running_threads() -> list[QThread]:
    """Training threads that are still running (tests check that none is left)."""
    return [w._thread for w in list(_workers) if w.running]


def stop_all() -> None:
    """Stop every worker still running and wait for its thread (after a test)."""
    for worker in list(_workers):
        if worker.running:
            worker.stop(wait=True)


def reports_per_epoch(batches: int, seconds_per_epoch: float | None = None) -> int:
    """How many reports to ask the trainer for: at least 10 an epoch (the first epoch
    draws a curve); when the speed is known, about 25 a second for the first 2 seconds
    of an epoch and 2 a second after them; never more than batches.

    Each report measures a validation sample (about 2 ms for the seed network), so
    reports beyond what the GUI shows (~30 a second) are wasted work.
    """
    if seconds_per_epoch is not None and math.isfinite(seconds_per_epoch):
        smooth = min(seconds_per_epoch, SMOOTH_SECONDS)
        wanted = round(smooth * REPORTS_PER_SECOND
                       + (seconds_per_epoch - smooth) * SLOW_REPORTS_PER_SECOND)
        reports = min(max(wanted, 10), 200)
    else:  # unknown speed: enough for a 1-second epoch
        reports = min(max(batches // 200, 10), REPORTS_PER_SECOND)
    return max(1, min(reports, batches))


def work_per_image(net) -> int:
    """Multiply-adds of one image's forward pass: what an evaluation costs (a Dense
    layer's weights once each, a Conv2D's at every position); the parameter count for a
    spec the count does not cover."""
    return max(1, forward_madds(net.spec) or net.param_count)


def val_sample_for(work: int, wanted: int) -> int:
    """How many validation images each report measures: ``wanted``, fewer for a network
    whose images cost much (``work_per_image``; see VAL_BUDGET), never fewer than
    VAL_MIN_IMAGES."""
    affordable = int(VAL_BUDGET // max(1, work))
    return max(min(wanted, VAL_MIN_IMAGES), min(wanted, affordable))


def make_trainer(model, data) -> Trainer:
    """The trainer for ``model``; one per model, so Adam's state survives a restart."""
    return Trainer(model, data)


def describe_error(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class TrainingWorker(QObject):
    """Runs ``epochs`` epochs of ``trainer``; publishes reports in ``latest`` and sends
    epoch ends, pauses and the finish through signals.

    Create it without a parent, then ``start()`` it (or call ``run()`` directly: it then
    trains on the calling thread, signals and all).
    """

    epochFinished = Signal(object, object)  # (EpochRecord, Network snapshot)
    paused = Signal(bool)  # True: blocked between batches; False: going on again
    finished = Signal(str, str)  # status ("finished"/"stopped"/"diverged"/"error"), message

    def __init__(self, trainer: Trainer, epochs: int, *, reports: int = 10,
                 val_sample: int = 1000, min_interval: float = MIN_INTERVAL):
        super().__init__()  # no parent: moveToThread fails silently with one
        self.trainer = trainer
        self.epochs = int(epochs)
        self.reports = int(reports)
        self.val_sample = int(val_sample)
        self.min_interval = float(min_interval)
        self.status = "idle"
        self.message = ""
        self._thread: QThread | None = None
        self.latest = Latest()  # the newest report and its snapshot, for the GUI's timer
        self.measuring = Latest()  # the newest (Measuring, None) of an epoch's end
        self._last_put = -math.inf
        self._pending = None  # a report the throttle held back
        self._snapshot = None  # the snapshot of the last report published, while current
        self.waiting = False  # blocked between batches while paused (set by the worker)
        self.paused_at: float | None = None  # perf_counter() when it last blocked
        # the live weights when the pause took hold (set before paused(True) is emitted)
        self.paused_snapshot = None
        self.stop_test_accuracy: float | None = None  # see request_stop(evaluate=True)
        self.stop_test_images = 0  # ... measured on this many test images
        self.stop_too_big = False  # ... not measured: it would have taken too long
        self.final_snapshot = None  # the weights the run ended with, copied in this thread
        self._evaluate_stop = False

    # -- control from the GUI thread -------------------------------------------------
    def start(self) -> QThread:
        """Train on a new QThread; returns it."""
        if self._thread is not None:
            raise RuntimeError("this worker has already been started")
        thread = QThread()
        thread.setObjectName("trainingThread")
        self.moveToThread(thread)
        thread.started.connect(self.run)
        self.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        self._thread = thread
        _workers.add(self)
        thread.start()
        return thread

    def pause(self) -> None:
        self.trainer.pause()

    def resume(self) -> None:
        self.trainer.resume()

    def set_lr(self, lr: float) -> None:
        """Takes effect at the next mini-batch; raises ValueError for a bad value."""
        self.trainer.lr = lr

    def set_weight_decay(self, weight_decay: float) -> None:
        """Takes effect at the next mini-batch; raises ValueError for a bad value."""
        self.trainer.weight_decay = weight_decay

    def set_augment(self, settings: dict | None) -> None:
        """New augmentation settings (``hyper["augment"]``) from the next mini-batch on;
        raises ValueError for a bad one."""
        self.trainer.set_augment(settings)

    def request_stop(self, evaluate: bool = False) -> None:
        """Ask the worker to stop after the current batch; ``finished`` follows. With
        ``evaluate``, it first measures the test accuracy of the weights it stops with
        (``stop_test_accuracy``; None if too costly, see STOP_EVAL_BUDGET)."""
        self._evaluate_stop = bool(evaluate)
        self.trainer.stop()

    def stop(self, wait: bool = True) -> None:
        """Stop (no evaluation): set the flag, quit the thread's loop, wait for it.
        Safe to repeat."""
        self.request_stop()
        thread = self._thread
        if thread is not None:
            thread.quit()
            if wait:
                thread.wait()

    def wait(self) -> None:
        """Wait for the thread to end (call after ``finished``; returns at once then)."""
        thread = self._thread
        if thread is not None:
            thread.quit()
            thread.wait()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    # -- the worker thread --------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        trainer = self.trainer
        status, message = "error", ""
        steps = None
        try:
            trainer.on_wait = self._on_wait
            # divergence is detected from the loss; NumPy's overflow warnings are noise here
            with np.errstate(all="ignore"):
                steps = trainer.steps(self.epochs, reports_per_epoch=self.reports,
                                      validate_reports=True, val_sample=self.val_sample)
                for event in steps:
                    if isinstance(event, EpochEnd):
                        snapshot = self._snapshot or trainer.model.network.snapshot()
                        self.epochFinished.emit(event.record, snapshot)
                    elif isinstance(event, Measuring):
                        self.measuring.put(event, None)
                    else:
                        self._report(event)
                self._flush()
                status, message = trainer.status, trainer.message
                if status == "stopped" and self._evaluate_stop:
                    self.stop_test_accuracy = self._test_accuracy()
                self.final_snapshot = trainer.model.network.snapshot()
            if status not in ("finished", "stopped", "diverged"):
                status, message = "error", f"training ended unexpectedly ({status})"
        except Exception as e:  # noqa: BLE001 - reported to the user, never printed
            status, message = "error", describe_error(e)
        finally:
            if steps is not None:
                try:
                    steps.close()
                except Exception:  # noqa: BLE001, S110 - already failing; the first error counts
                    pass
            trainer.on_wait = None
            self.status, self.message = status, message
            app = QCoreApplication.instance()
            if app is not None and self.thread() is not app.thread():
                self.moveToThread(app.thread())  # so the GUI thread may delete it
            self.finished.emit(status, message)

    def _report(self, progress) -> None:
        now = time.perf_counter()
        self._snapshot = None  # the network moved on since the last report
        if progress.batch == progress.batches or now - self._last_put >= self.min_interval:
            self._publish(progress, now)
        else:
            self._pending = progress

    def _publish(self, progress, now: float) -> None:
        snapshot = self.trainer.model.network.snapshot()
        self._pending = None
        self._snapshot = snapshot
        self._last_put = now
        self.latest.put(progress, snapshot)

    def _flush(self) -> None:
        """Publish the report the throttle held back (at a pause or at the end)."""
        if self._pending is not None:
            self._publish(self._pending, time.perf_counter())

    def _test_accuracy(self) -> float | None:
        """The live network's test accuracy (in this thread, after the run): on all the
        test images, or on the first ones that fit STOP_EVAL_BUDGET (at least
        STOP_EVAL_MIN_IMAGES); None if even those cost too much."""
        net, data = self.trainer.model.network, self.trainer.data
        n = len(getattr(data, "test_x", ()))
        k = min(n, int(STOP_EVAL_BUDGET // work_per_image(net)))
        if not n or k < min(n, STOP_EVAL_MIN_IMAGES):
            self.stop_too_big = bool(n)
            return None
        try:
            accuracy = net.accuracy(data.test_x[:k], data.test_y[:k]) / k
        except Exception:  # noqa: BLE001 - a figure we can do without; the stop stands
            return None
        self.stop_test_images = k
        return accuracy

    def _on_wait(self, waiting: bool) -> None:
        # called by the trainer in this thread, between batches: the network is consistent
        if waiting:
            flushed = self._pending is not None
            self._flush()  # its snapshot (if any) is of the network as it is now
            self.paused_snapshot = (self._snapshot if flushed and self._snapshot is not None
                                    else self.trainer.model.network.snapshot())
            self.paused_at = time.perf_counter()
        self.waiting = waiting
        self.paused.emit(waiting)
