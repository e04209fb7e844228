"""Finite-difference gradient checks shared by the engine's tests (float64)."""

from __future__ import annotations

import numpy as np

H = 1e-6  # central-difference step
TOL = 1e-7  # relative error bound


def rel_error(a, b) -> float:
    a, b = np.ravel(a), np.ravel(b)
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    assert scale > 1e-8, "gradient is (almost) zero: the check would prove nothing"
    return float(np.linalg.norm(a - b) / scale)


def numeric_grad(f, x: np.ndarray) -> np.ndarray:
    """d f() / d x by central differences, perturbing ``x`` in place."""
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + H
        up = f()
        x[i] = old - H
        down = f()
        x[i] = old
        g[i] = (up - down) / (2 * H)
    return g
