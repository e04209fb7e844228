"""A row that folds into a column when it does not fit, decided by the layout itself.

A narrow view must not cut a label or hold the window wider than it is, so a few rows
(a title beside its readout, a page label beside its buttons) put their parts one under
the other when their preferred widths do not fit side by side. :class:`FoldLayout`
decides that each time it is given its geometry, so a resize, a new text or a font
change reflows it without any widget handling ``resizeEvent``.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QBoxLayout, QLayout, QWidget

ROW, COLUMN = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom
NO_ALIGNMENT = Qt.AlignmentFlag(0)


class FoldLayout(QBoxLayout):
    """A left-to-right box while its items' preferred widths fit, top-to-bottom otherwise.

    An item may be aligned differently in the two arrangements (:meth:`add`), e.g. a
    readout on the right of a row and on the left under a title.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(ROW, parent)
        self._alignments: list[tuple[object, Qt.AlignmentFlag, Qt.AlignmentFlag]] = []

    def add(self, part: QWidget | QLayout, stretch: int = 0,
            row_alignment: Qt.AlignmentFlag = NO_ALIGNMENT,
            column_alignment: Qt.AlignmentFlag | None = None) -> None:
        """Add a widget or a layout; ``column_alignment`` (default: the same) when folded."""
        if isinstance(part, QLayout):
            self.addLayout(part, stretch)
        else:
            self.addWidget(part, stretch, row_alignment)
            folded = row_alignment if column_alignment is None else column_alignment
            self._alignments.append((part, row_alignment, folded))

    @property
    def folded(self) -> bool:
        return self.direction() == COLUMN

    def needed_width(self) -> int:
        """The width the items take side by side, at their preferred widths."""
        items = [self.itemAt(i) for i in range(self.count())]
        # a widget's own hint: the item's is 0 wide for a widget that ignores its width
        widths = [(item.widget().sizeHint() if item.widget() else item.sizeHint()).width()
                  for item in items if not item.isEmpty()]
        margins = self.contentsMargins()
        return (sum(widths) + max(len(widths) - 1, 0) * max(self.spacing(), 0)
                + margins.left() + margins.right())

    def fold_for(self, width: int) -> None:
        """Side by side if the items fit in ``width``, else one under the other."""
        direction = ROW if self.needed_width() <= width else COLUMN
        if direction != self.direction():
            self.setDirection(direction)
            for widget, row, column in self._alignments:
                self.setAlignment(widget, row if direction == ROW else column)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt API
        self.fold_for(rect.width())
        super().setGeometry(rect)
