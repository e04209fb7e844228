"""Turning an arbitrary grayscale image into an MNIST-style 28x28 digit.

MNIST digits were made by scaling each digit's bounding box to fit a 20x20 box
(keeping the aspect ratio, anti-aliased) and placing it in a 28x28 field so
that its centre of mass sits at the field centre. :func:`to_mnist` does the same
to a drawing or photo so that a network trained on MNIST sees familiar input.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["BLANK_MESSAGE", "as_digit", "is_blank", "to_mnist"]

FIELD = 28  #: output side
BOX = 20  #: the digit's longer side after scaling
#: Where the centre of mass lands (row, col in pixel-index coordinates). The
#: geometric centre would be 13.5, but the real MNIST digits have their centre
#: of mass at 14.0 +- 0.3 (measured on the bundled test set), so we match that.
COM_TARGET = 14.0
EMPTY_CONTRAST = 0.05  #: below this ink-vs-background contrast the image is blank
#: Crop threshold on the normalised ink (0..1). Low enough to keep a stroke's
#: anti-aliased edge inside the box, high enough to ignore faint noise, paper
#: texture and the long tails of a soft brush.
CROP_THRESHOLD = 0.05
#: What the window and the command line say about an image with no digit in it.
BLANK_MESSAGE = "no digit found: the image is blank"


@functools.lru_cache(maxsize=256)
def _weights(n_in: int, n_out: int) -> np.ndarray:
    """Resampling matrix (n_out, n_in), rows sum to 1.

    Triangle (linear) filter; when downscaling its support is widened by the
    scale factor so it averages (anti-aliasing, like PIL's bilinear resize);
    when upscaling it is plain linear interpolation with clamped edges.
    """
    scale = n_in / n_out
    support = max(scale, 1.0)
    centres = (np.arange(n_out) + 0.5) * scale  # output pixel centres in input coords
    dist = np.abs(np.arange(n_in) + 0.5 - centres[:, None]) / support
    w = np.maximum(0.0, 1.0 - dist)
    w /= w.sum(axis=1, keepdims=True)
    w = w.astype(np.float32)
    w.flags.writeable = False
    return w


def _to_float(a: np.ndarray) -> np.ndarray:
    """Any real 2-D array -> float32 in [0, 1] (uint8 / 255, ints / dtype max)."""
    if a.dtype == np.bool_:
        return a.astype(np.float32)
    if np.issubdtype(a.dtype, np.integer):
        x = a.astype(np.float32) / np.float32(np.iinfo(a.dtype).max)
    elif np.issubdtype(a.dtype, np.floating):
        x = a.astype(np.float32, copy=False)
        if not np.isfinite(x).all():
            x = np.nan_to_num(x, nan=0.0, posinf=1.0, neginf=0.0)
    else:
        raise ValueError(f"expected a real-valued image, got dtype {a.dtype}")
    return np.clip(x, 0.0, 1.0)


def _blank(shape: tuple[int, ...], return_steps: bool):
    out = np.zeros((FIELD, FIELD), np.float32)
    if not return_steps:
        return out
    zeros = np.zeros(shape, np.float32)
    return out, {"input": zeros, "crop": zeros.copy(),
                 "fitted": np.zeros((BOX, BOX), np.float32), "centred": out.copy()}


def to_mnist(image: np.ndarray, *, return_steps: bool = False):
    """Convert a 2-D grayscale image (H, W) into a (28, 28) float32 MNIST digit.

    ``image`` may be any size and polarity: uint8 0-255, other ints scaled by
    their dtype's maximum, floats in [0, 1] (clipped), bool. The output has
    ink = 1 and background = 0, values in [0, 1]. A blank image gives zeros.

    Steps: the background is the median of the border ring; if it is > 0.5 the
    image is dark-on-light and gets inverted. Ink is normalised against the
    background, ``clip((x - bg) / (max - bg), 0, 1)``. The bounding box of ink
    > CROP_THRESHOLD is scaled (anti-aliased) so its longer side is 20 px, and
    placed in the 28x28 field with its centre of mass at (COM_TARGET, COM_TARGET).

    With ``return_steps=True`` returns ``(result, steps)``; ``steps`` maps
    ``"input"`` (H, W) normalised ink, ``"crop"`` (h, w) the cropped ink,
    ``"fitted"`` (20, 20) the scaled patch centred geometrically in a zero 20x20
    box, ``"centred"`` (28, 28) the result. For a blank image all are zeros
    ("crop" then has the input's shape).
    """
    a = np.asarray(image)
    if a.ndim != 2:
        raise ValueError(f"expected a 2-D grayscale image, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"expected a non-empty image, got shape {a.shape}")
    x = _to_float(a)

    # Polarity and contrast from the border ring: ink = (x - bg) / span, span signed.
    border = np.concatenate((x[0], x[-1], x[1:-1, 0], x[1:-1, -1]))
    bg = float(np.median(border))
    span = float(x.min() if bg > 0.5 else x.max()) - bg
    if abs(span) < EMPTY_CONTRAST:
        return _blank(a.shape, return_steps)

    # Bounding box of ink > CROP_THRESHOLD, found in un-normalised units so only the
    # crop needs normalising.
    limit = bg + CROP_THRESHOLD * span
    mask = x > limit if span > 0 else x < limit
    rows, cols = mask.any(axis=1), mask.any(axis=0)
    r0, r1 = int(rows.argmax()), len(rows) - int(rows[::-1].argmax())
    c0, c1 = int(cols.argmax()), len(cols) - int(cols[::-1].argmax())
    inv = np.float32(1.0 / span)
    crop = np.clip((x[r0:r1, c0:c1] - np.float32(bg)) * inv, 0.0, 1.0)

    # Fit the longer side to BOX, keeping the aspect ratio (shorter side >= 1).
    h, w = crop.shape
    long = max(h, w)
    oh = max(1, int(BOX * h / long + 0.5))
    ow = max(1, int(BOX * w / long + 0.5))
    patch = _weights(h, oh) @ crop @ _weights(w, ow).T

    # Integer shift putting the centre of mass at COM_TARGET, patch kept inside.
    total = float(patch.sum())
    com_r = float(patch.sum(axis=1) @ np.arange(oh, dtype=np.float32)) / total
    com_c = float(patch.sum(axis=0) @ np.arange(ow, dtype=np.float32)) / total
    top = min(max(int(np.floor(COM_TARGET - com_r + 0.5)), 0), FIELD - oh)
    left = min(max(int(np.floor(COM_TARGET - com_c + 0.5)), 0), FIELD - ow)
    out = np.zeros((FIELD, FIELD), np.float32)
    out[top:top + oh, left:left + ow] = np.clip(patch, 0.0, 1.0)
    if not return_steps:
        return out

    fitted = np.zeros((BOX, BOX), np.float32)
    ft, fl = (BOX - oh) // 2, (BOX - ow) // 2
    fitted[ft:ft + oh, fl:fl + ow] = out[top:top + oh, left:left + ow]
    steps = {
        "input": np.clip((x - np.float32(bg)) * inv, 0.0, 1.0),
        "crop": crop,
        "fitted": fitted,
        "centred": out.copy(),
    }
    return out, steps


def is_blank(digit) -> bool:
    """Whether a digit made by :func:`to_mnist` (or an MNIST image) has no ink at all:
    the image had no contrast, e.g. all white, all black or one even grey.

    The one rule for "blank": the window does not predict what the command line
    refuses as blank, and the other way round.
    """
    return not np.asarray(digit).any()


def as_digit(image) -> np.ndarray:
    """A 28 x 28 MNIST image as float32 in [0, 1] (uint8 / 255, like the network's own
    input conversion), with none of :func:`to_mnist`'s cropping, scaling or centring."""
    a = np.asarray(image)
    if a.shape != (FIELD, FIELD):
        raise ValueError(f"expected a {FIELD} x {FIELD} image, got shape {a.shape}")
    if a.dtype == np.uint8:
        out = a.astype(np.float32)
        out *= 1.0 / 255.0
        return out
    return _to_float(a).copy()
