"""One way to make the window's actions, and the keys of the shortcuts they share.

Every key sequence is bound once: two actions (or one action listing the same keys
twice, as ``QKeySequence.StandardKey.Redo`` does on desktops where it already means
Ctrl+Shift+Z) make Qt refuse the key with "Ambiguous shortcut overload".
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

#: Undo and redo, the same on every platform (the README names them).
UNDO_KEYS = ("Ctrl+Z",)
REDO_KEYS = ("Ctrl+Shift+Z", "Ctrl+Y")


def key_sequences(*keys) -> list[QKeySequence]:
    """``keys`` (strings, QKeySequence or StandardKey) as key sequences, each one once,
    in order; a StandardKey brings all of the platform's bindings for it."""
    seen: list[QKeySequence] = []
    for key in keys:
        if key is None:
            continue
        if isinstance(key, QKeySequence.StandardKey):
            candidates = QKeySequence.keyBindings(key)
        else:
            candidates = [QKeySequence(key)]
        for sequence in candidates:
            if not sequence.isEmpty() and sequence not in seen:
                seen.append(sequence)
    return seen


def create_action(parent, text: str, slot=None, shortcut=None, tip: str | None = None,
                  menu=None, name: str | None = None, *, context=None,
                  tip_keys: bool = False) -> QAction:
    """An action owned by ``parent``: ``shortcut`` is one key or a list of keys (bound
    once each), ``tip`` its status and tool tip (the tool tip ending with the first key
    if ``tip_keys``); added to ``menu`` if given. ``context``: the shortcut's
    ``Qt.ShortcutContext``; the action is then added to ``parent`` (a widget), whose
    focus decides when its keys work."""
    action = QAction(text, parent)
    keys = shortcut if isinstance(shortcut, (list, tuple)) else (shortcut,)
    sequences = key_sequences(*keys)
    if sequences:
        action.setShortcuts(sequences)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({sequences[0].toString()})" if tip_keys and sequences
                          else tip)
    if context is not None:
        action.setShortcutContext(context)
        parent.addAction(action)
    if name:
        action.setObjectName(name)
    if slot is not None:
        action.triggered.connect(slot)
    if menu is not None:
        menu.addAction(action)
    return action


def set_keys(action: QAction, *keys) -> QAction:
    """Give an existing action (e.g. the undo stack's) its shortcuts, each bound once."""
    action.setShortcuts(key_sequences(*keys))
    return action
