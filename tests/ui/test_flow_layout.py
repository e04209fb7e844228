"""BalancedFlowLayout: the fewest even rows that fit, the height to match the width."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

from playground.ui.flow_layout import BalancedFlowLayout


def _bar(qtbot, n=11):
    w = QWidget()
    qtbot.addWidget(w)
    flow = BalancedFlowLayout(w, 2)
    buttons = [QPushButton(f"{i}\n1,000") for i in range(n)]
    for b in buttons:
        flow.addWidget(b)
    w.show()
    qtbot.waitExposed(w)
    return w, flow, buttons


def rows(buttons):
    return sorted({b.y() for b in buttons})


def test_one_row_when_it_fits_else_even_rows(qtbot):
    w, flow, buttons = _bar(qtbot)
    one_row = flow.needed_width(11)
    w.resize(one_row + 30, 200)
    qtbot.waitUntil(lambda: len(rows(buttons)) == 1)
    assert flow.heightForWidth(one_row) == buttons[0].height()
    w.resize(flow.needed_width(6) + 5, 200)  # room for six a row, not for eleven
    qtbot.waitUntil(lambda: len(rows(buttons)) == 2)
    top = [b for b in buttons if b.y() == rows(buttons)[0]]
    assert len(top) == 6  # six and five, not ten and one
    assert all(b.width() >= b.sizeHint().width() for b in buttons)  # nothing cut
    assert flow.heightForWidth(w.width()) == 2 * buttons[0].height() + 2
    assert buttons[-1].geometry().right() < w.width()


def test_a_longer_text_rearranges_without_a_resize(qtbot):
    w, flow, buttons = _bar(qtbot)
    w.resize(flow.needed_width(11) + 4, 200)
    qtbot.waitUntil(lambda: len(rows(buttons)) == 1)
    buttons[0].setText("All\n60,000 images")
    qtbot.waitUntil(lambda: len(rows(buttons)) == 2)
