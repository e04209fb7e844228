"""Advice on convolutional layers: what works, but badly (the builder's blue hints).

A Conv2D after Flatten is not here: it cannot work, and the engine's spec check says so
(an error, not a hint). No Qt here.
"""

from __future__ import annotations

from ..nn.conv import image_shape
from ..nn.layers import ACTIVATIONS
from ..nn.spec import INPUT_SHAPE, check_spec
from .hints import Hint, info_madds, lenet_madds

POOLS = ("MaxPool2D", "AvgPool2D")
#: what lies between two layers without changing the pixels' layout: an activation of
#: the maps, or a Dropout of them
BETWEEN = (*ACTIVATIONS, "Dropout")
#: a Dense on flattened maps with at least this many inputs and weights holds most of
#: the network's weights (LeNet's has 640 inputs and 64,000 weights)
LARGE_FLAT, MANY_DENSE_WEIGHTS = 4_000, 500_000
#: a Conv2D on maps this many pixels a side or more, doing at least this many
#: multiply-adds per image, is slow (LeNet's whole forward pass does 1.6 million:
#: hints.lenet_madds)
LARGE_MAP_SIDE, MANY_CONV_MADDS = 20, 4_000_000


def _hint(*args) -> Hint:
    return Hint(*args)


def _before(kinds: list[str], i: int) -> int | None:
    """The layer before ``i``, looking through activations and Dropout (None if none)."""
    j = i - 1
    while j >= 0 and kinds[j] in BETWEEN:
        j -= 1
    return j if j >= 0 else None


def conv_hints(spec) -> list:
    """Hints about Conv2D and pooling layers and the Dense layer after them."""
    layers = spec.get("layers") if isinstance(spec, dict) else None
    if not isinstance(layers, list) or not any(
            isinstance(s, dict) and s.get("type") in ("Conv2D", *POOLS) for s in layers):
        return []
    report = check_spec(spec, None, INPUT_SHAPE)
    kinds = [str(s.get("type", "?")) if isinstance(s, dict) else "?" for s in layers]
    shapes = {info.index: info.output_shape for info in report.layers}
    out = []
    for i, info in enumerate(report.layers):
        kind = info.type
        shape_in = report.input_shape if i == 0 else shapes.get(i - 1)
        if info.error or info.output_shape is None or shape_in is None:
            continue
        layer = layers[i]
        if kind == "Conv2D":
            out += _conv_layer_hints(i, layer, info, shape_in, kinds)
        elif kind in POOLS:
            j = _before(kinds, i)
            if j is not None and kinds[j] in POOLS:
                a, b = _size(layers[j]), _size(layer)
                together = a * b
                out.append(_hint(
                    "two-pools", i, f"{kinds[j]} then {kind}: pooling twice in a row",
                    f"Two pools in a row act as one pool of {together} x {together}: each "
                    f"value left stands for a {together} x {together} square of the maps, "
                    "before any filter could look at the details inside it.",
                    "Put a Conv2D (and ReLU) between them, or keep one pool."))
        elif kind == "Dense" and len(shape_in) == 1:
            out += _dense_on_maps(i, info, shape_in[0], kinds, shapes, report)
    return out


def _size(layer) -> int:
    size = layer.get("size", 2) if isinstance(layer, dict) else 2
    return size if isinstance(size, int) and not isinstance(size, bool) else 2


def _conv_layer_hints(i: int, layer: dict, info, shape_in, kinds) -> list:
    out = []
    size, stride = layer.get("size"), layer.get("stride", 1)
    if stride > size:
        skipped = stride - size
        rows = "one row and column" if skipped == 1 else f"{skipped} rows and columns"
        out.append(_hint(
            "stride-skips-pixels", i, f"Stride {stride} with a {size} x {size} kernel",
            f"The kernel moves {stride} pixels at a time but looks at {size}, so {rows} of "
            f"every {stride} are never seen by this layer.",
            f"Use a stride of at most {size}, or a kernel of {stride} x {stride}."))
    channels, height, width = image_shape(shape_in)
    madds = info_madds(info)
    if channels > 1 and min(height, width) >= LARGE_MAP_SIDE and madds >= MANY_CONV_MADDS:
        pooled = any(k in POOLS for k in kinds[:i])
        out.append(_hint(
            "conv-without-pooling", i,
            f"{layer.get('filters')} filters on {channels} maps of {height} x {width}"
            + ("" if pooled else ", with no pooling before"),
            f"That is {madds / 1e6:,.0f} million multiply-adds for every image (a whole "
            f"LeNet does {lenet_madds() / 1e6:.1f} million), so training is slow, and "
            "neighbouring pixels of a map say much the same.",
            "Put MaxPool2D (size 2) before this layer: a quarter of the positions, a "
            "quarter of the work."))
    return out


def _dense_on_maps(i: int, info, inputs: int, kinds, shapes, report) -> list:
    """A Dense layer straight on many flattened feature maps."""
    j = i - 1
    while j >= 0 and kinds[j] in (*BETWEEN, "Flatten"):
        j -= 1
    maps = shapes.get(j) if j >= 0 else None
    if j < 0 or kinds[j] not in ("Conv2D", *POOLS) or maps is None or len(maps) < 2:
        return []
    weights = info.params - info.output_shape[0]
    if inputs < LARGE_FLAT or weights < MANY_DENSE_WEIGHTS:
        return []
    share = info.params / max(1, report.total_params)
    part = "almost all" if share >= 0.99 else f"{share:.0%}"
    return [_hint(
        "dense-on-large-maps", i, f"Dense on {inputs:,} values of feature maps",
        f"Its {weights:,} weights are {part} of the network's: the layer is slow, and "
        "can memorise the training images instead of using what the filters found.",
        "Put MaxPool2D (size 2) before Flatten: each pool divides these weights by 4.")]
