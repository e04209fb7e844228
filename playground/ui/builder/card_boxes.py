"""The setting boxes of the layer cards: a Dense layer's units, a Dropout's rate, a Conv2D's
filters, kernel size, stride and padding, a pool's size.

Each box applies a typed number on Enter or when the focus leaves it (not at every key),
takes the mouse wheel only while it has the focus (otherwise the wheel scrolls the stack),
and is described by one :class:`Setting`: its key in the layer's spec, its object name and
the word written after it on the card. :data:`CARD_SETTINGS` says which boxes each layer
type's card has, on which of its rows.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox

from ...nn.conv import DEFAULT_POOL, MAX_FILTERS, PADDINGS
from ...nn.layers import MAX_DROPOUT, MAX_UNITS
from ...nn.spec import INPUT_SHAPE
from ...state.hints import HIDDEN_RATE, MAX_INPUT_RATE

RATE_STEP = 0.05  #: the arrows of a Dropout card's rate box
#: the largest kernel, stride and pool the boxes offer: the side of the digits (a larger
#: one from a file is shown as this, and its card says what is wrong with it)
MAX_SIDE = max(INPUT_SHAPE)


class _CardSpin:
    """A card's number box: typing applies on Enter or when leaving the box, and the wheel
    scrolls the stack unless the box has the focus."""

    def _setup(self) -> None:
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def wheelEvent(self, event):
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()

    def show_value(self, value) -> None:
        """Show ``value`` (from the spec) without reporting it as an edit."""
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(
                value):
            value = self.minimum()
        if round(self.value(), 4) != round(value, 4):
            self.blockSignals(True)
            self.setValue(value)
            self.blockSignals(False)

    def edited_value(self, value):
        return value


class _WholeSpin(_CardSpin, QSpinBox):
    def __init__(self, low: int, high: int, tip: str, name: str, parent=None):
        super().__init__(parent)
        self._setup()
        self.setRange(low, high)
        self.setAccessibleName(name)
        self.setToolTip(tip + "\nType a number and press Enter, or use the arrows.")


class UnitsSpinBox(_WholeSpin):
    """The units of a Dense layer."""

    def __init__(self, parent=None):
        super().__init__(1, MAX_UNITS, f"Units (neurons) of this Dense layer, 1 to "
                         f"{MAX_UNITS:,}.", "Units", parent)
        self.setGroupSeparatorShown(True)


class RateSpinBox(_CardSpin, QDoubleSpinBox):
    """The rate of a Dropout layer: the share of its inputs set to 0 at each training step."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._setup()
        self.setDecimals(2)
        self.setRange(0.0, MAX_DROPOUT)
        self.setSingleStep(RATE_STEP)
        self.setAccelerated(False)  # 19 steps: no need to speed up
        self.setAccessibleName("Dropout rate")
        self.setToolTip(f"Dropout rate, 0 to {MAX_DROPOUT:g}: the share of this layer's inputs "
                        "set to 0 at each training step (none when predicting).\n"
                        f"Typical: {HIDDEN_RATE:g} after a hidden layer, at most "
                        f"{MAX_INPUT_RATE:g} on the pixels. Type a number and press Enter, "
                        "or use the arrows.")

    def edited_value(self, value):
        return round(value, self.decimals())


class FiltersSpinBox(_WholeSpin):
    def __init__(self, parent=None):
        super().__init__(1, MAX_FILTERS, f"Filters of this Conv2D layer, 1 to {MAX_FILTERS:,}: "
                         "each one finds a pattern and gives one feature map (channel).",
                         "Filters", parent)


class _SquareSpin(_WholeSpin):
    """A square's side, shown as the square: "5 x 5". Typing "5" (or "5 x 5") sets 5."""

    _TYPED = re.compile(r"\s*(\d*)\s*(?:[x\u00d7*]\s*\d*)?\s*")

    def textFromValue(self, value: int) -> str:  # noqa: N802 - Qt API
        return f"{value} x {value}"

    def valueFromText(self, text: str) -> int:  # noqa: N802 - Qt API
        match = self._TYPED.fullmatch(text)
        return int(match.group(1)) if match and match.group(1) else self.value()

    def validate(self, text: str, pos: int):
        match = self._TYPED.fullmatch(text)
        if not match:
            return QValidator.State.Invalid, text, pos
        digits = match.group(1)
        if not digits:
            return QValidator.State.Intermediate, text, pos
        if self.minimum() <= int(digits) <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return (QValidator.State.Intermediate if int(digits) < self.minimum()
                else QValidator.State.Invalid), text, pos


