"""Change notifications in plain Python: what a Qt signal does, without Qt.

    changed = Event("changed")
    changed.connect(callback)   # callback(*args) on every emit, in connection order
    changed.emit(3)
    changed.disconnect(callback)

The Qt side connects widgets' slots to these like signals (``playground.ui`` ties each
connection to its widget's lifetime). Emitting runs the callbacks on the calling thread:
the session is only ever changed from the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable


class Event:
    """A named list of callbacks, called in order by ``emit``."""

    __slots__ = ("name", "_callbacks")

    def __init__(self, name: str):
        self.name = name
        self._callbacks: list[Callable] = []

    def connect(self, callback: Callable) -> None:
        self._callbacks.append(callback)

    def disconnect(self, callback: Callable) -> None:
        """Remove one connection of ``callback``; RuntimeError if it is not connected
        (as a Qt signal raises)."""
        try:
            self._callbacks.remove(callback)
        except ValueError:
            raise RuntimeError(f"{callback!r} is not connected to {self.name}") from None

    def emit(self, *args) -> None:
        for callback in list(self._callbacks):  # a callback may disconnect itself
            callback(*args)

    def __len__(self) -> int:
        return len(self._callbacks)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self._callbacks)} connected)"
