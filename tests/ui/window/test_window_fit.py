"""The window on small and large screens: it opens inside the screen, every key control can
be reached at 1024 x 600 and 1280 x 720, and column widths from one screen suit another."""

import pytest
from PySide6.QtCore import QMargins, QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QMessageBox, QScrollArea, QTabWidget, QWidget

from playground.state.session import Session
from playground.ui.window import layout as wl
from playground.ui.window.main_window import MainWindow

KEY_CONTROLS = ["startButton", "stopButton", "progressBar", "statusLabel", "drawCanvas",
                "predictionLabel", "layerStack", "lrEdit", "accuracyPlot", "lossPlot"]
TITLE_BAR = QMargins(0, 30, 0, 0)


# -- the pure geometry -----------------------------------------------------------------------
@pytest.mark.parametrize("screen", [QRect(0, 0, 1024, 600), QRect(0, 0, 1024, 640),
                                    QRect(0, 0, 1280, 720), QRect(0, 27, 1366, 741),
                                    QRect(1920, 0, 1280, 800)])
def test_fit_window_keeps_the_frame_inside_the_screen(screen):
    rect = wl.fit_window(screen, wl.PREFERRED_SIZE)
    outer = rect.marginsAdded(wl.DEFAULT_FRAME)
    assert screen.contains(outer), (screen, outer)
    assert rect.width() <= wl.PREFERRED_SIZE.width()


def test_fit_window_on_a_big_screen_is_the_preferred_size_centred():
    screen = QRect(0, 0, 2560, 1440)
    rect = wl.fit_window(screen, QSize(1280, 800), QMargins())
    assert rect.size() == QSize(1280, 800) and rect.center() == screen.center()


def test_fit_window_keeps_a_position_that_fits_and_moves_one_that_does_not():
    screen = QRect(0, 0, 1920, 1080)
    kept = wl.fit_window(screen, QSize(800, 600), QMargins(), QPoint(100, 50))
    assert kept == QRect(100, 50, 800, 600)
    # saved on a second monitor that is gone, or half off the screen: moved back in
    moved = wl.fit_window(screen, QSize(1280, 800), QMargins(), QPoint(3000, 900))
    assert screen.contains(moved) and moved.size() == QSize(1280, 800)


def test_the_minimum_size_fits_a_netbook_with_a_title_bar():
    room = QRect(0, 0, 1024, 600).marginsRemoved(wl.DEFAULT_FRAME)
    assert wl.MINIMUM_SIZE.width() <= room.width()
    assert wl.MINIMUM_SIZE.height() <= room.height()


@pytest.mark.parametrize("value", [None, "", "a,b,c", "0.9,0.05,0.05", [0.5, 0.5],
                                   "0.2,0.3,0.2", "nan,0.5,0.5", 7])
def test_nonsense_in_the_settings_is_ignored(value):
    assert wl.valid_shares(value, 3) is None


def test_shares_scale_with_the_window():
    assert wl.valid_shares("0.25,0.5,0.25", 3) == (0.25, 0.5, 0.25)
    assert wl.sizes_from_shares((0.25, 0.5, 0.25), 1000) == [250, 500, 250]
    assert wl.sizes_from_shares((0.25, 0.5, 0.25), 2000) == [500, 1000, 500]


# -- the window on a given screen ---------------------------------------------------------------
@pytest.fixture
def screen(monkeypatch):
    """Pretend the screen's free area is ``screen.set(w, h)`` (offscreen has no real one)."""
    class Screen:
        rect = QRect(0, 0, 1920, 1080)

        def set(self, w, h):
            self.rect = QRect(0, 0, w, h)

    fake = Screen()
    monkeypatch.setattr(QScreen, "availableGeometry", lambda self: fake.rect)
    return fake


