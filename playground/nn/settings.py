"""Training settings: their defaults, their limits and the check of a whole set.

The limits are the one place the engine, the command line and the window take them
from; model files are checked against them too.
"""

from __future__ import annotations

import math

from ..data.augment import Augment
from .layers import INITS
from .losses import LOSSES
from .optimizers import OPTIMIZERS
from .schedules import SCHEDULES

MAX_SEED = 2**31 - 1  # the window's seed box holds a C int
MAX_EPOCHS = 1000  # epochs one Start (or one `train`) runs, at most
MAX_LR = 1e6  # far beyond any useful rate; a typo such as 1e60 is refused
MAX_BATCH = 1_000_000  # the batch size when the training set's size is not known
MAX_WEIGHT_DECAY = 1.0  # L2 / AdamW decay; typical values are 1e-5 to 1e-2
MAX_TRAIN_SIZE = 10_000_000  # "train_size": train on the first so many images (absent: all)
# "patience": stop when the validation accuracy has not improved for so many epochs, and
# keep the best weights (absent or 0: train every epoch asked for)
MAX_PATIENCE = MAX_EPOCHS
DEFAULT_HYPER = {"loss": "se", "optimizer": "sgd", "lr": 3.0, "batch_size": 10,
                 "epochs": 1, "seed": 0, "init": "scaled"}


def lr_problem(lr) -> str | None:
    """What is wrong with a learning rate, or None for a positive finite number up to
    MAX_LR."""
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        return "learning rate must be a positive finite number"
    if isinstance(lr, int) and lr > MAX_LR:  # also an int too large for a float
        return f"learning rate must be at most {MAX_LR:g}"
    if not (math.isfinite(lr) and lr > 0):
        return "learning rate must be a positive finite number"
    if lr > MAX_LR:
        return f"learning rate must be at most {MAX_LR:g}"
    return None


def weight_decay_problem(wd) -> str | None:
    """What is wrong with a weight decay, or None for a number from 0 to MAX_WEIGHT_DECAY."""
    if isinstance(wd, bool) or not isinstance(wd, (int, float)) or not (
            math.isfinite(wd) and 0 <= wd <= MAX_WEIGHT_DECAY):
        return f"weight decay must be a number from 0 to {MAX_WEIGHT_DECAY:g}"
    return None


def check_hyper(hyper: dict, train_size: int | None = None) -> list[str]:
    """Problems with training settings, as messages; empty when all is well."""
    problems = []
    lr = lr_problem(hyper.get("lr"))
    if lr:
        problems.append(lr)
    bs = hyper.get("batch_size")
    limit = train_size if train_size else MAX_BATCH
    size = hyper.get("train_size")  # absent or None: every training image
    if size is not None:
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_TRAIN_SIZE:
            problems.append(f"training-set size must be 1 to {MAX_TRAIN_SIZE:,} images")
        else:
            limit = min(limit, size)
    if isinstance(bs, bool) or not isinstance(bs, int) or not 1 <= bs <= limit:
        problems.append(f"batch size must be 1 to {limit:,}")
    ep = hyper.get("epochs")
    if isinstance(ep, bool) or not isinstance(ep, int) or not 1 <= ep <= MAX_EPOCHS:
        problems.append(f"epochs must be 1 to {MAX_EPOCHS:,}")
    if hyper.get("loss") not in LOSSES:
        problems.append(f"loss must be one of: {', '.join(LOSSES)}")
    if hyper.get("optimizer") not in OPTIMIZERS:
        problems.append(f"optimizer must be one of: {', '.join(OPTIMIZERS)}")
    seed = hyper.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        problems.append(f"seed must be a whole number from 0 to {MAX_SEED:,}")
    if hyper.get("init") not in INITS:
        problems.append(f"weight initialisation must be one of: {', '.join(INITS)}")
    if hyper.get("schedule", "constant") not in SCHEDULES:  # absent in older files
        problems.append(f"learning-rate schedule must be one of: {', '.join(SCHEDULES)}")
    augment = hyper.get("augment") or {}  # absent in older files: none
    try:
        if not isinstance(augment, dict):
            raise ValueError("augment must be a table of settings")
        Augment(**augment)
    except (TypeError, ValueError) as e:
        problems.append(f"data augmentation: {e}" if isinstance(e, ValueError)
                        else "data augmentation has an unknown setting")
    wd = weight_decay_problem(hyper.get("weight_decay", 0.0))  # absent in older files
    if wd:
        problems.append(wd)
    patience = hyper.get("patience", 0)
    if isinstance(patience, bool) or not isinstance(patience, int) or not (
            0 <= patience <= MAX_PATIENCE):
        problems.append(f"early-stopping patience must be 0 (off) to {MAX_PATIENCE:,} epochs")
    return problems


def train_size_of(hyper: dict, available: int) -> int:
    """How many of the ``available`` training images a run trains on."""
    size = hyper.get("train_size")
    return available if size is None else min(int(size), available)
