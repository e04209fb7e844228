"""Perturbed test images, and how a network's test accuracy holds up against them.

Four kinds of change, each at a few levels (:data:`KINDS`, the one table the window and
the tests read), all vectorised over the images and drawn from a seed:

- ``noise``: Gaussian noise of standard deviation ``level`` added to every pixel (pixels
  in 0..1), then clipped to 0..1;
- ``rotate``: each image rotated by exactly ``level`` degrees about its centre, clockwise
  or anticlockwise at random (a fixed size of change, so a level means one thing; the
  random sign tests both directions);
- ``shift``: each image moved by exactly ``level`` whole pixels up, down, left or right at
  random (the ink's centre moves ``level`` pixels; zeros come in);
- ``thickness``: strokes made thinner (``-1``: one grey-scale erosion, each pixel the
  darkest of itself and its four neighbours) or thicker (``+1``, ``+2``, ``+3``: that many
  dilations, the brightest). The plus-shaped window is the 3 x 3 window without its
  corners: a whole 3 x 3 square steps too far (one erosion leaves MNIST's strokes a
  hairline, one dilation makes them bold).

The random choices (the noise, the signs, the directions) depend only on the seed, not on
the level: going up the levels changes the same images by more, so a curve is smooth.
Level 0 of every kind is the images unchanged.

    x = perturb(test_images, "rotate", 20, seed=0)   # float32 (n, 28, 28) in [0, 1]
    curves = measure(network, test_images[:SUBSET], test_labels[:SUBSET])
    curves["rotate"]                                 # [(0.0, 0.97), (15.0, 0.93), ...]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .augment import affine_sources

#: Test images a robustness measurement uses (the first ones of the test set): quick
#: enough to measure after every epoch (a few tenths of a second for the MLP presets),
#: steady to about a point and a half (the binomial error at 50%; 0.7 pt at 95%). The
#: network before and now are measured on the same changed images, so their difference
#: is steadier still.
SUBSET = 1000
#: Images perturbed and predicted at a time (bounds the memory a measurement needs).
CHUNK = 1000
#: The shape of the images the perturbations work on.
IMAGE_SHAPE = (28, 28)


@dataclass(frozen=True)
class Kind:
    """One kind of perturbation: its name (for :func:`perturb`), how the window names it
    and its axis, and the levels measured, in order (one of them 0: the images as they
    are)."""

    name: str
    title: str
    axis: str  # the x axis of its curve
    unit: str  # after a level: "°", " px"; "" for none
    levels: tuple[float, ...]
    signed: bool = False  # levels below zero mean something ("-1": thinner)
    description: str = ""
    prefix: str = ""  # before a level on its own (not on the axis, which names it): "σ "

    def tick(self, level: float) -> str:
        """A level on the axis: "20°", "3 px", "0.2", "+1"."""
        text = f"{level:+g}" if self.signed and level else f"{level:g}"
        return f"{text}{self.unit}"

    def label(self, level: float) -> str:
        """A level on its own, as a learner reads it: "20°", "3 px", "σ 0.2", "+1"."""
        return self.prefix + self.tick(level)


KINDS: tuple[Kind, ...] = (
    Kind("noise", "Pixel noise", "noise \u03c3 (pixels 0..1)", "",
         (0.0, 0.1, 0.2, 0.3, 0.4), prefix="\u03c3 ",
         description="Gaussian noise of this standard deviation added to every pixel"),
    Kind("rotate", "Rotation", "rotation (degrees, either way)", "\u00b0",
         (0.0, 15.0, 30.0, 45.0, 60.0),
         description="each digit turned by exactly this angle, clockwise or anticlockwise"),
    Kind("shift", "Shift", "shift (pixels)", " px",
         (0.0, 1.0, 2.0, 3.0, 4.0),
         description="each digit moved this many pixels up, down, left or right"),
    Kind("thickness", "Stroke thickness", "thinner (-) / thicker (+), pixel steps", "",
         (-1.0, 0.0, 1.0, 2.0, 3.0), signed=True,
         description="strokes eroded (-1) or dilated (+1, +2, +3) by a pixel at a time"),
)
BY_NAME = {kind.name: kind for kind in KINDS}


def kind_of(name: str) -> Kind:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"no perturbation {name!r}; one of {', '.join(BY_NAME)}") from None


def as_floats(images: np.ndarray) -> np.ndarray:
    """(n, h, w) uint8 0..255 or float 0..1 -> a float32 copy in 0..1."""
    x = np.array(images, dtype=np.float32)
    if np.asarray(images).dtype == np.uint8:
        x *= 1.0 / 255.0
    return x


def perturb(images: np.ndarray, kind: str, level: float,
            seed: int | Sequence[int] = 0) -> np.ndarray:
    """``images`` (n, h, w), uint8 or float 0..1, changed by ``kind`` at ``level``:
    float32 (n, h, w) in [0, 1]. The same seed gives the same images; level 0 gives the
    images unchanged (as floats)."""
    k = kind_of(kind)
    x = as_floats(images)
    if x.ndim != 3:
        raise ValueError(f"expected images (n, height, width), got shape {x.shape}")
    level = float(level)
    if not np.isfinite(level) or (level < 0 and not k.signed):
        raise ValueError(f"the level of {k.name} must be a finite number"
                         f"{'' if k.signed else ' from 0 up'}, not {level!r}")
    if level == 0 or len(x) == 0:
        return x
    seeds = [int(s) for s in np.atleast_1d(seed)]
    rng = np.random.default_rng([*seeds, KINDS.index(k)])
    n = len(x)
    if k.name == "noise":
        x += level * rng.standard_normal(x.shape, dtype=np.float32)
        return np.clip(x, 0.0, 1.0, out=x)
    if k.name == "rotate":
        clockwise = rng.integers(0, 2, n).astype(bool)
        for pick, sign in ((clockwise, 1.0), (~clockwise, -1.0)):
            if pick.any():
                x[pick] = rotated(x[pick], sign * level)
        return x
    if k.name == "shift":
        return _shift_by(x, rng.integers(0, 4, n), int(round(level)))
    return _thickness(x, int(round(level)))


def rotated(x: np.ndarray, degrees: float) -> np.ndarray:
    """Every image of ``x`` (n, h, w) float turned by the same angle about its centre
    (clockwise as shown, rows downwards, for positive ``degrees``), zeros coming in.

    :func:`playground.data.augment.bilinear` with one map for all the images: the four
    neighbours and weights of each output pixel are found once, then gathered for every
    image at once (several times quicker than a map per image)."""
    n, h, w = x.shape
    one = np.ones(1, np.float32)
    src_y, src_x = affine_sources((1, h, w), np.deg2rad([degrees]), one, 0 * one, 0 * one)
    y0, x0 = np.floor(src_y[0]), np.floor(src_x[0])
    fy, fx = (src_y[0] - y0).ravel(), (src_x[0] - x0).ravel()
    y0, x0 = y0.astype(np.int64).ravel(), x0.astype(np.int64).ravel()
    padded = np.zeros((n, h + 2, w + 2), dtype=np.float32)  # a border of zeros
    padded[:, 1:-1, 1:-1] = x
    flat = padded.reshape(n, -1)

    def at(dy: int, dx: int) -> np.ndarray:  # far outside lands on the zero border
        rows = np.clip(y0 + dy + 1, 0, h + 1)
        return flat[:, rows * (w + 2) + np.clip(x0 + dx + 1, 0, w + 1)]

    out = ((at(0, 0) * (1 - fx) + at(0, 1) * fx) * (1 - fy)
           + (at(1, 0) * (1 - fx) + at(1, 1) * fx) * fy)
    return np.clip(out, 0.0, 1.0, out=out).reshape(n, h, w)


#: (dy, dx) of the four directions a shift takes: down, up, right, left.
_DIRECTIONS = np.array([(1, 0), (-1, 0), (0, 1), (0, -1)])


def _shift_by(x: np.ndarray, direction: np.ndarray, k: int) -> np.ndarray:
    """Image ``i`` moved ``k`` whole pixels along ``_DIRECTIONS[direction[i]]``."""
    n, h, w = x.shape
    k = min(abs(k), max(h, w))  # further than that is all zeros anyway
    padded = np.zeros((n, h + 2 * k, w + 2 * k), dtype=np.float32)
    padded[:, k:k + h, k:k + w] = x
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(1, 2))
    dy, dx = _DIRECTIONS[direction].T * k
    return np.ascontiguousarray(windows[np.arange(n), k - dy, k - dx])


#: A pixel's four neighbours (above, below, left, right), as (dy, dx) offsets into the
#: image padded by one pixel: with the pixel itself, the window of a thickness step.
_NEIGHBOURS = ((0, 1), (2, 1), (1, 0), (1, 2))


def _thickness(x: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` grey-scale dilations (thicker) or, below zero, erosions (thinner): each
    pixel the brightest (darkest) of itself and its four neighbours; outside the image is
    background."""
    reduce = np.maximum if steps > 0 else np.minimum
    n, h, w = x.shape
    for _ in range(abs(steps)):
        padded = np.zeros((n, h + 2, w + 2), dtype=np.float32)
        padded[:, 1:-1, 1:-1] = x
        out = x.copy()
        for dy, dx in _NEIGHBOURS:
            reduce(out, padded[:, dy:dy + h, dx:dx + w], out=out)
        x = out
    return x


