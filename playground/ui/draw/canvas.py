"""The drawing canvas: a square standing for the network's 28 x 28 input.

The drawing is kept at ten times the input resolution (280 x 280, 8-bit grey,
ink = white) so that :func:`playground.data.to_mnist` can crop, scale and centre
it the way MNIST digits were prepared. Left-drag paints with a soft round brush,
right-drag erases, Escape or Delete clears. Image files dropped on the canvas
are announced with :attr:`DrawCanvas.fileDropped`; :meth:`DrawCanvas.load_image`
reads one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...data import to_mnist
from ...data.preprocess import is_blank
from .. import theme
from ..images import qimage_to_gray, read_qimage

RESOLUTION = 280  #: side of the stored drawing, in pixels (10 per input pixel)
GRID = 28  #: the network's input side: the faint grid on the canvas
DEFAULT_STROKE = 22  #: brush width in drawing pixels: MNIST-like strokes after to_mnist
MIN_STROKE, MAX_STROKE = 8, 60
#: The brush's soft edge: FEATHER_STEPS rings, together FEATHER times the width wider.
FEATHER, FEATHER_STEPS = 0.5, 4
ERASER_SCALE = 1.6  #: the eraser is this much wider than the brush
EMPTY_LEVEL = 13  #: ink below this (of 255) everywhere counts as an empty canvas
MAX_FILE_SIDE = 2048  #: larger image files are read scaled down to this

BACKGROUND = QColor(theme.CANVAS)
GRID_COLOUR = QColor(theme.CANVAS_GRID)
HINT_COLOUR = QColor(theme.CANVAS_HINT)


class ImageLoadError(ValueError):
    """An image file could not be used; ``str(e)`` is the message for the user."""


class DrawCanvas(QWidget):
    """A square drawing surface; :meth:`image` is the drawing as floats (ink = 1)."""

    changed = Signal()  #: the drawing changed (each stroke step, clear, new image)
    strokeStarted = Signal()  #: a mouse stroke (draw or erase) began
    strokeFinished = Signal()  #: the mouse button was released after a stroke
    cleared = Signal()  #: the canvas was wiped (Escape, Delete or clear())
    fileDropped = Signal(str)  #: a local file was dropped on the canvas (its path)

    def __init__(self, parent: QWidget | None = None, resolution: int = RESOLUTION):
        super().__init__(parent)
        self.setObjectName("drawCanvas")
        self._res = int(resolution)
        self._image = QImage(self._res, self._res, QImage.Format.Format_Grayscale8)
        self._image.fill(0)
        self._stroke_width = float(DEFAULT_STROKE)
        self._mode: str | None = None  # "draw" or "erase" during a stroke
        self._button = Qt.MouseButton.NoButton
        self._last = QPointF()
        self._version = 0
        self._empty_at = (-1, True)  # (version, empty?) so paint events need not rescan
        self._source: tuple[int, np.ndarray] | None = None  # (version, 28 x 28 image shown)
        self._pens: dict[str, list[QPen]] = {}
        self._make_pens()

        self.setMinimumSize(RESOLUTION, RESOLUTION)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        self.setToolTip(
            "Draw a digit with the left mouse button; the right button erases.\n"
            "Escape or Delete clears (click the canvas first).\n"
            "Drop a PNG, JPEG or BMP image here to predict a digit from a file.\n"
            "Each grid square is one of the network's 28 x 28 input pixels; the drawing\n"
            "is cropped, scaled and centred like MNIST before the network sees it.")

    # -- size ---------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(340, 340)

    def minimumSizeHint(self) -> QSize:
        return QSize(RESOLUTION, RESOLUTION)

    def heightForWidth(self, width: int) -> int:
        return max(width, RESOLUTION)

    def resizeEvent(self, event) -> None:
        # Keep square: never taller than wide, so a layout hands spare height to the
        # widgets below instead of leaving a gap around the drawing. (Not a layout
        # height-for-width item: that would forbid shrinking in a short window.)
        height = self.heightForWidth(self.width())
        if self.maximumHeight() != height:
            self.setMaximumHeight(height)
        super().resizeEvent(event)

    def canvas_rect(self) -> QRectF:
        """Where the drawing is shown, in widget coordinates: the largest centred square."""
        side = float(min(self.width(), self.height()))
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def widget_point(self, x: float, y: float) -> QPointF:
        """Widget coordinates of a point given in drawing pixels (0..resolution)."""
        r = self.canvas_rect()
        scale = r.width() / self._res
        return QPointF(r.left() + x * scale, r.top() + y * scale)

    def _to_image(self, pos: QPointF) -> QPointF:
        r = self.canvas_rect()
        scale = self._res / max(r.width(), 1.0)
        return QPointF((pos.x() - r.left()) * scale, (pos.y() - r.top()) * scale)

    # -- the drawing ----------------------------------------------------------------
    @property
    def resolution(self) -> int:
        return self._res

    @property
    def version(self) -> int:
        """Goes up by one with every change to the drawing."""
        return self._version

    def stroke_width(self) -> float:
        return self._stroke_width

    def set_stroke_width(self, width: float) -> None:
        """Brush width in drawing pixels (the canvas is ``resolution`` pixels wide)."""
        self._stroke_width = float(min(max(width, 1.0), self._res / 2))
        self._make_pens()

    def _make_pens(self) -> None:
        """The soft brush: concentric round pens, widest faintest, painted with
        "lighten" so that overlapping segments never add up to darker joins."""
        w = self._stroke_width
        pens = []
        for k in range(FEATHER_STEPS, -1, -1):
            level = round(255 * (1 - k / (FEATHER_STEPS + 1)))
            width = w * (1 + FEATHER * k / FEATHER_STEPS)
            pens.append(self._pen(QColor(level, level, level), width))
        no_ink = 0  # the eraser paints ink level 0 into the drawing (data, not a colour)
        self._pens = {"draw": pens,
                      "erase": [self._pen(QColor(no_ink, no_ink, no_ink), w * ERASER_SCALE)]}

    @staticmethod
    def _pen(colour: QColor, width: float) -> QPen:
        return QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                    Qt.PenJoinStyle.RoundJoin)

    def _paint(self, mode: str, points: list[QPointF]) -> None:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if mode == "draw":
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Lighten)
        for pen in self._pens[mode]:
            painter.setPen(pen)
            if len(points) == 1:
                painter.drawPoint(points[0])
            else:
                for a, b in zip(points[:-1], points[1:], strict=True):
                    painter.drawLine(a, b)
        painter.end()
        self._touch()

    def _touch(self) -> None:
        self._version += 1
        self.update()
        self.changed.emit()

    def draw_stroke(self, points, erase: bool = False) -> None:
        """Paint (or erase) a polyline given in drawing pixels, as a mouse stroke would,
        then emit ``strokeFinished``."""
        pts = [QPointF(float(x), float(y)) for x, y in points]
        if pts:
            self._paint("erase" if erase else "draw", pts)
            self.strokeFinished.emit()

    def image(self) -> np.ndarray:
        """The drawing as a (resolution, resolution) float32 array in [0, 1], ink = 1."""
        out = self._pixels().astype(np.float32)
        out *= np.float32(1 / 255)
        return out

    def pixels(self) -> np.ndarray:
        """The drawing as a uint8 copy (0 = background, 255 = ink)."""
        return self._pixels().copy()

    def _pixels(self) -> np.ndarray:
        """A read-only uint8 view of the drawing (valid until it next changes)."""
        img = self._image
        buf = np.frombuffer(img.constBits(), np.uint8)
        return buf.reshape(img.height(), img.bytesPerLine())[:, :img.width()]

    def is_empty(self) -> bool:
        """No ink anywhere (worked out once per change: paint events ask too)."""
        if self._empty_at[0] != self._version:
            self._empty_at = (self._version, int(self._pixels().max()) < EMPTY_LEVEL)
        return self._empty_at[1]

    def clear(self) -> None:
        self._mode = None
        self._image.fill(0)
        self._touch()
        self.cleared.emit()

    def set_image(self, array) -> None:
        """Show a grayscale image (any size; uint8 0-255 or floats 0-1, ink bright),
        scaled smoothly to fit the canvas and centred. A 28 x 28 MNIST digit fills
        the canvas exactly, one grid square per pixel."""
        a = original = np.asarray(array)
        if a.ndim != 2 or a.size == 0:
            raise ValueError(f"expected a 2-D grayscale image, got shape {a.shape}")
        if a.dtype != np.uint8:
            f = np.nan_to_num(a.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0)
            if a.dtype == np.bool_ or np.issubdtype(a.dtype, np.floating):
                f = f * 255.0
            a = np.clip(np.rint(f), 0, 255).astype(np.uint8)
        a = np.ascontiguousarray(a)
        h, w = a.shape
        src = QImage(a.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
        if (w, h) != (self._res, self._res):
            src = src.scaled(self._res, self._res, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        self._mode = None
        self._image.fill(0)
        painter = QPainter(self._image)
        painter.drawImage((self._res - src.width()) // 2, (self._res - src.height()) // 2, src)
        painter.end()
        self._touch()
        # an MNIST-sized image is the network's input as it is (see source())
        kept = original.shape == (GRID, GRID) and (
            original.dtype == np.uint8 or np.issubdtype(original.dtype, np.floating))
        self._source = (self._version, original.copy()) if kept else None

    def source(self) -> np.ndarray | None:
        """The 28 x 28 image (uint8 or floats) last shown with :meth:`set_image`, while
        the canvas still shows it unchanged; None once it is drawn on or cleared, and
        for any other image (those are drawings, for to_mnist)."""
        if self._source is not None and self._source[0] == self._version:
            return self._source[1]
        return None

    def load_image(self, path) -> None:
        """Show the digit in an image file (PNG, JPEG, BMP, ...), dark-on-light or
        light-on-dark. Raises :class:`ImageLoadError` with a message for the user."""
        try:
            image = read_qimage(path, MAX_FILE_SIDE)
        except ValueError as e:
            raise ImageLoadError(str(e)) from None
        self.set_qimage(image, Path(str(path)).name or str(path))

    def set_qimage(self, image: QImage, name: str = "the image") -> None:
        """Show the digit in a QImage (any format; transparency counts as background)."""
        if image.isNull() or image.width() == 0 or image.height() == 0:
            raise ImageLoadError(f"Cannot use {name}: the image is empty")
        image = image.scaled(self._res, self._res, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        backgrounds = [255, 0] if image.hasAlphaChannel() else [None]
        for background in backgrounds:
            ink = _normalised_ink(qimage_to_gray(image, background))
            if ink is not None:
                self.set_image(ink)
                return
        raise ImageLoadError(f"No digit found in {name}: the image is blank")

    # -- painting ---------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        r = self.canvas_rect()
        painter = QPainter(self)
        painter.fillRect(r, BACKGROUND)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Screen)
        painter.drawImage(r, self._image)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        painter.setPen(QPen(GRID_COLOUR, 0))
        step = r.width() / GRID
        for i in range(1, GRID):
            x = round(r.left() + i * step) + 0.5
            y = round(r.top() + i * step) + 0.5
            painter.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
            painter.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
        frame = self.palette().highlight().color() if self.hasFocus() \
            else self.palette().mid().color()
        painter.setPen(QPen(frame, 1))
        painter.drawRect(r.adjusted(0.5, 0.5, -0.5, -0.5))
        if self._mode is None and self.is_empty():
            painter.setPen(HINT_COLOUR)
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.3)
            painter.setFont(font)
            painter.drawText(r.adjusted(0, 0, 0, -r.height() * 0.08),
                             Qt.AlignmentFlag.AlignCenter, "Draw a digit here")
            font.setPointSizeF(font.pointSizeF() / 1.3 * 0.9)
            painter.setFont(font)
            painter.drawText(r.adjusted(0, r.height() * 0.08, 0, 0),
                             Qt.AlignmentFlag.AlignCenter,
                             "left: draw   right: erase   Esc: clear\nor drop an image file")
        painter.end()

    # -- mouse and keys -----------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        button = event.button()
        if self._mode is not None or button not in (Qt.MouseButton.LeftButton,
                                                   Qt.MouseButton.RightButton):
            event.ignore()
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._mode = "draw" if button == Qt.MouseButton.LeftButton else "erase"
        self._button = button
        self._last = self._to_image(event.position())
        self.strokeStarted.emit()
        self._paint(self._mode, [self._last])
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        if self._mode is None:
            event.ignore()
            return
        p = self._to_image(event.position())
        if p != self._last:
            self._paint(self._mode, [self._last, p])
            self._last = p
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if self._mode is None or event.button() != self._button:
            event.ignore()
            return
        p = self._to_image(event.position())
        if p != self._last:
            self._paint(self._mode, [self._last, p])
        self._mode = None
        self._button = Qt.MouseButton.NoButton
        self.update()
        self.strokeFinished.emit()
        event.accept()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Delete, Qt.Key.Key_Backspace) \
                and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.update()
        super().focusOutEvent(event)

    # -- drag and drop --------------------------------------------------------------------
    @staticmethod
    def _dropped_file(mime) -> str | None:
        if mime is None or not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile():
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event) -> None:
        if self._dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        path = self._dropped_file(event.mimeData())
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.fileDropped.emit(path)


def _normalised_ink(grey: np.ndarray) -> np.ndarray | None:
    """Ink in [0, 1] (polarity and contrast fixed by the engine), or None if blank."""
    digit, steps = to_mnist(grey, return_steps=True)
    return None if is_blank(digit) else steps["input"]
