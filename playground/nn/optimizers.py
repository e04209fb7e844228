"""Optimizers apply the gradients the layers computed (``nabla_w``, ``nabla_b``).

Each is called once per mini-batch with the network's layers; ``lr`` may be
changed between calls (the GUI does so while training).
"""

from __future__ import annotations

import numpy as np


def sgd(layers, lr: float) -> None:
    """Plain gradient descent: w <- w - lr * nabla_w, b <- b - lr * nabla_b.

    The gradients stay as the layers computed them (views such as the backprop step
    show them after the step).
    """
    for layer in layers:
        for p, g in zip(layer.params(), layer.grads(), strict=True):
            p -= lr * g


class SGD:
    name = "sgd"
    title = "SGD"

    def __init__(self, lr: float = 0.1):
        self.lr = lr

    def step(self, layers) -> None:
        sgd(layers, self.lr)

    def reset(self) -> None:
        """Forget any state (nothing to forget for plain SGD)."""


class Momentum(SGD):
    """v <- mu v - lr g; w <- w + v."""

    name = "momentum"
    title = "SGD + momentum"

    def __init__(self, lr: float = 0.1, mu: float = 0.9):
        super().__init__(lr)
        self.mu = mu
        self.reset()

    def reset(self):
        self._v: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def step(self, layers):
        for layer in layers:
            for p, g in zip(layer.params(), layer.grads(), strict=True):
                state = self._v.get(id(p))
                if state is None:  # the velocity and a scratch array: no temporaries
                    state = self._v[id(p)] = (np.zeros_like(p), np.empty_like(p))
                v, scratch = state
                v *= self.mu
                np.multiply(g, self.lr, out=scratch)
                v -= scratch
                p += v


class Adam(SGD):
    """Adam (Kingma and Ba): per-weight step sizes from running gradient moments."""

    name = "adam"
    title = "Adam"

    def __init__(self, lr: float = 0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.reset()

    def reset(self):
        self._m: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.t = 0

    def step(self, layers):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step = float(self.lr * np.sqrt(1 - b2**self.t) / (1 - b1**self.t))  # keeps float32
        for layer in layers:
            for p, g in zip(layer.params(), layer.grads(), strict=True):
                state = self._m.get(id(p))
                if state is None:  # two moments and a scratch array: no temporaries
                    state = self._m[id(p)] = (np.zeros_like(p), np.zeros_like(p),
                                              np.empty_like(p))
                m, v, scratch = state
                m *= b1
                np.multiply(g, 1 - b1, out=scratch)
                m += scratch
                v *= b2
                np.multiply(g, g, out=scratch)
                scratch *= 1 - b2
                v += scratch
                np.sqrt(v, out=scratch)
                scratch += self.eps
                np.divide(m, scratch, out=scratch)
                scratch *= step
                p -= scratch


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Adam)}
OPTIMIZER_TITLES = {name: cls.title for name, cls in OPTIMIZERS.items()}


def make_optimizer(name: str, lr: float):
    try:
        return OPTIMIZERS[name](lr)
    except KeyError:
        raise ValueError(
            f"unknown optimizer '{name}' (known: {', '.join(OPTIMIZERS)})") from None
