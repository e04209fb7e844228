"""Whether a new architecture keeps trained weights, decided from shapes alone.

Asking "would this edit lose the trained weights?" must be instant even for a network of
millions of parameters (the builder asks before every change): it compares the layers'
shapes from the spec checks and allocates no weights. It agrees with
``nn.transfer_weights``: layers with parameters are matched in order, and the first whose
shape changed ends the matching.
"""

from __future__ import annotations

from ..nn.spec import SpecReport


def weight_layout(report: SpecReport) -> list[tuple]:
    """(type, input shape, output shape) of each layer with parameters, in order."""
    layout, shape = [], report.input_shape
    for info in report.layers:
        if info.params:
            layout.append((info.type, shape, info.output_shape))
        shape = info.output_shape
    return layout


def kept_layers(old: SpecReport, new: SpecReport) -> int:
    """How many of ``old``'s layers with parameters keep their weights in ``new``."""
    kept = 0
    for a, b in zip(weight_layout(old), weight_layout(new), strict=False):
        if a != b:
            break
        kept += 1
    return kept


def loses_weights(old: SpecReport, new: SpecReport) -> bool:
    """True if switching from ``old`` to ``new`` loses some trained weights."""
    return not new.ok or kept_layers(old, new) < len(weight_layout(old))
