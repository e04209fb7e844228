"""The network builder: palette, diagram, layer cards, validation banner, undo/redo.

Every change goes through an undoable command that calls the session's layer stack;
the session then rebuilds the model and re-checks the spec, and the builder shows
the new report (shapes, parameter counts, problems) when ``specChanged`` arrives.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPen,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..nn import PRESETS, check_spec, preset
from .builder_cards import (
    PALETTE_TYPES,
    LayerCard,
    PaletteButton,
    StackView,
    drawn_icon,
    is_dark,
)
from .diagram import NetworkDiagram

DEFAULT_UNITS = 64  # a new hidden Dense layer
OUTPUT_UNITS = 10  # a new Dense layer at the end, after another Dense: one per digit


# -- undo commands ---------------------------------------------------------------------------
class _Command(QUndoCommand):
    """Base: remembers the spec before the change (to ask before undo discards weights)."""

    def __init__(self, panel: BuilderPanel, text: str):
        super().__init__(text)
        self.panel = panel
        self.stack = panel.session.stack
        self.before = panel.session.spec
        self.after: dict | None = None


class AddLayerCommand(_Command):
    def __init__(self, panel, index: int, layer: dict):
        super().__init__(panel, f"Add {layer['type']}")
        self.index, self.layer = index, dict(layer)
        self.old_selected = panel.selected_index()

    def redo(self):
        self.stack.insert(self.index, self.layer)
        self.panel.select(self.index)

    def undo(self):
        self.stack.remove(self.index)
        self.panel.select(self.old_selected)


class RemoveLayerCommand(_Command):
    def __init__(self, panel, index: int):
        self.layer = panel.session.stack[index]
        super().__init__(panel, f"Remove {self.layer.get('type', 'layer')}")
        self.index = index

    def redo(self):
        self.stack.remove(self.index)
        n = len(self.stack)
        self.panel.select(min(self.index, n - 1) if n else None)

    def undo(self):
        self.stack.insert(self.index, self.layer)
        self.panel.select(self.index)


class MoveLayerCommand(_Command):
    def __init__(self, panel, src: int, dst: int):
        kind = panel.session.stack[src].get("type", "layer")
        super().__init__(panel, f"Move {kind} {'up' if dst < src else 'down'}")
        self.src, self.dst = src, dst

    def redo(self):
        self.stack.move(self.src, self.dst)
        self.panel.select(self.dst)

    def undo(self):
        self.stack.move(self.dst, self.src)
        self.panel.select(self.src)


class EditUnitsCommand(_Command):
    """Set a Dense layer's units; consecutive edits of one layer merge into one step."""

    ID = 0x4E4E  # any constant shared by all unit edits

    def __init__(self, panel, index: int, old, new: int):
        super().__init__(panel, "")
        self.index, self.old, self.new = index, old, new
        self._name()

    def _name(self):
        self.setText(f"Set layer {self.index + 1} to {self.new:,} units")

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other) -> bool:
        if not isinstance(other, EditUnitsCommand) or other.index != self.index:
            return False
        self.new, self.after = other.new, other.after
        self._name()
        if self.new == self.old:
            self.setObsolete(True)  # back where it started: nothing to undo
        return True

    def redo(self):
        self.stack.update(self.index, units=self.new)
        self.panel.select(self.index)

    def undo(self):
        self.stack.update(self.index, units=self.old)
        self.panel.select(self.index)


class ReplaceStackCommand(_Command):
    """A preset (layers and training settings) or an imported spec (layers only)."""

    def __init__(self, panel, text: str, spec: dict, preset_name: str | None = None):
        super().__init__(panel, text)
        session = panel.session
        self.spec = {"input": list(spec.get("input") or session.stack.input_shape),
                     "layers": [dict(layer) for layer in spec["layers"]]}
        self.preset_name = preset_name
        self.old_layers = session.stack.layers
        self.old_input = session.stack.input_shape
        self.old_hyper = dict(session.hyper)
        self.old_preset_name = getattr(session, "preset_name", None)
        self.old_selected = panel.selected_index()

    def redo(self):
        session = self.panel.session
        self.panel.select(None)
        if self.preset_name is not None:
            session.load_preset(self.preset_name)
        else:
            session.set_spec(self.spec)

    def undo(self):
        session = self.panel.session
        if self.preset_name is not None:
            session.set_hyper(**self.old_hyper)
            session.preset_name = self.old_preset_name
        self.stack.reset(self.old_layers, self.old_input)
        self.panel.select(self.old_selected)


