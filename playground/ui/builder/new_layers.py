"""The settings a layer gets when the palette adds it, so that a click never makes a card
that is wrong by itself (plain Python: no Qt, tested without a window).

A Dense layer gets 64 units (10 as the output layer after another Dense); a Dropout the
usual rate (less on the raw pixels); a Conv2D 8 filters of 3 x 3, stride 1, 'valid'
padding; a pool a size of 2. A kernel or pool never gets larger than the image it is added
on (a 2 x 2 map gets a 2 x 2 kernel).
"""

from __future__ import annotations

from ...nn.conv import DEFAULT_POOL
from ...nn.layers import ACTIVATIONS
from ...state.hints import HIDDEN_RATE, MAX_INPUT_RATE, RESHAPES

DEFAULT_UNITS = 64  #: a new hidden Dense layer
OUTPUT_UNITS = 10  #: a new Dense layer at the end, after another Dense: one per digit
DEFAULT_FILTERS = 8  #: a new Conv2D: a few filters, quick to train and easy to look at
DEFAULT_KERNEL = 3  #: ... of 3 x 3 pixels
POOLS = ("MaxPool2D", "AvgPool2D")


def _side(shape) -> int | None:
    """The smaller of an image's height and width (None for a flat or unknown shape)."""
    if shape is None or len(shape) not in (2, 3):
        return None
    return min(shape[-2:])


def new_layer(kind: str, layers: list[dict], index: int, shape_before=None) -> dict:
    """The spec of a new ``kind`` layer inserted at ``index`` into ``layers``;
    ``shape_before`` is the output shape of the layer before it (the input's at 0), or
    None when it is not known."""
    layer: dict = {"type": kind}
    if kind == "Dense":
        after = [s.get("type") for s in layers[index:]]
        is_output = all(t in ACTIVATIONS for t in after)
        dense_before = any(s.get("type") == "Dense" for s in layers[:index])
        layer["units"] = OUTPUT_UNITS if is_output and dense_before else DEFAULT_UNITS
    elif kind == "Dropout":
        on_pixels = all(s.get("type") in RESHAPES for s in layers[:index])
        layer["rate"] = MAX_INPUT_RATE if on_pixels else HIDDEN_RATE
    elif kind == "Conv2D":
        side = _side(shape_before)
        layer.update(filters=DEFAULT_FILTERS,
                     size=min(DEFAULT_KERNEL, side) if side else DEFAULT_KERNEL,
                     stride=1, padding="valid")
    elif kind in POOLS:
        side = _side(shape_before)
        layer["size"] = min(DEFAULT_POOL, side) if side else DEFAULT_POOL
    return layer


_K = f"{DEFAULT_KERNEL} x {DEFAULT_KERNEL}"
#: what a new layer of each type gets, for the palette's tooltips
NOTES = {
    "Dense": f"New Dense layers get {DEFAULT_UNITS} units ({OUTPUT_UNITS} when added as the "
             "output layer); change it on the card.",
    "Dropout": f"New Dropout layers get a rate of {HIDDEN_RATE:g} ({MAX_INPUT_RATE:g} on the "
               "pixels); change it on the card.",
    "Conv2D": f"New Conv2D layers get {DEFAULT_FILTERS} filters of {_K}, stride 1 and 'valid' "
              "padding; change them on the card.",
    **dict.fromkeys(POOLS, f"New pools get a size of {DEFAULT_POOL} (the maps shrink to half "
                           "their height and width); change it on the card."),
}
