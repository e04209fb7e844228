"""A model's training history: one ``EpochRecord`` per completed epoch."""

from __future__ import annotations

from dataclasses import dataclass, field

#: training images each epoch's ``train_sample_*`` figures are measured on (the first ones)
TRAIN_SAMPLE = 10_000

# the fields a record has, in the order model files and the CLI's JSON write them
FIELDS = ("epoch", "seconds", "loss", "accuracy", "val_accuracy", "test_accuracy", "lr",
          "val_loss", "train_sample_loss", "train_sample_accuracy")


@dataclass
class EpochRecord:
    """What one epoch came to.

    ``seconds`` is the time spent training (no evaluation, no pauses); ``loss`` and
    ``accuracy`` are over the epoch's training samples; ``val_accuracy`` and
    ``test_accuracy`` are measured at its end (None without such images); ``lr`` is the
    learning rate at its end. ``val_loss`` is the loss on the validation images, and
    ``train_sample_loss`` and ``train_sample_accuracy`` are measured the same way, with
    the weights at the epoch's end, on a fixed sample of the training images (the first
    ``TRAIN_SAMPLE``): unlike ``loss`` and ``accuracy``, which average over an epoch of
    changing weights (and of dropout and augmentation), they compare like with like
    with the validation figures. A record read from a file may lack fields (None here) or
    carry others (kept in ``extra``): ``to_dict`` gives back what was read.
    """

    epoch: int | None = None
    seconds: float | None = None
    loss: float | None = None
    accuracy: float | None = None
    val_accuracy: float | None = None
    test_accuracy: float | None = None
    lr: float | None = None
    val_loss: float | None = None
    train_sample_loss: float | None = None
    train_sample_accuracy: float | None = None
    extra: dict = field(default_factory=dict)
    absent: frozenset = frozenset()  # the fields the record was read without

    def to_dict(self) -> dict:
        """The record as model files and the CLI's JSON hold it."""
        out = {name: getattr(self, name) for name in FIELDS if name not in self.absent}
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, record: dict) -> EpochRecord:
        known = {k: v for k, v in record.items() if k in FIELDS}
        extra = {k: v for k, v in record.items() if k not in FIELDS}
        return cls(**known, extra=extra,
                   absent=frozenset(name for name in FIELDS if name not in record))

