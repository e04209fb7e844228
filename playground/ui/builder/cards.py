"""The builder's pieces: palette buttons and layer cards (the stack view is in stack_view).

Only widgets here: shapes, parameter counts and problems come from the engine's
``check_spec`` report, which the session keeps up to date; hints (what is unwise)
come from :mod:`playground.state.hints`. The pictures are drawn in :mod:`.glyphs`.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QByteArray, QMimeData, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import (
    QApplication,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
)

from ...nn import LAYER_TYPES, format_shape
from ...nn.layers import MAX_DROPOUT, MAX_UNITS
from ...state.hints import (
    ACTIVATIONS,  # noqa: F401 - the builder's diagram reads it here
    HIDDEN_RATE,
    MAX_INPUT_RATE,
)
from .. import theme
from .glyphs import (
    LAYER_COLORS,
    UNKNOWN_COLOR,
    close_icon,
    layer_icon,
)
from .hint_views import card_hint_label, show_card_hints
from .layer_help import LAYER_HELP

#: Layers the engine has whose cards (filters, kernel size, stride, padding, pool size)
#: the builder does not have yet: a spec with them opens and trains, but the palette does
#: not offer them (a bare Conv2D card could not be set up).
WITHOUT_CARDS = ("Conv2D", "MaxPool2D", "AvgPool2D")
#: every layer the engine has that the builder can set up, in the engine's order
PALETTE_TYPES = tuple(k for k in LAYER_TYPES if k not in WITHOUT_CARDS)
#: The palette's rows, each filling the width: the layers, then the activations two by two
#: (the classic squashing pair, then ReLU and the output's Softmax). A type the engine has
#: but no row names goes in rows of three after them.
PALETTE_ROWS = (("Flatten", "Dense", "Dropout"), ("Sigmoid", "Tanh"), ("ReLU", "Softmax"))


def palette_rows() -> list[tuple[str, ...]]:
    """The palette's rows of layer types: every type the engine has, once."""
    rows = [tuple(k for k in row if k in PALETTE_TYPES) for row in PALETTE_ROWS]
    placed = {k for row in rows for k in row}
    rest = [k for k in PALETTE_TYPES if k not in placed]
    rows += [tuple(rest[i:i + 3]) for i in range(0, len(rest), 3)]
    return [row for row in rows if row]
RATE_STEP = 0.05  #: the arrows of a Dropout card's rate box

ERROR_COLOR = theme.ERROR
SELECT_COLOR = theme.SELECTED

# A short role under the type name of layers without settings.
ROLES = {
    "Flatten": "reshape",
    "Sigmoid": "activation",
    "ReLU": "activation",
    "Tanh": "activation",
    "Softmax": "probabilities",
}

MIME_TYPE = "application/x-nn-playground-layer-type"
MIME_INDEX = "application/x-nn-playground-layer-index"


def drag_begins(press: QPoint | None, event) -> bool:
    """The left button, pressed at ``press``, has moved far enough to start a drag."""
    return (press is not None and bool(event.buttons() & Qt.MouseButton.LeftButton)
            and (event.position().toPoint() - press).manhattanLength()
            >= QApplication.startDragDistance())


# -- palette -----------------------------------------------------------------------------
class PaletteButton(QToolButton):
    """One layer type: click to add it, or drag it into the stack."""

    def __init__(self, kind: str, parent=None):
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"palette_{kind}")
        self.setText(kind)
        self.setIcon(layer_icon(kind, 18))
        self.setIconSize(QSize(18, 18))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        extra = ""
        if kind == "Dense":
            extra = ("<br>New Dense layers get 64 units (10 when added as the output layer); "
                     "change it on the card.")
        elif kind == "Dropout":
            extra = (f"<br>New Dropout layers get a rate of {HIDDEN_RATE:g} ({MAX_INPUT_RATE:g} "
                     "on the pixels); change it on the card.")
        self.setToolTip(f"<b>{kind}</b>: {LAYER_HELP.get(kind, '')}{extra}"
                        "<br><i>Click to add it after the selected layer, "
                        "or drag it into the stack.</i>")
        self._press: QPoint | None = None

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if drag_begins(self._press, event):
            self._press = None
            self.setDown(False)
            mime = QMimeData()
            mime.setData(MIME_TYPE, QByteArray(self.kind.encode()))
            drag = QDrag(self)
            drag.setMimeData(mime)
            drag.setPixmap(self.icon().pixmap(QSize(24, 24)))
            drag.exec(Qt.DropAction.CopyAction)
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        self._press = None
        super().mouseReleaseEvent(event)


# -- cards ----------------------------------------------------------------------------------
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


