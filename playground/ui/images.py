"""Reading images with Qt's QImage into 2-D grayscale NumPy arrays."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, qInstallMessageHandler
from PySide6.QtGui import QImage, QImageReader

from .. import safeio

MAX_SIDE = 4096  # larger images are read scaled down: a digit needs far fewer pixels
PREDICT_SIDE = 1024  # what predicting from a file reads: a digit is scaled to 20 px anyway
MAX_IMAGE_BYTES = 64 * 1024 * 1024  # larger files are refused unread
MAX_PIXELS = 100_000_000  # a header declaring more is refused before decoding
#: Only raster formats are read: a vector image (SVG) could pull in other files.
RASTER_FORMATS = {"png", "jpg", "jpeg", "bmp", "gif", "pbm", "pgm", "ppm", "xbm", "xpm",
                  "tif", "tiff", "webp", "ico", "cur", "tga", "wbmp", "jfif", "icns"}


def read_qimage(path, max_side: int = MAX_SIDE) -> QImage:
    """Read a PNG, JPEG, BMP (any raster format Qt reads), turned upright as its
    metadata says, scaled while reading so that no side exceeds ``max_side``.

    Only a regular file of at most MAX_IMAGE_BYTES is read (a FIFO or device is refused,
    never waited on); vector formats such as SVG are refused. Raises ValueError with a
    message naming the file when it cannot be read.
    """
    try:
        raw = safeio.read_bounded(path, MAX_IMAGE_BYTES, "an image")
    except safeio.FileProblem as e:
        if e.reason in ("is a folder", "not a regular file", "too large"):
            raise ValueError(str(e)) from None
        raise ValueError(f"{path}: cannot read the image ({e.reason})") from None
    data = QByteArray(raw)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    with _quiet_qt() as warnings:  # image plugins report damaged files as Qt warnings
        reader = QImageReader(buffer)
        reader.setAutoTransform(True)
        kind = bytes(reader.format().data()).decode("ascii", "replace").lower()
        suffix = os.path.splitext(os.fspath(path))[1][1:].lower()
        if not kind and suffix in RASTER_FORMATS:  # e.g. TGA has no signature to sniff
            reader.setFormat(suffix.encode("ascii"))
        if kind and kind not in RASTER_FORMATS:
            raise ValueError(f"{path}: {kind.upper()} images are not read (only raster "
                             f"images such as PNG, JPEG, BMP or GIF)")
        size = reader.size()
        if size.isValid() and size.width() * size.height() > MAX_PIXELS:
            raise ValueError(f"{path}: the image is too large ({size.width():,} x "
                             f"{size.height():,} pixels; at most {MAX_PIXELS:,} pixels)")
        if size.isValid() and max(size.width(), size.height()) > max_side:
            reader.setScaledSize(size.scaled(max_side, max_side,
                                             Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
    if image.isNull():
        detail = reader.errorString().lower()
        if warnings:  # e.g. "libpng error: read error": says what is damaged
            detail += f"; {warnings[-1].lower()}"
        raise ValueError(f"{path}: cannot read the image ({detail})")
    if max(image.width(), image.height()) > max_side:  # a reader that ignored the size
        image = image.scaled(max_side, max_side, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
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


def read_image(path, max_side: int = PREDICT_SIDE) -> np.ndarray:
    """An image file as a 2-D uint8 array (transparency over white), at most
    ``max_side`` pixels on a side."""
    return qimage_to_gray(read_qimage(path, max_side))
