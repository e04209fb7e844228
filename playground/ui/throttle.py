"""The one rate limiter of the window: calls a function at most once per interval.

Live views (the insight tabs, the draw panel's prediction) are asked to redraw far more
often than anyone can see: every mouse move, every set of weights training publishes.
A :class:`Throttle` coalesces those requests into at most one call per interval, always
ending with a call after the last request, so what is shown is never out of date.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

#: Live views redraw at most this often while training publishes weights (~5 per second).
LIVE_INTERVAL_MS = 200


class Throttle(QObject):
    """Calls ``fn`` at most once per ``interval_ms``.

    ``leading``: a request after a quiet interval runs at once (otherwise every request
    waits one interval, gathering the ones that follow). Unless ``while_hidden``, a
    request while ``widget`` is hidden only remembers that it is stale, and
    :meth:`shown` catches up when it appears.
    """

    def __init__(self, widget: QWidget, fn, interval_ms: int = LIVE_INTERVAL_MS, *,
                 leading: bool = True, while_hidden: bool = False):
        super().__init__(widget)
        self._widget = widget
        self._fn = fn
        self.interval = interval_ms / 1000.0
        self.leading = leading
        self.while_hidden = while_hidden
        self._last = -1e9
        self.stale = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)

    @property
    def pending(self) -> bool:
        """A call is scheduled."""
        return self._timer.isActive()

    def request(self, now: bool = False) -> None:
        """Something changed: run soon (at once with ``now``), or later if hidden."""
        if not self.while_hidden and not self._widget.isVisible():
            self.stale = True
            self._timer.stop()
            return
        if now:
            self._timer.stop()
            self._fire()
            return
        if self._timer.isActive():
            return
        wait = self.interval - (time.monotonic() - self._last) if self.leading \
            else self.interval
        if wait <= 0:
            self._fire()
        else:
            self._timer.start(max(1, round(wait * 1000)))

    def cancel(self) -> None:
        """Forget a scheduled call (the caller has just done the work itself)."""
        self._timer.stop()
        self.stale = False

    def shown(self) -> None:
        if self.stale:
            self.request(now=True)

    def _fire(self) -> None:
        self.stale = False
        self._last = time.monotonic()
        self._fn()
