"""FoldLayout: a row while its parts fit, a column when they do not, decided by the layout
(a resize or a longer text reflows it; no widget handles resizeEvent)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from playground.ui.fold_layout import FoldLayout


def _view(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    head = FoldLayout(w)
    head.setContentsMargins(0, 0, 0, 0)
    title, readout = QLabel("A fairly long layer title"), QLabel("128 units")
    for label in (title, readout):
        label.setMinimumWidth(1)
    head.add(title, 1)
    head.add(readout, 0, Qt.AlignmentFlag.AlignRight, Qt.AlignmentFlag.AlignLeft)
    w.show()
    qtbot.waitExposed(w)
    return w, head, title, readout


def test_a_row_when_it_fits_a_column_when_not(qtbot):
    w, head, title, readout = _view(qtbot)
    w.resize(head.needed_width() + 40, 80)
    qtbot.waitUntil(lambda: not head.folded and readout.y() == title.y())
    assert readout.geometry().right() >= w.width() - 2  # on the right of the row
    w.resize(head.needed_width() - 20, 80)
    qtbot.waitUntil(lambda: head.folded and readout.y() > title.y())
    assert readout.x() == title.x()  # under the title, on the left


def test_a_longer_text_folds_it_without_a_resize(qtbot):
    w, head, title, readout = _view(qtbot)
    w.resize(head.needed_width() + 40, 80)
    qtbot.waitUntil(lambda: not head.folded)
    readout.setText("128 units, -0.95 .. 0.98, 17 strongly on")
    qtbot.waitUntil(lambda: head.folded and readout.y() > title.y())