class UnitsSpinBox(_CardSpin, QSpinBox):
    """The units of a Dense layer."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._setup()
        self.setRange(1, MAX_UNITS)
        self.setGroupSeparatorShown(True)
        self.setToolTip(f"Units (neurons) of this Dense layer, 1 to {MAX_UNITS:,}.\n"
                        "Type a number and press Enter, or use the arrows.")


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


def muted(label: QLabel) -> QLabel:
    label.setStyleSheet("QLabel { color: palette(placeholder-text); }"
                        f"QLabel:disabled {{ color: {theme.pick(theme.DISABLED_TEXT, label)}; }}")
    return label


class _CardBase(QFrame):
    def _apply_style(self, accent: str, border: str, background: str, width: int = 1):
        self.setStyleSheet(
            f"QFrame#{self.objectName()} {{ background: {background};"
            f" border: {width}px solid {border}; border-left: 4px solid {accent};"
            f" border-radius: 5px; }}"
            f"QFrame#{self.objectName()}:disabled {{ background: palette(window);"
            f" border: 1px solid {theme.pick(theme.CARD_DISABLED_BORDER, self)};"
            f" border-left: 4px solid {theme.pick(theme.CARD_DISABLED_ACCENT, self)}; }}")


class InputCard(_CardBase):
    """The header of the stack: what goes into the network."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("inputCard")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 5, 8, 5)
        row.setSpacing(6)
        icon = QLabel()
        icon.setPixmap(layer_icon("Input", 18).pixmap(18, 18))
        self.title_label = QLabel("<b>Input</b>")
        self.shape_label = QLabel("28 x 28")
        self.shape_label.setObjectName("inputShape")
        self.size_label = muted(QLabel("784 pixels"))
        row.addWidget(icon)
        row.addWidget(self.title_label)
        row.addWidget(self.shape_label)
        row.addStretch(1)
        row.addWidget(self.size_label)
        self.setToolTip("The input: a 28 x 28 grey-scale image of a handwritten digit.")
        self._apply_style(LAYER_COLORS["Input"], "palette(mid)", "palette(alternate-base)")

    def set_shape(self, shape) -> None:
        self.shape_label.setText(format_shape(shape))
        if shape is None:
            self.size_label.setText("")
        elif tuple(shape) == (28, 28):
            self.size_label.setText("784 pixels")
        else:
            self.size_label.setText(f"{math.prod(shape):,} values")


