"""How the builder shows hints: a banner under the error banner, and a mark on a card.

Hints are advice (what is allowed but unwise, from :mod:`playground.state.hints`),
not errors: they are drawn in a calm blue, never in the error banner's red, and
never disable Start.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ...state import speed
from ...state.hints import EVAL_IMAGES, TRAIN_IMAGES, hints, may_be_slow
from .. import theme

MAX_SHOWN = 3  #: hints written out in the banner; the rest are counted
MARK = "Hint:"  #: in front of each hint (words: every font has them)


def hint_color(widget: QWidget) -> str:
    """The hints' text colour under ``widget``'s colour scheme."""
    return theme.pick(theme.HINT_BANNER.text, widget)


def _hint_html(hint) -> str:
    where = f"Layer {hint.layer + 1}: " if hint.layer is not None else ""
    return (f"<b>{MARK} {html.escape(where + hint.text)}.</b> {html.escape(hint.why)} "
            f"<i>{html.escape(hint.fix)}</i>")


class HintBanner(QLabel):
    """Every hint for the network and its settings, or hidden when there is none."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("hintBanner")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.hints: list = []
        back, text, border = (theme.pick(c, self) for c in theme.HINT_BANNER)
        # margins, not stylesheet padding: with padding, a wrapped label asks for more
        # height than its text takes
        self.setContentsMargins(7, 4, 7, 4)
        self.setStyleSheet(
            f"QLabel#hintBanner {{ background: {back}; color: {text};"
            f" border: 1px solid {border}; border-radius: 4px; }}")
        self.hide()

    def set_hints(self, hints: list) -> None:
        self.hints = list(hints)
        shown = [_hint_html(h) for h in self.hints[:MAX_SHOWN]]
        more = len(self.hints) - MAX_SHOWN
        if more > 0:
            shown.append(f"<i>+{more} more hint{'s' if more > 1 else ''}: hover here, "
                         "or see the marked layers</i>")
        self.setText("<br>".join(shown))
        self.setToolTip("\n\n".join(h.sentence() for h in self.hints) + (
            "\n\nHints are advice: the network can be trained as it is." if hints else ""))
        self.setVisible(bool(self.hints))


def card_hint_label(card: QWidget) -> QLabel:
    """The hint mark of a layer card: hidden until the card has a hint."""
    label = QLabel()
    label.setObjectName("layerHint")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(f"color: {hint_color(card)};")
    label.setContentsMargins(20, 1, 6, 0)
    label.hide()
    return label


def show_card_hints(label: QLabel, hints: list) -> None:
    """Show ``hints`` (all about one layer) on its card's mark; the tooltip says why."""
    label.setText("\n".join(f"{MARK} {h.text}" for h in hints))
    label.setToolTip("\n\n".join(f"{h.why} {h.fix}" for h in hints))
    label.setVisible(bool(hints))


def session_hints(session) -> list:
    """The hints for the session's layers and training settings. The epoch-time estimate
    is worked out only before training, and measures this machine's speed (once per
    batch size and optimizer) only for a network that could take over a minute."""
    spec, hyper = session.spec, session.hyper
    try:
        data = session.data
        train, evals = len(data.train_x), len(data.val_x) + len(data.test_x)
    except Exception:  # noqa: BLE001 - no dataset (the window says so): MNIST's sizes
        train, evals = TRAIN_IMAGES, EVAL_IMAGES
    rate = None
    if not session.busy and may_be_slow(spec, train, evals):
        try:
            rate = speed.madds_per_second(int(hyper["batch_size"]), str(hyper["optimizer"]))
        except Exception:  # noqa: BLE001 - advice only: without a speed, no estimate
            rate = None
    return hints(spec, hyper, madds_per_second=rate, train_images=train, eval_images=evals)
