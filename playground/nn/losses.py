"""Losses over a mini-batch: outputs ``a`` and one-hot targets ``y``, both (n, classes).

``value`` is the mean loss per sample; ``gradient`` is dLoss/da for that mean,
so it carries the 1/n of the batch average.
"""

from __future__ import annotations

import numpy as np

from .layers import Layer, Sigmoid, Softmax
from .spec import N_CLASSES

EPS = 1e-7


def one_hot(labels: np.ndarray, classes: int = N_CLASSES, dtype=np.float32) -> np.ndarray:
    """Integer labels (n,) -> one-hot rows (n, classes)."""
    return np.eye(classes, dtype=dtype)[np.asarray(labels, dtype=np.intp)]


class SquaredError:
    """C = 1/2 |a - y|^2 per sample; gradient a - y (the classic tutorial's cost)."""

    name = "se"
    title = "Squared error"

    def value(self, a, y) -> float:
        d = a - y
        return 0.5 * float(np.vdot(d, d)) / len(a)

    def gradient(self, a, y):
        return (a - y) / len(a)

    def fuses_with(self, layer: Layer) -> bool:
        return False


class CrossEntropy:
    """Cross-entropy; its form follows the output layer.

    After Softmax: C = -sum y ln a (categorical). After Sigmoid: each output is its
    own yes/no question, C = -sum [y ln a + (1 - y) ln(1 - a)]. Either way the
    gradient with respect to the output layer's input is simply a - y, which the
    network uses directly (``fused_delta``), so no log(0) or 0/0 can occur.
    """

    name = "ce"
    title = "Cross-entropy"

    def __init__(self, categorical: bool = True):
        self.categorical = categorical

    def value(self, a, y) -> float:
        a = np.clip(a, EPS, 1.0 - EPS)
        total = -np.vdot(y, np.log(a))
        if not self.categorical:
            total -= np.vdot(1.0 - y, np.log1p(-a))
        return float(total) / len(a)

    def gradient(self, a, y):
        a = np.clip(a, EPS, 1.0 - EPS)
        g = -y / a
        if not self.categorical:
            g += (1.0 - y) / (1.0 - a)
        return g / len(a)

    def fuses_with(self, layer: Layer) -> bool:
        return isinstance(layer, Softmax if self.categorical else Sigmoid)

    def fused_delta(self, a, y):
        """dC/dz for the output layer's input z: (a - y) / n."""
        return (a - y) / len(a)


LOSSES = {"se": SquaredError, "ce": CrossEntropy}
LOSS_TITLES = {"se": SquaredError.title, "ce": CrossEntropy.title}


def make_loss(name: str, output_layer: Layer | None = None):
    """The loss called ``name`` ("se" or "ce"), fitted to the network's output layer."""
    if name == "se":
        return SquaredError()
    if name == "ce":
        return CrossEntropy(categorical=not isinstance(output_layer, Sigmoid))
    raise ValueError(f"unknown loss '{name}' (known: se, ce)")
