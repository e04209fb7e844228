"""Browse the training, validation and test images by label."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...nn import analysis
from ..flow_layout import BalancedFlowLayout
from ..fold_layout import FoldLayout
from .common import EmptyState
from .gallery import ImageGallery

PAGE = 240  # images per page
ALL = 10  # the id of the 'All' button (the digits are 0-9)
SETS = [("train", "Training set"), ("val", "Validation set"), ("test", "Test set")]


class DatasetView(QWidget):
    """A page of images of one set and one digit (or all), with counts per digit."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("datasetView")
        self.session = session
        self.counts = np.zeros(10, np.int64)  # images per digit in the chosen set
        self.selection = np.zeros(0, np.int64)  # indices of the chosen set and digit
        self.page = 0
        self.indices = np.zeros(0, np.int64)  # indices on the current page
        self._loaded = False

        self.set_combo = QComboBox()
        self.set_combo.setObjectName("datasetSet")
        self.set_combo.setToolTip("Which images to browse: the ones the network trains on, "
                                  "the validation images watched during training, or the "
                                  "test images it is graded on")
        for key, title in SETS:
            self.set_combo.addItem(title, key)
        self.set_combo.currentIndexChanged.connect(lambda _: self._load_set())

        self.digits = QButtonGroup(self)  # exclusive by default: one button checked
        self.digit_buttons: dict[int, QToolButton] = {}
        self.digit_shortcuts: dict[int, QShortcut] = {}
        for d in [ALL, *range(10)]:  # ALL first
            button = QToolButton()
            button.setCheckable(True)
            button.setObjectName("digitAll" if d == ALL else f"digit{d}")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            self.digits.addButton(button, d)
            self.digit_buttons[d] = button
            # The keys are QShortcuts of the view, not the buttons' own shortcuts:
            # QAbstractButton.setText() replaces a button's shortcut with the text's
            # mnemonic (none), which silently dropped them when the counts were shown.
            # Window context: they work whenever this tab is visible (wherever the
            # focus is); text fields elsewhere still get their digits (they claim
            # typed characters before shortcuts are looked up).
            shortcut = QShortcut(QKeySequence("A" if d == ALL else str(d)), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda d=d: self._on_key(d))
            self.digit_shortcuts[d] = shortcut
        self.digit_buttons[ALL].setChecked(True)
        self.digits.idClicked.connect(lambda _: self._select())
        self.digit_bar = DigitBar([self.digit_buttons[d] for d in [ALL, *range(10)]])
        self.digit_bar.setObjectName("datasetDigits")

        self.prev_button = QPushButton("\u25c0 Previous")
        self.prev_button.setObjectName("datasetPrev")
        self.prev_button.setToolTip("The previous page of images (Page Up)")
        self.prev_button.setShortcut(QKeySequence(Qt.Key.Key_PageUp))
        self.prev_button.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_button = QPushButton("Next page \u25b6")
        self.next_button.setObjectName("datasetNext")
        self.next_button.setToolTip("The next page of images (Page Down)")
        self.next_button.setShortcut(QKeySequence(Qt.Key.Key_PageDown))
        self.next_button.clicked.connect(lambda: self.show_page(self.page + 1))
        self.page_label = QLabel()
        self.page_label.setObjectName("datasetPage")
        self.page_label.setToolTip("Which images of the chosen set and digit are shown")
        self.page_label.setMinimumWidth(1)  # never holds the view wider: top folds instead
        # the set and the page on the left, the page buttons on the right; on a narrow
        # view the buttons go under them (FoldLayout)
        which = QHBoxLayout()
        which.addWidget(self.set_combo)
        which.addWidget(self.page_label)
        which.addStretch(1)
        paging = QHBoxLayout()
        paging.addStretch(1)
        paging.addWidget(self.prev_button)
        paging.addWidget(self.next_button)
        self.top = top = FoldLayout()
        top.setSpacing(6)
        top.add(which, 1)
        top.add(paging)

        self.gallery = ImageGallery()
        self.gallery.setObjectName("datasetGallery")
        self.gallery.setToolTip("Click an image to put it on the drawing canvas")
        self.gallery.imageClicked.connect(self._on_image)

        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        hint = QLabel("Show only one digit (keys 0-9, A for all); each button shows how many "
                      "images of its digit the set holds. Click an image to put it on the "
                      "drawing canvas.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(mid);")
        lay.addWidget(hint)
        lay.addWidget(self.digit_bar)
        lay.addWidget(self.gallery, 1)
        self.stack = EmptyState(page, "Loading the images...")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)

    # -- data -------------------------------------------------------------------------
    @property
    def set_key(self) -> str:
        return self.set_combo.currentData()

    @property
    def digit(self) -> int:
        return self.digits.checkedId()

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        data = self.session.data
        key = self.set_key
        return getattr(data, f"{key}_x"), getattr(data, f"{key}_y")

    def _load_set(self) -> None:
        try:
            _, y = self.arrays()
        except Exception as e:  # noqa: BLE001 - a missing data file must not crash the view
            self.stack.show_message(f"No images to show: {e}")
            return
        self._loaded = True
        self.counts = analysis.label_counts(y)
        total = len(y)
        self.digit_buttons[ALL].setText(f"All\n{total:,}")
        self.digit_buttons[ALL].setToolTip(f"All {total:,} images of the set (A)")
        for d in range(10):
            n = int(self.counts[d])
            self.digit_buttons[d].setText(f"{d}\n{n:,}")
            self.digit_buttons[d].setToolTip(f"Only the {n:,} images labelled {d} (key {d})")
        self.digit_bar.relayout()  # the counts changed the buttons' widths
        self.stack.show_content()
        self._select()

    def _on_key(self, digit: int) -> None:
        button = self.digit_buttons[digit]
        if self._loaded and button.isEnabled():
            self.select_digit(digit)

    def select_digit(self, digit: int) -> None:
        """Show only ``digit`` (0-9), or every image with ``ALL``."""
        self.digit_buttons[digit].setChecked(True)
        self._select()

    def _select(self) -> None:
        if not self._loaded:
            return
        _, y = self.arrays()
        d = self.digit
        self.selection = np.arange(len(y)) if d == ALL else np.flatnonzero(y == d)
        self.show_page(0)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.selection) / PAGE))

    def show_page(self, page: int) -> None:
        if not self._loaded:
            return
        page = min(max(page, 0), self.pages - 1)
        self.page = page
        x, y = self.arrays()
        idx = self.selection[page * PAGE:(page + 1) * PAGE]
        self.indices = idx
        name = self.set_combo.currentText().lower()
        labels = y[idx]
        self.gallery.set_images(x[idx], [str(t) for t in labels],
                                [f"{name} image #{i:,}, labelled {t}.\nClick to put it on the "
                                 "drawing canvas." for i, t in zip(idx, labels, strict=True)])
        n = len(self.selection)
        if n:
            self.page_label.setText(f"{page * PAGE + 1:,}-{page * PAGE + len(idx):,} of {n:,}"
                                    f" (page {page + 1:,} of {self.pages:,})")
        else:
            self.page_label.setText("no images")
        self.prev_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < self.pages - 1)

    def _on_image(self, row: int) -> None:
        if 0 <= row < len(self.indices):
            x, y = self.arrays()
            i = int(self.indices[row])
            self.session.show_image(x[i], int(y[i]))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded:
            self._load_set()


class DigitBar(QWidget):
    """The 'All' and 0-9 buttons in one row, or in as few rows as let every button
    show its whole text (two rows of six at the window's minimum size): the layout
    (:class:`BalancedFlowLayout`) arranges them for the width the bar gets."""

    SPACING = 2

    def __init__(self, buttons: list[QToolButton], parent=None):
        super().__init__(parent)
        self.buttons = buttons
        self.flow = BalancedFlowLayout(self, self.SPACING)
        for b in buttons:
            self.flow.addWidget(b)
        # the bar picks its rows to fit the width it gets: it asks for no minimum width
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    @property
    def columns(self) -> int:
        return self.flow.columns

    @property
    def rows(self) -> int:
        return self.flow.rows_for(self.flow.columns)

    def relayout(self) -> None:
        """The buttons' texts changed: arrange them again."""
        self.flow.invalidate()
