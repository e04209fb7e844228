"""One convolution or pooling layer's feature maps for the drawing, as a grid of small
images (the Inside view)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from ...nn import analysis
from .common import DIVERGING
from .layer_rows import SEQUENTIAL, title_head

MAX_MAPS = 32  # maps drawn per layer; the others are counted ("+8 more")
MAP_PX = 48  # a map's side on screen, about (a whole number of screen pixels per value)
MAP_GAP = 3  # pixels between two maps


def map_scale(side: int) -> int:
    """Screen pixels per map pixel: about MAP_PX per map, at least 1 (nearest-neighbour)."""
    return max(1, round(MAP_PX / max(1, side)))


def grid_columns(n: int, tile: int, width: int) -> int:
    """How many ``tile``-pixel maps (MAP_GAP apart) fit side by side in ``width`` pixels."""
    return max(1, min(n, (width + MAP_GAP) // (tile + MAP_GAP)))


class MapCanvas(QWidget):
    """The maps painted as one image, each map a block of sharp square pixels."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.image: QImage | None = None
        self.columns, self.scale, self.map_shape, self.count = 1, 1, (1, 1), 0
        self.tip = None  # (index -> text) for the map under the mouse
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def map_at(self, pos: QPoint) -> int | None:
        """The map under widget point ``pos`` (None: a gap, or no map)."""
        h, w = self.map_shape
        s = self.scale
        index = analysis.tile_at(pos.y(), pos.x(), self.columns, self.count,
                                 (h * s, w * s), MAP_GAP)
        return index

    def paintEvent(self, event) -> None:
        if self.image is not None:
            QPainter(self).drawImage(0, 0, self.image)

    def mouseMoveEvent(self, event) -> None:
        index = self.map_at(event.position().toPoint())
        if index is not None and self.tip is not None:
            QToolTip.showText(event.globalPosition().toPoint(), self.tip(index), self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)


class FeatureGrid(QWidget):
    """A layer's title ("Conv2D 20@5x5 > ReLU -> 20 x 24 x 24"), a readout, its first
    MAX_MAPS maps as small images on one colour scale shared by the layer (viridis for
    values never below zero, as after a ReLU; blue - white - red otherwise), and how many
    maps are not drawn."""

    def __init__(self, label: str, parent=None):
        super().__init__(parent)
        self.setObjectName("featureGrid")
        self.label = label
        self.maps = np.zeros((0, 1, 1), np.float32)  # all the layer's maps (C, H, W)
        self.room = 400  # the width to fill
        self.levels = (0.0, 0.0)  # the whole layer's range: one colour scale for all maps
        self._cmap: str | None = None
        self._lut: np.ndarray | None = None
        self.title, self.readout, self.head = title_head(f"<b>{label}</b>", "feature")
        self.canvas = MapCanvas()
        self.canvas.tip = self.describe
        self.canvas.setToolTip("One small image per feature map (channel) of this layer for "
                               "the drawing; one colour scale for the whole layer. Hover a "
                               "map to read it.")
        self.more = QLabel()
        self.more.setObjectName("featureMore")
        self.more.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(self.head)
        lay.addWidget(self.canvas)
        lay.addWidget(self.more)

    @property
    def shown(self) -> int:
        """How many maps are drawn."""
        return min(len(self.maps), MAX_MAPS)

    @property
    def hidden(self) -> int:
        """How many maps are not drawn (the "+N more")."""
        return len(self.maps) - self.shown

    def set_room(self, width: int) -> None:
        """Lay the maps out in ``width`` pixels (as many columns as fit)."""
        width = max(40, int(width))
        if width != self.room:
            self.room = width
            self._paint()

    def set_maps(self, maps: np.ndarray) -> None:
        """Show a layer's maps (C, H, W) for the drawing."""
        maps = np.asarray(maps, np.float32)
        self.maps = maps
        lo, hi = (float(maps.min()), float(maps.max())) if maps.size else (0.0, 0.0)
        self.levels = (lo, hi)
        silent = int(np.count_nonzero(~maps.reshape(len(maps), -1).any(axis=1)))
        text = f"{len(maps):,} maps of {maps.shape[2]} x {maps.shape[1]}, " \
               f"{lo + 0.0:.2f} .. {hi + 0.0:.2f}"  # + 0.0: no "-0.00"
        if silent:
            text += f"; {silent:,} silent (all zero)"
        self.readout.setText(text)
        self.more.setText(f"+{self.hidden:,} more maps not drawn")
        self.more.setVisible(self.hidden > 0)
        self._paint()

    def describe(self, index: int) -> str:
        m = self.maps[index]
        r, c = np.unravel_index(int(m.argmax()), m.shape)
        return (f"map {index}: {float(m.min()):.2f} .. {float(m.max()):.2f}, "
                f"strongest at row {r}, column {c}")

    @property
    def colour_map(self) -> str | None:
        """The colour map of the maps on screen (SEQUENTIAL or DIVERGING)."""
        return self._cmap

    def _colours(self, maps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each value of ``maps`` (those drawn) as an index into the colour table (uint8),
        on the scale of the whole layer's range; and the table (256, 3)."""
        lo, hi = self.levels
        if lo >= 0:
            cmap, scaled = SEQUENTIAL, maps / (hi or 1.0)
        else:
            cmap, scaled = DIVERGING, (maps / (max(-lo, hi) or 1.0) + 1.0) * 0.5
        if cmap != self._cmap:
            self._cmap = cmap
            self._lut = pg.colormap.get(cmap).getLookupTable(nPts=256)[:, :3].astype(np.uint8)
        idx = np.clip(np.nan_to_num(scaled) * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return idx, self._lut

    def _paint(self) -> None:
        n = self.shown
        canvas = self.canvas
        if n == 0:
            canvas.image, canvas.count = None, 0
            canvas.setFixedSize(0, 0)
            canvas.update()
            return
        maps = self.maps[:n]
        _, h, w = maps.shape
        s = map_scale(max(h, w))
        cols = grid_columns(n, w * s, self.room)
        rows = math.ceil(n / cols)
        idx, lut = self._colours(maps)  # one scale for the whole layer
        small = np.empty((n, h, w, 4), np.uint8)
        small[..., :3] = lut[idx]
        small[..., 3] = 255
        # RGBA: the gaps and unused cells are transparent (the view's background); each
        # map value becomes an s x s block in one broadcast copy
        grid = np.zeros((rows * cols, h * s + MAP_GAP, w * s + MAP_GAP, 4), dtype=np.uint8)
        blocks = grid[:n, :h * s, :w * s].reshape(n, h, s, w, s, 4)
        blocks[...] = small[:, :, None, :, None, :]
        image = grid.reshape(rows, cols, h * s + MAP_GAP, w * s + MAP_GAP, 4)
        image = image.transpose(0, 2, 1, 3, 4).reshape(rows * (h * s + MAP_GAP),
                                                       cols * (w * s + MAP_GAP), 4)
        image = np.ascontiguousarray(image[:-MAP_GAP, :-MAP_GAP])
        ih, iw = image.shape[:2]
        qimage = QImage(image.tobytes(), iw, ih, 4 * iw, QImage.Format.Format_RGBA8888)
        canvas.image = qimage.copy()  # owns its pixels
        canvas.columns, canvas.scale, canvas.map_shape, canvas.count = cols, s, (h, w), n
        canvas.setFixedSize(QSize(iw, ih))
        canvas.update()
