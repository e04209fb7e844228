"""Tie a widget's slot to a plain-Python event for as long as the widget lives.

The session (``playground.state``) notifies through ``Event`` objects, which know nothing
of Qt; a Qt signal would disconnect a deleted widget by itself, an ``Event`` does not.
``listen`` connects and disconnects when the owner is destroyed:

    listen(session.specChanged, self._refresh, self)
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from ..state.events import Event


def listen(event: Event, slot: Callable, owner: QObject) -> None:
    """Call ``slot`` on every ``event`` until ``owner`` is destroyed."""
    event.connect(slot)

    def forget(*_):
        try:
            event.disconnect(slot)
        except RuntimeError:  # already disconnected by hand
            pass

    owner.destroyed.connect(forget)
