"""Every colour the window uses, named by what it means, and the styles keyed on states.

A :class:`Colour` is its light-theme value (a ``"#rrggbb"`` string, so it can be used
wherever a colour string is) with a dark-theme variant beside it; :func:`pick` chooses
between them by a widget's palette, and an f-string by the application's: dark when the
window colour is dark, so dark mode follows the system palette. This is the only module
that spells colours out.

Text whose look depends on a state (an error, a hint, a success) is styled by one
stylesheet (:func:`stylesheet`) keyed on the widget's ``state`` property: a change of
state is :func:`set_state`, not a new stylesheet string.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget


class Colour(str):
    """A colour for a light palette (the string itself) and its variant for a dark one."""

    dark: str

    def __new__(cls, light: str, dark: str | None = None):
        self = super().__new__(cls, light)
        self.dark = dark or light
        return self

    @property
    def light(self) -> str:
        return str(self)

    def __format__(self, spec: str) -> str:
        """Formatted (an f-string building a stylesheet or rich text), a colour is the
        variant for the application's palette; ``str()`` and comparisons are the light one."""
        return format(self.dark if is_dark() else str(self), spec)


class Banner(NamedTuple):
    """A tinted box: its background, text and border colours."""
    background: Colour
    text: Colour
    border: Colour


# -- states of text ------------------------------------------------------------------------
ERROR = Colour("#c5221f", "#f28b82")  #: something is wrong, or an answer is wrong
OK = Colour("#1e8e3e", "#81c995")  #: done well, or an answer is right
WARN = Colour("#a15c00", "#fdd663")  #: a caution that does not stop anything
INFO = Colour("#444444", "#c8c8c8")  #: plain status text
DISABLED_TEXT = Colour("#b8bcc0", "#6b7075")  #: text of a switched-off layer
SELECTED = Colour("#2f6fd6", "#8ab4f8")  #: the selected layer's outline, a drop marker

# -- tinted boxes --------------------------------------------------------------------------
HINT_BANNER = Banner(Colour("#eef4fb", "#1c2a3a"), Colour("#1f4e79", "#a9c9ef"),
                     Colour("#c6d9ee", "#35506e"))  #: advice about the network
NOTE_BANNER = Banner(Colour("#fff6db", "#3d3313"), Colour("#7a5a00", "#f3d98b"),
                     Colour("#ecd48a", "#7a6420"))  #: the builder is locked while training
VALID_BANNER = Banner(Colour("#e8f5ec", "#1d3a28"), Colour("#1e6b3a", "#a8e0bb"),
                      Colour("#b7dfc3", "#2f6b45"))  #: the network is valid
INVALID_BANNER = Banner(Colour("#fdecec", "#472323"), Colour("#a50e0e", "#ffb4ab"),
                        Colour("#f3b8b4", "#8c3b35"))  #: the network cannot train

# -- layer cards and the diagram -----------------------------------------------------------
CARD_ERROR_BACKGROUND = Colour("#fff5f5", "#3a2222")
CARD_ERROR_SELECTED_BACKGROUND = Colour("#fdecec", "#4a2626")
CARD_SELECTED_BACKGROUND = Colour("#edf3fd", "#1f3350")
CARD_DISABLED_BORDER = Colour("#d5d8dc", "#4a4d52")
CARD_DISABLED_ACCENT = Colour("#c4c8cc", "#5b6068")
DIAGRAM_LINE = Colour("#d0d5db", "#4a4d52")  #: the line joining the blocks
DISABLED_BLOCK = Colour("#b0b4b8", "#5b6068")  #: a switched-off layer's block
DISABLED_EDGE = Colour("#9aa0a6")  #: its dashed outline
ICON = Colour("#4b5563", "#d1d5db")  #: the undo/redo arrows
ICON_DISABLED = Colour("#c0c4c8", "#5b6068")
REMOVE_ICON = Colour("#6b7280", "#9aa0a6")  #: a card's remove cross ...
REMOVE_ICON_HOVER = ERROR  #: ... under the mouse
REMOVE_ICON_DISABLED = CARD_DISABLED_ACCENT

#: Each kind of layer has its colour (its card's stripe, its block in the diagram).
LAYER = {
    "Input": Colour("#5f6b7a"),
    "Flatten": Colour("#6b7a8f"),
    "Dense": Colour("#2f6fd6"),
    "Sigmoid": Colour("#e0871b"),
    "ReLU": Colour("#23985a"),
    "Tanh": Colour("#8a55cf"),
    "Softmax": Colour("#d2436a"),
    "Dropout": Colour("#0e8a96"),
    "Conv2D": Colour("#a0522d"),
    "MaxPool2D": Colour("#8a7a14"),
    "AvgPool2D": Colour("#9c7f4a"),
}
UNKNOWN_LAYER = Colour("#9aa0a6")

