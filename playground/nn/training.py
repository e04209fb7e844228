"""The training loop: epochs of shuffled mini-batches, with progress reports.

``Trainer.steps()`` is a generator of ``Progress``, ``Measuring`` and ``EpochEnd``
events; ``Trainer.run()`` drives it and hands each event to plain callbacks. Another
thread may call ``pause``, ``resume``, ``stop`` or set ``lr`` at any time: they
take effect between mini-batches. A ``divergence.DivergenceGuard`` watches each run;
when it calls the run diverged, the last good weights come back and ``status`` says
"diverged", with a ``message`` saying why and what to try.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ..data.augment import Augment
from .blas import FixedThreads, thread_policy
from .history import TRAIN_SAMPLE, EpochRecord
from .model import Model
from .optimizers import make_optimizer
from .run import Run, RunClock, Tally
from .schedules import lr_factor
from .settings import weight_decay_problem
from .spec import format_shape


@dataclass(kw_only=True)
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


@dataclass(kw_only=True)
class Measuring:
    """At an epoch's end, while its weights are measured on the validation, test and
    training-sample images (a convolutional network takes seconds): ``done`` of ``total``
    images so far. One comes as the measuring starts, then one between chunks
    (``eval_rows`` images) once MEASURE_REPORT_IMAGES images have gone by since the last."""

    epoch: int
    done: int
    total: int
    train_seconds: float  # time spent training in this run so far (as in Progress)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


# images measured between two Measuring events, at the least: a LeNet measures 184 at a
# time, about 0.1 s for 500 on 2 cores (a few a second, even on a busy machine)
MEASURE_REPORT_IMAGES = 500


@dataclass
class EpochEnd:
    """A finished epoch; ``record`` is what went into the model's history."""

    record: EpochRecord