class BuilderUndoStack(QUndoStack):
    """A QUndoStack whose Undo/Redo actions go through the builder.

    The builder refuses while training runs and asks before an undo or redo would
    discard trained weights; ``createUndoAction``/``createRedoAction`` return actions
    that do exactly that (the plain ``undo()``/``redo()`` slots still work as usual).
    """

    def __init__(self, panel: BuilderPanel):
        super().__init__(panel)
        self._panel = panel
        self._actions: list[tuple[QAction, str, bool]] = []
        for signal in (self.indexChanged, self.canUndoChanged, self.canRedoChanged,
                       self.undoTextChanged, self.redoTextChanged):
            signal.connect(self.update_actions)

    def createUndoAction(self, parent, prefix: str = "") -> QAction:  # noqa: N802 - Qt API
        return self._make_action(parent, prefix or "Undo", True)

    def createRedoAction(self, parent, prefix: str = "") -> QAction:  # noqa: N802 - Qt API
        return self._make_action(parent, prefix or "Redo", False)

    def _make_action(self, parent, prefix: str, undo: bool) -> QAction:
        action = QAction(prefix, parent)
        action.setIcon(_arrow_icon(undo, is_dark(self._panel)))
        action.triggered.connect(self._panel.undo if undo else self._panel.redo)
        self._actions.append((action, prefix, undo))
        self.update_actions()
        return action

    def update_actions(self, *_) -> None:
        locked = self._panel.locked
        alive = []
        for action, prefix, undo in self._actions:
            try:
                can = self.canUndo() if undo else self.canRedo()
                what = self.undoText() if undo else self.redoText()
                action.setEnabled(can and not locked)
                action.setText(f"{prefix} {what}".strip() if can else prefix)
                tip = (f"{prefix.replace('&', '')} {what}".strip() if can
                       else f"Nothing to {prefix.replace('&', '').lower()}")
                keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                action.setToolTip(f"{tip} ({keys})" if keys else tip)
                alive.append((action, prefix, undo))
            except RuntimeError:  # the action's parent was deleted
                continue
        self._actions = alive


