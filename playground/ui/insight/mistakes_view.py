"""The network's most confident mistakes on the test set."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QWidget

from .common import EvaluatedView
from .gallery import ImageGallery

LIMIT = 300  # mistakes shown, most confident first


class MistakesView(EvaluatedView):
    """A gallery of the most confidently wrong test predictions; click one to draw it."""

    NAME = "mistakes"
    TITLE = "<b>Most confident mistakes</b>"
    EMPTY = ("Train the network to see the test images it gets wrong with the most "
             "confidence.\n\nOr press Recompute to look at the weights as they are now.")

    def _build(self) -> QWidget:
        self.gallery = ImageGallery(caption_width=self.fontMetrics().horizontalAdvance(
            "true 8 / said 8 (100%)") + 12)
        self.gallery.setObjectName("mistakesGallery")
        self.gallery.setToolTip("Test images the network got wrong, the most confident "
                                "mistakes first. Click one to put it on the drawing canvas.")
        self.gallery.imageClicked.connect(lambda row: self._open_test_image(self.indices, row))
        return self.gallery

    def _reset(self) -> None:
        self.indices = np.zeros(0, np.int64)  # test-set indices shown, in gallery order
        self.gallery.set_images(np.zeros((0, 28, 28), np.uint8))

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
            f"{self.TITLE} on the {result.n:,} test images, "
            f"{when or self.evaluator.when}: {shown} mistakes. Click one to put it on the drawing "
            "canvas and see what the network makes of it.")
        if wrong:
            self.stack.show_content()
        else:
            self.stack.show_message("No mistakes on the test set!")
