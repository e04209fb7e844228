"""How much memory training a network takes, worked out from its spec before building it.

Training holds, at the same time:

- the parameters, their gradients (same size) and the optimizer's state (momentum keeps
  a velocity and a scratch array per parameter, Adam two moments and a scratch array),
  and while plain SGD steps, one temporary the size of the largest parameter array;
- the trainer's one copy of the last good weights (restored when a run diverges), and in
  the window the weights published for drawing (``snapshots``);
- each mini-batch's activations, kept for the backward pass, and its deltas (for a
  convolution, also its im2col matrix: each output pixel's window of inputs, which is
  usually the largest array of all);
- or, instead of those activations, an evaluation chunk: the validation and test sets
  are evaluated in chunks of rows sized so that their activations stay within
  ``EVAL_CHUNK_BYTES`` however wide the network;
- the epoch's shuffled copy of the training images.

``estimate_training_memory`` adds these up; ``check_training_memory`` compares the sum
with a budget (``DEFAULT_BUDGET``) and returns a one-line message when it is over.
Not counted: the interpreter, NumPy and the loaded dataset (about 100 MB together), and
in the window, Qt.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from .spec import SpecError, check_spec, make_layer

GB = 1_000_000_000
DEFAULT_BUDGET = 2 * GB  # training that would need more is refused ...
BUDGET_ENV = "NN_PLAYGROUND_MEMORY_GB"  # ... unless this variable (or --memory-budget) says
MIN_BUDGET_GB, MAX_BUDGET_GB = 0.1, 1024.0
EVAL_CHUNK_BYTES = 128_000_000  # an evaluation chunk's activations stay within this
MAX_EVAL_ROWS = 10_000  # rows per evaluation chunk, at the most
TRAIN_SIZE = 50_000  # MNIST training images (the default for the estimate)
OPTIMIZER_STATE = {"sgd": 0, "momentum": 2, "adam": 3}  # arrays per parameter array
# arrays the size of the largest parameter array that an optimizer's step makes at once
# (SGD: lr * g; momentum and Adam work in their scratch arrays)
OPTIMIZER_TEMPORARIES = {"sgd": 1, "momentum": 0, "adam": 0}
BACKWARD_FACTOR = 2  # a batch's activations plus its deltas and temporaries
# while a chunk is evaluated, the layers still hold what they kept of the previous one
EVAL_LIVE_FACTOR = 2


def activation_row_bytes(input_shape, layers, itemsize: int = 4) -> int:
    """Bytes of activations one input row makes in a forward pass: the input as floats
    and every layer's output (Flatten's is a view of its input; ReLU and Dropout also keep a mask).

    ``layers``: (type name, output shape) pairs, in order, or (type name, output shape,
    scratch) triples, scratch being the bytes per row a layer keeps beside its output
    (``Layer.scratch_bytes``: Conv2D's im2col matrix and padded input, MaxPool2D's masks).
    """
    total = math.prod(input_shape) * itemsize
    for kind, shape, *scratch in layers:
        total += sum(scratch)
        if kind == "Flatten":
            continue
        size = math.prod(shape)
        total += size * itemsize
        if kind == "ReLU":
            total += size  # the boolean mask
        elif kind == "Dropout":
            total += size * itemsize  # the scaled mask
    return total


def eval_chunk_rows(row_bytes: int, budget: int = EVAL_CHUNK_BYTES,
                    max_rows: int = MAX_EVAL_ROWS) -> int:
    """Rows per evaluation chunk: as many as fit in ``budget`` (with what the layers
    still hold of the chunk before), at least 1."""
    return max(1, min(max_rows, budget // (EVAL_LIVE_FACTOR * max(1, row_bytes))))


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes training would take, by what takes them."""

    batch_size: int
    optimizer: str
    parameters: int  # the weights and biases
    gradients: int
    optimizer_state: int  # momentum: 2 arrays per parameter; Adam: 3
    optimizer_temporaries: int  # made and freed during each step
    copies: int  # the last good weights, plus published snapshots
    activations: int  # one mini-batch forward and backward
    evaluation: int  # one evaluation chunk
    data: int  # the epoch's shuffled copy of the training images

    @property
    def total(self) -> int:
        """The peak: what is always there, plus a training step (its activations and the
        optimizer's temporaries) or an evaluation chunk, whichever is larger: a chunk
        replaces the batch's activations the layers held."""
        kept = (self.parameters + self.gradients + self.optimizer_state + self.copies
                + self.data)
        return kept + max(self.activations + self.optimizer_temporaries, self.evaluation)

    def describe(self) -> str:
        parts = [("weights", self.parameters), ("gradients", self.gradients),
                 ("optimizer", self.optimizer_state + self.optimizer_temporaries),
                 ("copies", self.copies), ("activations", self.activations),
                 ("evaluation", self.evaluation), ("data", self.data)]
        return (f"about {format_bytes(self.total)}: "
                + ", ".join(f"{name} {format_bytes(n)}" for name, n in parts if n))


