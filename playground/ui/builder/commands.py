"""The builder's undo commands, and the undo stack whose actions go through the builder.

Each command changes the session's layer stack (the session then rebuilds the model);
``before`` and ``after`` are the specs on either side, so that the builder can ask
before an undo or redo would discard trained weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
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

from .. import theme
from ..actions import create_action
from .glyphs import drawn_icon, is_dark

if TYPE_CHECKING:
    from .panel import BuilderPanel

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


class _EditSettingCommand(_Command):
    """Set one setting of a layer; consecutive edits of one layer's setting merge into one
    step (the arrows of a number box make many)."""

    ID = 0  #: any constant shared by all edits of one setting
    KEY = ""  #: the setting in the layer's spec

    def __init__(self, panel, index: int, old, new, default=None):
        """``old`` is None when the layer had no such setting: ``default``, the engine's
        value for it, applied."""
        super().__init__(panel, "")
        self.index, self.old, self.new, self.default = index, old, new, default
        self._name()

    def _name(self):
        raise NotImplementedError

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other) -> bool:
        if type(other) is not type(self) or other.index != self.index:
            return False
        self.new, self.after = other.new, other.after
        self._name()
        if self.new == self.old or (self.old is None and self.new == self.default):
            self.setObsolete(True)  # back where it started: nothing to undo
        return True

    def _set(self, value):
        if value is None:  # the setting was missing: missing again (the engine's default)
            layer = self.stack[self.index]
            layer.pop(self.KEY, None)
            self.stack.replace(self.index, layer)
        else:
            self.stack.update(self.index, **{self.KEY: value})
        self.panel.select(self.index)

    def redo(self):
        self._set(self.new)

    def undo(self):
        self._set(self.old)


class EditUnitsCommand(_EditSettingCommand):
    """Set a Dense layer's units."""

    ID, KEY = 0x4E4E, "units"

    def _name(self):
        self.setText(f"Set layer {self.index + 1} to {self.new:,} units")


class EditRateCommand(_EditSettingCommand):
    """Set a Dropout layer's rate."""

    ID, KEY = 0x4E4F, "rate"

    def _name(self):
        self.setText(f"Set layer {self.index + 1} to a dropout rate of {self.new:g}")


class EditFiltersCommand(_EditSettingCommand):
    """Set a Conv2D layer's number of filters."""

    ID, KEY = 0x4E50, "filters"

    def _name(self):
        self.setText(f"Set layer {self.index + 1} to {self.new:,} filters")


class EditSizeCommand(_EditSettingCommand):
    """Set a Conv2D layer's kernel size, or a pool's size."""

    ID, KEY = 0x4E51, "size"

    def _name(self):
        what = "kernel" if self.stack[self.index].get("type") == "Conv2D" else "pool"
        self.setText(f"Set layer {self.index + 1} to a {self.new} x {self.new} {what}")


class EditStrideCommand(_EditSettingCommand):
    """Set a Conv2D layer's stride."""

    ID, KEY = 0x4E52, "stride"

    def _name(self):
        self.setText(f"Set layer {self.index + 1} to a stride of {self.new}")


class EditPaddingCommand(_EditSettingCommand):
    """Set a Conv2D layer's padding."""

    ID, KEY = 0x4E53, "padding"

    def _name(self):
        self.setText(f"Set layer {self.index + 1} to '{self.new}' padding")


#: the command of each setting a card edits, and the layer types that have it
SETTING_COMMANDS = {
    "units": (EditUnitsCommand, ("Dense",)),
    "rate": (EditRateCommand, ("Dropout",)),
    "filters": (EditFiltersCommand, ("Conv2D",)),
    "size": (EditSizeCommand, ("Conv2D", "MaxPool2D", "AvgPool2D")),
    "stride": (EditStrideCommand, ("Conv2D",)),
    "padding": (EditPaddingCommand, ("Conv2D",)),
}


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
            # settings the preset added go too (None removes a setting)
            session.set_hyper(**{**dict.fromkeys(session.hyper), **self.old_hyper})
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
        action = create_action(parent, prefix, self._panel.undo if undo else self._panel.redo)
        action.setIcon(_arrow_icon(undo, is_dark(self._panel)))
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

    colors = tuple(c.dark if dark else c.light for c in (theme.ICON, theme.ICON_DISABLED))
    return drawn_icon(size, paint, tuple(zip((QIcon.Mode.Normal, QIcon.Mode.Disabled), colors,
                                             strict=True)))
