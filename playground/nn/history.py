"""A model's training history: one ``EpochRecord`` per completed epoch."""

from __future__ import annotations

from dataclasses import dataclass, field

# the fields a record has, in the order model files and the CLI's JSON write them
FIELDS = ("epoch", "seconds", "loss", "accuracy", "val_accuracy", "test_accuracy", "lr")


@dataclass
class EpochRecord:
    """What one epoch came to.

    ``seconds`` is the time spent training (no evaluation, no pauses); ``loss`` and
    ``accuracy`` are over the epoch's training samples; ``val_accuracy`` and
    ``test_accuracy`` are measured at its end (None without such images); ``lr`` is the
    learning rate at its end. A record read from a file may lack fields (None here) or
    carry others (kept in ``extra``): ``to_dict`` gives back what was read.
    """

    epoch: int | None = None
    seconds: float | None = None
    loss: float | None = None
    accuracy: float | None = None
    val_accuracy: float | None = None
    test_accuracy: float | None = None
    lr: float | None = None
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

