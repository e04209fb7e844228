"""The builder's pieces: palette buttons, layer cards and the stack view.

Only widgets here: shapes, parameter counts and problems come from the engine's
``check_spec`` report, which the session keeps up to date; hints (what is unwise)
come from :mod:`playground.state.hints`. The pictures are drawn in :mod:`.glyphs`.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QByteArray, QMimeData, QPoint, QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QDrag, QPainter, QPen
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...nn import LAYER_TYPES, format_shape
from ...nn.layers import MAX_UNITS
from ...state.hints import ACTIVATIONS  # noqa: F401 - the builder's diagram reads it here
from .. import theme
from .glyphs import (  # noqa: F401 - re-exported: the builder and diagram import them here
    LAYER_COLORS,
    UNKNOWN_COLOR,
    close_icon,
    drawn_icon,
    is_dark,
    layer_color,
    layer_icon,
)
from .hint_views import card_hint_label, show_card_hints
from .layer_help import LAYER_HELP

PALETTE_TYPES = tuple(LAYER_TYPES)  # every layer the engine has, in its order

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
class UnitsSpinBox(QSpinBox):
    """A spin box that lets the wheel scroll the stack unless it has the focus."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRange(1, MAX_UNITS)
        self.setGroupSeparatorShown(True)
        self.setKeyboardTracking(False)  # typing applies on Enter or when leaving the box
        self.setAccelerated(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setToolTip("Units (neurons) of this Dense layer, 1 to 100,000.\n"
                        "Type a number and press Enter, or use the arrows.")

    def wheelEvent(self, event):
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


def _muted(label: QLabel) -> QLabel:
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
        self.size_label = _muted(QLabel("784 pixels"))
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
    ``units_spin`` (Dense only, else None), ``shape_label`` (e.g. "784"), ``params_label``,
    ``error_label``, ``remove_button``, ``output_shape``, ``params``, ``error``, ``selected``,
    ``hint_label`` and ``hints`` (advice about this layer, from playground.state.hints).
    """

    clicked = Signal(int)
    removeClicked = Signal(int)
    unitsEdited = Signal(int, int)
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
        self.number_label = _muted(QLabel(str(index + 1)))
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
        self.role_label: QLabel | None = None
        if self.kind == "Dense":
            self.units_spin = UnitsSpinBox()
            self.units_spin.setObjectName("unitsSpin")
            self.units_spin.setMinimumWidth(82)
            self.units_spin.valueChanged.connect(lambda v: self.unitsEdited.emit(self.index, v))
            self.units_spin.installEventFilter(self)
            top.addWidget(self.units_spin)
            top.addWidget(_muted(QLabel("units")))
        elif self.kind in ROLES:
            self.role_label = _muted(QLabel(ROLES[self.kind]))
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
        self.arrow_label = _muted(QLabel("output"))
        self.shape_label = QLabel("?")
        self.shape_label.setObjectName("shapeLabel")
        self.shape_label.setToolTip("The shape of this layer's output")
        self.params_label = _muted(QLabel("0 params"))
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
    def eventFilter(self, obj, event):
        if obj is self.units_spin and event.type() == event.Type.FocusIn:
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


# -- the stack --------------------------------------------------------------------------
class _StackCanvas(QWidget):
    """The inside of the stack view: cards in a column, drops between them."""

    def __init__(self, view: StackView):
        super().__init__()
        self.view = view
        self.setAcceptDrops(True)
        self.drop_gap: int | None = None

    def gap_at(self, y: float) -> int:
        for i, card in enumerate(self.view.cards):
            if y < card.geometry().center().y():
                return i
        return len(self.view.cards)

    def _gap_y(self, gap: int) -> int:
        cards = self.view.cards
        if not cards:
            return self.view.input_card.geometry().bottom() + 4
        if gap < len(cards):
            return cards[gap].geometry().top() - 4
        return cards[-1].geometry().bottom() + 4

    def dragEnterEvent(self, event):
        if self.view.accepts(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        if not self.view.accepts(event.mimeData()):
            event.ignore()
            return
        y = event.position().y()
        gap = self.gap_at(y)
        if gap != self.drop_gap:
            self.drop_gap = gap
            self.update()
        self.view.ensureVisible(int(event.position().x()), int(y), 0, 40)
        event.acceptProposedAction()

    def dragLeaveEvent(self, event):
        self.drop_gap = None
        self.update()

    def dropEvent(self, event):
        gap = self.gap_at(event.position().y())
        self.drop_gap = None
        self.update()
        if self.view.drop(event.mimeData(), gap, deferred=True):
            event.acceptProposedAction()
        else:
            event.ignore()

    def paintEvent(self, event):
        super().paintEvent(event)
        if self.drop_gap is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        y = self._gap_y(self.drop_gap)
        colour = QColor(theme.pick(SELECT_COLOR, self))
        p.setPen(QPen(colour, 3))
        p.drawLine(10, y, self.width() - 8, y)
        p.setBrush(colour)
        p.drawEllipse(QPointF(10, y), 3.5, 3.5)
        p.end()


class StackView(QScrollArea):
    """The input header and one card per layer, in a scrolling column.

    Emits requests; the builder panel turns them into undoable commands.
    """

    selectRequested = Signal(object)  # index or None
    removeRequested = Signal(int)
    unitsEdited = Signal(int, int)
    moveRequested = Signal(int, int)  # (src, dst): the layer ends up at dst
    addRequested = Signal(str, int)  # (type, index)
    moveBy = Signal(int)  # Alt+Up (-1) / Alt+Down (+1) from the keyboard

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("layerStack")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("The layers, from the input (top) to the output (bottom)")
        self.cards: list[LayerCard] = []
        self.selected: int | None = None
        self._dragging = False
        self._pending: tuple | None = None

        self.canvas = _StackCanvas(self)
        self.canvas.setObjectName("layerStackCanvas")
        self._layout = QVBoxLayout(self.canvas)
        self._layout.setContentsMargins(2, 2, 4, 2)
        self._layout.setSpacing(6)
        self.input_card = InputCard()
        self._layout.addWidget(self.input_card)
        self.empty_label = _muted(QLabel(
            "No layers yet.\nClick Flatten, then Dense, in the palette above,\n"
            "or pick a preset."))
        self.empty_label.setObjectName("emptyStack")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setContentsMargins(0, 16, 0, 16)
        self.empty_label.hide()
        self._layout.addWidget(self.empty_label)
        self.hint_label = _muted(QLabel("Drag to reorder \u00b7 Alt+\u2191/\u2193 move \u00b7 "
                                        "Del removes"))
        self.hint_label.setObjectName("stackHint")
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        small = self.hint_label.font()
        small.setPointSizeF(small.pointSizeF() * 0.85)
        self.hint_label.setFont(small)
        self._layout.addWidget(self.hint_label)
        self._layout.addStretch(1)
        self.setWidget(self.canvas)

    # -- contents --------------------------------------------------------------------
    def show_stack(self, layers: list[dict], report) -> None:
        """Show ``layers`` with shapes and problems from ``report`` (a SpecReport)."""
        kinds = [str(layer.get("type", "?")) if isinstance(layer, dict) else "?"
                 for layer in layers]
        if kinds != [card.kind for card in self.cards]:
            self._rebuild(layers)
        infos = {info.index: info for info in report.layers}
        for i, (card, layer) in enumerate(zip(self.cards, layers, strict=True)):
            card.set_layer(layer)
            card.set_info(infos.get(i))
        self.input_card.set_shape(report.input_shape)
        self.empty_label.setVisible(not layers)
        self.hint_label.setVisible(bool(layers))
        self.set_selected(self.selected)

    def show_hints(self, hints) -> None:
        """Mark each card with its hints (playground.state.hints.Hint objects)."""
        for i, card in enumerate(self.cards):
            card.set_hints([h for h in hints if h.layer == i])

    def _rebuild(self, layers: list[dict]) -> None:
        focus_in_spin = any(c.units_spin is not None and c.units_spin.hasFocus()
                            for c in self.cards)
        for card in self.cards:
            self._layout.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards = []
        for i, layer in enumerate(layers):
            card = LayerCard(i, layer)
            card.clicked.connect(self._on_card_clicked)
            card.removeClicked.connect(self.removeRequested)
            card.unitsEdited.connect(self.unitsEdited)
            card.dragStarted.connect(self._start_drag)
            self._layout.insertWidget(1 + i, card)
            card.show()  # now, not on the next pass of the event loop
            self.cards.append(card)
        if focus_in_spin:
            self.setFocus()

    def set_selected(self, index: int | None) -> None:
        if index is not None and not 0 <= index < len(self.cards):
            index = None
        self.selected = index
        for i, card in enumerate(self.cards):
            card.set_selected(i == index)
        if index is not None:
            self.ensureWidgetVisible(self.cards[index], 0, 8)

    def _on_card_clicked(self, index: int) -> None:
        if not (self.units_spin_focused(index)):
            self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.selectRequested.emit(index)

    def units_spin_focused(self, index: int) -> bool:
        spin = self.cards[index].units_spin if 0 <= index < len(self.cards) else None
        return spin is not None and spin.hasFocus()

    # -- keyboard ---------------------------------------------------------------------
    def keyPressEvent(self, event):
        key, mods = event.key(), event.modifiers()
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and alt:
            self.moveBy.emit(-1 if key == Qt.Key.Key_Up else 1)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.cards:
            step = -1 if key == Qt.Key.Key_Up else 1
            if self.selected is None:
                new = len(self.cards) - 1 if step < 0 else 0
            else:
                new = max(0, min(len(self.cards) - 1, self.selected + step))
            self.selectRequested.emit(new)
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_End) and self.cards:
            self.selectRequested.emit(0 if key == Qt.Key.Key_Home else len(self.cards) - 1)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected is not None:
            self.removeRequested.emit(self.selected)
        elif key == Qt.Key.Key_Escape:
            self.selectRequested.emit(None)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event):
        # A click on the empty space below the cards clears the selection.
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.selectRequested.emit(None)
        super().mousePressEvent(event)

    # -- drag and drop ------------------------------------------------------------------
    @staticmethod
    def accepts(mime: QMimeData) -> bool:
        return mime.hasFormat(MIME_TYPE) or mime.hasFormat(MIME_INDEX)

    def _start_drag(self, index: int) -> None:
        card = self.cards[index]
        mime = QMimeData()
        mime.setData(MIME_INDEX, QByteArray(str(index).encode()))
        drag = QDrag(card)
        drag.setMimeData(mime)
        pix = card.grab()
        drag.setPixmap(pix.scaledToWidth(max(1, min(pix.width(), 220)),
                                         Qt.TransformationMode.SmoothTransformation))
        drag.setHotSpot(QPoint(12, 12))
        self._dragging, self._pending = True, None
        try:
            drag.exec(Qt.DropAction.MoveAction)
        finally:
            self._dragging = False
        # Moved only now: the move rebuilds the cards, and the dragged card must not be
        # deleted inside the drag's own event loop while its mouse handler is running.
        request, self._pending = self._pending, None
        if request is not None:
            self._send(request)

    def drop(self, mime: QMimeData, gap: int, deferred: bool = False) -> bool:
        """Handle dropped data at ``gap`` (0 = before the first card); True if used.

        ``deferred`` (a real drop event): act once the drag has ended, not inside it.
        """
        gap = max(0, min(gap, len(self.cards)))
        request = None
        if mime.hasFormat(MIME_INDEX):
            try:
                src = int(bytes(mime.data(MIME_INDEX).data()).decode())
            except ValueError:
                return False
            if not 0 <= src < len(self.cards):
                return False
            dst = gap - 1 if gap > src else gap
            if dst == src:
                return True
            request = ("move", src, dst)
        elif mime.hasFormat(MIME_TYPE):
            kind = bytes(mime.data(MIME_TYPE).data()).decode(errors="replace")
            if kind not in PALETTE_TYPES:
                return False
            request = ("add", kind, gap)
        else:
            return False
        if not deferred:
            self._send(request)
        elif self._dragging:
            self._pending = request
        else:
            QTimer.singleShot(0, self, lambda: self._send(request))
        return True

    def _send(self, request: tuple) -> None:
        what, a, b = request
        (self.moveRequested if what == "move" else self.addRequested).emit(a, b)
