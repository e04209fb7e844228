"""The training loop: epochs of shuffled mini-batches, with progress reports.

``Trainer.steps()`` is a generator of ``Progress`` and ``EpochEnd`` events;
``Trainer.run()`` drives it and hands each event to plain callbacks. Another
thread may call ``pause``, ``resume``, ``stop`` or set ``lr`` at any time: they
take effect between mini-batches. A ``divergence.DivergenceGuard`` watches each run;
when it calls the run diverged, the last good weights come back and ``status`` says
"diverged", with a ``message`` saying why and what to try.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .divergence import REFERENCE_SAMPLES, start_guard
from .network import Model
from .optimizers import make_optimizer
from .spec import format_shape


@dataclass
class Progress:
    """A report during an epoch (several per epoch)."""

    epoch: int  # the epoch under way, counting the model's earlier epochs (1-based)
    last_epoch: int  # the epoch this run ends with
    batch: int  # batches done in this epoch
    batches: int  # batches per epoch
    position: float  # epochs' worth of samples the model has seen: the plots' x axis
    samples: int  # samples trained on in this run
    total_samples: int  # samples this run trains on when it completes
    loss: float  # mean training loss since the previous report
    accuracy: float  # training accuracy since the previous report
    val_accuracy: float | None  # on the validation sample, when asked for
    lr: float
    train_seconds: float  # time spent training in this run (no evaluation, no pauses)

    @property
    def samples_per_second(self) -> float:
        return self.samples / self.train_seconds if self.train_seconds > 0 else 0.0

    @property
    def eta_seconds(self) -> float:
        rate = self.samples_per_second
        return (self.total_samples - self.samples) / rate if rate > 0 else math.inf

    @property
    def fraction(self) -> float:
        """How much of this run is done, 0 to 1."""
        return self.samples / self.total_samples if self.total_samples else 1.0


@dataclass
class EpochEnd:
    """A finished epoch; ``record`` is what went into the model's history."""

    record: dict


@dataclass
class RunResult:
    status: str  # "finished", "stopped" or "diverged"
    message: str = ""
    epochs: list[dict] = field(default_factory=list)

    @property
    def test_accuracy(self) -> float | None:
        return self.epochs[-1]["test_accuracy"] if self.epochs else None


