"""A grid of small digit images that stays smooth with thousands of them.

A list model hands the view one image at a time and makes each pixmap only when its
cell is first painted, so filling the gallery costs almost nothing.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListView

from .common import digit_pixmap

ICON = 56  # pixels per image side (28 x 2: every MNIST pixel a sharp 2 x 2 block)


class ImageListModel(QAbstractListModel):
    """Images (n, h, w) uint8 with a caption and a tooltip each; pixmaps made lazily."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.images = np.zeros((0, 28, 28), np.uint8)
        self.captions: list[str] = []
        self.tooltips: list[str] = []
        self.item_size = QSize(ICON + 16, ICON + 32)  # set by the gallery from its grid
        self._pixmaps: dict[int, object] = {}

    def set_images(self, images, captions=None, tooltips=None) -> None:
        images = np.asarray(images)
        n = len(images)
        captions = list(captions) if captions is not None else [""] * n
        tooltips = list(tooltips) if tooltips is not None else [""] * n
        if len(captions) != n or len(tooltips) != n:
            raise ValueError("one caption and one tooltip per image")
        self.beginResetModel()
        self.images, self.captions, self.tooltips = images, captions, tooltips
        self._pixmaps = {}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.images)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.images):
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DecorationRole:
            pixmap = self._pixmaps.get(row)
            if pixmap is None:
                pixmap = digit_pixmap(self.images[row], ICON)
                self._pixmaps[row] = pixmap
            return pixmap
        if role == Qt.ItemDataRole.DisplayRole:
            return self.captions[row]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltips[row] or None
        if role == Qt.ItemDataRole.SizeHintRole:  # the whole cell: captions are not elided
            return self.item_size
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        return None


class ImageGallery(QListView):
    """A wrapping, scrollable grid of digits with captions.

    ``imageClicked(row)`` fires when an image is clicked or activated with Enter.
    """

    imageClicked = Signal(int)

    def __init__(self, caption_width: int = 0, parent=None):
        super().__init__(parent)
        self.gallery_model = ImageListModel(self)
        self.setModel(self.gallery_model)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(200)
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setIconSize(QSize(ICON, ICON))
        line = self.fontMetrics().height()
        width = max(ICON + 16, caption_width or self.fontMetrics().horizontalAdvance("99.9%") + 16)
        self.setGridSize(QSize(width, ICON + line + 12))
        self.gallery_model.item_size = QSize(width - 4, ICON + line + 8)
        self.setSpacing(2)
        self.clicked.connect(lambda index: self.imageClicked.emit(index.row()))

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and (
                self.currentIndex().isValid()):
            self.imageClicked.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)

    def set_images(self, images, captions=None, tooltips=None) -> None:
        self.gallery_model.set_images(images, captions, tooltips)
        self.scrollToTop()

    def count(self) -> int:
        return self.gallery_model.rowCount()

    def item_rect(self, row: int):
        """The on-screen rectangle of image ``row`` (viewport coordinates), for tests."""
        index = self.gallery_model.index(row)
        self.scrollTo(index)
        return self.visualRect(index)
