"""The gap between training and validation, and when it means overfitting. No Qt here.

Each epoch record carries the accuracy and loss on a fixed sample of training images
and on the validation images, both measured with the weights at the epoch's end, so
the two compare like with like. Their difference is *the gap* (training accuracy minus
validation accuracy, in percentage points; validation loss minus training loss).

The rule for **overfitting**, the one place it is defined (the plots use it):

* validation accuracy has not reached a new best for ``STALL_EPOCHS`` epochs (a "new
  best" must beat the old one by more than ``NOISE_PT``: on 10,000 images a few right
  answers more or less are noise),
* while the network kept getting better on its training images since that best epoch:
  its training accuracy rose by ``MIN_TRAIN_GAIN_PT`` or more, or its training loss
  fell by ``MIN_LOSS_DROP`` or more (at 100% training accuracy only the loss can still
  show it memorising),
* and the gap is at least ``MIN_GAP_PT``.

Only the newest unbroken run of records with both accuracies counts: records read from
an older file lack these figures (None), and the rule says nothing about them (no
warning, no made-up zero).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..nn.history import TRAIN_SAMPLE, EpochRecord

STALL_EPOCHS = 3  #: epochs without a new best validation accuracy
NOISE_PT = 0.1  #: a "new best" smaller than this (percentage points) is noise
MIN_TRAIN_GAIN_PT = 0.1  #: the training accuracy rose at least this much since the best ...
MIN_LOSS_DROP = 0.05  #: ... or the training loss fell by this fraction of its value
MIN_GAP_PT = 1.0  #: a smaller gap is not worth a warning


@dataclass(frozen=True)
class Gap:
    """The gap at the newest epoch, and what the rule makes of it.

    ``accuracy_pt`` is training minus validation accuracy in percentage points and
    ``loss`` validation minus training loss (None when the record lacks the figures).
    ``overfitting`` is the rule's verdict; then ``best`` is the index (in the history)
    of the epoch with the best validation accuracy, from which on it overfits, and
    ``best_epoch`` that epoch's number.
    """

    accuracy_pt: float | None
    loss: float | None
    overfitting: bool = False
    best: int | None = None
    best_epoch: int | None = None
    best_val_pt: float | None = None

    @property
    def measured(self) -> bool:
        return self.accuracy_pt is not None or self.loss is not None


def _number(value) -> float | None:
    """A finite float, or None (missing, or not a number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _difference(a, b) -> float | None:
    a, b = _number(a), _number(b)
    return None if a is None or b is None else a - b


def _complete(record: EpochRecord) -> bool:
    return (_number(record.train_sample_accuracy) is not None
            and _number(record.val_accuracy) is not None)


def gap(history: Sequence[EpochRecord]) -> Gap | None:
    """The gap at the last record of ``history`` (None for no records)."""
    if not history:
        return None
    last = history[-1]
    accuracy = _difference(last.train_sample_accuracy, last.val_accuracy)
    loss = _difference(last.val_loss, last.train_sample_loss)
    result = Gap(None if accuracy is None else 100.0 * accuracy, loss)
    if accuracy is None:
        return result
    start = len(history)  # the newest unbroken run of records with both accuracies
    while start > 0 and _complete(history[start - 1]):
        start -= 1
    run = history[start:]
    val = [100.0 * float(r.val_accuracy) for r in run]
    top = max(val)
    best = next(i for i, v in enumerate(val) if v >= top - NOISE_PT)
    if len(run) - 1 - best < STALL_EPOCHS or result.accuracy_pt < MIN_GAP_PT:
        return result
    then, now = run[best], last
    gain = 100.0 * (float(now.train_sample_accuracy) - float(then.train_sample_accuracy))
    loss_then, loss_now = _number(then.train_sample_loss), _number(now.train_sample_loss)
    loss_fell = (loss_then is not None and loss_now is not None and loss_then > 0
                 and loss_now <= loss_then * (1 - MIN_LOSS_DROP))
    if gain >= MIN_TRAIN_GAIN_PT or loss_fell:
        return Gap(result.accuracy_pt, loss, True, start + best, then.epoch, val[best])
    return result


def overfitting_since(verdicts: Sequence[Gap | None]) -> int | None:
    """From which record on the network overfits, given the verdict ``gap(history[:n])``
    at each epoch ``n``: the best-validation epoch of the first verdict in the newest
    unbroken run of "overfitting" ones (an index into the history); None when the newest
    verdict is not "overfitting"."""
    i = len(verdicts)
    while i > 0 and verdicts[i - 1] is not None and verdicts[i - 1].overfitting:
        i -= 1
    return None if i == len(verdicts) else verdicts[i].best


# -- the words the plots show ------------------------------------------------------------

WARNING = "overfitting"


def accuracy_text(g: Gap | None) -> str:
    """"gap 4.1 pt" (training minus validation accuracy); "" without the figures."""
    if g is None or g.accuracy_pt is None:
        return ""
    return f"gap {g.accuracy_pt:.1f} pt"


def loss_text(g: Gap | None) -> str:
    """"gap 0.041" (validation minus training loss); "" without the figures."""
    if g is None or g.loss is None:
        return ""
    number = f"{g.loss:.0f}" if abs(g.loss) >= 10 else f"{g.loss:.2g}"
    return f"gap {number}"


def explanation(g: Gap | None) -> str:
    """A sentence or two for a tooltip: what the gap is, and the verdict."""
    what = (f"The gap: training minus validation, both measured with the weights at the "
            f"end of the latest epoch (training on the first {TRAIN_SAMPLE:,} training "
            f"images, or all of them when there are fewer), so they compare like with "
            f"like.")
    if g is None:
        return what + " It shows once an epoch has finished."
    if not g.measured:
        return (what + " This history was saved without the training figures measured "
                "at each epoch's end: there is no gap to show.")
    if g.overfitting:
        return (what + f"\nOverfitting: the validation accuracy has not improved since "
                f"epoch {g.best_epoch} ({g.best_val_pt:.2f}%), while the network kept "
                f"getting better on its training images: it is memorising them. More "
                f"training images, augmentation, weight decay or dropout close the gap; "
                f"early stopping keeps the best epoch's weights.")
    return (what + f"\nA gap that grows while the validation accuracy stops improving "
            f"(no new best for {STALL_EPOCHS} epochs) means overfitting.")
