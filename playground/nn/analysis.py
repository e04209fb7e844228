"""Looking inside a network: the maths behind the insight views (pure NumPy, no Qt).

- :func:`evaluate` runs a test set through a network once; :func:`confusion_matrix`,
  :func:`per_class_accuracy`, :func:`most_confused`, :func:`cell_indices` and
  :func:`confident_mistakes` read the result.
- :func:`activations` / :func:`hidden_activations` forward one input, keeping every
  layer's output.
- :func:`first_layer_weights` finds the Dense layer that looks at the pixels and gives
  its units as images; :func:`weight_mosaic` tiles such images into one picture and
  :func:`tile_at` maps a point of that picture back to a unit; :func:`normalise_tiles`
  scales such pictures for display.
- Convolutional layers' kernels and feature maps: ``conv_analysis``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .layers import Dense
from .spec import N_CLASSES


# -- evaluation ---------------------------------------------------------------------
def confusion_matrix(y_true, y_pred, n_classes: int = N_CLASSES) -> np.ndarray:
    """Counts (n_classes, n_classes): row = true label, column = predicted label."""
    y_true = np.asarray(y_true, dtype=np.int64).ravel()
    y_pred = np.asarray(y_pred, dtype=np.int64).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{len(y_true)} labels but {len(y_pred)} predictions")
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat[:n_classes * n_classes].reshape(n_classes, n_classes)


def per_class_accuracy(cm: np.ndarray) -> np.ndarray:
    """Fraction of each true class predicted right (NaN for a class with no samples)."""
    cm = np.asarray(cm)
    totals = cm.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(cm) / np.maximum(totals, 1), np.nan)


def most_confused(cm: np.ndarray) -> tuple[int, int, int] | None:
    """(true, predicted, count) of the largest off-diagonal cell, or None if no mistakes.

    Ties go to the first cell in row-major order (smallest true label, then predicted).
    """
    off = np.array(cm, dtype=np.int64, copy=True)
    np.fill_diagonal(off, 0)
    if off.max(initial=0) <= 0:
        return None
    t, p = np.unravel_index(int(off.argmax()), off.shape)
    return int(t), int(p), int(off[t, p])


def cell_indices(y_true, y_pred, true: int, predicted: int) -> np.ndarray:
    """Indices of the samples in one cell of the confusion matrix, in dataset order."""
    return np.flatnonzero((np.asarray(y_true) == true) & (np.asarray(y_pred) == predicted))


def confident_mistakes(proba: np.ndarray, y_true, limit: int | None = None) -> np.ndarray:
    """Indices of wrongly predicted samples, most confident (highest output) first.

    Confidence is the network's output for the class it predicted; ties keep dataset
    order (a stable sort).
    """
    proba = np.asarray(proba)
    pred = proba.argmax(axis=1)
    wrong = np.flatnonzero(pred != np.asarray(y_true))
    conf = proba[wrong, pred[wrong]]
    order = wrong[np.argsort(-conf, kind="stable")]
    return order if limit is None else order[:limit]


@dataclass
class Evaluation:
    """A network's outputs on a labelled set, and what the views read from them."""

    proba: np.ndarray  # (n, 10) outputs
    labels: np.ndarray  # (n,) true labels
    pred: np.ndarray  # (n,) predicted labels
    cm: np.ndarray  # (10, 10) confusion matrix

    @property
    def n(self) -> int:
        return len(self.labels)

    @property
    def correct(self) -> int:
        return int(np.trace(self.cm))

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else float("nan")

    @property
    def confidence(self) -> np.ndarray:
        """The output for the predicted class, per sample."""
        return self.proba[np.arange(self.n), self.pred]

    def per_class(self) -> np.ndarray:
        return per_class_accuracy(self.cm)

    def most_confused(self):
        return most_confused(self.cm)

    def cell(self, true: int, predicted: int) -> np.ndarray:
        return cell_indices(self.labels, self.pred, true, predicted)

    def mistakes(self, limit: int | None = None) -> np.ndarray:
        return confident_mistakes(self.proba, self.labels, limit)


def evaluate(network, x: np.ndarray, y: np.ndarray) -> Evaluation:
    """One pass of ``x`` through ``network`` (``predict_proba``) and its confusion matrix."""
    proba = network.predict_proba(x)
    pred = proba.argmax(axis=1)
    n_classes = max(N_CLASSES, proba.shape[1])
    return Evaluation(proba, np.asarray(y), pred, confusion_matrix(y, pred, n_classes))