@dataclass
class RunResult:
    status: str  # "finished", "stopped" or "diverged"
    message: str = ""
    epochs: list[EpochRecord] = field(default_factory=list)
    best_epoch: int | None = None  # with early stopping: the epoch whose weights were kept

    @property
    def test_accuracy(self) -> float | None:
        return self.epochs[-1].test_accuracy if self.epochs else None


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
        self.optimizer = make_optimizer(h["optimizer"], float(h["lr"]),
                                        float(h.get("weight_decay", 0.0)))
        self.loss = model.loss()
        self.blas_threads = blas_threads
        self.status = "idle"
        self.message = ""
        # with early stopping (the "patience" setting): the epoch whose weights the last
        # run ended with, and its validation accuracy
        self.best: tuple[int, float] | None = None
        self.augment = Augment.from_hyper(model.hyper)  # new changes to every mini-batch
        # called (in the training thread) with True when a pause takes hold between
        # mini-batches, the network consistent and idle, and with False when it goes on
        self.on_wait: Callable[[bool], None] | None = None
        self._threads = FixedThreads(None)  # the run's BLAS threads (blas.py)
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

    @property
    def weight_decay(self) -> float:
        return self.optimizer.weight_decay

    @weight_decay.setter
    def weight_decay(self, value: float) -> None:
        """Takes effect at the next mini-batch, like the learning rate."""
        problem = weight_decay_problem(value)
        if problem:
            raise ValueError(problem)
        self.optimizer.weight_decay = float(value)
        self.model.hyper["weight_decay"] = float(value)

    def set_augment(self, settings: dict | None) -> None:
        """New augmentation settings (``hyper["augment"]``), from the next mini-batch on;
        ValueError for a bad one."""
        augment = Augment(**(settings or {}))
        self.model.hyper["augment"] = dict(settings or {})
        self.augment = augment

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
              ) -> Iterator[Progress | Measuring | EpochEnd]:
        """Train ``epochs`` more epochs (the model's setting by default).

        Yields a ``Progress`` ``reports_per_epoch`` times per epoch (with the accuracy
        on the first ``val_sample`` validation images if ``validate_reports``), then
        ``Measuring`` events while the epoch's weights are measured, and an ``EpochEnd``
        after each epoch. Sets ``status`` and ``message`` when done.
        A ``stop()`` that comes before the first batch still stops the run.
        """
        try:
            yield from self._steps(epochs, reports_per_epoch, validate_reports, val_sample)
        finally:
            self._stop.clear()

    def _steps(self, epochs, reports_per_epoch, validate_reports, val_sample):
        epochs = int(self.model.hyper["epochs"] if epochs is None else epochs)
        self.status, self.message, self.best = "running", "", None
        run = Run(self.model, self.data, self.loss, epochs, reports_per_epoch)
        # the settings as they are now (the window may have changed them between runs)
        self.optimizer.weight_decay = float(self.model.hyper.get("weight_decay", 0.0))
        self.augment = Augment.from_hyper(self.model.hyper)
        try:
            # the BLAS threads: fixed, or measured for a network with convolutions
            with thread_policy(run.net, run.batch_size, self.blas_threads) as self._threads:
                for epoch in range(run.first_epoch, run.last_epoch + 1):
                    tally = yield from self._epoch(run, epoch, validate_reports, val_sample)
                    if tally is None:  # stopped or diverged
                        return
                    record = yield from self._epoch_record(run, epoch, tally)
                    self.model.history.append(record)
                    early = run.judge_epoch(epoch, record.val_accuracy)
                    yield EpochEnd(record)
                    if early:
                        break
            self.status, self.message = "finished", self._keep_best(run)
        finally:
            if run.lr_schedule != "constant":  # between runs: the rate as set
                self.optimizer.lr = float(self.model.hyper["lr"])

    def _keep_best(self, run: Run) -> str:
        """At the end of a run with early stopping, the best weights come back; the
        message says which epoch's they are."""
        if run.best is None:
            return "finished"
        self.best = run.best
        epoch, accuracy = run.best
        last = len(self.model.history)
        if epoch != last:
            self.model.network.set_weights(run.best_weights)
        epochs = "1 epoch" if run.patience == 1 else f"{run.patience} epochs"
        why = (f"stopped early after epoch {last}: no better validation accuracy in {epochs}"
               if last < run.last_epoch else "finished")
        return (f"{why}; kept the weights of epoch {epoch} "
                f"(validation {100 * accuracy:.2f}%)")

    def _epoch(self, run: Run, epoch: int, validate: bool, val_sample: int):
        """Train one epoch, yielding its reports. Returns its tally, or None when the
        run ended in it (``status`` says why)."""
        perm = run.rng.permutation(run.n)
        xs, ys = run.train_x[perm], run.train_y[perm]
        bs = run.batch_size
        tally = Tally()
        run.clock.new_epoch()
        done = (epoch - run.first_epoch) * run.batches  # batches of this run before it
        for b in range(run.batches):
            if not self._go_on(run.clock):
                return None
            if run.lr_schedule != "constant":  # the set rate, scaled for this batch
                self.optimizer.lr = float(self.model.hyper["lr"]) * lr_factor(
                    run.lr_schedule, (done + b) / (run.epochs * run.batches))
            outputs = self._step(run, tally, xs[b * bs:(b + 1) * bs], ys[b * bs:(b + 1) * bs])
            if outputs is None:
                return None
            if run.schedule[b + 1]:
                progress = self._report(run, tally, epoch, b + 1, outputs,
                                        validate, val_sample)
                if progress is None:
                    return None
                yield progress
                run.clock.start()
        return tally

    def _go_on(self, clock: RunClock) -> bool:
        """Between two batches: wait out a pause (off the clock); False on a stop."""
        if not self._stop.is_set() and self._running.is_set():
            return True
        clock.stop()
        on_wait = self.on_wait if not self._running.is_set() else None
        if on_wait:
            on_wait(True)
        self._running.wait()
        if on_wait:
            on_wait(False)
        if self._stop.is_set():
            self.status, self.message = "stopped", "stopped"
            return False
        clock.start()
        return True

    def _step(self, run: Run, tally: Tally, x: np.ndarray, labels: np.ndarray):
        """One mini-batch: its outputs, or None when the run diverged on it."""
        augment = self.augment  # read once: another thread may replace it
        if augment.active:
            x = augment(x, run.augment_rng)
        # divergence is judged from the loss: overflow warnings are noise
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, outputs = self._threads.step(lambda: run.net.train_batch(
                x, run.eye[labels], self.loss, self.optimizer, run.before_step()))
        why = run.guard.batch(loss)
        if why is not None:
            self._diverged(run, why)
            return None
        tally.add(loss, outputs, labels)
        self.model.samples_seen += len(labels)
        return outputs

    def _report(self, run: Run, tally: Tally, epoch: int, batch: int, outputs,
                validate: bool, val_sample: int) -> Progress | None:
        """A report after ``batch``: the clock stops, the guard judges the run (None when
        it diverged) and the validation sample is measured off the clock."""
        run.clock.stop()
        run.samples += tally.n
        with np.errstate(all="ignore"):
            why = run.guard.report(tally.correct, tally.n, run.net.weight_norm(), outputs)
        if why is not None:
            self._diverged(run, why)
            return None
        run.pending = run.guard.healthy
        progress = Progress(
            epoch=epoch, last_epoch=run.last_epoch, batch=batch, batches=run.batches,
            position=self.model.samples_seen / run.n, samples=run.samples,
            total_samples=run.epochs * run.n, loss=tally.loss / tally.n,
            accuracy=tally.correct / tally.n, val_accuracy=None, lr=self.optimizer.lr,
            train_seconds=run.clock.run)
        tally.close_window()
        d = self.data
        if validate and len(d.val_x):
            k = min(val_sample, len(d.val_x))
            progress.val_accuracy = run.net.accuracy(d.val_x[:k], d.val_y[:k]) / k
        return progress

    def _epoch_record(self, run: Run, epoch: int, tally: Tally):
        """The finished epoch's record, with its accuracy on the validation and test
        images and the training sample; yields ``Measuring`` events as it goes (the
        generator's value is the record)."""
        d = self.data
        k = min(TRAIN_SAMPLE, run.n)
        sets = [(d.val_x, d.val_y), (d.test_x, d.test_y),
                (run.train_x[:k], run.train_y[:k])]
        meter = _Meter(epoch, sum(len(x) for x, _ in sets), run.clock.run)
        yield meter.event()
        val_outputs = yield from meter.outputs(run.net, d.val_x)
        test_outputs = yield from meter.outputs(run.net, d.test_x)
        sample_outputs = yield from meter.outputs(run.net, run.train_x[:k])
        val_accuracy, val_loss = self._measure(run, val_outputs, d.val_y)
        sample_accuracy, sample_loss = self._measure(run, sample_outputs, run.train_y[:k])
        test_accuracy = (int((test_outputs.argmax(axis=1) == d.test_y).sum()) / len(d.test_x)
                         if len(d.test_x) else None)
        return EpochRecord(
            epoch=epoch, seconds=run.clock.epoch, loss=tally.epoch_loss / run.n,
            accuracy=tally.epoch_correct / run.n,
            val_accuracy=val_accuracy, test_accuracy=test_accuracy,
            lr=self.optimizer.lr, val_loss=val_loss,
            train_sample_loss=sample_loss, train_sample_accuracy=sample_accuracy)

    def _measure(self, run: Run, outputs: np.ndarray | None, labels: np.ndarray):
        """(accuracy, mean loss) of the ``outputs`` the current weights gave for images
        with ``labels``; (None, None) without images. The loss is the data's alone,
        without weight decay's term."""
        if outputs is None or not len(labels):
            return None, None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = self.loss.value(outputs, run.eye[labels])
        right = int(np.count_nonzero(outputs.argmax(axis=1) == labels))
        return right / len(labels), (loss if math.isfinite(loss) else None)

    def run(self, epochs: int | None = None, *,
            on_progress: Callable[[Progress], None] | None = None,
            on_epoch: Callable[[EpochRecord], None] | None = None,
            on_measuring: Callable[[Measuring], None] | None = None,
            **options) -> RunResult:
        """Train, calling ``on_progress(Progress)``, ``on_measuring(Measuring)`` and
        ``on_epoch(record)`` as it goes."""
        done = []
        for event in self.steps(epochs, **options):
            if isinstance(event, EpochEnd):
                done.append(event.record)
                if on_epoch:
                    on_epoch(event.record)
            elif isinstance(event, Measuring):
                if on_measuring:
                    on_measuring(event)
            elif on_progress:
                on_progress(event)
        return RunResult(self.status, self.message, done,
                         self.best[0] if self.best else None)

    def _diverged(self, run: Run, why: str) -> None:
        self.model.network.set_weights(run.last_good)
        self.optimizer.reset()
        self.status = "diverged"
        which = ("The last good weights were restored" if run.kept_later
                 else "The weights it started from were restored")
        self.message = (f"Training diverged: {why}. {which}; try a smaller learning rate "
                        f"(now {self.optimizer.lr:g}).")


