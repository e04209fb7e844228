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


PERCENT_STEP = 10.0  #: a percentage axis starts at a multiple of this


def percent_range(low: float | None, step: float = PERCENT_STEP) -> tuple[float, float]:
    """The range of a percentage axis for values from ``low`` up: from the multiple of
    ``step`` at or below ``low`` (at least 0, at most ``100 - step``) to 100 exactly, as
    nothing is above 100% (a curve at 100% runs along the top). Without values (``low``
    None or not finite): 0 to 100. Round bounds change, and repaint, rarely."""
    if low is None or not math.isfinite(low):
        return 0.0, 100.0
    bottom = step * math.floor(max(0.0, min(low, 100.0)) / step + 1e-9)
    return min(bottom, 100.0 - step), 100.0
