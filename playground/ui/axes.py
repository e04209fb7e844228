"""Round axis bounds, so an axis stays still while the values under it change a little."""

from __future__ import annotations

import math

AXIS_STEPS = (1, 1.5, 2, 3, 4, 5, 6, 8)  # the training plots' x axis, times a power of ten
BAR_STEPS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)  # the output bars: finer, they are short


def nice_ceil(value: float, steps=AXIS_STEPS) -> float:
    """The smallest round number (one of ``steps`` times a power of ten) that is at least
    ``value``; 0 for a value that is not positive and finite."""
    if not (value > 0 and math.isfinite(value)):
        return 0.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (*steps, 10):
        bound = step * power
        if bound >= value * (1 - 1e-9):
            return bound
    return 10 * power  # pragma: no cover - the loop always returns