class _Meter:
    """Counts the images an epoch's end has measured and makes its ``Measuring`` events."""

    def __init__(self, epoch: int, total: int, train_seconds: float):
        self.epoch, self.total, self.train_seconds = epoch, total, train_seconds
        self.done = 0
        self._told = 0  # ``done`` at the last event

    def event(self) -> Measuring:
        self._told = self.done
        return Measuring(epoch=self.epoch, done=self.done, total=self.total,
                         train_seconds=self.train_seconds)

    def outputs(self, net, x: np.ndarray):
        """The network's outputs for ``x`` (None without images), in the chunks of
        ``net.predict_proba`` (``eval_rows``: the same figures); yields an event between
        chunks once MEASURE_REPORT_IMAGES images have gone by since the last one."""
        if not len(x):
            return None
        rows = net.eval_rows
        if len(x) <= rows:
            out = _forward(net, x)
            self.done += len(x)
        else:
            out = None
            for i in range(0, len(x), rows):
                a = _forward(net, x[i:i + rows])
                if out is None:
                    out = np.empty((len(x), *a.shape[1:]), dtype=a.dtype)
                out[i:i + len(a)] = a
                self.done += len(a)
                if self.done - self._told >= MEASURE_REPORT_IMAGES and self.done < self.total:
                    yield self.event()
        return out


def _forward(net, x: np.ndarray) -> np.ndarray:
    # a diverging network's overflow shows in the figures (None): the warnings are noise
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return net.forward(x)
