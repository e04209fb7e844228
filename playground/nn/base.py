"""What every layer is (``Layer``) and how initial weights are scaled: the ground that
layers.py and conv.py both build on."""

from __future__ import annotations

import math

import numpy as np

INITS = ("scaled", "normal", "xavier", "he")


class Layer:
    """Base class. A layer without parameters only transforms its input."""

    trainable = False  # True when the layer holds weights and biases

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(input_shape)

    def param_count(self, input_shape: tuple[int, ...]) -> int:
        return 0

    def scratch_bytes(self, input_shape: tuple[int, ...], itemsize: int = 4) -> int:
        """Bytes per sample a forward pass keeps beside its output (Conv2D's im2col
        matrix, MaxPool2D's masks), for the memory estimate; ``itemsize``: the bytes of
        one float."""
        return 0

    def build(self, input_shape, rng=None, init="scaled", dtype=np.float32) -> None:
        """Create parameters for the given input shape (no-op without parameters)."""

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        raise NotImplementedError

    def reseed(self, rng: np.random.Generator) -> None:
        """Where a layer that draws random numbers while training (Dropout) takes them
        from: a run reseeds them, so the same seed repeats it exactly."""

    def backward(self, delta: np.ndarray, need_input_grad: bool = True):
        raise NotImplementedError

    def params(self) -> list[np.ndarray]:
        """The tunable arrays, e.g. ``[w, b]``; none for a layer without parameters."""
        return []

    def decayed(self) -> list[np.ndarray]:
        """The parameters weight decay shrinks: the weights, never the biases."""
        return []

    def param_shapes(self, input_shape: tuple[int, ...]) -> list[tuple[int, ...]]:
        """The shapes ``params()`` will have once built for ``input_shape``."""
        return []

    def adopt(self, params: list[np.ndarray]) -> None:
        """Take copies of ``params`` (shaped as ``param_shapes``) instead of drawing
        weights: a rebuilt network keeps what its layers had learned."""

    def grads(self) -> list[np.ndarray]:
        """The gradients backward filled, in the order of ``params()``."""
        return []

    def spec(self) -> dict:
        """The JSON-able description this layer is built from."""
        return {"type": type(self).__name__}

    def __repr__(self) -> str:
        return type(self).__name__


def init_scale(n_in: int, n_out: int, init: str) -> float:
    """The standard deviation of initial weights with fan-in ``n_in`` and fan-out ``n_out``.

    scaled: N(0, 1/n_in), the default; normal: N(0, 1) (saturates wide sigmoid layers);
    xavier: N(0, 2/(n_in+n_out)); he: N(0, 2/n_in), suited to ReLU.
    """
    scale = {
        "scaled": 1.0 / np.sqrt(n_in),
        "normal": 1.0,
        "xavier": np.sqrt(2.0 / (n_in + n_out)),
        "he": np.sqrt(2.0 / n_in),
    }.get(init)
    if scale is None:
        raise ValueError(f"unknown weight initialisation '{init}' (known: {', '.join(INITS)})")
    return scale


class Scratch:
    """Work arrays a layer reuses from one mini-batch to the next (an im2col matrix, a
    gradient being gathered): each name keeps one flat buffer that grows to the largest
    size asked for, and ``get`` hands out its first part in the shape asked for. A smaller
    last batch reuses it; nothing handed out may outlive the next ``get`` of its name."""

    def __init__(self):
        self._buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        """A C-contiguous array of ``shape``, with whatever it held before."""
        size = math.prod(shape)
        buffer = self._buffers.get(name)
        if buffer is None or buffer.dtype != dtype or buffer.size < size:
            buffer = self._buffers[name] = np.empty(size, dtype=dtype)
        return buffer[:size].reshape(shape)

    def clear(self) -> None:
        self._buffers.clear()

    @property
    def nbytes(self) -> int:
        return sum(b.nbytes for b in self._buffers.values())
