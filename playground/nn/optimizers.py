"""Optimizers apply the gradients the layers computed (``nabla_w``, ``nabla_b``).

Each is called once per mini-batch with the network's layers; ``lr`` may be
changed between calls (the GUI does so while training).

Weight decay (``weight_decay``, 0 by default) shrinks the weights, never the biases.
SGD and momentum use L2 regularisation: the gradient of ``wd / 2 * sum(w ** 2)`` is
added, so each step is ``w <- w - lr * (nabla_w + wd * w)``. Adam uses the decoupled
form (AdamW, Loshchilov and Hutter), which is what "Adam with weight decay" means in
current libraries: ``w <- w - lr * wd * w`` beside the Adam step, so the decay is not
rescaled by Adam's per-weight step sizes.
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


def _is_decayed(layer, p: np.ndarray) -> bool:
    return any(p is d for d in layer.decayed())


class SGD:
    name = "sgd"
    title = "SGD"

    def __init__(self, lr: float = 0.1, weight_decay: float = 0.0):
        self.lr = lr
        self.weight_decay = float(weight_decay)

    def step(self, layers) -> None:
        if self.weight_decay:
            shrink = 1.0 - self.lr * self.weight_decay  # w - lr * wd * w, before the step
            for layer in layers:
                for w in layer.decayed():
                    w *= shrink
        sgd(layers, self.lr)

    def reset(self) -> None:
        """Forget any state (nothing to forget for plain SGD)."""


class Momentum(SGD):
    """v <- mu v - lr g; w <- w + v."""

    name = "momentum"
    title = "SGD + momentum"

    def __init__(self, lr: float = 0.1, mu: float = 0.9, weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
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
                if self.weight_decay and _is_decayed(layer, p):  # L2: g + wd * w
                    np.multiply(p, self.weight_decay, out=scratch)
                    scratch += g
                    scratch *= self.lr
                else:
                    np.multiply(g, self.lr, out=scratch)
                v -= scratch
                p += v


class Adam(SGD):
    """Adam (Kingma and Ba): per-weight step sizes from running gradient moments."""

    name = "adam"
    title = "Adam"

    def __init__(self, lr: float = 0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                 weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
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
                if self.weight_decay and _is_decayed(layer, p):  # decoupled (AdamW)
                    p *= 1.0 - self.lr * self.weight_decay
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


def make_optimizer(name: str, lr: float, weight_decay: float = 0.0):
    try:
        return OPTIMIZERS[name](lr, weight_decay=weight_decay)
    except KeyError:
        raise ValueError(
            f"unknown optimizer '{name}' (known: {', '.join(OPTIMIZERS)})") from None
