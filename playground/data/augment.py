"""Expanding the training data: random shifts, rotations, zooms, elastic distortion
(Simard, Steinkraus and Platt 2003) and pixel noise, drawn afresh for every mini-batch.

Vectorised over the batch: one affine map per image (rotation, zoom, shift) and, with
``elastic``, a smoothed random displacement field per image, all sampled with one
bilinear lookup; no Python loop over images or pixels. Reproducible: the same
``numpy.random.Generator`` state gives the same batch.

    aug = Augment(shift=2, rotate=10)
    x = aug(images_uint8, rng)      # (n, 28, 28) float32 in [0, 1]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Upper limits of the settings (the CLI, the window and model files share them).
LIMITS = {"shift": 8.0, "rotate": 90.0, "zoom": 0.5, "elastic": 1.0, "noise": 1.0}
ELASTIC_ALPHA = 34.0  # displacement scale in pixels at elastic=1 (Simard et al.)
ELASTIC_SIGMA = 4.0  # Gaussian smoothing of the displacement field, in pixels


@dataclass(frozen=True)
class Augment:
    """Random changes to each training image; all zero means none (``active`` False).

    ``shift``: up to this many whole pixels in x and y; ``rotate``: up to this many degrees
    either way; ``zoom``: scale by up to this fraction either way (0.1: 0.9 to 1.1);
    ``elastic``: strength of the elastic distortion (1: the paper's alpha 34, sigma 4);
    ``noise``: standard deviation of Gaussian pixel noise (pixels in 0..1).
    """

    shift: float = 0.0
    rotate: float = 0.0
    zoom: float = 0.0
    elastic: float = 0.0
    noise: float = 0.0

    def __post_init__(self):
        for name, limit in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                    math.isfinite(value) and 0 <= value <= limit):
                raise ValueError(f"{name} must be a number from 0 to {limit:g}, not {value!r}")

    @classmethod
    def from_hyper(cls, hyper: dict) -> Augment:
        """The augmentation a model's settings ask for (``hyper["augment"]``, a dict)."""
        return cls(**(hyper.get("augment") or {}))

    def settings(self) -> dict:
        """The non-zero settings, as stored in a model's ``hyper["augment"]``."""
        return {name: float(getattr(self, name)) for name in LIMITS if getattr(self, name)}

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in LIMITS)

    def __call__(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``images`` (n, h, w), uint8 0..255 or float 0..1 -> float32 (n, h, w) in [0, 1]."""
        x = np.asarray(images, dtype=np.float32)
        if images.dtype == np.uint8:
            x *= 1.0 / 255.0
        if self.rotate or self.zoom or self.elastic:
            x = self._resample(x, rng)
        elif self.shift:
            x = _shift(x, rng, int(self.shift))
        if self.noise:
            x = x + rng.normal(0.0, self.noise, x.shape).astype(np.float32)
            np.clip(x, 0.0, 1.0, out=x)
        return x

    def _resample(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        n, h, w = x.shape
        angle = np.deg2rad(rng.uniform(-self.rotate, self.rotate, n)).astype(np.float32)
        scale = rng.uniform(1 - self.zoom, 1 + self.zoom, n).astype(np.float32)
        dy, dx = (rng.integers(-int(self.shift), int(self.shift), (2, n),
                               endpoint=True).astype(np.float32)
                  if self.shift else np.zeros((2, n), np.float32))
        src_y, src_x = affine_sources(x.shape, angle, scale, dy, dx)
        if self.elastic:
            field = rng.uniform(-1, 1, (2, n, h, w)).astype(np.float32)
            k = _gaussian_matrix(h, ELASTIC_SIGMA), _gaussian_matrix(w, ELASTIC_SIGMA)
            smooth = np.einsum("ij,cnjk,lk->cnil", k[0], field, k[1], optimize=True)
            smooth *= self.elastic * ELASTIC_ALPHA  # as Simard et al.: alpha times the
            # Gaussian-smoothed uniform field (a few pixels at most)
            src_y += smooth[0]
            src_x += smooth[1]
        return bilinear(x, src_y, src_x)


def affine_sources(shape: tuple[int, int, int], angle: np.ndarray, scale: np.ndarray,
                   dy: np.ndarray, dx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each output pixel comes from when image ``i`` of ``shape`` (n, h, w) is
    rotated by ``angle[i]`` radians and scaled by ``scale[i]`` about its centre, then moved
    ``dy[i]``, ``dx[i]`` pixels: the inverse map, (src_y, src_x) each (n, h, w) float32,
    for :func:`bilinear`."""
    _, h, w = shape
    rows, cols = np.meshgrid(np.arange(h, dtype=np.float32),
                             np.arange(w, dtype=np.float32), indexing="ij")
    cy, cx = (h - 1) / 2, (w - 1) / 2
    angle, scale = np.asarray(angle, np.float32), np.asarray(scale, np.float32)
    dy, dx = np.asarray(dy, np.float32), np.asarray(dx, np.float32)
    cos, sin = (np.cos(angle) / scale)[:, None, None], (np.sin(angle) / scale)[:, None, None]
    yr, xr = rows - cy - dy[:, None, None], cols - cx - dx[:, None, None]
    return cos * yr - sin * xr + cy, sin * yr + cos * xr + cx


def _shift(x: np.ndarray, rng: np.random.Generator, most: int) -> np.ndarray:
    """Each image moved by whole pixels, up to ``most`` in y and x (zeros come in): one
    gather from a zero-padded copy through a window view, no resampling."""
    n, h, w = x.shape
    padded = np.zeros((n, h + 2 * most, w + 2 * most), dtype=x.dtype)
    padded[:, most:most + h, most:most + w] = x
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(1, 2))
    dy, dx = rng.integers(0, 2 * most, (2, n), endpoint=True)
    return windows[np.arange(n), dy, dx]


def _gaussian_matrix(size: int, sigma: float) -> np.ndarray:
    """(size, size) rows of a normalised Gaussian: ``K @ f`` smooths f along one axis."""
    d = np.arange(size, dtype=np.float32)
    k = np.exp(-((d[:, None] - d[None, :]) ** 2) / (2 * sigma ** 2))
    return (k / k.sum(axis=1, keepdims=True)).astype(np.float32)


def bilinear(x: np.ndarray, src_y: np.ndarray, src_x: np.ndarray) -> np.ndarray:
    """Sample each image of ``x`` (n, h, w) at (src_y, src_x) (n, h, w); 0 outside."""
    n, h, w = x.shape
    y0, x0 = np.floor(src_y), np.floor(src_x)
    fy, fx = src_y - y0, src_x - x0
    y0, x0 = y0.astype(np.int32), x0.astype(np.int32)
    padded = np.zeros((n, h + 2, w + 2), dtype=np.float32)  # a border of zeros
    padded[:, 1:-1, 1:-1] = x
    flat = padded.reshape(-1)
    offset = (np.arange(n, dtype=np.int32) * ((h + 2) * (w + 2)))[:, None, None]

    def at(yy, xx):  # far outside lands on the zero border
        yy = np.clip(yy + 1, 0, h + 1)
        xx = np.clip(xx + 1, 0, w + 1)
        return flat.take(yy * (w + 2) + xx + offset)

    top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
    bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
    out = top * (1 - fy) + bottom * fy
    np.clip(out, 0.0, 1.0, out=out)
    return out.astype(np.float32, copy=False)
