"""The Training tab's status line: what training is doing, or how the last run ended.

When not training it shows the last news (``set_idle``), with what Continue would train,
unless Start is refused: then the reason (``show_idle``), until it goes away.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from .. import theme

#: the looks of the line (the theme's label states)
OK, WARN, ERROR, INFO = "ok", "warn", "error", "info"
READY = "Ready to train on "  # the news before anything is trained: "... 50,000 images."


class StatusLine(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("statusLabel")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setToolTip("What training is doing, and how the last run ended")
        self._idle: tuple[str, str] = ("", INFO)  # shown when not training
        self._shown_problem: str | None = None  # the "Cannot start" reason on show
        self._shown_note = ""  # "Continue will train epochs 2-6." on show

    def set(self, text: str, state: str) -> None:
        """Show ``text`` with the look of ``state`` (OK, WARN, ERROR or INFO)."""
        self.setText(text)
        theme.set_state(self, state)

    def set_idle(self, text: str, state: str, note: str) -> None:
        """The news to show when not training (and Start is possible): shown now, and
        shown again when a "Cannot start" problem goes away; with ``note`` (what Continue
        trains)."""
        self._idle = (text, state)
        self._shown_note = note
        self.set("\n".join(t for t in (text, note) if t), state)

    def show_idle(self, problem: str | None, note: str) -> None:
        """When idle: the reason Start is refused (when it changes), else the last news."""
        if (problem, note) == (self._shown_problem, self._shown_note):
            return
        self._shown_problem = problem
        if problem:
            self._shown_note = note
            self.set(problem, ERROR)
        else:
            self.set_idle(*self._idle, note)

    def retell_ready(self, train_size: int | None) -> None:
        """The training-set size changed: if the news is still "Ready to train on N
        images." (nothing trained yet), it tells the new size."""
        text, state = self._idle
        if not text.startswith(READY) or not train_size:
            return
        ready = f"{READY}{train_size:,} images."
        if text != ready:
            self.set_idle(ready, state, self._shown_note)

    def forget_problem(self) -> None:
        """Show the problem again (if any) over the news just set."""
        self._shown_problem = None


def apply_settings(session, message: QLabel, restore, **changes) -> bool:
    """Change training settings through ``session``: on a problem, ``restore()`` puts the
    form back and ``message`` says what was not changed; else ``message`` hides."""
    problems = session.set_hyper(**changes)
    if problems:
        restore()
        message.setText("Not changed: " + "; ".join(problems) + ".")
        message.show()
        return False
    message.hide()
    return True
