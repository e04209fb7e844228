"""Reading images with Qt's QImage into 2-D grayscale NumPy arrays."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QImageReader

MAX_PIXELS = 40_000_000


def qimage_to_gray(image: QImage) -> np.ndarray:
    """A QImage as a (height, width) uint8 array; transparency is composited on white."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    h, w = rgba.height(), rgba.width()
    raw = np.frombuffer(rgba.constBits(), dtype=np.uint8, count=h * rgba.bytesPerLine())
    px = raw.reshape(h, rgba.bytesPerLine())[:, :w * 4].reshape(h, w, 4).astype(np.float32)
    gray = px[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    alpha = px[..., 3] / 255.0
    return np.rint(gray * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)


def read_image(path) -> np.ndarray:
    """Read a PNG, JPEG, BMP (any format Qt reads) as a 2-D uint8 array.

    Raises ValueError with a message naming the file when it cannot be read.
    """
    reader = QImageReader(str(path))
    size = reader.size()
    if size.isValid() and size.width() * size.height() > MAX_PIXELS:
        raise ValueError(f"{path}: image too large ({size.width()} x {size.height()})")
    image = reader.read()
    if image.isNull():
        raise ValueError(f"{path}: cannot read the image ({reader.errorString().lower()})")
    return qimage_to_gray(image)
