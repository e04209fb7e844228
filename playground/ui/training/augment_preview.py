"""Eight training digits as training would see them with the augmentation settings.

Computed on the GUI thread (eight 28 x 28 images take well under a millisecond, elastic
distortion included), from a fixed draw: the same digits and the same random numbers
until "new sample" (a click), so what changes as a setting moves is that setting's doing.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...data.augment import Augment

COUNT = 8  # digits shown
GAP = 4  # pixels between two digits
MIN_SIDE, SIDE = 24, 44  # a digit's side on the screen: at least, and when there is room

PREVIEW_TIP = ("Eight training digits as the network would see them in one batch with "
               "these augmentation settings: each batch gets new random changes.\n"
               "Click for other digits and other random changes.")


class AugmentPreview(QWidget):
    """``show_settings(dict)`` draws ``COUNT`` digits of ``images`` (uint8, n x 28 x 28)
    augmented with those settings; a click draws other digits (``resampled``)."""

    resampled = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("augmentPreview")
        self.setToolTip(PREVIEW_TIP)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._source = np.zeros((0, 28, 28), np.uint8)  # the training images to pick from
        self._source_key: tuple[int, int] | None = None
        self._draw = 0  # which draw of digits and random numbers ("new sample" counts up)
        self._digits = np.zeros((0, 28, 28), np.uint8)  # the COUNT digits picked
        self._settings: dict = {}
        self.images = np.zeros((0, 28, 28), np.float32)  # what is shown (tests read it)
        self._pixmaps: list = []

    # -- feeding --------------------------------------------------------------------------
    def set_source(self, images: np.ndarray, count: int) -> None:
        """The training images to pick digits from: the first ``count`` of ``images``
        (the run's training set)."""
        if self._source_key == (id(images), count):
            return
        self._source_key = (id(images), count)
        self._source = images[:count]
        self._pick()
        self._render()

    def show_settings(self, settings: dict | None) -> None:
        """Draw the digits augmented with ``settings`` (``hyper["augment"]``)."""
        settings = dict(settings or {})
        if settings == self._settings and len(self.images):
            return
        self._settings = settings
        self._render()

    def new_sample(self) -> None:
        """Other digits, other random changes."""
        self._draw += 1
        self._pick()
        self._render()
        self.resampled.emit()

    # -- drawing ----------------------------------------------------------------------------
    def _pick(self) -> None:
        n = len(self._source)
        if not n:
            self._digits = np.zeros((0, 28, 28), np.uint8)
            return
        if self._draw == 0:  # the first digits of the training set, as the Dataset tab
            index = np.arange(min(COUNT, n))
        else:
            index = np.random.default_rng(self._draw).choice(n, min(COUNT, n), replace=False)
        self._digits = np.asarray(self._source[index])

    def _render(self) -> None:
        try:
            augment = Augment(**self._settings)
        except (TypeError, ValueError):  # the session refuses those; show the digits plain
            augment = Augment()
        rng = np.random.default_rng([self._draw, 7])
        self.images = (augment(self._digits, rng) if len(self._digits)
                       else np.zeros((0, 28, 28), np.float32))
        self._pixmaps = []  # drawn again at the widget's size
        self.update()

    def _side(self) -> int:
        room = (self.width() - (COUNT - 1) * GAP) // COUNT
        return max(1, min(self.height(), room))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(COUNT * SIDE + (COUNT - 1) * GAP, SIDE)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(COUNT * MIN_SIDE + (COUNT - 1) * GAP, SIDE)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._pixmaps = []
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        side = self._side()
        if len(self._pixmaps) != len(self.images):
            self._pixmaps = [_pixmap(image, side) for image in self.images]
        painter = QPainter(self)
        for i, pixmap in enumerate(self._pixmaps):
            painter.drawPixmap(QRect(i * (side + GAP), 0, side, side), pixmap)
        painter.end()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.new_sample()
        super().mouseReleaseEvent(event)


def _pixmap(image: np.ndarray, side: int) -> QPixmap:
    """A digit (float 0..1, ink bright) as a ``side`` x ``side`` pixmap, pixels kept sharp."""
    a = np.ascontiguousarray((np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8))
    h, w = a.shape
    qimage = QImage(a.tobytes(), w, h, w, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(qimage.scaled(side, side, Qt.AspectRatioMode.IgnoreAspectRatio,
                                           Qt.TransformationMode.FastTransformation))
