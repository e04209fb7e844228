"""Looking inside a convolutional network (pure NumPy, no Qt).

- :func:`conv_layers` lists a network's Conv2D layers; :func:`kernel_tiles` gives one
  layer's kernels as small pictures, (filters, K, K).
- :func:`feature_maps` forwards one input and gives every convolution's and pooling
  layer's output as (channels, height, width) maps, each with its label.

Multi-channel kernels: a Conv2D after another one has kernels (filters, C, K, K), one
K x K picture per input channel. :func:`kernel_tiles` shows either one chosen input
channel's pictures (``channel=c``) or their mean over the C channels
(``channel=MEAN``, the default when C > 1): the mean is the pattern a filter looks for
in all the maps below it at once, one picture per filter, so every layer's grid has as
many tiles as filters. With one input channel (the first layer on the digit) both are
the kernels themselves.

Display normalisation is :func:`analysis.normalise_tiles` (each tile divided by its
largest absolute value, or one shared scale), the same as the Dense weight pictures;
the tiles returned here are the raw weights, so readouts can quote them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .analysis import activations
from .conv import CONV_TYPES, Conv2D
from .layers import Dense, Flatten
from .spec import format_shape

#: ``kernel_tiles``'s channel for the mean over the input channels.
MEAN = "mean"


def conv_layers(network) -> list[int]:
    """Indices (in ``network.layers``) of the Conv2D layers, in order."""
    return [i for i, layer in enumerate(network.layers) if isinstance(layer, Conv2D)]


def first_weighted_is_conv(network) -> bool:
    """The first layer with weights is a Conv2D (it looks at the pixels)."""
    first = next((layer for layer in network.layers if layer.trainable), None)
    return isinstance(first, Conv2D)


def kernel_channels(network, index: int) -> int:
    """How many input channels the kernels of layer ``index`` (a Conv2D) span."""
    return int(network.layers[index].w.shape[1])


def kernel_tiles(network, index: int, channel: int | str = MEAN) -> np.ndarray:
    """The kernels of Conv2D layer ``network.layers[index]`` as (filters, K, K) float32.

    ``channel``: an input channel ``0 <= c < C`` (that channel's weights), or ``MEAN``
    (the mean over the C input channels; with C = 1, the kernels themselves). A copy,
    not normalised. Raises ValueError for a layer that is not a Conv2D or a channel out
    of range.
    """
    if not 0 <= index < len(network.layers) or not isinstance(network.layers[index], Conv2D):
        raise ValueError(f"layer {index} is not a Conv2D layer")
    w = network.layers[index].w  # (F, C, K, K)
    if channel == MEAN:
        tiles = w.mean(axis=1, dtype=np.float32) if w.shape[1] > 1 else w[:, 0]
    else:
        c = int(channel)
        if not 0 <= c < w.shape[1]:
            raise ValueError(f"channel {c} out of range: the kernels span {w.shape[1]} "
                             "input channels")
        tiles = w[:, c]
    return np.array(tiles, dtype=np.float32, copy=True)


def layer_label(layer) -> str:
    """How a convolution or pooling layer is named above its maps: "Conv2D 20@5x5",
    "Conv2D 8@3x3, stride 2, same", "MaxPool2D 2x2"."""
    name = type(layer).__name__
    if isinstance(layer, Conv2D):
        k = layer.size
        extra = (f", stride {layer.stride}" if layer.stride != 1 else "") + (
            ", same" if layer.padding == "same" else "")
        return f"{name} {layer.filters}@{k}x{k}{extra}"
    return f"{name} {layer.size}x{layer.size}"


@dataclass
class FeatureMaps:
    """One convolution or pooling layer's output for one input."""

    index: int  # the layer's place in network.layers (the conv or pool layer)
    label: str  # "Conv2D 20@5x5 > ReLU -> 20 x 24 x 24"
    maps: np.ndarray  # (channels, height, width) float32

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.maps.shape)


def feature_maps(network, x: np.ndarray | None = None,
                 outputs: list[tuple[str, np.ndarray]] | None = None) -> list[FeatureMaps]:
    """Each convolution and pooling layer's feature maps for one input ``x``.

    A Conv2D or pool layer and the element-wise layers right after it (ReLU, Sigmoid,
    Tanh, Dropout; up to the next conv, pool, Flatten or Dense layer) form one group, as
    ``hidden_activations`` groups a Dense layer with its activation: the group's maps are
    the output of its last layer (what the next layer sees), labelled like
    "Conv2D 20@5x5 > ReLU -> 20 x 24 x 24". Maps are always (C, H, W): a pool of the 2-D
    digit gives one channel. ``outputs`` (``activations(network, x)``), when given, saves
    a second forward pass.
    """
    if outputs is None:
        outputs = activations(network, x)
    groups: list[FeatureMaps] = []
    names: list[str] = []
    open_group = False
    for i, (layer, (name, value)) in enumerate(zip(network.layers, outputs, strict=True)):
        if isinstance(layer, CONV_TYPES):
            names = [layer_label(layer)]
            groups.append(FeatureMaps(i, "", value))
            open_group = True
        elif isinstance(layer, (Dense, Flatten)) or value.ndim < 2:
            open_group = False
        elif open_group:
            names.append(name)
            groups[-1].maps = value
        else:
            continue
        if open_group:
            maps = np.asarray(groups[-1].maps, dtype=np.float32)
            if maps.ndim == 2:
                maps = maps[None]
            groups[-1].maps = np.ascontiguousarray(maps)
            groups[-1].label = f"{' > '.join(names)} -> {format_shape(maps.shape)}"
    return groups