# -- activations ---------------------------------------------------------------------
def activations(network, x: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Every layer's output for one input: [(repr(layer), output array), ...].

    ``x`` is one input, shaped like the network's input (e.g. (28, 28)) or with a
    leading batch axis of 1; uint8 or float in [0, 1]. Outputs have the layer's
    shape (``network.shapes[i]``), without the batch axis. The network's weights are
    not changed (layers only cache their last input).
    """
    a = np.asarray(x)
    if a.shape == tuple(network.input_shape):
        a = a[None]
    if a.shape[1:] != tuple(network.input_shape) or a.shape[0] != 1:
        raise ValueError(f"expected one input of shape {tuple(network.input_shape)}, "
                         f"got {a.shape}")
    a = network.as_input(a)
    out = []
    for layer in network.layers:
        a = layer.forward(a)
        out.append((repr(layer), np.array(a[0], copy=True)))
    return out


def hidden_activations(network, x: np.ndarray | None = None,
                       outputs: list[tuple[str, np.ndarray]] | None = None
                       ) -> list[tuple[str, np.ndarray]]:
    """The outputs of each Dense layer after its activation functions, for one input.

    Each Dense layer and the parameter-free layers after it (up to the next Dense)
    form one group, labelled like "Dense(128) > Sigmoid"; the group's value is the
    output of its last layer (1-D). Layers before the first Dense (Flatten) are left
    out (so are the convolutions: ``conv_analysis.feature_maps``). The last group is the
    network's output. ``outputs`` (``activations(network, x)``), when given, saves a
    second forward pass.
    """
    groups: list[tuple[str, np.ndarray]] = []
    names: list[str] = []
    if outputs is None:
        outputs = activations(network, x)
    for layer, (name, value) in zip(network.layers, outputs, strict=True):
        if isinstance(layer, Dense):
            names = [name]
            groups.append((name, value.ravel()))
        elif groups:
            names.append(name)
            groups[-1] = (" > ".join(names), value.ravel())
    return groups


def top_units(values: np.ndarray, k: int = 8) -> np.ndarray:
    """Indices of the ``k`` largest values, largest first (ties: lower index first)."""
    v = np.asarray(values).ravel()
    return np.argsort(-v, kind="stable")[:k]


# -- first-layer weights -------------------------------------------------------------
#: Why a network has no weight pictures (``first_layer_weights``'s second value); the
#: window says each in words.
NOT_AN_IMAGE = "not_an_image"  # the input is not 2-D
NO_DENSE = "no_dense"  # no layer with weights
NOT_FLATTENED = "not_flattened"  # the first Dense does not see the flattened pixels


def first_layer_weights(network, units=None) -> tuple[np.ndarray | None, str | None]:
    """The first Dense layer's units as pictures of the input image.

    When every layer before the first Dense is Flatten or an element-wise function (no
    Conv2D), the first Dense layer's input is the image's pixels in row-major order:
    unit ``j``'s weights ``w[:, j]`` reshape to an (h, w) picture.

    Returns ``(tiles, None)``: ``tiles`` (units, h, w) float32, a copy; or ``(None,
    reason)`` with ``NOT_AN_IMAGE``, ``NO_DENSE`` or ``NOT_FLATTENED``. With ``units``
    (indices), only those units' tiles, in that order.
    """
    shape = tuple(network.input_shape)
    if len(shape) != 2:
        return None, NOT_AN_IMAGE
    dense = next((layer for layer in network.layers if isinstance(layer, Dense)), None)
    if dense is None:
        return None, NO_DENSE
    before = network.layers[:network.layers.index(dense)]
    if dense.w.shape[0] != shape[0] * shape[1] or any(layer.trainable for layer in before):
        return None, NOT_FLATTENED  # e.g. a Conv2D before it: it sees feature maps
    w = dense.w if units is None else dense.w[:, np.asarray(units, dtype=np.int64)]
    return np.ascontiguousarray(w.T).reshape(w.shape[1], *shape), None


def mosaic_columns(n: int, aspect: float = 1.0) -> int:
    """How many tile columns make ``n`` square tiles fill a (width / height = aspect) area."""
    if n <= 0:
        return 1
    aspect = aspect if math.isfinite(aspect) and aspect > 0 else 1.0
    cols = max(1, round(math.sqrt(n * aspect)))
    return min(n, cols)


def normalise_tiles(tiles: np.ndarray, per_tile: bool = True) -> np.ndarray:
    """Weight pictures (n, h, w) scaled for display into -1..1, zero staying zero: each
    divided by its own largest absolute value (``per_tile``), or all by the largest of
    all (one shared scale). An all-zero tile stays zero. A float32 copy."""
    tiles = np.asarray(tiles, dtype=np.float32)
    n = len(tiles)
    if not n:
        return tiles.copy()
    flat = np.abs(tiles).reshape(n, -1)
    scale = flat.max(axis=1) if per_tile else np.full(n, flat.max(initial=0.0), np.float32)
    scale[scale == 0] = 1.0
    return tiles / scale[:, None, None]


def weight_mosaic(tiles: np.ndarray, columns: int | None = None, gap: int = 1,
                  normalise: bool = True, fill: float = np.nan) -> np.ndarray:
    """Tile (n, h, w) images into one (rows*(h+gap)-gap, cols*(w+gap)-gap) float32 image.

    Tiles go row-major (unit 0 top left, then to the right). With ``normalise`` each
    tile is divided by its own largest absolute value (range -1..1, zero stays zero);
    otherwise values are kept. Gaps and unused cells hold ``fill`` (NaN: transparent).
    """
    tiles = np.asarray(tiles, dtype=np.float32)
    n, h, w = tiles.shape
    cols = columns if columns else mosaic_columns(n)
    cols = max(1, min(cols, max(n, 1)))
    rows = max(1, math.ceil(n / cols))
    if normalise and n:
        tiles = normalise_tiles(tiles)
    grid = np.full((rows * cols, h + gap, w + gap), fill, dtype=np.float32)
    grid[:n, :h, :w] = tiles
    grid = grid.reshape(rows, cols, h + gap, w + gap).transpose(0, 2, 1, 3)
    image = grid.reshape(rows * (h + gap), cols * (w + gap))
    return image[:rows * (h + gap) - gap, :cols * (w + gap) - gap]


def tile_at(row: float, col: float, columns: int, n: int, size: tuple[int, int] = (28, 28),
            gap: int = 1) -> int | None:
    """The tile index under a point of a :func:`weight_mosaic` image (None: gap or none)."""
    if row < 0 or col < 0:
        return None
    h, w = size
    r, rr = divmod(int(row), h + gap)
    c, cc = divmod(int(col), w + gap)
    if rr >= h or cc >= w or c >= columns:
        return None
    index = r * columns + c
    return index if index < n else None


def label_counts(labels, n_classes: int = N_CLASSES) -> np.ndarray:
    """How many samples carry each label (length ``n_classes``)."""
    return np.bincount(np.asarray(labels, dtype=np.int64).ravel(), minlength=n_classes)
