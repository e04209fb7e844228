"""Telling a run that diverged from one that is only slow.

A run diverged when

- its smoothed training loss became infinite or NaN, or grew to ``DIVERGENCE_FACTOR``
  times its starting value (checked after every mini-batch: one addition, one comparison);
- its weights grew ``WEIGHT_BLOWUP`` times their size at the start; or
- it collapsed to chance: the training accuracy over ``COLLAPSE_SAMPLES`` samples (or a
  quarter of an epoch, at least ``MIN_COLLAPSE_SAMPLES``) is ``CHANCE_ACCURACY`` or
  below, with a sign that this is not a slow start: the network had been better (at the
  start or over such a stretch of samples earlier in the run), or its weights grew
  ``WEIGHT_GROWTH`` times, or its softmax outputs saturated at 0 or 1, or it gives the
  same output for every image (neither of which it did at the start).

With sigmoid outputs and squared error, or clipped cross-entropy, the loss is bounded
(at most about 4 and 7 times its usual start), so a run blown up by a huge learning rate
passes the loss rule; the other two catch it. A slow run on a plateau near chance (the
seed network sits there for its first few thousand images) shows none of the signs,
however long it stays there. The last two rules are judged at reports, not per batch:
a report costs one pass over the weights (their norm) and a look at the last batch's
outputs.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .layers import Softmax
from .spec import N_CLASSES

if TYPE_CHECKING:
    from .network import Network

DIVERGENCE_FACTOR = 10.0  # a smoothed loss this many times its starting value diverged
SMOOTHING = 0.1  # weight of the newest batch in the smoothed loss
REFERENCE_SAMPLES = 1000  # training images that measure the loss at the start
LOSS_FLOOR = 0.1  # a well-trained network's tiny loss does not make noise look like divergence
CHANCE_ACCURACY = 0.15  # ten digits: guessing scores 10%
BETTER_ACCURACY = 0.5  # a network this accurate was learning
COLLAPSE_SAMPLES = 2000  # judged over this many samples (or a quarter of an epoch) ...
MIN_COLLAPSE_SAMPLES = 200  # ... but never fewer: a handful of images is noise
WEIGHT_GROWTH = 10.0  # weights this many times their starting norm, at chance: collapsed
WEIGHT_BLOWUP = 1000.0  # weights this many times their starting norm: diverged
NORM_FLOOR = 1.0  # the starting norm counts as at least this (a model of zeros may grow)
SATURATION_EPS = 1e-3  # an output this close to 0 or 1 is saturated
SATURATED_FRACTION = 0.9  # outputs saturated when this share of them is
CONSTANT_EPS = 1e-5  # outputs that differ less than this between images are all the same


def saturation(outputs: np.ndarray) -> float:
    """The share of ``outputs`` (softmax probabilities) within SATURATION_EPS of 0 or 1.

    Only a softmax output says something: saturated, it is sure of one digit, and sure at
    chance level is broken. Sigmoid outputs trained with squared error sink towards 0 on
    the healthy plateau near chance (most targets are 0), so they are not watched.
    """
    if outputs.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):
        far = np.abs(outputs - 0.5) >= 0.5 - SATURATION_EPS
    return np.count_nonzero(far) / outputs.size


def constant(outputs: np.ndarray) -> bool | None:
    """Whether every row of ``outputs`` is the same (to CONSTANT_EPS of their scale): the
    network answers the same whatever the image. None for fewer than two rows."""
    if len(outputs) < 2:
        return None
    with np.errstate(invalid="ignore", over="ignore"):
        spread = float(np.ptp(outputs, axis=0).max())
        scale = 1.0 + float(np.abs(outputs).max())
    return spread <= CONSTANT_EPS * scale


class DivergenceGuard:
    """Watches one run. ``batch(loss)`` after every mini-batch and ``report(...)`` at
    every report return None, or a reason (a phrase: "the loss grew from 0.9 to 12")
    when the run diverged. ``healthy`` says whether the weights at the last report may
    be kept as good ones; ``good(loss)`` whether a batch loss is one of a sound network.

    Reports are pooled into blocks of at least ``collapse_samples`` samples, so that the
    accuracy of a block is not the noise of a small window (the window reports 50-image
    windows at times): a block at chance with a sign of collapse ends the run, and the
    best block (or the start) is what the network "had been".
    """

    def __init__(self, start_loss: float, *, start_accuracy: float = 0.0,
                 start_norm: float = NORM_FLOOR, start_saturation: float | None = None,
                 start_constant: bool | None = None, epoch_samples: int = 0):
        self.start_loss = float(start_loss)
        self.smoothed = self.start_loss
        self.limit = DIVERGENCE_FACTOR * max(self.start_loss, LOSS_FLOOR)
        self.best_accuracy = float(start_accuracy)
        self.start_norm = max(float(start_norm), NORM_FLOOR)
        # None: not a softmax output, saturation says nothing
        self.watch_saturation = (start_saturation is not None
                                 and start_saturation < SATURATED_FRACTION)
        # a network that already answered the same for every image proves nothing by it
        self.watch_constant = start_constant is False
        self.collapse_samples = min(COLLAPSE_SAMPLES,
                                    max(MIN_COLLAPSE_SAMPLES, epoch_samples // 4))
        self.healthy = True
        self._block = Block()

    # -- every batch: keep it cheap ---------------------------------------------------
    def batch(self, loss: float) -> str | None:
        s = self.smoothed = self.smoothed + SMOOTHING * (loss - self.smoothed)
        if s <= self.limit:
            return None
        if not math.isfinite(s):
            return "the loss became infinite or NaN"
        return f"the loss grew from {self.start_loss:.3g} to {s:.3g}"

    def good(self, loss: float) -> bool:
        return loss <= self.limit

    # -- every report ---------------------------------------------------------------------
    def report(self, correct: int, samples: int, norm: float,
               outputs: np.ndarray | None = None) -> str | None:
        """Judge the run at a report: ``correct`` of the ``samples`` trained on since the
        last one, the weights' ``norm`` now and the last batch's ``outputs``."""
        growth = norm / self.start_norm
        if not growth < WEIGHT_BLOWUP:  # NaN too
            self.healthy = False
            return ("the weights grew without bound" if not math.isfinite(growth)
                    else f"the weights grew {fold(growth)}")
        block = self._block
        block.correct += correct
        block.samples += samples
        block.reports += 1
        if outputs is not None:
            if self.watch_saturation:
                block.saturation += saturation(outputs)
            same = constant(outputs) if self.watch_constant else None
            if same is not None:
                block.measured += 1
                block.constant += same
        accuracy = block.correct / max(1, block.samples)
        sign = self._sign(accuracy, growth, block)
        self.healthy = sign is None
        if block.samples < self.collapse_samples:
            return None
        self._block = Block()
        if sign is not None:
            return f"the training accuracy {sign}"
        self.best_accuracy = max(self.best_accuracy, accuracy)
        return None

    def _sign(self, accuracy: float, growth: float, block: Block) -> str | None:
        """What makes ``accuracy`` a collapse rather than a slow start, if anything."""
        if accuracy > CHANCE_ACCURACY:
            return None
        if self.best_accuracy >= BETTER_ACCURACY:
            return f"fell from {self.best_accuracy:.0%} to {accuracy:.1%}, no better than guessing"
        chance = f"is {accuracy:.1%}, no better than guessing"
        if growth >= WEIGHT_GROWTH:
            return f"{chance}, and the weights grew {fold(growth)}"
        if self.watch_saturation and block.saturation >= SATURATED_FRACTION * block.reports:
            return f"{chance}, and the outputs are stuck at 0 or 1"
        if block.measured and block.constant == block.measured:
            return f"{chance}, and the network gives the same output for every image"
        return None


class Block:
    """Reports pooled until they cover enough samples to judge."""

    __slots__ = ("correct", "samples", "reports", "saturation", "measured", "constant")

    def __init__(self):
        self.correct = self.samples = self.reports = self.measured = self.constant = 0
        self.saturation = 0.0


def fold(growth: float) -> str:
    return f"{growth:,.0f}-fold" if growth < 1e6 else "more than a million-fold"


def start_guard(net: Network, loss, x: np.ndarray, labels: np.ndarray,
                epoch_samples: int) -> DivergenceGuard:
    """A divergence guard for a run starting from ``net``'s weights, measured on the
    reference images ``x`` (in chunks, so a wide network stays within its memory)."""
    eye = np.eye(N_CLASSES, dtype=net.dtype)
    total, correct, saturated, same = 0.0, 0, 0.0, None
    with np.errstate(all="ignore"):
        for i in range(0, len(x), net.eval_rows):
            xb, yb = x[i:i + net.eval_rows], labels[i:i + net.eval_rows]
            a = net.forward(xb)
            total += loss.value(a, eye[yb]) * len(xb)
            correct += int(np.count_nonzero(a.argmax(axis=1) == yb))
            saturated += saturation(a) * len(xb)
            if same is None:
                same = constant(a)
        norm = net.weight_norm()
    k = max(1, len(x))
    softmax = isinstance(net.layers[-1], Softmax)  # see divergence.saturation
    return DivergenceGuard(total / k, start_accuracy=correct / k, start_norm=norm,
                           start_saturation=saturated / k if softmax else None,
                           start_constant=same, epoch_samples=epoch_samples)