class Trainer:
    """Trains ``model`` on ``data`` (a ``playground.data.Split`` or alike: train_x,
    train_y, val_x, val_y, test_x, test_y as uint8 arrays)."""

    def __init__(self, model: Model, data, *, blas_threads: int | None = None):
        if tuple(data.train_x.shape[1:]) != tuple(model.network.input_shape):
            raise ValueError(f"the network reads {format_shape(model.network.input_shape)} "
                             f"inputs but the images are {format_shape(data.train_x.shape[1:])}")
        self.model = model
        self.data = data
        h = model.hyper
        self.optimizer = make_optimizer(h["optimizer"], float(h["lr"]))
        self.loss = model.loss()
        self.blas_threads = blas_threads
        self.status = "idle"
        self.message = ""
        self._kept_later = False
        # called (in the training thread) with True when a pause takes hold between
        # mini-batches, the network consistent and idle, and with False when it goes on
        self.on_wait: Callable[[bool], None] | None = None
        self._running = threading.Event()
        self._running.set()
        self._stop = threading.Event()

    # -- control from any thread ------------------------------------------------
    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        if not (math.isfinite(value) and value > 0):
            raise ValueError("learning rate must be a positive finite number")
        self.optimizer.lr = float(value)
        self.model.hyper["lr"] = float(value)

    def arm(self) -> None:
        """Forget an earlier stop or pause: the next run goes ahead (call before starting
        it; a ``stop()`` after this still stops that run before its first batch)."""
        self._stop.clear()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()

    # -- the loop -----------------------------------------------------------------
    def steps(self, epochs: int | None = None, *, reports_per_epoch: int = 10,
              validate_reports: bool = False, val_sample: int = 2000
              ) -> Iterator[Progress | EpochEnd]:
        """Train ``epochs`` more epochs (the model's setting by default).

        Yields a ``Progress`` ``reports_per_epoch`` times per epoch (with the accuracy
        on the first ``val_sample`` validation images if ``validate_reports``) and an
        ``EpochEnd`` after each epoch. Sets ``status`` and ``message`` when done.
        A ``stop()`` that comes before the first batch still stops the run.
        """
        try:
            yield from self._steps(epochs, reports_per_epoch, validate_reports, val_sample)
        finally:
            self._stop.clear()

    def _steps(self, epochs, reports_per_epoch, validate_reports, val_sample):
        model, net, d = self.model, self.model.network, self.data
        h = model.hyper
        epochs = int(h["epochs"] if epochs is None else epochs)
        bs = int(h["batch_size"])
        n = len(d.train_x)
        batches = math.ceil(n / bs)
        reports = min(max(1, reports_per_epoch), batches)
        report_after = [False] * (batches + 1)  # evenly spread, the last at the epoch's end
        for r in range(1, reports + 1):
            report_after[-(-r * batches // reports)] = True
        first_epoch = len(model.history) + 1
        # the shuffle depends on where training stands, so a run that continues after a
        # stop does not repeat the order it already saw
        rng = np.random.default_rng([int(h["seed"]), first_epoch, model.samples_seen])
        eye = np.eye(10, dtype=net.dtype)
        self.status, self.message = "running", ""
        guard = start_guard(net, self.loss, d.train_x[:REFERENCE_SAMPLES],
                            d.train_y[:REFERENCE_SAMPLES], n)
        # the one copy of the last good weights: the weights at a healthy report become
        # good once the next batch's loss (measured before its step) is sound
        last_good = net.get_weights()
        self._kept_later = False  # whether last_good moved on from the run's start
        pending = False

        def confirm(loss: float) -> None:
            if guard.good(loss):
                net.copy_weights_to(last_good)
                self._kept_later = True

        samples = 0
        train_seconds = 0.0

        with self._blas_limit(bs):
            for epoch in range(first_epoch, first_epoch + epochs):
                perm = rng.permutation(n)
                xs, ys = d.train_x[perm], d.train_y[perm]
                epoch_seconds = 0.0
                epoch_loss = 0.0
                epoch_correct = 0
                win_loss, win_correct, win_n = 0.0, 0, 0
                t0 = time.perf_counter()
                for b in range(batches):
                    if self._stop.is_set() or not self._running.is_set():
                        dt = time.perf_counter() - t0
                        epoch_seconds += dt
                        train_seconds += dt
                        on_wait = self.on_wait if not self._running.is_set() else None
                        if on_wait:
                            on_wait(True)
                        self._running.wait()
                        if on_wait:
                            on_wait(False)
                        if self._stop.is_set():
                            self.status, self.message = "stopped", "stopped"
                            return
                        t0 = time.perf_counter()
                    yb = ys[b * bs:(b + 1) * bs]
                    # divergence is judged from the loss: overflow warnings are noise
                    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                        loss, a = net.train_batch(xs[b * bs:(b + 1) * bs], eye[yb],
                                                  self.loss, self.optimizer,
                                                  confirm if pending else None)
                    pending = False
                    why = guard.batch(loss)
                    if why is not None:
                        self._diverged(last_good, why)
                        return
                    m = len(yb)
                    win_loss += loss * m
                    win_correct += int(np.count_nonzero(a.argmax(axis=1) == yb))
                    win_n += m
                    model.samples_seen += m
                    if not report_after[b + 1]:
                        continue
                    # a report: time the training so far, then evaluate off the clock
                    dt = time.perf_counter() - t0
                    epoch_seconds += dt
                    train_seconds += dt
                    samples += win_n
                    mean_loss = win_loss / win_n
                    with np.errstate(all="ignore"):
                        why = guard.report(win_correct, win_n, net.weight_norm(), a)
                    if why is not None:
                        self._diverged(last_good, why)
                        return
                    pending = guard.healthy
                    epoch_loss += win_loss
                    epoch_correct += win_correct
                    val = None
                    if validate_reports and len(d.val_x):
                        k = min(val_sample, len(d.val_x))
                        val = net.accuracy(d.val_x[:k], d.val_y[:k]) / k
                    yield Progress(epoch, first_epoch + epochs - 1, b + 1, batches,
                                   model.samples_seen / n, samples, epochs * n,
                                   mean_loss, win_correct / win_n, val, self.optimizer.lr,
                                   train_seconds)
                    win_loss, win_correct, win_n = 0.0, 0, 0
                    t0 = time.perf_counter()
                record = {
                    "epoch": epoch,
                    "seconds": epoch_seconds,
                    "loss": epoch_loss / n,
                    "accuracy": epoch_correct / n,
                    "val_accuracy": (net.accuracy(d.val_x, d.val_y) / len(d.val_x)
                                     if len(d.val_x) else None),
                    "test_accuracy": (net.accuracy(d.test_x, d.test_y) / len(d.test_x)
                                      if len(d.test_x) else None),
                    "lr": self.optimizer.lr,
                }
                model.history.append(record)
                yield EpochEnd(record)
        self.status, self.message = "finished", "finished"

    def run(self, epochs: int | None = None, *,
            on_progress: Callable[[Progress], None] | None = None,
            on_epoch: Callable[[dict], None] | None = None, **options) -> RunResult:
        """Train, calling ``on_progress(Progress)`` and ``on_epoch(record)`` as it goes."""
        done = []
        for event in self.steps(epochs, **options):
            if isinstance(event, EpochEnd):
                done.append(event.record)
                if on_epoch:
                    on_epoch(event.record)
            elif on_progress:
                on_progress(event)
        return RunResult(self.status, self.message, done)

    def _diverged(self, last_good, why: str) -> None:
        self.model.network.set_weights(last_good)
        self.optimizer.reset()
        self.status = "diverged"
        which = ("The last good weights were restored" if self._kept_later
                 else "The weights it started from were restored")
        self.message = (f"Training diverged: {why}. {which}; try a smaller learning rate "
                        f"(now {self.optimizer.lr:g}).")

    def _blas_limit(self, batch_size: int):
        """One BLAS thread is fastest for small batches: thread start-up costs more than
        the split work saves. Larger batches use the machine's cores."""
        threads = self.blas_threads or (1 if batch_size < 256 else None)
        if threads is None:
            return contextlib.nullcontext()
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - optional speed-up
            return contextlib.nullcontext()
        return threadpool_limits(limits=threads, user_api="blas")

