"""Model files dropped on the window: wherever they land (the drawing canvas included),
a ``.npz`` file is opened as a model, not read as an image."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal

MODEL_SUFFIX = ".npz"


def dropped_model(mime) -> str | None:
    """The first local ``.npz`` file among dropped URLs, or None."""
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and url.toLocalFile().lower().endswith(MODEL_SUFFIX):
            return url.toLocalFile()
    return None


class ModelDrops(QObject):
    """An event filter for widgets that take drops: model files are taken here and
    announced with ``modelDropped(path)``; any other drop goes on to the widget."""

    modelDropped = Signal(str)
    _KINDS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)

    def watch(self, widget) -> None:
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if event.type() not in self._KINDS:
            return False
        path = dropped_model(event.mimeData())
        if path is None:
            if watched.isWindow() and event.type() == QEvent.Type.DragEnter:
                event.ignore()  # the window itself takes only models
                return True
            return False
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            self.modelDropped.emit(path)
        return True
