"""The first hidden layer's most active units for a drawing, with their weight pictures."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from .common import DIVERGING, weight_pixmap

TOP_UNITS = 8  # first-layer units shown with their weight pictures
UNIT_PX = 52  # their pictures' size (adapts to the width: UNIT_MIN..UNIT_MAX)
UNIT_MIN, UNIT_MAX = 40, 72
UNIT_GAP = 8


def unit_grid(width: int, n: int = TOP_UNITS) -> tuple[int, int]:
    """(columns, picture size) for ``n`` unit pictures in ``width`` pixels: one row of
    pictures as large as fit, else two rows (or more) of pictures at least UNIT_MIN."""
    for rows in range(1, n + 1):
        cols = math.ceil(n / rows)
        size = (width - (cols - 1) * UNIT_GAP) // cols - 4
        if size >= UNIT_MIN or cols == 1:
            return cols, max(UNIT_MIN // 2, min(UNIT_MAX, size))
    return 1, UNIT_MIN


class TopUnits(QWidget):
    """The first hidden layer's most active units for the drawing, each with the weight
    picture that says what it looks for. All of them are shown: a narrow view puts them
    on two rows."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.units = np.zeros(0, np.int64)
        self.columns, self.unit_px = TOP_UNITS, UNIT_PX
        self._tiles: np.ndarray | None = None
        self._lut = pg.colormap.get(DIVERGING).getLookupTable(nPts=256)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setToolTip("The units of the first layer that respond most to the drawing. "
                              "Each picture is the unit's weights: red pixels excite it, blue "
                              "ones inhibit it (the same pictures as in the Weights tab).")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(UNIT_GAP)
        self.grid.setVerticalSpacing(4)
        self.cells: list[tuple[QWidget, QLabel, QLabel]] = []  # (cell, picture, caption)
        for _ in range(TOP_UNITS):
            picture = QLabel()
            picture.setFixedSize(UNIT_PX, UNIT_PX)
            caption = QLabel()
            caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(1)
            box.addWidget(picture, 0, Qt.AlignmentFlag.AlignHCenter)
            box.addWidget(caption)
            self.cells.append((cell, picture, caption))
        self._place()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addLayout(self.grid)

    def _place(self) -> None:
        for k, (cell, _, _) in enumerate(self.cells):
            self.grid.removeWidget(cell)
            row, col = divmod(k, self.columns)
            self.grid.addWidget(cell, row, col, Qt.AlignmentFlag.AlignLeft)
        for col in range(TOP_UNITS + 1):
            self.grid.setColumnStretch(col, 1 if col == self.columns else 0)

    def set_room(self, width: int) -> None:
        """Lay the pictures out for ``width`` pixels: as large as fit, wrapping if needed."""
        columns, size = unit_grid(width)
        if (columns, size) == (self.columns, self.unit_px):
            return
        self.columns, self.unit_px = columns, size
        self._place()
        for _, picture, _ in self.cells:
            picture.setFixedSize(size, size)
        self._paint()

    def set_units(self, name: str, values: np.ndarray, top: np.ndarray,
                  tiles: np.ndarray) -> None:
        """Show units ``top`` (their outputs in ``values``, their weights ``tiles``)."""
        self.units = top
        self._tiles = tiles
        self.title.setText(f"The {len(top)} most active units of {name.split(' > ')[0]} "
                           "and what they look for (their weights):")
        for k, (cell, picture, caption) in enumerate(self.cells):
            cell.setVisible(k < len(top))
            if k < len(top):
                u = int(top[k])
                caption.setText(f"unit {u}\n{values[u]:.2f}")
                picture.setToolTip(f"Unit {u} outputs {values[u]:.3f} for this drawing")
            else:
                picture.clear()
                caption.setText("")
        self._paint()

    def shown_units(self) -> int:
        """How many unit pictures are on screen."""
        return sum(1 for cell, _, _ in self.cells if not cell.isHidden())

    def _paint(self) -> None:
        if self._tiles is None:
            return
        for k, (_, picture, _) in enumerate(self.cells):
            if k < len(self._tiles):
                picture.setPixmap(weight_pixmap(self._tiles[k], self.unit_px, self._lut))
