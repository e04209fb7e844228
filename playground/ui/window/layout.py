"""Fitting the window to the screen, and its columns to the window.

- :func:`fit_window` keeps the window (with its frame) inside the screen's available area.
- :class:`Columns` puts the builder, the centre tabs and the drawing side by side on a
  wide window; on a narrow one (a 1024 x 600 netbook, a 1280 x 720 laptop with a big
  font) the builder and the drawing share one side column as two tabs, so the plots keep
  a readable width. Side columns scroll when they are taller than the window.
- Column widths are remembered as proportions per arrangement, so widths saved on a small
  screen never cripple the layout on a large one.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QTabWidget, QWidget

#: The size the window asks for on a screen with room for it.
PREFERRED_SIZE = QSize(1280, 800)
#: The smallest window: fits a 1024 x 600 screen with a title bar and a panel.
MINIMUM_SIZE = QSize(760, 480)
#: Assumed window frame (title bar and borders) until the window manager reports it.
DEFAULT_FRAME = QMargins(4, 32, 4, 4)
#: Below this window width the builder and the drawing become tabs of one side column.
WIDE_FROM = 1180
WIDE, COMPACT = "wide", "compact"
#: Column shares when nothing (sensible) is remembered.
DEFAULT_SHARES = {WIDE: (0.24, 0.50, 0.26), COMPACT: (0.34, 0.66)}


def fit_window(available: QRect, preferred: QSize, frame: QMargins = DEFAULT_FRAME,
               position: QPoint | None = None) -> QRect:
    """The window's geometry (its inside, without the frame) for a screen area.

    As ``preferred`` as the screen allows: never larger than ``available`` minus
    ``frame``; placed at ``position`` (the inside's top-left) if it then fits, else
    moved just enough to fit, or centred when no position is given.
    """
    room = available.marginsRemoved(frame)
    width = max(1, min(preferred.width(), room.width()))
    height = max(1, min(preferred.height(), room.height()))
    if position is None:
        x = room.x() + (room.width() - width) // 2
        y = room.y() + (room.height() - height) // 2
    else:
        x = min(max(position.x(), room.x()), room.x() + room.width() - width)
        y = min(max(position.y(), room.y()), room.y() + room.height() - height)
    return QRect(x, y, width, height)


def arrangement_for(width: int) -> str:
    """Which arrangement of the columns a window ``width`` pixels wide gets."""
    return WIDE if width >= WIDE_FROM else COMPACT


def sizes_from_shares(shares, total: int) -> list[int]:
    """Column widths for ``total`` pixels from proportions (which are normalised)."""
    s = sum(shares)
    return [max(1, round(total * share / s)) for share in shares]


def valid_shares(value, count: int) -> tuple[float, ...] | None:
    """Remembered proportions as a tuple, or None if they are not ``count`` sensible
    numbers (a corrupt or foreign settings file must not break the layout)."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)) or len(value) != count:
        return None
    try:
        shares = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None
    if not all(0.1 <= v <= 0.8 for v in shares) or not 0.9 <= sum(shares) <= 1.1:
        return None
    return shares


class _Holder(QWidget):
    """Holds a panel at the scroll area's size, or its minimum size if that is larger.

    Without a layout, so the panel's height-for-width (wrapped labels, a square canvas)
    never makes the scroll area hold it taller than the window while it could fit.
    """

    def __init__(self, panel: QWidget):
        super().__init__()
        self.panel = panel
        panel.setParent(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.panel.minimumSizeHint().expandedTo(self.panel.minimumSize())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.minimumSizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.panel.setGeometry(self.rect())


def side_scroll(widget: QWidget, name: str) -> QScrollArea:
    """``widget`` in a scroll area that scrolls vertically when the window is too short;
    it keeps the widget's minimum width, so nothing is cut at the side."""
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidget(_Holder(widget))
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    bar = area.verticalScrollBar().sizeHint().width()
    area.setMinimumWidth(widget.minimumSizeHint().width() + bar + 2)
    return area


class Columns(QSplitter):
    """The window's columns: ``builder | centre | draw`` (wide) or
    ``[Network | Draw & predict] | centre`` (compact). The panels themselves never change."""

    def __init__(self, builder: QWidget, centre: QWidget, draw: QWidget, parent=None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("mainSplitter")
        self.setChildrenCollapsible(False)
        self.builder_area = side_scroll(builder, "builderScroll")
        self.draw_area = side_scroll(draw, "drawScroll")
        self.centre = centre
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("sideTabs")
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.tabBar().setChangeCurrentOnDrag(True)  # drag a file onto "Draw"
        self.side_tabs.setMinimumWidth(max(self.builder_area.minimumWidth(),
                                           self.draw_area.minimumWidth()))
        self.arrangement = WIDE
        self.shares: dict[str, tuple[float, ...]] = dict(DEFAULT_SHARES)
        for widget in (self.side_tabs, self.builder_area, centre, self.draw_area):
            self.addWidget(widget)
        self.side_tabs.hide()
        # the columns keep their proportions as the window grows or shrinks; dragging a
        # handle sets new ones
        self.splitterMoved.connect(self._remember_shares)

    def visible_columns(self) -> list[QWidget]:
        return [self.widget(i) for i in range(self.count()) if not self.widget(i).isHidden()]

    def arrange(self, arrangement: str) -> bool:
        """Switch to WIDE or COMPACT (True if it changed); the column widths follow the
        remembered proportions of that arrangement."""
        if arrangement == self.arrangement:
            return False
        current = self.side_tabs.currentIndex()
        if arrangement == COMPACT:
            self.side_tabs.addTab(self.builder_area, "Network")
            self.side_tabs.addTab(self.draw_area, "Draw && predict")
            self.side_tabs.setTabToolTip(0, "Build the network")
            self.side_tabs.setTabToolTip(1, "Draw a digit and see what the network says")
            self.side_tabs.show()
        else:
            self.side_tabs.clear()  # the pages are reparented below, not deleted
            self.insertWidget(1, self.builder_area)
            self.insertWidget(3, self.draw_area)
            self.builder_area.show()
            self.draw_area.show()
            self.side_tabs.hide()
        if current >= 0 and arrangement == COMPACT:
            self.side_tabs.setCurrentIndex(current)
        self.arrangement = arrangement
        self.apply_shares()
        return True

    def fit(self, width: int) -> bool:
        """Arrange for a window ``width`` pixels wide."""
        return self.arrange(arrangement_for(width))

    def show_side(self, widget: QWidget) -> None:
        """Bring a side panel (the builder or the drawing) into view."""
        area = self.draw_area if self.draw_area.widget().panel is widget else self.builder_area
        if self.arrangement == COMPACT:
            self.side_tabs.setCurrentWidget(area)

    # -- widths -------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.apply_shares()

    def apply_shares(self) -> None:
        shares = self.shares[self.arrangement]
        sizes = iter(sizes_from_shares(shares, max(self.width(), 1)))
        self.setSizes([next(sizes) if not self.widget(i).isHidden() else 0
                       for i in range(self.count())])

    def current_shares(self) -> tuple[float, ...]:
        sizes = [s for i, s in enumerate(self.sizes()) if not self.widget(i).isHidden()]
        total = sum(sizes)
        if total <= 0:
            return self.shares[self.arrangement]
        return tuple(round(s / total, 4) for s in sizes)

    def _remember_shares(self, *_) -> None:
        shares = valid_shares(self.current_shares(), len(DEFAULT_SHARES[self.arrangement]))
        if shares is not None:
            self.shares[self.arrangement] = shares

    def restore_shares(self, saved: dict) -> None:
        """Use remembered proportions ({arrangement: shares}) where they are sensible."""
        for arrangement, default in DEFAULT_SHARES.items():
            shares = valid_shares(saved.get(arrangement), len(default))
            self.shares[arrangement] = shares or default
        self.apply_shares()