def _arrow_icon(undo: bool, dark: bool = False, size: int = 16) -> QIcon:
    """A curved arrow (pointing left for undo, right for redo)."""
    def paint(p: QPainter, color: str) -> None:
        if not undo:
            p.translate(size, 0)
            p.scale(-1, 1)
        pen = QPen(QColor(color), 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        path = QPainterPath(QPointF(3.5, 6.5))
        path.lineTo(QPointF(10, 6.5))
        path.arcTo(QRectF(6.5, 6.5, 7, 7), 90, -180)
        path.lineTo(QPointF(7, 13.5))
        p.drawPath(path)
        head = QPainterPath(QPointF(6.5, 3.5))
        head.lineTo(QPointF(3.5, 6.5))
        head.lineTo(QPointF(6.5, 9.5))
        p.drawPath(head)

    colors = ("#d1d5db", "#5b6068") if dark else ("#4b5563", "#c0c4c8")
    return drawn_icon(size, paint, tuple(zip((QIcon.Mode.Normal, QIcon.Mode.Disabled), colors,
                                             strict=True)))


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

        session.specChanged.connect(self._refresh)
        session.trainingStateChanged.connect(self._on_training_state)
        self._refresh()
        self._set_locked(session.busy)

    # -- construction -----------------------------------------------------------------
    def _make_actions(self) -> None:
        def action(text, shortcut, tip, slot):
            a = QAction(text, self)
            a.setShortcut(QKeySequence(shortcut))
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            a.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})")
            a.setStatusTip(tip)
            a.triggered.connect(slot)
            self.addAction(a)
            return a

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
        grid = QGridLayout(self.layer_palette)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(4)
        self.palette_buttons: dict[str, PaletteButton] = {}
        for i, kind in enumerate(PALETTE_TYPES):
            button = PaletteButton(kind)
            button.clicked.connect(lambda _=False, k=kind: self.add_layer(k))
            grid.addWidget(button, i // 3, i % 3)
            self.palette_buttons[kind] = button
        layout.addWidget(self.layer_palette)

        self.diagram = NetworkDiagram()
        self.diagram.layerClicked.connect(self.select)
        layout.addWidget(self.diagram)

        self.lock_note = QLabel()
        self.lock_note.setObjectName("lockNote")
        self.lock_note.setWordWrap(True)
        note = (("#3d3313", "#f3d98b", "#7a6420") if is_dark(self)
                else ("#fff6db", "#7a5a00", "#ecd48a"))
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
        self.banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout.addWidget(self.banner)

        self.stack_view = StackView()
        self.stack_view.selectRequested.connect(self.select)
        self.stack_view.removeRequested.connect(self.remove_layer)
        self.stack_view.unitsEdited.connect(self.set_units)
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
        layer = {"type": kind}
        if kind == "Dense":
            layers = self.session.stack.layers
            after = [s.get("type") for s in layers[index:]]
            is_output = all(t in ("Sigmoid", "ReLU", "Tanh", "Softmax") for t in after)
            dense_before = any(s.get("type") == "Dense" for s in layers[:index])
            layer["units"] = OUTPUT_UNITS if is_output and dense_before else DEFAULT_UNITS
        new = self.session.stack.layers
        new.insert(index, layer)
        if not self._push(AddLayerCommand(self, index, layer), new):
            return False
        if kind == "Dense":
            spin = self.card(index).units_spin
            if spin is not None and self.isVisible():
                spin.setFocus(Qt.FocusReason.OtherFocusReason)
                spin.selectAll()
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

    def set_units(self, index: int, units: int) -> bool:
        """Set the units of the Dense layer at ``index`` (merged with the previous edit)."""
        stack = self.session.stack
        if not 0 <= index < len(stack) or stack[index].get("type") != "Dense":
            return False
        old = stack[index].get("units")
        ok = self._editable() and isinstance(units, int) and old != units
        if ok:
            new = stack.layers
            new[index]["units"] = units
            ok = self._push(EditUnitsCommand(self, index, old, units), new)
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
        """Replace the layers with those of an engine spec (e.g. an imported file)."""
        if not self._editable():
            return False
        report = check_spec(spec)
        if (not isinstance(spec, dict) or not isinstance(spec.get("layers"), list)
                or report.input_shape is None
                or not all(isinstance(s, dict) for s in spec["layers"])):
            reason = report.errors[0] if report.errors else "each layer must be an object"
            QMessageBox.warning(self, "Cannot use this architecture", str(reason))
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
        """Apply a number typed in a units box but not yet confirmed with Enter."""
        for card in self.stack_view.cards:
            if card.units_spin is not None:
                card.units_spin.interpretText()

    def _delete_selected(self) -> None:
        self.remove_layer()

    # -- showing the session ----------------------------------------------------------------
    def _refresh(self) -> None:
        report = self.session.report
        self.stack_view.show_stack(self.session.stack.layers, report)
        self.diagram.show_report(report, self.stack_view.selected)
        if report.ok:
            self.banner.setText(f"Ready to train: {report.total_params:,} parameters")
            colors = (("#1d3a28", "#a8e0bb", "#2f6b45") if is_dark(self)
                      else ("#e8f5ec", "#1e6b3a", "#b7dfc3"))
        else:
            more = len(report.errors) - 1
            extra = f"  (+{more} more problem{'s' if more > 1 else ''})" if more else ""
            self.banner.setText(f"Cannot train yet: {report.errors[0]}{extra}")
            colors = (("#472323", "#ffb4ab", "#8c3b35") if is_dark(self)
                      else ("#fdecec", "#a50e0e", "#f3b8b4"))
        self.banner.setProperty("ok", report.ok)
        self.banner.setStyleSheet(
            f"QLabel#specBanner {{ background: {colors[0]}; color: {colors[1]};"
            f" border: 1px solid {colors[2]}; border-radius: 4px; padding: 5px 8px; }}")
        self.banner.setToolTip("\n".join(str(e) for e in report.errors)
                               or "The network is valid: press Start to train it")
        self._update_actions()

    def _on_training_state(self, state: str) -> None:
        self._set_locked(state != "idle")

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
