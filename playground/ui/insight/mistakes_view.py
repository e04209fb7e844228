"""The network's most confident mistakes on the test set."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .common import EmptyState, Evaluator, Throttle
from .gallery import ImageGallery

LIMIT = 300  # mistakes shown, most confident first

EMPTY = ("Train the network to see the test images it gets wrong with the most "
         "confidence.\n\nOr press Recompute to look at the weights as they are now.")


class MistakesView(QWidget):
    """A gallery of the most confidently wrong test predictions; click one to draw it."""

    def __init__(self, session, evaluator: Evaluator | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("mistakesView")
        self.session = session
        self.evaluator = evaluator or Evaluator(session, self)
        self.indices = np.zeros(0, np.int64)  # test-set indices shown, in gallery order
        self.result = None

        self.summary = QLabel()
        self.summary.setObjectName("mistakesSummary")
        self.summary.setWordWrap(True)
        self.recompute = QPushButton("&Recompute")
        self.recompute.setObjectName("mistakesRecompute")
        self.recompute.setToolTip("Evaluate the latest weights on the test set now (F9)")
        self.recompute.clicked.connect(self.refresh)
        shortcut = QShortcut(QKeySequence("F9"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.recompute, 0, Qt.AlignmentFlag.AlignTop)

        self.gallery = ImageGallery(caption_width=self.fontMetrics().horizontalAdvance(
            "true 8 / said 8 (100%)") + 12)
        self.gallery.setObjectName("mistakesGallery")
        self.gallery.setToolTip("Test images the network got wrong, the most confident "
                                "mistakes first. Click one to put it on the drawing canvas.")
        self.gallery.imageClicked.connect(self._on_image)
        self.stack = EmptyState(self.gallery, EMPTY)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        self.throttle = Throttle(self, self.refresh, 0)
        self.evaluator.ready.connect(self.show_result)
        self.evaluator.failed.connect(self._clear)
        session.epochFinished.connect(lambda _: self.throttle.request(now=True))
        session.modelChanged.connect(self._on_model)
        self._on_model()

    def _on_model(self) -> None:
        self.throttle.stale = False
        self._clear()
        if self.session.trained:
            self.throttle.request(now=True)

    def _clear(self, message: str | None = None) -> None:
        self.result = None
        self.indices = np.zeros(0, np.int64)
        self.gallery.set_images(np.zeros((0, 28, 28), np.uint8))
        self.summary.setText("<b>Most confident mistakes</b> on the test set")
        if message is None and self.session.predictor() is None:
            message = "The network is not valid yet: fix it in the builder."
        self.stack.show_message(message or EMPTY)

    def refresh(self) -> None:
        """Evaluate the latest weights; the result comes through the evaluator."""
        if not self.evaluator.request():
            if self.session.predictor() is None:
                self._clear()
            return
        if self.result is None and self.evaluator.busy:
            self.stack.show_message("Evaluating the test set...")

    def show_result(self, result, when: str = "") -> None:
        self.result = result
        wrong = result.n - result.correct
        idx = result.mistakes(LIMIT)
        self.indices = idx
        pred, conf, labels = result.pred[idx], result.confidence[idx], result.labels[idx]
        captions = [f"true {t} / said {p} ({100 * c:.0f}%)" for t, p, c in
                    zip(labels, pred, conf, strict=True)]
        tips = [f"Test image #{i:,}: the true digit is {t}, the network said {p} with "
                f"{100 * c:.1f}%.\nClick to put it on the drawing canvas."
                for i, t, p, c in zip(idx, labels, pred, conf, strict=True)]
        self.gallery.set_images(self.session.data.test_x[idx], captions, tips)
        shown = (f"the {len(idx):,} most confident of {wrong:,}" if wrong > len(idx)
                 else f"all {wrong:,}")
        self.summary.setText(
            f"<b>Most confident mistakes</b> on the {result.n:,} test images, "
            f"{when or self.evaluator.when}: {shown} mistakes. Click one to put it on the drawing "
            "canvas and see what the network makes of it.")
        if wrong:
            self.stack.show_content()
        else:
            self.stack.show_message("No mistakes on the test set!")

    def _on_image(self, row: int) -> None:
        if 0 <= row < len(self.indices):
            i = int(self.indices[row])
            data = self.session.data
            self.session.show_image(data.test_x[i], int(data.test_y[i]))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.throttle.shown()
