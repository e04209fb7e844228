"""What the app trains and saves: a network with its training settings and history."""

from __future__ import annotations

from dataclasses import dataclass, field

from .history import EpochRecord
from .losses import make_loss
from .network import Network
from .settings import DEFAULT_HYPER


@dataclass
class Model:
    """A network, its training settings and history.

    ``history`` holds one ``EpochRecord`` per completed epoch. ``samples_seen`` counts
    every training sample so far, including epochs that were stopped part-way.
    """

    network: Network
    hyper: dict = field(default_factory=lambda: dict(DEFAULT_HYPER))
    history: list[EpochRecord] = field(default_factory=list)
    samples_seen: int = 0

    @classmethod
    def create(cls, spec: dict, hyper: dict | None = None) -> Model:
        h = {**DEFAULT_HYPER, **(hyper or {})}
        return cls(Network(spec, seed=h["seed"], init=h["init"]), h, [])

    @property
    def trained(self) -> bool:
        return self.samples_seen > 0

    def loss(self):
        return make_loss(self.hyper["loss"], self.network.layers[-1])