class LayerCard(_CardBase):
    """One layer: type, settings, output shape, parameter count, problem, remove button.

    Attributes for tests and automation: ``index``, ``kind``, ``type_label``,
    ``units_spin`` (Dense only, else None), ``rate_spin`` (Dropout only, else None), ``spins``
    (those of the two it has), ``shape_label`` (e.g. "784"), ``params_label``, ``error_label``,
    ``remove_button``, ``output_shape``, ``params``, ``error``, ``selected``, ``hint_label``
    and ``hints`` (advice about this layer, from playground.state.hints).
    """

    clicked = Signal(int)
    removeClicked = Signal(int)
    unitsEdited = Signal(int, int)
    rateEdited = Signal(int, float)
    dragStarted = Signal(int)

    def __init__(self, index: int, layer: dict, parent=None):
        super().__init__(parent)
        self.setObjectName("layerCard")
        self.index = index
        self.kind = str(layer.get("type", "?"))
        self.selected = False
        self.error: str | None = None
        self.output_shape = None
        self.params = 0
        self._press: QPoint | None = None
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 4, 5)
        outer.setSpacing(1)
        top = QHBoxLayout()
        top.setSpacing(6)
        self.number_label = muted(QLabel(str(index + 1)))
        self.number_label.setMinimumWidth(14)
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.icon_label = QLabel()
        self.icon_label.setPixmap(layer_icon(self.kind, 18).pixmap(18, 18))
        self.type_label = QLabel(self.kind)
        font = self.type_label.font()
        font.setBold(True)
        self.type_label.setFont(font)
        top.addWidget(self.number_label)
        top.addWidget(self.icon_label)
        top.addWidget(self.type_label)
        self.units_spin: UnitsSpinBox | None = None
        self.rate_spin: RateSpinBox | None = None
        self.role_label: QLabel | None = None
        if self.kind == "Dense":
            self.units_spin = UnitsSpinBox()
            self.units_spin.setObjectName("unitsSpin")
            self.units_spin.setMinimumWidth(82)
            self.units_spin.valueChanged.connect(lambda v: self.unitsEdited.emit(self.index, v))
            self.units_spin.installEventFilter(self)
            top.addWidget(self.units_spin)
            top.addWidget(muted(QLabel("units")))
        elif self.kind == "Dropout":
            self.rate_spin = RateSpinBox()
            self.rate_spin.setObjectName("rateSpin")
            self.rate_spin.setMinimumWidth(64)
            self.rate_spin.valueChanged.connect(
                lambda v: self.rateEdited.emit(self.index, round(v, self.rate_spin.decimals())))
            self.rate_spin.installEventFilter(self)
            top.addWidget(self.rate_spin)
            top.addWidget(muted(QLabel("rate")))
        elif self.kind in ROLES:
            self.role_label = muted(QLabel(ROLES[self.kind]))
            top.addWidget(self.role_label)
        top.addStretch(1)
        self.remove_button = QToolButton()
        self.remove_button.setObjectName("removeLayer")
        self.remove_button.setIcon(close_icon())
        self.remove_button.setAutoRaise(True)
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.remove_button.setToolTip("Remove this layer (Delete)")
        self.remove_button.clicked.connect(lambda: self.removeClicked.emit(self.index))
        top.addWidget(self.remove_button)
        outer.addLayout(top)

        bottom = QHBoxLayout()
        bottom.setSpacing(4)
        bottom.setContentsMargins(20, 0, 6, 0)
        self.arrow_label = muted(QLabel("output"))
        self.shape_label = QLabel("?")
        self.shape_label.setObjectName("shapeLabel")
        self.shape_label.setToolTip("The shape of this layer's output")
        self.params_label = muted(QLabel("0 params"))
        self.params_label.setObjectName("paramsLabel")
        self.params_label.setToolTip("Trainable parameters: weights and biases")
        bottom.addWidget(self.arrow_label)
        bottom.addWidget(self.shape_label)
        bottom.addStretch(1)
        bottom.addWidget(self.params_label)
        outer.addLayout(bottom)

        self.error_label = QLabel()
        self.error_label.setObjectName("layerError")
        self.error_label.setWordWrap(True)
        theme.set_state(self.error_label, "error")
        self.error_label.setContentsMargins(20, 1, 6, 0)
        self.error_label.hide()
        outer.addWidget(self.error_label)
        self.hints: list = []  # the playground.state.hints.Hint objects shown
        self.hint_label = card_hint_label(self)
        outer.addWidget(self.hint_label)

        help_text = LAYER_HELP.get(self.kind, "A layer type this version does not know.")
        self.setToolTip(f"<b>Layer {index + 1}: {self.kind}</b><br>{help_text}<br>"
                        "<i>Click to select, drag to reorder, Alt+Up/Alt+Down to move, "
                        "Delete to remove.</i>")
        self.setAccessibleName(f"Layer {index + 1}: {self.kind}")
        self.set_layer(layer)
        self._restyle()

    # -- showing --------------------------------------------------------------------
    def set_layer(self, layer: dict) -> None:
        if self.units_spin is not None:
            units = layer.get("units")
            value = units if isinstance(units, int) and not isinstance(units, bool) else 1
            if self.units_spin.value() != value:
                self.units_spin.blockSignals(True)
                self.units_spin.setValue(value)
                self.units_spin.blockSignals(False)
        if self.rate_spin is not None:
            rate = layer.get("rate", HIDDEN_RATE)
            ok = isinstance(rate, (int, float)) and not isinstance(rate, bool)
            value = float(rate) if ok and math.isfinite(rate) else 0.0
            if round(self.rate_spin.value(), 2) != round(value, 2):
                self.rate_spin.blockSignals(True)
                self.rate_spin.setValue(value)
                self.rate_spin.blockSignals(False)

    def set_info(self, info) -> None:
        """Show a LayerInfo from the engine's report (or None if there is none)."""
        self.output_shape = info.output_shape if info is not None else None
        self.params = info.params if info is not None else 0
        self.shape_label.setText(format_shape(self.output_shape))
        unit = "param" if self.params == 1 else "params"
        self.params_label.setText(f"{self.params:,} {unit}")
        error = info.error if info is not None else None
        self.setAccessibleDescription(
            f"output {format_shape(self.output_shape)}, {self.params:,} parameters"
            + (f"; problem: {error}" if error else ""))
        if error != self.error:
            self.error = error
            self.error_label.setText(error or "")
            self.error_label.setVisible(bool(error))
            self._restyle()

    def set_hints(self, hints: list) -> None:
        """Show the hints about this layer (advice, not errors: see hint_views)."""
        if hints != self.hints:
            self.hints = list(hints)
            show_card_hints(self.hint_label, self.hints)

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self._restyle()

    @property
    def has_error(self) -> bool:
        return bool(self.error)

    def _restyle(self) -> None:
        accent = LAYER_COLORS.get(self.kind, UNKNOWN_COLOR)
        if self.error:
            border, width = theme.pick(ERROR_COLOR, self), 2
            background = theme.pick(theme.CARD_ERROR_SELECTED_BACKGROUND if self.selected
                                    else theme.CARD_ERROR_BACKGROUND, self)
        elif self.selected:
            border, width = theme.pick(SELECT_COLOR, self), 2
            background = theme.pick(theme.CARD_SELECTED_BACKGROUND, self)
        else:
            border, width, background = "palette(mid)", 1, "palette(base)"
        self._apply_style(accent, border, background, width)

    # -- mouse: select and drag ---------------------------------------------------------
    @property
    def spins(self) -> list:
        """The card's number boxes (the units of a Dense layer, the rate of a Dropout)."""
        return [s for s in (self.units_spin, self.rate_spin) if s is not None]

    def eventFilter(self, obj, event):
        if obj in self.spins and event.type() == event.Type.FocusIn:
            self.clicked.emit(self.index)
        return False

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self.clicked.emit(self.index)
        event.accept()  # not passed on: the stack would take it as a click on empty space

    def mouseMoveEvent(self, event):
        if drag_begins(self._press, event):
            self._press = None
            self.dragStarted.emit(self.index)
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        self._press = None
        super().mouseReleaseEvent(event)
