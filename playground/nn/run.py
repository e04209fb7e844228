"""The parts of one training run that ``Trainer`` puts together: when to report, the
clock of training time, the running loss and accuracy, and the run's plan and state
(the shuffle, the divergence guard and the last good weights)."""

from __future__ import annotations

import math
import time

import numpy as np

from .divergence import REFERENCE_SAMPLES, start_guard
from .model import Model
from .settings import train_size_of
from .spec import N_CLASSES


def report_schedule(batches: int, reports: int) -> list[bool]:
    """``schedule[b]``: whether a report follows the b-th batch of an epoch (1-based).

    ``reports`` (1 to ``batches``) are spread evenly, the last at the epoch's end."""
    schedule = [False] * (batches + 1)
    for r in range(1, reports + 1):
        schedule[-(-r * batches // reports)] = True
    return schedule


class RunClock:
    """Time spent training, in this run and in the current epoch.

    ``start()`` before training, ``stop()`` after it: a pause, an evaluation or whatever
    the caller does with a report falls between the two and stays off the clock."""

    def __init__(self):
        self.run = 0.0
        self.epoch = 0.0
        self._t0 = time.perf_counter()

    def start(self) -> None:
        self._t0 = time.perf_counter()

    def stop(self) -> None:
        dt = time.perf_counter() - self._t0
        self.epoch += dt
        self.run += dt

    def new_epoch(self) -> None:
        self.epoch = 0.0
        self.start()


class Tally:
    """Training loss and correct answers: since the last report, and over the epoch."""

    def __init__(self):
        self.epoch_loss, self.epoch_correct = 0.0, 0
        self.loss, self.correct, self.n = 0.0, 0, 0

    def add(self, loss: float, outputs: np.ndarray, labels: np.ndarray) -> None:
        """One batch: its mean ``loss`` and its ``outputs`` for ``labels``."""
        m = len(labels)
        self.loss += loss * m
        self.correct += int(np.count_nonzero(outputs.argmax(axis=1) == labels))
        self.n += m

    def close_window(self) -> None:
        """A report was made: the samples since the last one count for the epoch."""
        self.epoch_loss += self.loss
        self.epoch_correct += self.correct
        self.loss, self.correct, self.n = 0.0, 0, 0


class Run:
    """One run's fixed plan and moving parts: how many epochs and batches, when to
    report, the shuffle, the clock, the divergence guard and the last good weights."""

    def __init__(self, model: Model, data, loss, epochs: int, reports_per_epoch: int):
        net, h = model.network, model.hyper
        self.epochs = epochs
        self.lr_schedule = h.get("schedule", "constant")  # see schedules.py
        self.batch_size = int(h["batch_size"])
        self.n = train_size_of(h, len(data.train_x))  # the first n images (views)
        self.train_x, self.train_y = data.train_x[:self.n], data.train_y[:self.n]
        self.patience = int(h.get("patience", 0) or 0)  # early stopping; 0: off
        self.best: tuple[int, float] | None = None  # (epoch, validation accuracy)
        self.best_weights: list[np.ndarray] | None = None
        self.batches = math.ceil(self.n / self.batch_size)
        self.schedule = report_schedule(self.batches,
                                        min(max(1, reports_per_epoch), self.batches))
        self.first_epoch = len(model.history) + 1
        self.last_epoch = self.first_epoch + epochs - 1
        # the shuffle depends on where training stands, so a run that continues after a
        # stop does not repeat the order it already saw
        self.rng = np.random.default_rng([int(h["seed"]), self.first_epoch,
                                          model.samples_seen])
        # the augmentation's own stream: the shuffle stays what it is without one
        self.augment_rng = np.random.default_rng([int(h["seed"]), self.first_epoch,
                                                  model.samples_seen, 1])
        # dropout's streams, one per layer: the same seed drops the same units
        net.reseed([int(h["seed"]), self.first_epoch, model.samples_seen, 2])
        self.eye = np.eye(N_CLASSES, dtype=net.dtype)
        self.guard = start_guard(net, loss, self.train_x[:REFERENCE_SAMPLES],
                                 self.train_y[:REFERENCE_SAMPLES], self.n)
        self.net = net
        # the one copy of the last good weights: the weights at a healthy report become
        # good once the next batch's loss (measured before its step) is sound
        self.last_good = net.get_weights()
        self.kept_later = False  # whether last_good moved on from the run's start
        self.pending = False  # the weights at the last report wait for that verdict
        self.samples = 0  # trained on in this run, up to the last report
        self.clock = RunClock()

    def confirm(self, loss: float) -> None:
        """The loss of the weights at the last report: keep them if it is sound."""
        if self.guard.good(loss):
            self.net.copy_weights_to(self.last_good)
            self.kept_later = True

    def judge_epoch(self, epoch: int, val_accuracy: float | None) -> bool:
        """Early stopping after ``epoch``: keep the weights if they are the best so far on
        the validation images; True when the run should stop (``patience`` epochs without
        a better one). Always False without patience or without validation images."""
        if not self.patience or val_accuracy is None:
            return False
        if self.best is None or val_accuracy > self.best[1]:
            self.best = (epoch, val_accuracy)
            if self.best_weights is None:
                self.best_weights = self.net.get_weights()
            else:
                self.net.copy_weights_to(self.best_weights)
            return False
        return epoch - self.best[0] >= self.patience

    def before_step(self):
        """What ``Network.train_batch`` calls before the step, if anything; once."""
        hook = self.confirm if self.pending else None
        self.pending = False
        return hook
