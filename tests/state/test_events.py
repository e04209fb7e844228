"""Plain-Python events: connect, emit in order, disconnect; usable by pytest-qt too."""

import pytest

from playground.state.events import Event


def test_callbacks_run_in_connection_order_with_the_arguments():
    calls = []
    event = Event("changed")
    event.connect(lambda *a: calls.append(("first", a)))
    event.connect(lambda *a: calls.append(("second", a)))
    event.emit(1, "x")
    assert calls == [("first", (1, "x")), ("second", (1, "x"))]
    assert len(event) == 2


def test_a_callback_may_disconnect_itself_while_emitting():
    event, calls = Event("changed"), []

    def once():
        calls.append(1)
        event.disconnect(once)

    event.connect(once)
    event.emit()
    event.emit()
    assert calls == [1]


def test_disconnecting_what_is_not_connected_raises_like_a_qt_signal():
    with pytest.raises(RuntimeError, match="not connected"):
        Event("changed").disconnect(print)


def test_pytest_qt_can_wait_for_an_event(qtbot):
    from PySide6.QtCore import QTimer

    event = Event("progressed")
    QTimer.singleShot(0, lambda: event.emit(42))
    with qtbot.waitSignal(event, timeout=2000) as blocker:
        pass
    assert blocker.args == [42] and len(event) == 0
