"""The window's one rate limiter: at most one call per interval, always a last call after
the last request, nothing while hidden (unless asked), catching up when shown."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from playground.ui.throttle import Throttle


@pytest.fixture
def widget(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_requests_are_coalesced_and_the_last_one_is_served(qtbot, widget):
    calls = []
    t = Throttle(widget, lambda: calls.append(1), 10_000)
    t.request()  # a quiet interval before it: runs at once
    assert calls == [1] and not t.pending
    for _ in range(50):
        t.request()  # within the interval: one call, later
    assert calls == [1] and t.pending
    t.interval = 0.02  # (a short interval from here on, to wait for the timer)
    t._timer.setInterval(20)
    t._timer.start()
    qtbot.waitUntil(lambda: len(calls) == 2)
    assert not t.pending


def test_trailing_only_waits_one_interval(qtbot, widget):
    calls = []
    t = Throttle(widget, lambda: calls.append(1), 20, leading=False)
    t.request()
    t.request()
    assert calls == [] and t.pending  # not at once, even after a quiet interval
    qtbot.waitUntil(lambda: calls == [1])
    assert not t.pending


def test_now_runs_at_once_and_cancel_forgets(qtbot, widget):
    calls = []
    t = Throttle(widget, lambda: calls.append(1), 10_000, leading=False)
    t.request()
    assert t.pending
    t.cancel()
    assert not t.pending and calls == []
    t.request(now=True)
    assert calls == [1] and not t.pending


def test_hidden_only_marks_stale_and_shown_catches_up(qtbot):
    w = QWidget()
    qtbot.addWidget(w)  # never shown
    calls = []
    t = Throttle(w, lambda: calls.append(1))
    t.request()
    assert calls == [] and t.stale and not t.pending
    w.show()
    t.shown()
    assert calls == [1] and not t.stale
    t.shown()  # nothing new: no second call
    assert calls == [1]


def test_while_hidden_runs_anyway(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    calls = []
    t = Throttle(w, lambda: calls.append(1), 20, leading=False, while_hidden=True)
    t.request()
    qtbot.waitUntil(lambda: calls == [1])
    assert not t.stale