@pytest.fixture
def make_window(qtbot, small_split, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    made = []

    def make():
        w = MainWindow(Session(data=small_split))
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.session.dirty = False
        w.shutdown()


def reveal(window, widget) -> None:
    """Do what a person would do to see ``widget``: pick its tabs, scroll to it."""
    chain = []
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        chain.append(parent)
        parent = parent.parentWidget()
    for ancestor in reversed(chain):
        if isinstance(ancestor, QTabWidget):
            for i in range(ancestor.count()):
                page = ancestor.widget(i)
                if page is widget or page.isAncestorOf(widget):
                    ancestor.setCurrentIndex(i)
    for ancestor in chain:
        if isinstance(ancestor, QScrollArea) and ancestor.widget().isAncestorOf(widget):
            ancestor.ensureWidgetVisible(widget, 0, 0)


def fully_shown(window, widget) -> bool:
    """The widget is visible and no parent (a scroll area's viewport, the window) cuts it."""
    if not widget.isVisible():
        return False
    parent = widget.parentWidget()
    while parent is not None:
        rect = QRect(widget.mapTo(parent, QPoint(0, 0)), widget.size())
        if not parent.rect().contains(rect):
            return False
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False


@pytest.mark.parametrize("size", [(1024, 600), (1280, 720), (1366, 768), (1920, 1080)])
def test_the_window_opens_inside_the_screen_with_every_control_reachable(screen, make_window,
                                                                          qtbot, size):
    screen.set(*size)
    window = make_window()
    qtbot.waitUntil(lambda: window.width() <= size[0])
    room = screen.rect.marginsRemoved(wl.DEFAULT_FRAME)
    assert room.contains(window.geometry()), (window.geometry(), room)
    hint = window.minimumSizeHint()
    assert hint.width() <= room.width() and hint.height() <= room.height()
    assert window.minimumSize().width() <= room.width()
    assert window.minimumSize().height() <= room.height()
    expected = "compact" if window.width() < wl.WIDE_FROM else "wide"
    assert window.splitter.arrangement == expected
    for name in KEY_CONTROLS:
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        reveal(window, widget)
        try:
            qtbot.waitUntil(lambda w=widget: fully_shown(window, w), timeout=2000)
        except Exception as e:
            raise AssertionError(f"{name} is not fully shown: {widget.isVisible()} "
                                 f"{widget.mapTo(window, QPoint(0, 0))} {widget.size()} "
                                 f"{widget.visibleRegion().boundingRect()} "
                                 f"window {window.size()}") from e
    assert fully_shown(window, window.statusBar())


@pytest.mark.parametrize("size", [(1024, 600), (1280, 720)])
def test_plots_get_a_readable_width(screen, make_window, qtbot, size):
    screen.set(*size)
    window = make_window()
    for name in ("accuracyPlot", "lossPlot"):
        plot = window.findChild(QWidget, name)
        qtbot.waitUntil(lambda p=plot: p.width() >= 280 and p.height() >= 200)


def test_a_window_taller_than_a_netbook_is_not_restored(screen, make_window, qtbot):
    screen.set(1920, 1080)
    big = make_window()
    big.resize(1800, 1000)
    big.close()
    screen.set(1024, 600)
    small = make_window()
    assert screen.rect.marginsRemoved(wl.DEFAULT_FRAME).contains(small.geometry())


def test_widths_saved_on_a_small_screen_suit_a_large_one(screen, make_window, qtbot):
    screen.set(1024, 600)
    small = make_window()
    assert small.splitter.arrangement == "compact"
    columns = small.splitter
    columns.setSizes([columns.side_tabs.minimumWidth(), 10_000])  # the side as thin as it goes
    columns._remember_shares()
    small.close()
    assert QSettings().value("window/shares/compact") is not None
    screen.set(1920, 1080)
    big = make_window()
    big.resize(1800, 1000)
    qtbot.waitUntil(lambda: big.splitter.arrangement == "wide")
    _, builder, centre, draw = big.splitter.sizes()
    # the wide arrangement keeps its own proportions: nothing squeezed to a sliver
    assert builder >= 0.2 * 1800 and draw >= 0.2 * 1800 and centre >= 0.4 * 1800


def test_the_columns_follow_the_window_width(screen, make_window, qtbot):
    window = make_window()
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: window.splitter.arrangement == "wide")
    assert window.findChild(QWidget, "drawCanvas").isVisible()
    assert window.findChild(QWidget, "layerStack").isVisible()
    window.resize(1000, 600)
    qtbot.waitUntil(lambda: window.splitter.arrangement == "compact")
    tabs = window.splitter.side_tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Network", "Draw && predict"]
    window.splitter.show_side(window.draw)
    assert window.findChild(QWidget, "drawCanvas").isVisible()
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: window.splitter.arrangement == "wide")
    assert window.findChild(QWidget, "drawCanvas").isVisible()
    assert window.findChild(QWidget, "layerStack").isVisible()


def test_an_image_sent_to_the_canvas_brings_the_drawing_into_view(screen, make_window,
                                                                   qtbot):
    """On a narrow window the drawing is a tab: a click on a gallery image (which puts
    the image on the canvas) shows that tab."""
    screen.set(1024, 600)
    window = make_window()
    qtbot.waitUntil(lambda: window.splitter.arrangement == "compact")
    canvas = window.findChild(QWidget, "drawCanvas")
    window.splitter.side_tabs.setCurrentIndex(0)  # the builder
    assert not canvas.isVisible()
    data = window.session.data
    window.session.show_image(data.test_x[0], int(data.test_y[0]))
    assert canvas.isVisible()
