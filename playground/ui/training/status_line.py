"""The Training tab's status line: what training is doing, or how the last run ended.

When not training it shows the last news (``set_idle``), with what Continue would train,
unless Start is refused: then the reason (``show_idle``), until it goes away.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

INFO_COLOR = "#444"
ERROR_COLOR = "#b3261e"


class StatusLine(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("statusLabel")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setToolTip("What training is doing, and how the last run ended")
        self._color = None
        self._idle: tuple[str, str] = ("", INFO_COLOR)  # shown when not training
        self._shown_problem: str | None = None  # the "Cannot start" reason on show
        self._shown_note = ""  # "Continue will train epochs 2-6." on show

    def set(self, text: str, color: str) -> None:
        self.setText(text)
        if color != self._color:  # a style sheet change re-polishes: only when needed
            self._color = color
            self.setStyleSheet(f"color: {color};")

    def set_idle(self, text: str, color: str, note: str) -> None:
        """The news to show when not training (and Start is possible): shown now, and
        shown again when a "Cannot start" problem goes away; with ``note`` (what Continue
        trains)."""
        self._idle = (text, color)
        self._shown_note = note
        self.set("\n".join(t for t in (text, note) if t), color)

    def show_idle(self, problem: str | None, note: str) -> None:
        """When idle: the reason Start is refused (when it changes), else the last news."""
        if (problem, note) == (self._shown_problem, self._shown_note):
            return
        self._shown_problem = problem
        if problem:
            self._shown_note = note
            self.set(problem, ERROR_COLOR)
        else:
            self.set_idle(*self._idle, note)

    def forget_problem(self) -> None:
        """Show the problem again (if any) over the news just set."""
        self._shown_problem = None
