"""Widgets of the "Draw & predict" column: a label that fits its text, the bars' plot.

Their sizes keep the canvas the column's largest item.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QSizePolicy, QSpacerItem

#: The output bars' height: compact, so that the canvas gets the column's space
#: (less, down to the minimum, only in a short window).


class FitLabel(QLabel):
    """A one-line label whose font shrinks (down to ``min_pt``) to fit its width.

    Its height stays that of a ``height_pt`` font, so the layout does not jump
    between a short message and a large prediction.
    """

    def __init__(self, text: str = "", max_pt: float = 18, height_pt: float = 36,
                 min_pt: float = 8, parent=None):
        super().__init__(text, parent)
        self._max_pt, self._min_pt = max_pt, min_pt
        big = QFont(self.font())
        big.setPointSizeF(height_pt)
        self.setFixedHeight(QFontMetrics(big).height())
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._fit()

    def set_text(self, text: str, max_pt: float) -> None:
        self._max_pt = max_pt
        self.setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        font = QFont(self.font())
        width = max(self.contentsRect().width() - 4, 40)
        pt = self._max_pt
        while pt > self._min_pt:
            font.setPointSizeF(pt)
            if QFontMetrics(font).horizontalAdvance(self.text()) <= width:
                break
            pt -= 1
        font.setPointSizeF(max(pt, self._min_pt))
        if font != self.font():
            self.setFont(font)


def top_aligning_spacer() -> QSpacerItem:
    """Spare height below a column of labels that, unlike addStretch(), does not make
    the row "expanding": the panel's spare height goes to the canvas, not this row."""
    return QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Ignored)
