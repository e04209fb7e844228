"""The builder's layer stack: a plain list of layer specs with change callbacks.

No Qt here; the builder's widgets wrap it and listen to its events.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from ..nn.spec import INPUT_SHAPE

Callback = Callable[[str, tuple], None]


class LayerStack:
    """Layer specs such as ``{"type": "Dense", "units": 128}``, in order.

    Every change calls each callback with an event name and its arguments:
    ``("inserted", (index,))``, ``("removed", (index,))``, ``("moved", (src, dst))``,
    ``("changed", (index,))`` (``update``, ``replace``) and ``("reset", ())``.
    """

    def __init__(self, layers=(), input_shape=INPUT_SHAPE):
        self._layers: list[dict] = [dict(s) for s in layers]
        self.input_shape = tuple(input_shape)
        self._callbacks: list[Callback] = []

    # -- reading --------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._layers)

    def __getitem__(self, index: int) -> dict:
        return dict(self._layers[index])

    @property
    def layers(self) -> list[dict]:
        return copy.deepcopy(self._layers)

    def spec(self) -> dict:
        """The engine's JSON-able spec for this stack."""
        return {"input": list(self.input_shape), "layers": self.layers}

    # -- changing ---------------------------------------------------------------
    def insert(self, index: int, layer: dict) -> None:
        index = max(0, min(index, len(self._layers)))
        self._layers.insert(index, dict(layer))
        self._emit("inserted", index)

    def append(self, layer: dict) -> None:
        self.insert(len(self._layers), layer)

    def remove(self, index: int) -> dict:
        layer = self._layers.pop(index)
        self._emit("removed", index)
        return layer

    def move(self, src: int, dst: int) -> None:
        """Move the layer at ``src`` so that it ends up at index ``dst``."""
        if src == dst:
            return
        self._layers.insert(dst, self._layers.pop(src))
        self._emit("moved", src, dst)

    def update(self, index: int, **settings) -> None:
        """Change a layer's settings, e.g. ``update(1, units=64)``."""
        self._layers[index].update(settings)
        self._emit("changed", index)

    def replace(self, index: int, layer: dict) -> None:
        """Put ``layer`` in place of the layer at ``index`` (e.g. without a setting it had)."""
        self._layers[index] = dict(layer)
        self._emit("changed", index)

    def reset(self, layers, input_shape=None) -> None:
        self._layers = [dict(s) for s in layers]
        if input_shape is not None:
            self.input_shape = tuple(input_shape)
        self._emit("reset")

    # -- callbacks ----------------------------------------------------------------
    def connect(self, callback: Callback) -> None:
        self._callbacks.append(callback)

    def disconnect(self, callback: Callback) -> None:
        self._callbacks.remove(callback)

    def _emit(self, event: str, *args) -> None:
        for callback in list(self._callbacks):
            callback(event, args)

    def __repr__(self) -> str:
        def one(s: dict) -> str:
            if s.get("type") == "Conv2D":
                return f"Conv2D({s.get('filters')}@{s.get('size')})"
            setting = s.get("units", s.get("rate", s.get("size")))
            return str(s.get("type")) + (f"({setting})" if setting is not None else "")

        return "LayerStack(" + ", ".join(one(s) for s in self._layers) + ")"
