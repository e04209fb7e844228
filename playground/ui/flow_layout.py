"""Widgets in as few even rows as let each show its whole text, arranged by the layout.

:class:`BalancedFlowLayout` is a flow layout whose rows are even: eleven buttons that do
not fit in one row become two rows of six and five, not ten and one, and each column is
as wide as its widest item, the spare width shared out. It answers ``heightForWidth``,
so the widget above it gets the height the rows need for the width it has; no widget
handles ``resizeEvent``.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class BalancedFlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 2):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)
        self.columns = 0  #: columns of the last arrangement

    # -- QLayout ----------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt API
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt API
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt API
        if 0 <= index < len(self._items):
            item = self._items.pop(index)
            self.invalidate()
            return item
        return None

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return self._height(self.columns_for(width))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        n = max(len(self._items), 1)
        return QSize(self.needed_width(n), self._height(n))

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt API
        widest = max((i.sizeHint().width() for i in self._items), default=0)
        return QSize(widest, self._height(1))

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt API
        super().setGeometry(rect)
        if not self._items:
            return
        columns = self.columns_for(rect.width())
        self.columns = columns
        widths = self._column_widths(columns)
        spare = rect.width() - sum(widths) - (columns - 1) * self.spacing()
        share = max(spare, 0) / columns
        lefts, x = [], float(rect.x())
        for w in widths:
            lefts.append(x)
            x += w + share + self.spacing()
        row_height = self._row_height()
        for i, item in enumerate(self._items):
            r, c = divmod(i, columns)
            item.setGeometry(QRect(round(lefts[c]), rect.y() + r * (row_height + self.spacing()),
                                   round(widths[c] + share), row_height))

    # -- the arrangement ----------------------------------------------------------------
    def rows_for(self, columns: int) -> int:
        return math.ceil(len(self._items) / max(columns, 1))

    def needed_width(self, columns: int) -> int:
        """The width the items need in ``columns`` columns (each column as wide as its
        widest item)."""
        return sum(self._column_widths(columns)) + (columns - 1) * self.spacing()

    def columns_for(self, width: int) -> int:
        """The most even arrangement with the fewest rows that fits in ``width``."""
        n = len(self._items)
        for rows in range(1, n + 1):
            columns = math.ceil(n / rows)
            if self.needed_width(columns) <= width:
                return columns
        return 1

    def _column_widths(self, columns: int) -> list[int]:
        widths = [0] * columns
        for i, item in enumerate(self._items):
            widths[i % columns] = max(widths[i % columns], item.sizeHint().width())
        return widths

    def _row_height(self) -> int:
        return max((i.sizeHint().height() for i in self._items), default=0)

    def _height(self, columns: int) -> int:
        rows = self.rows_for(columns)
        return rows * self._row_height() + max(rows - 1, 0) * self.spacing()
