"""Layers: each has a forward pass over a mini-batch and a backward pass.

Rows are samples. ``forward(x, train)`` caches what ``backward`` needs (``train`` is True
only for a training step: Dropout then drops, and is the identity otherwise);
``backward(delta)`` takes dLoss/dOutput, shape ``(n_samples, *output_shape)``,
returns dLoss/dInput, shape ``(n_samples, *input_shape)``, and (for layers with
tunable parameters) fills ``nabla_w`` and ``nabla_b``. The base class ``Layer`` is in
base.py; the convolution and pooling layers are in conv.py.
"""

from __future__ import annotations

import math

import numpy as np

from .base import INITS, Layer, init_scale  # noqa: F401 - also imported from here
from .conv import CONV_TYPES

MAX_UNITS = 100_000
MAX_DROPOUT = 0.95  # the highest dropout rate: a rate of 1 would drop everything


class Flatten(Layer):
    """(n, d1, d2, ...) -> (n, d1 * d2 * ...)."""

    def output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def forward(self, x, train=False):
        self._shape = x.shape
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))  # -1 fails for 0 rows

    def backward(self, delta, need_input_grad=True):
        return delta.reshape(self._shape) if need_input_grad else None


class Dense(Layer):
    """Fully connected: ``z = x @ w + b`` with ``w`` (n_in, units), ``b`` (units,)."""

    trainable = True

    def __init__(self, units: int):
        self.units = int(units)
        self.w: np.ndarray | None = None
        self.b: np.ndarray | None = None
        self.nabla_w: np.ndarray | None = None
        self.nabla_b: np.ndarray | None = None

    def output_shape(self, input_shape):
        return (self.units,)

    def param_count(self, input_shape):
        return (int(input_shape[-1]) + 1) * self.units

    def build(self, input_shape, rng=None, init="scaled", dtype=np.float32):
        n_in = int(input_shape[-1])
        rng = np.random.default_rng() if rng is None else rng
        self.w = init_weights(rng, n_in, self.units, init).astype(dtype)
        self.b = (rng.standard_normal(self.units) if init == "normal"
                  else np.zeros(self.units)).astype(dtype)
        self.nabla_w = np.zeros_like(self.w)
        self.nabla_b = np.zeros_like(self.b)

    def decayed(self):
        return [self.w]

    def param_shapes(self, input_shape):
        return [(int(input_shape[-1]), self.units), (self.units,)]

    def adopt(self, params):
        w, b = params
        self.w, self.b = w.copy(), b.copy()
        self.nabla_w = np.zeros_like(self.w)
        self.nabla_b = np.zeros_like(self.b)

    def forward(self, x, train=False):
        """x: (n, n_in) -> (n, units)."""
        self._x = x
        z = x @ self.w
        z += self.b
        return z

    def backward(self, delta, need_input_grad=True):
        """delta: (n, units) -> (n, n_in); sets nabla_w (n_in, units), nabla_b (units,)."""
        np.matmul(self._x.T, delta, out=self.nabla_w)
        np.sum(delta, axis=0, out=self.nabla_b)
        return delta @ self.w.T if need_input_grad else None

    def params(self) -> list[np.ndarray]:
        return [self.w, self.b]

    def grads(self) -> list[np.ndarray]:
        return [self.nabla_w, self.nabla_b]

    def spec(self):
        return {"type": "Dense", "units": self.units}

    def __repr__(self):
        return f"Dense({self.units})"


class Sigmoid(Layer):
    """1 / (1 + e^-x), computed as (1 + tanh(x/2)) / 2: no overflow at any x."""

    def forward(self, x, train=False):
        a = np.multiply(x, 0.5)
        np.tanh(a, out=a)
        a += 1.0
        a *= 0.5
        self._a = a
        return a

    def backward(self, delta, need_input_grad=True):
        a = self._a
        return delta * a * (1.0 - a)


class ReLU(Layer):
    """max(0, x)."""

    def forward(self, x, train=False):
        self._mask = x > 0
        return x * self._mask

    def backward(self, delta, need_input_grad=True):
        return delta * self._mask


class Tanh(Layer):
    """tanh(x), in (-1, 1)."""

    def forward(self, x, train=False):
        self._a = np.tanh(x)
        return self._a

    def backward(self, delta, need_input_grad=True):
        return delta * (1.0 - self._a * self._a)


class Softmax(Layer):
    """exp(x) / sum(exp(x)) along each row, shifted by the row maximum (no overflow)."""

    def forward(self, x, train=False):
        e = x - x.max(axis=1, keepdims=True)
        np.exp(e, out=e)
        e /= e.sum(axis=1, keepdims=True)
        self._a = e
        return e

    def backward(self, delta, need_input_grad=True):
        a = self._a
        return a * (delta - (delta * a).sum(axis=1, keepdims=True))


class Dropout(Layer):
    """Inverted dropout: while training, each value is kept with probability 1 - rate and
    scaled by 1 / (1 - rate), else set to 0; when predicting it passes values unchanged
    (the scaling keeps their expected size the same either way)."""

    def __init__(self, rate: float = 0.5):
        self.rate = float(rate)
        self.rng = np.random.default_rng(0)
        self._mask: np.ndarray | None = None

    def reseed(self, rng):
        self.rng = rng

    def forward(self, x, train=False):
        if not train or self.rate == 0:
            self._mask = None
            return x
        mask = self.rng.random(x.shape, dtype=np.float32)
        keep = mask >= self.rate
        mask[...] = keep
        mask *= 1.0 / (1.0 - self.rate)
        self._mask = mask.astype(x.dtype, copy=False)
        return x * self._mask

    def backward(self, delta, need_input_grad=True):
        return delta if self._mask is None else delta * self._mask

    def spec(self):
        return {"type": "Dropout", "rate": self.rate}

    def __repr__(self):
        return f"Dropout({self.rate:g})"


#: The element-wise (and Softmax's row-wise) functions between the layers with weights.
ACTIVATIONS = ("Sigmoid", "ReLU", "Tanh", "Softmax")


def init_weights(rng: np.random.Generator, n_in: int, n_out: int, init: str) -> np.ndarray:
    """Weights (n_in, n_out) in float64, drawn from N(0, init_scale(...) ** 2)."""
    scale = init_scale(n_in, n_out, init)
    return rng.standard_normal((n_in, n_out)) * scale


LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (Flatten, Dense, Sigmoid, ReLU, Tanh, Softmax, Dropout, *CONV_TYPES)
}
