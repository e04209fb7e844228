"""Reading images with Qt's QImage into 2-D grayscale NumPy arrays."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, qInstallMessageHandler
from PySide6.QtGui import QImage, QImageReader

MAX_SIDE = 4096  # larger images are read scaled down: a digit needs far fewer pixels


def read_qimage(path, max_side: int = MAX_SIDE) -> QImage:
    """Read a PNG, JPEG, BMP (any format Qt reads), turned upright as its metadata says.

    Raises ValueError with a message naming the file when it cannot be read.
    """
    if Path(str(path)).is_dir():
        raise ValueError(f"{path}: is a folder, not an image")
    with _quiet_qt() as warnings:  # image plugins report damaged files as Qt warnings
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > max_side:
            reader.setScaledSize(size.scaled(max_side, max_side,
                                             Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
    if image.isNull():
        detail = reader.errorString().lower()
        if warnings:  # e.g. "libpng error: read error": says what is damaged
            detail += f"; {warnings[-1].lower()}"
        raise ValueError(f"{path}: cannot read the image ({detail})")
    return image


@contextlib.contextmanager
def _quiet_qt():
    """Collect what image plugins report while reading, instead of printing it: Qt's
    warnings, and what libpng writes straight to the process's stderr."""
    messages: list[str] = []
    previous = qInstallMessageHandler(lambda mode, context, text: messages.append(text))
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. captured)
        fd = None
    try:
        if fd is None:
            yield messages
            return
        sys.stderr.flush()
        saved = os.dup(fd)
        with tempfile.TemporaryFile() as tmp:
            os.dup2(tmp.fileno(), fd)
            try:
                yield messages
            finally:
                os.dup2(saved, fd)
                os.close(saved)
                tmp.seek(0)
                messages.extend(tmp.read().decode("utf-8", "replace").splitlines())
    finally:
        qInstallMessageHandler(previous)


def qimage_to_gray(image: QImage, background: int | None = 255) -> np.ndarray:
    """A QImage as a (height, width) uint8 array.

    Transparent parts are laid over a ``background`` grey level (255 white, 0 black);
    with None the colour under the transparency is kept.
    """
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    h, w = rgba.height(), rgba.width()
    raw = np.frombuffer(rgba.constBits(), dtype=np.uint8, count=h * rgba.bytesPerLine())
    px = raw.reshape(h, rgba.bytesPerLine())[:, :w * 4].reshape(h, w, 4).astype(np.float32)
    gray = px[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    if background is not None:
        alpha = px[..., 3] / 255.0
        gray = gray * alpha + float(background) * (1.0 - alpha)
    return np.clip(np.rint(gray), 0, 255).astype(np.uint8)


def read_image(path) -> np.ndarray:
    """An image file as a 2-D uint8 array (transparency over white)."""
    return qimage_to_gray(read_qimage(path))