def format_bytes(n: float) -> str:
    """1.2 GB, 340 MB, 12 KB (decimal units)."""
    if n >= GB:
        return f"{n / GB:.1f} GB"
    if n >= 1_000_000:
        return f"{n / 1_000_000:.0f} MB"
    return f"{max(n, 0) / 1000:.0f} KB"


def estimate_training_memory(spec, batch_size: int, optimizer: str = "sgd", *,
                             train_size: int = TRAIN_SIZE, snapshots: int = 0,
                             dtype=np.float32) -> MemoryEstimate:
    """What training ``spec`` at ``batch_size`` with ``optimizer`` would take, without
    building the network. ``snapshots``: published copies of the weights kept beside
    training (the window keeps about 2; the command line none).

    Raises SpecError for an invalid spec and ValueError for an unknown optimizer.
    """
    if optimizer not in OPTIMIZER_STATE:
        raise ValueError(f"unknown optimizer '{optimizer}' (known: {', '.join(OPTIMIZER_STATE)})")
    report = check_spec(spec)
    report.raise_first()
    itemsize = np.dtype(dtype).itemsize
    shape = report.input_shape
    largest = 0  # the largest parameter array, in values
    rows = []  # (type, output shape, scratch bytes) of each layer
    for layer_spec, info in zip(spec["layers"], report.layers, strict=True):
        layer = make_layer(layer_spec)
        largest = max([largest, *(math.prod(s) for s in layer.param_shapes(shape))])
        rows.append((info.type, info.output_shape, layer.scratch_bytes(shape, itemsize)))
        shape = info.output_shape
    params = report.total_params * itemsize
    row = activation_row_bytes(report.input_shape, rows, itemsize)
    batch = max(1, int(batch_size))
    return MemoryEstimate(
        batch_size=batch,
        optimizer=optimizer,
        parameters=params,
        gradients=params,
        optimizer_state=OPTIMIZER_STATE[optimizer] * params,
        optimizer_temporaries=OPTIMIZER_TEMPORARIES[optimizer] * largest * itemsize,
        copies=(1 + max(0, int(snapshots))) * params,
        activations=BACKWARD_FACTOR * batch * row,
        evaluation=EVAL_LIVE_FACTOR * eval_chunk_rows(row) * row,
        data=max(0, int(train_size)) * (math.prod(report.input_shape) + 1),
    )


def budget_problem(gb) -> str | None:
    """What is wrong with a memory budget in GB, or None."""
    if isinstance(gb, bool) or not isinstance(gb, (int, float)) or not (
            math.isfinite(gb) and MIN_BUDGET_GB <= gb <= MAX_BUDGET_GB):
        return (f"the memory budget must be {MIN_BUDGET_GB:g} to {MAX_BUDGET_GB:,g} GB, "
                f"not {gb!r}")
    return None


def configured_budget(environ=None) -> tuple[int, str | None]:
    """The training memory budget in bytes: BUDGET_ENV's GB when it is set, else
    DEFAULT_BUDGET; and what is wrong with the variable (the default applies then)."""
    text = (os.environ if environ is None else environ).get(BUDGET_ENV, "").strip()
    if not text:
        return DEFAULT_BUDGET, None
    try:
        gb = float(text.replace(",", "."))
    except ValueError:
        gb = text[:40]
    problem = budget_problem(gb)
    if problem:
        return DEFAULT_BUDGET, f"{BUDGET_ENV}={text[:40]}: {problem}"
    return int(gb * GB), None


def check_training_memory(spec, batch_size: int, optimizer: str = "sgd", *,
                          budget: int | None = None, train_size: int = TRAIN_SIZE,
                          snapshots: int = 0) -> str | None:
    """None when training fits in ``budget`` bytes (``configured_budget()`` by default),
    else a one-line message saying how much it would need. An invalid spec or optimizer
    gives None: other checks name those.
    """
    if budget is None:
        budget = configured_budget()[0]
    try:
        estimate = estimate_training_memory(spec, batch_size, optimizer,
                                            train_size=train_size, snapshots=snapshots)
    except (SpecError, ValueError):
        return None
    if estimate.total <= budget:
        return None
    convolves = any(isinstance(s, dict) and s.get("type") == "Conv2D" for s in spec["layers"])
    advice = ["fewer filters or units" if convolves else "fewer units"]
    if estimate.activations > estimate.total // 4:
        advice.append("a smaller batch")
    if estimate.optimizer_state:
        advice.append("plain SGD")
    hint = ", ".join(advice[:-1]) + " or " + advice[-1] if len(advice) > 1 else advice[0]
    return (f"this network would need about {format_bytes(estimate.total)} to train at "
            f"batch size {estimate.batch_size:,} (the limit is {format_bytes(budget)}): "
            f"use {hint}")
