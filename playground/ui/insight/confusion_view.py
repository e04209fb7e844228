"""The confusion matrix on the test set, with the images behind every cell."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import theme
from .common import EvaluatedView
from .gallery import ImageGallery

N = 10
RIGHT = theme.rgb(theme.CONFUSION_RIGHT)  # the diagonal: right answers (green)
WRONG = theme.rgb(theme.CONFUSION_WRONG)  # off the diagonal: mistakes (red)
ACC_COL = N  # the per-class accuracy column


def _blend(rgb, t: float) -> QColor:
    """White blended towards ``rgb`` by ``t`` (0..1)."""
    t = min(max(t, 0.0), 1.0)
    return QColor(*(int(255 + (c - 255) * t) for c in rgb))


def _ink(background: QColor) -> QColor:
    return QColor(theme.INK_ON_DARK if background.lightnessF() < 0.55 else theme.INK_ON_LIGHT)


class ConfusionView(EvaluatedView):
    """Counts of (true digit, predicted digit) on the test set; click a cell for its images."""

    NAME = "confusion"
    TITLE = "<b>Confusion matrix</b>"
    EMPTY = ("Train the network (one epoch is enough) to see which digits it confuses.\n\n"
             "Or press Recompute to evaluate the weights as they are now.")

    def _build(self) -> QWidget:
        self.table = QTableWidget(N, N + 1)
        self.table.setObjectName("confusionMatrix")
        self.table.setToolTip("Rows: the true digit. Columns: the digit the network said.\n"
                              "The diagonal (green) counts right answers, the other cells "
                              "(red) mistakes. Click a cell to see its images.")
        self.table.setHorizontalHeaderLabels([str(d) for d in range(N)] + ["right"])
        self.table.setVerticalHeaderLabels([str(d) for d in range(N)])
        self.table.horizontalHeaderItem(ACC_COL).setToolTip(
            "Per-class accuracy: the share of each true digit the network got right")
        for d in range(N):
            self.table.horizontalHeaderItem(d).setToolTip(f"The network said {d}")
            self.table.verticalHeaderItem(d).setToolTip(f"The true digit is {d}")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # ten digit columns fit a narrow centre column: a slightly smaller font, and columns
        # never narrower than a four-digit count needs (no "1..." for 1,135)
        font = self.table.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.table.setFont(font)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        header.setMinimumSectionSize(self.table.fontMetrics().horizontalAdvance("8888") + 4)
        # the share column is as wide as "100.0%" needs, never elided ("10...")
        header.setSectionResizeMode(ACC_COL, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(ACC_COL, self.table.fontMetrics().horizontalAdvance("100.0%") + 12)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setMinimumSectionSize(18)
        self.table.setMinimumHeight(200)
        self.table.setCornerButtonEnabled(False)
        # the chosen cell keeps its colour and gets a frame
        palette = self.table.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Highlight, QColor(theme.CONFUSION_CHOSEN))
            palette.setColor(group, QPalette.ColorRole.HighlightedText,
                             QColor(theme.INK_ON_LIGHT))
        self.table.setPalette(palette)
        for r in range(N):
            for c in range(N + 1):
                item = QTableWidgetItem()
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                flags = Qt.ItemFlag.ItemIsEnabled
                if c < N:
                    flags |= Qt.ItemFlag.ItemIsSelectable
                item.setFlags(flags)
                self.table.setItem(r, c, item)
        self.table.cellClicked.connect(self.show_cell)
        self.table.currentCellChanged.connect(lambda r, c, *_: self.show_cell(r, c))
        axes = QLabel("Rows: <b>true</b> digit &nbsp;&middot;&nbsp; columns: what the network "
                      "<b>said</b> &nbsp;&middot;&nbsp; last column: share right")
        axes.setToolTip(self.table.toolTip())
        axes.setWordWrap(True)

        self.confused = QLabel()
        self.confused.setObjectName("mostConfused")
        self.confused.setWordWrap(True)  # a narrow column wraps it instead of widening
        self.confused.setToolTip("The mistake the network makes most often; click to see them")
        self.confused.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                              | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.confused.linkActivated.connect(self._open_most_confused)

        self.gallery_title = QLabel("Click a cell to see its test images.")
        self.gallery_title.setObjectName("cellTitle")
        self.gallery_title.setWordWrap(True)
        self.gallery = ImageGallery()
        self.gallery.setObjectName("cellGallery")
        self.gallery.setToolTip("The test images of the chosen cell, with the network's "
                                "confidence; click one to put it on the drawing canvas")
        self.gallery.imageClicked.connect(
            lambda row: self._open_test_image(self.cell_indices, row))

        upper = QWidget()
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.addWidget(axes)
        ul.addWidget(self.table, 1)
        ul.addWidget(self.confused)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.gallery_title)
        ll.addWidget(self.gallery, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        return self.splitter

    def _reset(self) -> None:
        self.cell: tuple[int, int] | None = None  # the cell whose images are shown
        self.cell_indices = np.zeros(0, np.int64)  # test-set indices in the gallery
        self.gallery.set_images(np.zeros((0, 28, 28), np.uint8))

    def show_result(self, result, when: str = "") -> None:
        fresh = result is not self.result
        self.result = result
        cm = result.cm[:N, :N]
        acc = result.per_class()
        diag_max = max(int(np.diag(cm).max(initial=0)), 1)
        off = cm.copy()
        np.fill_diagonal(off, 0)
        off_max = max(int(off.max(initial=0)), 1)
        for r in range(N):
            total = int(cm[r].sum())
            for c in range(N):
                count = int(cm[r, c])
                item = self.table.item(r, c)
                item.setText(f"{count:,}" if count else "")
                if r == c:
                    bg = _blend(RIGHT, 0.15 + 0.85 * count / diag_max if count else 0.0)
                    tip = f"{count:,} of {total:,} images of {r} recognised correctly"
                else:
                    bg = _blend(WRONG, np.sqrt(count / off_max) if count else 0.0)
                    tip = (f"{count:,} images of {r} taken for {c}" if count
                           else f"No {r} was taken for {c}")
                item.setBackground(QBrush(bg))
                item.setForeground(QBrush(_ink(bg)))
                item.setToolTip(tip + ("\nClick to see them" if count else ""))
            item = self.table.item(r, ACC_COL)
            a = acc[r]
            if np.isfinite(a):
                item.setText(f"{100 * a:.1f}%")
                bg = _blend(WRONG, min(1.0, (1.0 - a) * 5)) if a < 1 else _blend(RIGHT, 0.3)
                item.setToolTip(f"{100 * a:.1f}% of the {total:,} test images of {r} "
                                "are recognised")
            else:
                item.setText("-")
                bg = QColor(theme.CELL)
                item.setToolTip(f"No test images of {r}")
            item.setBackground(QBrush(bg))
            item.setForeground(QBrush(_ink(bg)))

        self.summary.setText(
            f"{self.TITLE} on the {result.n:,} test images, "
            f"{when or self.evaluator.when}: {result.correct:,} right "
            f"(<b>{100 * result.accuracy:.1f}%</b>), {result.n - result.correct:,} wrong.")
        pair = result.most_confused()
        if pair is None:
            self.confused.setText("No mistakes at all on the test set.")
        else:
            t, p, count = pair
            self.confused.setText(
                f"Most confused: <b>{t} taken for {p}</b> ({count:,} "
                f"time{'s' if count != 1 else ''}) &mdash; <a href='cell'>show them</a>")
        self.stack.show_content()
        if self.cell is not None and fresh:  # the chosen cell's images under the new result
            cell, self.cell = self.cell, None
            self.show_cell(*cell)

    def _open_most_confused(self, *_) -> None:
        pair = self.result.most_confused() if self.result is not None else None
        if pair is not None:
            t, p, _ = pair
            self.table.setCurrentCell(t, p)
            self.show_cell(t, p)

    # -- one cell's images ----------------------------------------------------------------
    def show_cell(self, true: int, predicted: int) -> None:
        """Fill the gallery with the test images in cell (true, predicted)."""
        if self.result is None or not (0 <= true < N and 0 <= predicted < N):
            return
        if self.cell == (true, predicted):
            return  # shown already: a click fires both cellClicked and currentCellChanged
        result = self.result
        idx = result.cell(true, predicted)
        conf = result.proba[idx, predicted]
        order = np.argsort(-conf, kind="stable")  # most confident first
        idx, conf = idx[order], conf[order]
        self.cell = (true, predicted)
        self.cell_indices = idx
        images = self.session.data.test_x[idx]
        captions = [f"{100 * p:.1f}%" for p in conf]
        tips = [f"Test image #{i:,}: true {true}, the network said {predicted} "
                f"({100 * p:.1f}%).\nClick to put it on the drawing canvas."
                for i, p in zip(idx, conf, strict=True)]
        self.gallery.set_images(images, captions, tips)
        what = "recognised" if true == predicted else "mistakes"
        self.gallery_title.setText(
            f"<b>true {true}, predicted {predicted}</b>: {len(idx):,} {what}, most "
            f"confident first, with the network's output for {predicted}. Click one to put "
            "it on the drawing canvas." if len(idx) else
            f"<b>true {true}, predicted {predicted}</b>: no test images.")
