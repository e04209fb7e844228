"""How fast this machine trains, for the epoch-time estimate.

Measured, not guessed: the engine's own Trainer trains a probe network for a few
mini-batches of the given size on blank images, and the time it reports (training
only, no evaluation) gives multiply-adds per second. Measured once per batch size and
optimizer (three times, about 20 ms each, longer for batches of 1) and remembered for
the rest of the session. No Qt here.
"""

from __future__ import annotations

import functools
import math
import statistics

import numpy as np

from ..data.mnist import Split
from ..nn import Model, Trainer
from .hints import dense_madds, training_madds

PROBE_IMAGES = 512  #: images per measurement
MIN_BATCHES, MAX_BATCHES = 2, 64  #: ...but at least 2 and at most 64 batches
PROBE_MADDS = 4e8  #: about this much work per measurement, whatever the batch size
MIN_UNITS, MAX_UNITS = 32, 1024
REPEATS = 3


def _probe_spec(units: int) -> dict:
    return {"input": [28, 28],
            "layers": [{"type": "Flatten"}, {"type": "Dense", "units": units},
                       {"type": "Sigmoid"}, {"type": "Dense", "units": 10},
                       {"type": "Sigmoid"}]}


def measure(batch_size: int, optimizer: str = "sgd") -> float:
    """Multiply-adds per second when training with mini-batches of ``batch_size`` and
    ``optimizer``, measured now (:func:`madds_per_second` remembers it). The optimizer
    counts: its work per batch grows with the weights, not with the batch."""
    batch_size = max(1, int(batch_size))
    batches = min(MAX_BATCHES, max(MIN_BATCHES, math.ceil(PROBE_IMAGES / batch_size)))
    images = batches * batch_size
    # size the probe so that each measurement is about PROBE_MADDS of work
    per_unit = 3 * 784 + 20  # training multiply-adds per image per hidden unit
    units = int(min(MAX_UNITS, max(MIN_UNITS, PROBE_MADDS / (images * per_unit))))
    spec = _probe_spec(units)
    model = Model.create(spec, {"loss": "se", "optimizer": optimizer, "lr": 1e-3,
                                "batch_size": batch_size, "epochs": 1, "seed": 0})
    empty_x, empty_y = np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8)
    data = Split(np.zeros((images, 28, 28), np.uint8), np.zeros(images, np.uint8),
                 empty_x, empty_y, empty_x, empty_y)
    seconds = None
    for event in Trainer(model, data).steps(1, reports_per_epoch=1):
        seconds = getattr(event, "train_seconds", seconds)
    work = training_madds(dense_madds(spec)) * images
    return work / max(seconds or 0.0, 1e-6)


#: a training speed to plan with before this machine's is known (a few times below what
#: a laptop does, so plans err on the side of more frequent reports)
ASSUMED_MADDS_PER_SECOND = 5e9
_known: dict[tuple[int, str], float] = {}


@functools.lru_cache(maxsize=64)
def madds_per_second(batch_size: int, optimizer: str = "sgd") -> float:
    """This machine's training speed with these settings, measured on first use: the
    median of REPEATS measurements, so that one disturbed measurement does not count."""
    rate = statistics.median(measure(batch_size, optimizer) for _ in range(REPEATS))
    _known[(int(batch_size), str(optimizer))] = rate
    return rate


def planning_rate(batch_size: int, optimizer: str = "sgd") -> float:
    """The measured speed if it is known already (never measures),
    else ASSUMED_MADDS_PER_SECOND."""
    return _known.get((int(batch_size), str(optimizer)), ASSUMED_MADDS_PER_SECOND)
