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
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
)

from ...nn import LAYER_TYPES, format_shape
from ...state.hints import ACTIVATIONS  # noqa: F401 - the builder's diagram reads it here
from .. import theme
from .card_boxes import CARD_SETTINGS, RATE_STEP  # noqa: F401 - tests read RATE_STEP here
from .glyphs import (
    LAYER_COLORS,
    UNKNOWN_COLOR,
    close_icon,
    layer_icon,
)
from .hint_views import card_hint_label, show_card_hints
from .layer_help import LAYER_HELP
from .new_layers import NOTES

#: Layers the engine has that the builder has no card for (a spec with them still opens
#: and trains, but the palette does not offer them): none.
WITHOUT_CARDS: tuple[str, ...] = ()
#: every layer the engine has that the builder can set up, in the engine's order
PALETTE_TYPES = tuple(k for k in LAYER_TYPES if k not in WITHOUT_CARDS)
#: The palette's rows, each filling the width: the layers, then the activations two by two
#: (the classic squashing pair, then ReLU and the output's Softmax). A type the engine has
#: but no row names goes in rows of three after them.
PALETTE_ROWS = (("Flatten", "Dense", "Dropout"), ("Conv2D", "MaxPool2D", "AvgPool2D"),
                ("Sigmoid", "Tanh"), ("ReLU", "Softmax"))


#: Shorter names on the palette's buttons (without "2D"): three full names would not fit
#: the column's narrowest width. The tooltip and the cards give the full name.
PALETTE_LABELS = {"Conv2D": "Conv", "MaxPool2D": "MaxPool", "AvgPool2D": "AvgPool"}


def palette_rows() -> list[tuple[str, ...]]:
    """The palette's rows of layer types: every type the engine has, once."""
    rows = [tuple(k for k in row if k in PALETTE_TYPES) for row in PALETTE_ROWS]
    placed = {k for row in rows for k in row}
    rest = [k for k in PALETTE_TYPES if k not in placed]
    rows += [tuple(rest[i:i + 3]) for i in range(0, len(rest), 3)]
    return [row for row in rows if row]


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
        self.setText(PALETTE_LABELS.get(kind, kind))
        self.setAccessibleName(kind)
        self.setIcon(layer_icon(kind, 18))
        self.setIconSize(QSize(18, 18))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        extra = f"<br>{NOTES[kind]}" if kind in NOTES else ""
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

    Attributes for tests and automation: ``index``, ``kind``, ``type_label``, the setting
    boxes (None on a card without that setting): ``units_spin`` (Dense), ``rate_spin``
    (Dropout), ``filters_spin``, ``kernel_spin``, ``stride_spin``, ``padding_combo``
    (Conv2D), ``pool_spin`` (MaxPool2D, AvgPool2D); ``boxes`` (setting key -> box, in
    card order), ``spins`` (the number boxes among them), ``shape_label`` (e.g. "784", or
    "20 x 24 x 24": channels x height x width), ``params_label``, ``error_label``,
    ``remove_button``, ``output_shape``, ``params``, ``error``, ``selected``, ``hint_label``
    and ``hints`` (advice about this layer, from playground.state.hints).
    """

    clicked = Signal(int)
    removeClicked = Signal(int)
    settingEdited = Signal(int, str, object)  # (index, key in the spec, value)
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
        top.setSpacing(4)
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
        self.role_label: QLabel | None = None
        first, second = CARD_SETTINGS.get(self.kind, ((), ()))
        self.boxes: dict = {}
        self.settings = {}  # key -> its Setting
        for setting in first:
            self._add_box(top, setting)
        if self.kind in ROLES:
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
        if second:
            row = QHBoxLayout()
            row.setSpacing(4)
            row.setContentsMargins(14, 0, 4, 0)
            for k, setting in enumerate(second):
                if k:
                    row.addSpacing(4)
                self._add_box(row, setting)
            row.addStretch(1)
            outer.addLayout(row)

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

    def _add_box(self, row: QHBoxLayout, setting) -> None:
        """The box of ``setting``, with its words before and after it, at the end of ``row``."""
        if setting.before:
            row.addWidget(muted(QLabel(setting.before)))
        row.addWidget(self._box(setting))
        if setting.word:
            row.addWidget(muted(QLabel(setting.word)))

    def _box(self, setting):
        box = setting.box()
        box.setObjectName(setting.name)
        if setting.width:
            box.setMinimumWidth(setting.width)
        key = setting.key
        if isinstance(box, QComboBox):
            box.activated.connect(lambda _i, b=box: self.settingEdited.emit(
                self.index, key, b.currentText()))
        else:
            box.valueChanged.connect(lambda v, b=box: self.settingEdited.emit(
                self.index, key, b.edited_value(v)))
        box.installEventFilter(self)
        self.boxes[key] = box
        self.settings[key] = setting
        return box

    def _named(self, name: str):
        return next((b for b in self.boxes.values() if b.objectName() == name), None)

    units_spin = property(lambda self: self._named("unitsSpin"))
    rate_spin = property(lambda self: self._named("rateSpin"))
    filters_spin = property(lambda self: self._named("filtersSpin"))
    kernel_spin = property(lambda self: self._named("kernelSpin"))
    stride_spin = property(lambda self: self._named("strideSpin"))
    padding_combo = property(lambda self: self._named("paddingCombo"))
    pool_spin = property(lambda self: self._named("poolSpin"))

    # -- showing --------------------------------------------------------------------
    def set_layer(self, layer: dict) -> None:
        """Show ``layer``'s settings in the boxes (without reporting them as edits)."""
        for key, box in self.boxes.items():
            box.show_value(layer.get(key, self.settings[key].default))

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
        """The card's number boxes (the units of a Dense layer, the rate of a Dropout...)."""
        return [b for b in self.boxes.values() if not isinstance(b, QComboBox)]

    def eventFilter(self, obj, event):
        if obj in self.boxes.values() and event.type() == event.Type.FocusIn:
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
