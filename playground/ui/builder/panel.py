"""The network builder: palette, diagram, layer cards, validation banner, hints, undo/redo.

Every change goes through an undoable command (:mod:`.builder_commands`) that calls the
session's layer stack; the session then rebuilds the model and re-checks the spec, and
the builder shows the new report (shapes, parameter counts, problems) when
``specChanged`` arrives, and the hints (advice, see :mod:`playground.state.hints`)
when the layers or the training settings (``hyperChanged``) change.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...nn import PRESETS, preset
from ...nn.spec import structural_problem
from .. import theme
from ..actions import create_action
from ..bind import listen
from .card_boxes import setting_default
from .cards import PALETTE_TYPES, LayerCard, PaletteButton, palette_rows
from .commands import (
    SETTING_COMMANDS,
    AddLayerCommand,
    BuilderUndoStack,
    MoveLayerCommand,
    RemoveLayerCommand,
    ReplaceStackCommand,
    _Command,
)
from .diagram import NetworkDiagram
from .hint_views import HintBanner, session_hints
from .new_layers import new_layer
from .stack_view import StackView


# -- the panel -------------------------------------------------------------------------------
class BuilderPanel(QWidget):
    """Build the network by clicking: palette, diagram and a stack of layer cards."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("builderPanel")
        self.setMinimumWidth(280)
        self.locked = False
        self.undo_stack = BuilderUndoStack(self)
        self._make_actions()
        self._make_widgets()

        listen(session.specChanged, self._refresh, self)
        listen(session.hyperChanged, self._refresh_hints, self)  # loss, optimizer, lr, batch
        listen(session.trainingStateChanged, self._on_training_state, self)
        self._refresh()
        self._set_locked(session.busy)

    # -- construction -----------------------------------------------------------------
    def _make_actions(self) -> None:
        def action(text, shortcut, tip, slot):
            return create_action(self, text, slot, QKeySequence(shortcut), tip, tip_keys=True,
                                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self.delete_action = action("Delete layer", QKeySequence.StandardKey.Delete,
                                    "Remove the selected layer", self._delete_selected)
        self.delete_action.setObjectName("deleteLayer")
        self.move_up_action = action("Move layer up", "Alt+Up",
                                     "Move the selected layer up", lambda: self.move_selected(-1))
        self.move_down_action = action("Move layer down", "Alt+Down",
                                       "Move the selected layer down",
                                       lambda: self.move_selected(1))
        self.undo_action = self.undo_stack.createUndoAction(self, "Undo")
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo")

    def _make_widgets(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 6, 8)
        layout.setSpacing(6)

        header = QHBoxLayout()
        header.setSpacing(2)
        title = QLabel("Network")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        title.setFont(font)
        header.addWidget(title)
        header.addStretch(1)
        for act in (self.undo_action, self.redo_action):
            button = QToolButton()
            button.setDefaultAction(act)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            button.setAutoRaise(True)
            button.setIconSize(QSize(16, 16))
            header.addWidget(button)
        self.presets_button = QToolButton()
        self.presets_button.setObjectName("presetsButton")
        self.presets_button.setText("Presets \u25be")
        self.presets_button.setStyleSheet(
            "QToolButton#presetsButton { padding: 2px 6px; }"
            "QToolButton#presetsButton::menu-indicator { image: none; width: 0px; }")
        self.presets_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.presets_button.setToolTip("Replace the network with a ready-made one "
                                       "(its training settings too)")
        menu = QMenu(self.presets_button)
        for name, p in PRESETS.items():
            a = menu.addAction(p["title"])
            a.setToolTip(p["description"])
            a.setStatusTip(p["description"])
            a.triggered.connect(lambda _=False, n=name: self.apply_preset(n))
        menu.setToolTipsVisible(True)
        self.presets_button.setMenu(menu)
        header.addSpacing(4)
        header.addWidget(self.presets_button)
        layout.addLayout(header)

        self.layer_palette = QFrame()
        self.layer_palette.setObjectName("layerPalette")
        self.layer_palette.setToolTip("Layer types: click one to add it after the selected "
                                      "layer (or at the end), or drag it into the stack")
        # one row after another, each filling the width with its buttons (not one grid:
        # a row's long names then do not widen the same column in the other rows)
        rows = QVBoxLayout(self.layer_palette)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(4)
        self.palette_buttons: dict[str, PaletteButton] = {}
        for kinds in palette_rows():
            row = QHBoxLayout()
            row.setSpacing(4)
            for kind in kinds:
                button = PaletteButton(kind)
                button.clicked.connect(lambda _=False, k=kind: self.add_layer(k))
                row.addWidget(button, 1)
                self.palette_buttons[kind] = button
            rows.addLayout(row)
        layout.addWidget(self.layer_palette)

        self.diagram = NetworkDiagram()
        self.diagram.layerClicked.connect(self.select)
        layout.addWidget(self.diagram)

        self.lock_note = QLabel()
        self.lock_note.setObjectName("lockNote")
        self.lock_note.setWordWrap(True)
        note = [theme.pick(c, self) for c in theme.NOTE_BANNER]
        self.lock_note.setStyleSheet(
            f"QLabel {{ background: {note[0]}; color: {note[1]}; border: 1px solid {note[2]};"
            " border-radius: 4px; padding: 4px 6px; }")
        self.lock_note.setToolTip("Pausing does not unlock it: stop training to change "
                                  "the layers.")
        self.lock_note.hide()
        layout.addWidget(self.lock_note)

        self.banner = QLabel()
        self.banner.setObjectName("specBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setContentsMargins(7, 4, 7, 4)  # not padding: see HintBanner
        self.banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout.addWidget(self.banner)
        self.hint_banner = HintBanner()
        layout.addWidget(self.hint_banner)

        self.stack_view = StackView()
        self.stack_view.selectRequested.connect(self.select)
        self.stack_view.removeRequested.connect(self.remove_layer)
        self.stack_view.settingEdited.connect(self.set_setting)
        self.stack_view.moveRequested.connect(self.move_layer)
        self.stack_view.addRequested.connect(self.add_layer)
        self.stack_view.moveBy.connect(self.move_selected)
        layout.addWidget(self.stack_view, 1)


    # -- reading ------------------------------------------------------------------------
    @property
    def cards(self) -> list[LayerCard]:
        return list(self.stack_view.cards)

    def card(self, index: int) -> LayerCard:
        return self.stack_view.cards[index]

    def layer_count(self) -> int:
        return len(self.session.stack)

    def selected_index(self) -> int | None:
        return self.stack_view.selected

    def select(self, index: int | None) -> None:
        """Select the card at ``index`` (None clears the selection)."""
        self.stack_view.set_selected(index)
        self.diagram.set_selected(self.stack_view.selected)
        self._update_actions()

    # -- changing (each one undoable) ----------------------------------------------------
    def add_layer(self, kind: str, index: int | None = None) -> bool:
        """Add a ``kind`` layer at ``index`` (default: after the selected one, or at the end)."""
        if kind not in PALETTE_TYPES or not self._editable():
            return False
        self._commit_edits()
        n = len(self.session.stack)
        if index is None:
            sel = self.selected_index()
            index = sel + 1 if sel is not None else n
        index = max(0, min(index, n))
        layers = self.session.stack.layers
        layer = new_layer(kind, layers, index, self._shape_before(index))
        layers.insert(index, layer)
        if not self._push(AddLayerCommand(self, index, layer), layers):
            return False
        spins = self.card(index).spins
        if spins and self.isVisible():  # type the setting right away
            spins[0].setFocus(Qt.FocusReason.OtherFocusReason)
            spins[0].selectAll()
        return True

    def remove_layer(self, index: int | None = None) -> bool:
        """Remove the layer at ``index`` (default: the selected one)."""
        if not self._editable():
            return False
        self._commit_edits()
        index = self.selected_index() if index is None else index
        if index is None or not 0 <= index < len(self.session.stack):
            return False
        new = self.session.stack.layers
        del new[index]
        return self._push(RemoveLayerCommand(self, index), new)

    def move_layer(self, src: int, dst: int) -> bool:
        """Move the layer at ``src`` so that it ends up at ``dst``."""
        n = len(self.session.stack)
        if not self._editable() or not (0 <= src < n and 0 <= dst < n) or src == dst:
            return False
        self._commit_edits()
        new = self.session.stack.layers
        new.insert(dst, new.pop(src))
        return self._push(MoveLayerCommand(self, src, dst), new)

    def move_selected(self, step: int) -> bool:
        sel = self.selected_index()
        if sel is None:
            return False
        return self.move_layer(sel, sel + step)

    def _shape_before(self, index: int):
        """The output shape of the layer before ``index`` (the input's at 0), or None."""
        report = self.session.report
        if index == 0:
            return report.input_shape
        infos = {info.index: info for info in report.layers}
        info = infos.get(index - 1)
        return info.output_shape if info is not None else None

    def set_units(self, index: int, units: int) -> bool:
        """Set the units of the Dense layer at ``index`` (merged with the previous edit)."""
        return self.set_setting(index, "units", units)

    def set_rate(self, index: int, rate: float) -> bool:
        """Set the rate of the Dropout layer at ``index`` (merged with the previous edit).
        Dropout has no weights: a trained network keeps all of them."""
        return self.set_setting(index, "rate", rate)

    def set_setting(self, index: int, key: str, value) -> bool:
        """Set setting ``key`` (units, rate, filters, size, stride, padding) of the layer at
        ``index``, as one undoable step merged with the previous edit of that setting. A
        trained network keeps the weights of every layer whose weights keep their shape
        (a Conv2D's stride or padding, a pool's size: its weights and those before it)."""
        command, kinds = SETTING_COMMANDS.get(key, (None, ()))
        types = {"padding": str, "rate": (int, float)}.get(key, int)
        ok = isinstance(value, types) and not isinstance(value, bool)
        stack = self.session.stack
        if command is None or not 0 <= index < len(stack) or stack[index].get("type") not in kinds:
            return False
        old = stack[index].get(key)
        ok = ok and self._editable() and old != value
        if ok:
            new = stack.layers
            new[index][key] = value
            default = setting_default(stack[index]["type"], key)
            ok = self._push(command(self, index, old, value, default), new)
        if not ok and index < len(self.stack_view.cards):
            self.card(index).set_layer(stack[index])  # show the real value again
        return ok

    def apply_preset(self, name: str) -> bool:
        """Replace the network and training settings with preset ``name`` (undoable)."""
        if not self._editable():
            return False
        try:
            p = preset(name)
        except ValueError as e:
            QMessageBox.warning(self, "Unknown preset", str(e))
            return False
        self._commit_edits()
        return self._push(ReplaceStackCommand(self, f"Preset: {p['title']}", p["spec"], name),
                          p["spec"]["layers"], p["spec"]["input"])

    def apply_spec(self, spec, text: str = "Import architecture") -> bool:
        """Replace the layers with those of an engine spec (e.g. an imported file); False,
        after saying why, when it is no stack of layers at all (``structural_problem``)."""
        if not self._editable():
            return False
        problem = structural_problem(spec)
        if problem:
            QMessageBox.warning(self, "Cannot use this architecture", problem)
            return False
        self._commit_edits()
        return self._push(ReplaceStackCommand(self, text, spec), spec["layers"],
                          spec.get("input"))

    def undo(self) -> bool:
        return self._step(undo=True)

    def redo(self) -> bool:
        return self._step(undo=False)

    # -- the rules every change follows ------------------------------------------------------
    def _editable(self) -> bool:
        return not (self.locked or self.session.busy)

    def _push(self, command: _Command, layers: list, input_shape=None) -> bool:
        spec = {"input": list(input_shape or self.session.stack.input_shape),
                "layers": layers}
        command.after = spec
        if self.session.would_discard_training(spec) and not self._confirm_discard(spec):
            return False
        self.undo_stack.push(command)
        return True

    def _step(self, undo: bool) -> bool:
        stack = self.undo_stack
        if not self._editable() or not (stack.canUndo() if undo else stack.canRedo()):
            return False
        self._commit_edits()
        command = stack.command(stack.index() - 1 if undo else stack.index())
        target = getattr(command, "before" if undo else "after", None)
        if (target is not None and self.session.would_discard_training(target)
                and not self._confirm_discard(target)):
            return False
        stack.undo() if undo else stack.redo()
        return True

    def _confirm_discard(self, spec) -> bool:
        """Ask before a change loses trained weights; True means go ahead."""
        model = self.session.model
        seen = f" (trained on {model.samples_seen:,} images)" if model is not None else ""
        answer = QMessageBox.question(
            self, "Discard trained weights?",
            f"The trained weights of the current network{seen} will be lost. Continue?\n\n"
            "Layers whose shapes stay the same keep their weights; this change alters "
            "a trained layer. Save the model first if you want to keep it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _commit_edits(self) -> None:
        """Apply a number typed in a card's box but not yet confirmed with Enter."""
        for card in self.stack_view.cards:
            for spin in card.spins:
                spin.interpretText()

    def _delete_selected(self) -> None:
        self.remove_layer()

    # -- showing the session ----------------------------------------------------------------
    def _refresh(self) -> None:
        report = self.session.report
        self.stack_view.show_stack(self.session.stack.layers, report)
        self.diagram.show_report(report, self.stack_view.selected, self.session.stack.layers)
        if report.ok:
            self.banner.setText(f"Ready to train: {report.total_params:,} parameters")
            colors = [theme.pick(c, self) for c in theme.VALID_BANNER]
        else:
            more = len(report.errors) - 1
            extra = f"  (+{more} more problem{'s' if more > 1 else ''})" if more else ""
            self.banner.setText(f"Cannot train yet: {report.errors[0]}{extra}")
            colors = [theme.pick(c, self) for c in theme.INVALID_BANNER]
        self.banner.setProperty("ok", report.ok)
        self.banner.setStyleSheet(
            f"QLabel#specBanner {{ background: {colors[0]}; color: {colors[1]};"
            f" border: 1px solid {colors[2]}; border-radius: 4px; }}")
        self.banner.setToolTip("\n".join(str(e) for e in report.errors)
                               or "The network is valid: press Start to train it")
        self._refresh_hints()
        self._update_actions()

    def _refresh_hints(self) -> None:
        """Advice on the layers and the training settings: in a banner and on the cards."""
        self.hints = session_hints(self.session)
        self.stack_view.show_hints(self.hints)
        self.hint_banner.set_hints(self.hints)

    def _on_training_state(self, state: str) -> None:
        self._set_locked(state != "idle")
        self._refresh_hints()  # the epoch-time estimate is for before training

    def _set_locked(self, locked: bool) -> None:
        self.locked = locked
        if locked:
            self._commit_edits()
        for widget in (self.layer_palette, self.stack_view.canvas, self.presets_button,
                       self.diagram):
            widget.setEnabled(not locked)
        if locked:
            paused = self.session.training_state == "paused"
            self.lock_note.setText(
                "Training is paused: the network is locked until training stops."
                if paused else "Training: the network is locked until training stops.")
        self.lock_note.setVisible(locked)
        self.banner.setVisible(not locked)  # "Ready to train" would read oddly meanwhile
        self._update_actions()

    def _update_actions(self) -> None:
        editable = self._editable()
        sel = self.selected_index()
        n = len(self.session.stack)
        self.delete_action.setEnabled(editable and sel is not None)
        self.move_up_action.setEnabled(editable and sel is not None and sel > 0)
        self.move_down_action.setEnabled(editable and sel is not None and sel < n - 1)
        self.undo_stack.update_actions()