# -- plots (drawn on white in both themes, like a printed chart) ---------------------------
PLOT_BACKGROUND = Colour("#ffffff")
PLOT_AXIS = Colour("#777777")
PLOT_TEXT = Colour("#333333")
TRAINING_CURVE = Colour("#1f77b4")
VALIDATION_CURVE = Colour("#ff7f0e")
TEST_CURVE = Colour("#2ca02c")
#: the same two during an epoch (training: the running mean over changing weights)
LIVE_TRAINING_CURVE = Colour("#a9cbe8")
LIVE_VALIDATION_CURVE = Colour("#ffc89a")
#: ``#aarrggbb``: the band between training and validation at each epoch's end ...
GAP_FILL = Colour("#3a8c6bb1")
OVERFIT_FILL = Colour("#50d62728")  #: ... where the network overfits
STALE_FILL = Colour("#40bebebe")  #: ... measured before the network last changed
STALE = Colour("#bebebe")  #: figures measured before the network last changed
ROBUSTNESS_NOW = TEST_CURVE  #: test accuracy against a perturbation: the network now
ROBUSTNESS_BEFORE = Colour("#9a9a9a")  #: ... the network before (a dashed reference)
PLOT_HINT = Colour("#a0a0a0")  #: "Press Start to train" inside an empty plot
ANSWER_BAR = Colour("#e8710a")  #: the network's answer among the ten output bars
OUTPUT_BAR = Colour("#4f7cc4")  #: the other nine
UNTRAINED_ANSWER_BAR = Colour("#8a8a8a")  #: the same for an untrained network: grey
UNTRAINED_OUTPUT_BAR = Colour("#c4c4c4")
ACTIVATION_BAR = Colour("#99aabb")  #: an output in "Inside the network"
ACTIVATION_ANSWER_BAR = Colour("#2e7d32")
WEIGHTS_GAP = Colour("#8c8c8c")  #: grey gaps between white-centred weight tiles
NEGATIVE = Colour("#2151db")  #: the legend of the blue - white - red colour map
ZERO = Colour("#888888")
POSITIVE = Colour("#c00206")

CELL = Colour("#ffffff")  #: a table cell with nothing to show (the blends start from it)
INK_ON_LIGHT = Colour("#000000")  #: text on a light cell
INK_ON_DARK = Colour("#ffffff")  #: text on a dark cell
CONFUSION_RIGHT = Colour("#2e7d32")  #: the confusion matrix's diagonal (blended from white)
CONFUSION_WRONG = Colour("#c62828")  #: its mistakes
#: the chosen cell: a translucent frame over its colour (``#aarrggbb``, as QColor reads it)
CONFUSION_CHOSEN = Colour("#6e1a237e")
LR_MARKER = Colour("#808080")  #: where the learning rate changed, in the plots
SETTING_MARKER = Colour("#783ca0")  #: where the loss or optimizer changed
NETWORK_MARKER = Colour("#b3261e")  #: where the network changed

# -- the drawing canvas (dark in both themes: white ink on black, as MNIST digits are) ----
CANVAS = Colour("#16181e")
CANVAS_GRID = Colour("#1affffff")  #: ``#aarrggbb``: faint white
CANVAS_HINT = Colour("#6effffff")  #: "Draw a digit here"
INPUT_PIXELS = Colour("#5affffff")  #: the grid on the diagram's input block
NETWORK_INPUT = Colour("#000000")  #: behind a 28 x 28 input picture: its zero level

#: The values of a label's ``state`` property and the colour each one selects.
STATES = {"error": ERROR, "ok": OK, "warn": WARN, "info": INFO}
HINT = "hint"  #: the muted state: half-way between the text and the background


def is_dark(widget: QWidget | None = None) -> bool:
    """True when the window colour of ``widget``'s palette (or the application's) is dark."""
    palette = widget.palette() if widget is not None else QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def pick(colour: Colour, widget: QWidget | None = None) -> str:
    """The variant of ``colour`` for ``widget``'s palette (or the application's)."""
    return colour.dark if is_dark(widget) else colour.light


def muted(palette: QPalette) -> str:
    """Half-way between text and background: muted in light and dark themes."""
    a = palette.color(QPalette.ColorRole.WindowText)
    b = palette.color(QPalette.ColorRole.Window)
    return QColor((a.red() + b.red()) // 2, (a.green() + b.green()) // 2,
                  (a.blue() + b.blue()) // 2).name()


def stylesheet(palette: QPalette | None = None) -> str:
    """The window's stylesheet: the colour of each ``state`` of a label."""
    palette = palette if palette is not None else QGuiApplication.palette()
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    rules = [f'QLabel[state="{name}"] {{ color: {colour.dark if dark else colour.light}; }}'
             for name, colour in STATES.items()]
    rules.append(f'QLabel[state="{HINT}"] {{ color: {muted(palette)}; }}')
    return "\n".join(rules)


def set_state(widget: QWidget, state: str) -> None:
    """Give ``widget`` the look of ``state`` ("" for none): only a change re-polishes."""
    if (widget.property("state") or "") == state:
        return
    widget.setProperty("state", state)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def apply(window: QWidget) -> None:
    """Give ``window`` (and everything in it) the state styles for its palette; call it
    again when the palette changes."""
    css = stylesheet(window.palette())
    if window.styleSheet() != css:  # setting it again would re-polish everything
        window.setStyleSheet(css)


def rgb(colour: str) -> tuple[int, int, int]:
    """``colour`` as a (red, green, blue) tuple, as pyqtgraph also takes colours."""
    c = QColor(colour)
    return c.red(), c.green(), c.blue()
