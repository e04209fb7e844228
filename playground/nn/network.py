"""A network: a stack of layers built from a spec, trained one mini-batch at a time."""

from __future__ import annotations

import copy
import math

import numpy as np

from .layers import INITS, Layer
from .memory import activation_row_bytes, eval_chunk_rows
from .spec import format_shape, make_layer, validate_spec


class Network:
    """Layers built from ``spec``; weights drawn from ``seed`` (same seed, same weights)."""

    def __init__(self, spec: dict, *, seed: int = 0, init: str = "scaled", dtype=np.float32,
                 keep_from: Network | None = None):
        """With ``keep_from``, layers with parameters take that network's weights where
        they keep their shape, matched in order as ``transfer_weights`` does, and only the
        others are drawn from ``seed`` (an edit of a network of millions of weights is then
        a copy, not a new draw); ``kept`` counts the layers that kept theirs."""
        report = validate_spec(spec)
        if init not in INITS:
            raise ValueError(f"unknown weight initialisation '{init}' (known: {', '.join(INITS)})")
        self.spec = {"input": list(report.input_shape),
                     "layers": copy.deepcopy(spec["layers"])}
        self.input_shape = report.input_shape
        self.shapes = [info.output_shape for info in report.layers]
        self.dtype = np.dtype(dtype)
        self.layers: list[Layer] = [make_layer(s) for s in spec["layers"]]
        rng = np.random.default_rng(seed)
        old = [] if keep_from is None else [
            layer.params() for layer in keep_from.layers if layer.trainable]
        self.kept = 0
        shape = self.input_shape
        for layer in self.layers:
            theirs = old[self.kept] if layer.trainable and self.kept < len(old) else None
            if theirs is not None and [p.shape for p in theirs] == layer.param_shapes(shape) \
                    and all(p.dtype == self.dtype for p in theirs):
                layer.adopt(theirs)
                self.kept += 1
            else:
                if layer.trainable:
                    old = old[:self.kept]  # the first change ends the matching
                layer.build(shape, rng, init, self.dtype)
            shape = layer.output_shape(shape)
        trainable = [i for i, layer in enumerate(self.layers) if layer.trainable]
        self._first_trainable = trainable[0] if trainable else len(self.layers)
        # rows evaluated at once: a 60,000-unit layer over 10,000 images would be 2.4 GB
        itemsize = self.dtype.itemsize
        inputs = [self.input_shape, *self.shapes[:-1]]
        rows = [(type(layer).__name__, out, layer.scratch_bytes(shape, itemsize))
                for layer, shape, out in zip(self.layers, inputs, self.shapes, strict=True)]
        self.eval_rows = eval_chunk_rows(activation_row_bytes(self.input_shape, rows, itemsize))

    # -- forward and backward ------------------------------------------------
    def as_input(self, x: np.ndarray) -> np.ndarray:
        """uint8 pixels (0..255) become floats in [0, 1]; floats pass through."""
        if x.dtype == np.uint8:
            out = x.astype(self.dtype)
            out *= 1.0 / 255.0
            return out
        return np.asarray(x, dtype=self.dtype)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        """x: (n, *input_shape), uint8 or float -> outputs (n, 10). ``train`` only for a
        training step (Dropout drops then)."""
        a = self.as_input(x)
        for layer in self.layers:
            a = layer.forward(a, train)
        return a

    def reseed(self, entropy) -> None:
        """Give each layer that draws random numbers while training its own stream,
        from ``entropy`` (a seed or a list of ints) and the layer's place."""
        for i, layer in enumerate(self.layers):
            layer.reseed(np.random.default_rng([*np.atleast_1d(entropy).tolist(), i]))

    def backward(self, delta: np.ndarray, skip_last: bool = False) -> None:
        """Back-propagate dLoss/dOutput, filling every layer's nabla_w and nabla_b.

        With ``skip_last``, ``delta`` is already the gradient at the last layer's input
        (a loss fused with the output activation). Nothing is propagated below the first
        layer with parameters: no one needs the gradient of the pixels.
        """
        last = len(self.layers) - (2 if skip_last else 1)
        for i in range(last, self._first_trainable - 1, -1):
            delta = self.layers[i].backward(delta, need_input_grad=i > self._first_trainable)

    def train_batch(self, x, y, loss, optimizer, before_step=None) -> tuple[float, np.ndarray]:
        """One step of gradient descent on a mini-batch; returns (loss, outputs).

        ``before_step(loss)``, if given, is called once the loss of the weights as they
        were is known and before the optimizer changes them.
        """
        a = self.forward(x, train=True)
        value = loss.value(a, y)
        if before_step is not None:
            before_step(value)
        if loss.fuses_with(self.layers[-1]):
            self.backward(loss.fused_delta(a, y), skip_last=True)
        else:
            self.backward(loss.gradient(a, y))
        optimizer.step(self.layers)
        return value, a

    # -- using the network ---------------------------------------------------
    def predict_proba(self, x: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        """Outputs (n, 10) for inputs (n, *input_shape), in chunks of ``batch_size`` rows
        (``eval_rows`` by default: the activations of a chunk stay within a fixed budget,
        however wide the layers)."""
        rows = self.eval_rows if batch_size is None else max(1, int(batch_size))
        if len(x) <= rows:
            return self.forward(x)
        out = None
        for i in range(0, len(x), rows):
            a = self.forward(x[i:i + rows])
            if out is None:
                out = np.empty((len(x), *a.shape[1:]), dtype=a.dtype)
            out[i:i + len(a)] = a
        return out

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.predict_proba(x).argmax(axis=1)

    def accuracy(self, x: np.ndarray, labels: np.ndarray) -> int:
        """How many of the inputs are classified correctly (a count, not a fraction)."""
        return int((self.predict(x) == labels).sum())

    # -- weights ---------------------------------------------------------------
    def parameters(self) -> list[np.ndarray]:
        """The live parameter arrays (not copies): [w1, b1, w2, b2, ...]."""
        return [p for layer in self.layers if layer.trainable for p in layer.params()]

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter array: [w1, b1, w2, b2, ...]."""
        return [p.copy() for p in self.parameters()]

    def copy_weights_to(self, weights: list[np.ndarray]) -> None:
        """Copy the weights into arrays from ``get_weights`` (no new memory)."""
        for w, p in zip(weights, self.parameters(), strict=True):
            np.copyto(w, p)

    def weight_norm(self) -> float:
        """The Euclidean norm of all the parameters together."""
        total = 0.0
        for p in self.parameters():
            flat = p.reshape(-1)
            total += float(np.dot(flat, flat))
        return math.sqrt(total)

    def set_weights(self, weights: list[np.ndarray]) -> None:
        params = self.parameters()
        if len(weights) != len(params):
            raise ValueError(f"expected {len(params)} weight arrays, got {len(weights)}")
        for p, w in zip(params, weights, strict=True):
            if p.shape != w.shape:
                raise ValueError(f"weight shape {w.shape} does not fit {p.shape}")
        for p, w in zip(params, weights, strict=True):
            p[...] = w

    def snapshot(self) -> Network:
        """An independent copy with the same weights (for predicting beside training)."""
        other = Network.__new__(Network)
        other.__dict__.update(self.__dict__)
        other.layers = [make_layer(layer.spec()) for layer in self.layers]
        for layer, mine in zip(other.layers, self.layers, strict=True):
            if mine.trainable:
                layer.w, layer.b = mine.w.copy(), mine.b.copy()
                # np.zeros takes its pages from the system only when they are written to:
                # a snapshot that only predicts costs one copy of the weights, not two
                layer.nabla_w = np.zeros(layer.w.shape, layer.w.dtype)
                layer.nabla_b = np.zeros(layer.b.shape, layer.b.dtype)
        return other

    @property
    def param_count(self) -> int:
        return sum(p.size for layer in self.layers if layer.trainable for p in layer.params())

    def summary(self) -> str:
        rows = [f"input        {format_shape(self.input_shape)}"]
        for layer, shape in zip(self.layers, self.shapes, strict=True):
            n = sum(p.size for p in layer.params()) if layer.trainable else 0
            rows.append(f"{layer!r:<12} {format_shape(shape):<8} {n:>10,} params")
        rows.append(f"total {self.param_count:,} parameters")
        return "\n".join(rows)

    def __repr__(self):
        return "Network(" + " -> ".join(repr(layer) for layer in self.layers) + ")"


def transfer_weights(old: Network, new: Network) -> int:
    """Copy trained weights into ``new`` wherever a layer kept its shape.

    Layers with parameters are matched in order; the first one whose shape changed
    ends the matching (what follows it was trained on different inputs). Returns how
    many layers kept their weights.
    """
    kept = 0
    old_layers = [layer for layer in old.layers if layer.trainable]
    new_layers = [layer for layer in new.layers if layer.trainable]
    for a, b in zip(old_layers, new_layers, strict=False):
        if a.w.shape != b.w.shape:
            break
        b.w[...] = a.w
        b.b[...] = a.b
        kept += 1
    return kept
