"""Learning-rate schedules: the rate a run trains with, as a share of the set rate, by how
far through the run it is (0 at its first batch, 1 after its last). The set rate can still
be changed while training: the schedule scales whatever it is.

- ``constant``: always the set rate.
- ``step``: a tenth of it from half-way through the run, a hundredth from three quarters.
- ``cosine``: from the set rate down to nearly 0 along half a cosine (Loshchilov and
  Hutter's SGDR without restarts).
"""

from __future__ import annotations

import math

SCHEDULES = ("constant", "step", "cosine")
STEP_AT = (0.5, 0.75)  # where the step schedule divides the rate ...
STEP_FACTOR = 0.1  # ... by ten each time


def lr_factor(schedule: str, fraction: float) -> float:
    """The share of the set learning rate at ``fraction`` (0 to 1) of the run."""
    if schedule == "constant":
        return 1.0
    if schedule == "step":
        return STEP_FACTOR ** sum(fraction >= at for at in STEP_AT)
    if schedule == "cosine":
        return 0.5 * (1.0 + math.cos(math.pi * min(max(fraction, 0.0), 1.0)))
    raise ValueError(f"unknown schedule '{schedule}' (known: {', '.join(SCHEDULES)})")
