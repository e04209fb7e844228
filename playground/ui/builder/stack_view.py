"""The builder's stack view: the layer cards in a scrolling column, with drops between them
(a palette button dropped between two cards inserts that layer; a card dragged moves it)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData, QPoint, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QDrag, QPainter, QPen
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .. import theme
from .cards import (
    MIME_INDEX,
    MIME_TYPE,
    PALETTE_TYPES,
    SELECT_COLOR,
    InputCard,
    LayerCard,
    muted,
)


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
    settingEdited = Signal(int, str, object)  # (index, key in the layer's spec, value)
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
        self.empty_label = muted(QLabel(
            "No layers yet.\nClick Flatten, then Dense, in the palette above,\n"
            "or pick a preset."))
        self.empty_label.setObjectName("emptyStack")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setContentsMargins(0, 16, 0, 16)
        self.empty_label.hide()
        self._layout.addWidget(self.empty_label)
        self.hint_label = muted(QLabel("Drag to reorder \u00b7 Alt+\u2191/\u2193 move \u00b7 "
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
        focus_in_spin = any(box.hasFocus() for c in self.cards for box in c.boxes.values())
        for card in self.cards:
            self._layout.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards = []
        for i, layer in enumerate(layers):
            card = LayerCard(i, layer)
            card.clicked.connect(self._on_card_clicked)
            card.removeClicked.connect(self.removeRequested)
            card.settingEdited.connect(self.settingEdited)
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
        if not self.spin_focused(index):
            self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.selectRequested.emit(index)

    def spin_focused(self, index: int) -> bool:
        """Whether a setting box of the card at ``index`` has the keyboard focus."""
        boxes = self.cards[index].boxes.values() if 0 <= index < len(self.cards) else []
        return any(box.hasFocus() for box in boxes)

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