class KernelSpinBox(_SquareSpin):
    def __init__(self, parent=None):
        super().__init__(1, MAX_SIDE, "Kernel size: each filter looks at a square of this "
                         "many pixels a side (3 x 3 is common; LeNet uses 5 x 5).",
                         "Kernel size", parent)
        self.setAccelerated(False)


class StrideSpinBox(_WholeSpin):
    def __init__(self, parent=None):
        super().__init__(1, MAX_SIDE, "Stride: how many pixels the kernel moves between two "
                         "outputs. 1 looks everywhere; 2 halves the height and width.",
                         "Stride", parent)
        self.setAccelerated(False)


class PoolSpinBox(_SquareSpin):
    def __init__(self, parent=None):
        super().__init__(1, MAX_SIDE, f"Pool size: each output sums up a square of this many "
                         f"pixels a side, and the maps shrink as many times each way "
                         f"({DEFAULT_POOL} halves them).", "Pool size", parent)
        self.setAccelerated(False)


class PaddingComboBox(QComboBox):
    """A Conv2D's padding: 'valid' (the kernel stays inside the image, which shrinks by
    the kernel size - 1) or 'same' (zeros around it: the maps keep their size)."""

    TIPS = {"valid": "The kernel stays inside the image: the maps shrink by the kernel "
                     "size - 1 (28 x 28 with 5 x 5: 24 x 24).",
            "same": "Zeros around the image: the maps keep their size (at stride 1)."}

    def __init__(self, parent=None):
        super().__init__(parent)
        for i, padding in enumerate(PADDINGS):
            self.addItem(padding)
            self.setItemData(i, self.TIPS.get(padding, ""), Qt.ItemDataRole.ToolTipRole)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Padding")
        self.setToolTip("Padding: 'valid' keeps the kernel inside the image (the maps shrink); "
                        "'same' adds zeros around it (the maps keep their size).")

    def wheelEvent(self, event):
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()

    def show_value(self, value) -> None:
        index = self.findText(value) if isinstance(value, str) else -1
        if index != self.currentIndex():
            self.blockSignals(True)
            self.setCurrentIndex(index)  # -1 (empty) for a padding the engine does not know
            self.blockSignals(False)


class Setting(NamedTuple):
    """One box on a card."""
    key: str  #: the setting in the layer's spec
    name: str  #: the box's object name
    box: type  #: its class
    word: str  #: written after it ("" for none)
    default: object  #: shown when the spec has none (None: it must have one)
    width: int  #: its minimum width in pixels
    before: str = ""  #: written before it


UNITS = Setting("units", "unitsSpin", UnitsSpinBox, "units", None, 82)
RATE = Setting("rate", "rateSpin", RateSpinBox, "rate", HIDDEN_RATE, 64)
FILTERS = Setting("filters", "filtersSpin", FiltersSpinBox, "filters", None, 52)
KERNEL = Setting("size", "kernelSpin", KernelSpinBox, "", None, 60)
STRIDE = Setting("stride", "strideSpin", StrideSpinBox, "", 1, 40, "stride")
PADDING = Setting("padding", "paddingCombo", PaddingComboBox, "", PADDINGS[0], 56)
POOL = Setting("size", "poolSpin", PoolSpinBox, "", DEFAULT_POOL, 60)

#: the boxes of each layer type's card: on its title row, then on a row of their own
CARD_SETTINGS: dict[str, tuple[tuple[Setting, ...], tuple[Setting, ...]]] = {
    "Dense": ((UNITS,), ()),
    "Dropout": ((RATE,), ()),
    "Conv2D": ((FILTERS,), (KERNEL, STRIDE, PADDING)),
    "MaxPool2D": ((POOL,), ()),
    "AvgPool2D": ((POOL,), ()),
}


def setting_default(kind: str, key: str):
    """What the engine uses for setting ``key`` of a ``kind`` layer whose spec has none
    (None when it must have one)."""
    first, second = CARD_SETTINGS.get(kind, ((), ()))
    return next((s.default for s in (*first, *second) if s.key == key), None)