# -- accuracy against the levels --------------------------------------------------------------
def not_image_shaped(network) -> str | None:
    """Why ``network`` cannot be measured on perturbed digits, or None if it can."""
    shape = tuple(getattr(network, "input_shape", ()))
    if shape == IMAGE_SHAPE:
        return None
    size = " x ".join(map(str, shape)) or "no"
    return (f"The network's input is {size} values, not a "
            f"{IMAGE_SHAPE[0]} x {IMAGE_SHAPE[1]} image: there is nothing to rotate or shift.")


def measure(network, images: np.ndarray, labels: np.ndarray, kinds: Sequence[Kind] = KINDS,
            seed: int = 0, chunk: int = CHUNK) -> dict[str, list[tuple[float, float]]]:
    """``network``'s accuracy (0..1) on ``images`` changed by each kind at each of its
    levels: ``{kind.name: [(level, accuracy), ...]}``, levels in the kind's order.

    Works ``chunk`` images at a time (the chunk from image ``start`` is perturbed with
    seed ``(seed, start)``); the unchanged images are predicted once for every kind's
    level 0. ``network.predict`` takes (n, 28, 28) floats in 0..1.
    """
    why = not_image_shaped(network)
    if why:
        raise ValueError(why)
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE or len(labels) != len(images):
        raise ValueError(f"expected (n, 28, 28) images and n labels, got {images.shape} "
                         f"and {labels.shape}")
    n = len(images)
    if n == 0:
        raise ValueError("there are no test images to measure on")
    clean = 0
    right = {(k.name, level): 0 for k in kinds for level in k.levels if level}
    for start in range(0, n, max(1, int(chunk))):
        x, y = images[start:start + chunk], labels[start:start + chunk]
        clean += int((network.predict(x) == y).sum())
        for k, level in right:
            changed = perturb(x, k, level, seed=(seed, start))
            right[k, level] += int((network.predict(changed) == y).sum())
    return {k.name: [(float(level), (right[k.name, level] if level else clean) / n)
                     for level in k.levels] for k in kinds}
