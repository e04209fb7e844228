"""The theme: colours spelled out in one module only, dark variants under a dark palette,
and label states that re-style only when they change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QMessageBox

from playground.state.session import Session
from playground.ui import theme
from playground.ui.builder.panel import BuilderPanel
from playground.ui.draw.panel import DrawPanel
from playground.ui.window.main_window import MainWindow

UI = Path(theme.__file__).parent
#: a colour literal: "#" and 3, 4, 6 or 8 hex digits, not an HTML character reference
HEX = re.compile(r"(?<![&\w])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})\b")
#: a colour by name or by numbers (``QColor("white")``, ``QColor(22, 24, 30)``, "w" in pyqtgraph)
NAMED = re.compile(r'QColor\("[a-z]+"\)|QColor\(\d+, *\d+, *\d+|'
                   r'(?:background|color):\s*(?:black|white|red|green|blue|gray|grey)\b|'
                   r'mk(?:Pen|Brush)\("[a-z]+"')


def dark_palette() -> QPalette:
    p = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#202124"),
                         (QPalette.ColorRole.WindowText, "#e8eaed"),
                         (QPalette.ColorRole.Base, "#17181a"),
                         (QPalette.ColorRole.Text, "#e8eaed"),
                         (QPalette.ColorRole.Button, "#2d2e31"),
                         (QPalette.ColorRole.ButtonText, "#e8eaed")):
        p.setColor(role, QColor(colour))
    return p


@pytest.fixture
def dark_app(qapp):
    """The application under a dark palette for one test."""
    old = qapp.palette()
    qapp.setPalette(dark_palette())
    yield qapp
    qapp.setPalette(old)


def test_no_colour_literal_outside_theme():
    found = []
    for path in sorted(UI.rglob("*.py")):
        if path.name == "theme.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HEX.search(line) or NAMED.search(line):
                found.append(f"{path.relative_to(UI)}:{n}: {line.strip()}")
    assert found == []


def test_the_hex_pattern_finds_what_it_should():
    assert HEX.search('label.setStyleSheet("color: #b45309;")')
    assert HEX.search('pg.mkPen("#777")')
    assert not HEX.search('mark="&#9473;&#9473;"')  # an HTML character, not a colour
    assert NAMED.search('QColor("white")') and NAMED.search('pg.mkPen("w", width=1)')
    assert NAMED.search("QColor(22, 24, 30)") and NAMED.search('"background: black;"')
    assert not NAMED.search("QColor(level, level, level)")  # a computed grey is data


def test_colours_are_strings_with_a_dark_variant():
    assert theme.ERROR == "#c5221f" and theme.ERROR.light == "#c5221f"
    assert theme.ERROR.dark != theme.ERROR.light
    assert theme.PLOT_TEXT.dark == theme.PLOT_TEXT  # no variant given: the same in both
    for name, colour in vars(theme).items():
        if isinstance(colour, theme.Colour):
            assert QColor(colour.light).isValid() and QColor(colour.dark).isValid(), name


def test_pick_follows_the_palette(qapp, dark_app):
    label = QLabel()
    assert theme.is_dark(label)
    assert theme.pick(theme.ERROR, label) == theme.ERROR.dark
    light = QLabel()
    light.setPalette(QPalette(QColor("#f0f0f0")))
    assert not theme.is_dark(light)
    assert theme.pick(theme.ERROR, light) == theme.ERROR.light


def test_stylesheet_states_use_the_dark_variants():
    sheet = theme.stylesheet(dark_palette())
    assert f'QLabel[state="error"] {{ color: {theme.ERROR.dark}; }}' in sheet
    assert theme.ERROR.light not in sheet and theme.OK.dark in sheet
    light = theme.stylesheet(QPalette(QColor("#f0f0f0")))
    assert theme.ERROR.light in light and theme.ERROR.dark not in light


def test_builder_banner_is_dark_under_a_dark_palette(qtbot, small_split, dark_app):
    panel = BuilderPanel(Session(data=small_split))
    qtbot.addWidget(panel)
    sheet = panel.banner.styleSheet()
    assert theme.VALID_BANNER.background.dark in sheet
    assert theme.VALID_BANNER.background.light not in sheet


def test_window_stylesheet_follows_the_palette(qtbot, small_split, monkeypatch, qapp):
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    w = MainWindow(Session(data=small_split))
    qtbot.addWidget(w)
    try:
        assert theme.ERROR.light in w.styleSheet()
        w.setPalette(dark_palette())  # the system turned dark
        assert theme.ERROR.dark in w.styleSheet() and theme.ERROR.light not in w.styleSheet()
    finally:
        w.session.dirty = False
        w.shutdown()


class _Changes(QObject):
    """Counts the property changes (a new ``state``) of the widgets it watches."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event):  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.DynamicPropertyChange:
            self.count += 1
        return False


def test_set_state_restyles_only_on_a_change(qtbot):
    label = QLabel("x")
    qtbot.addWidget(label)
    changes = _Changes()
    label.installEventFilter(changes)
    theme.set_state(label, "error")
    theme.set_state(label, "error")
    assert label.property("state") == "error" and changes.count == 1
    theme.set_state(label, "")
    assert label.property("state") == "" and changes.count == 2
    assert label.styleSheet() == ""  # the look comes from the window's one stylesheet


def test_draw_labels_are_not_restyled_on_every_prediction(qtbot, small_split, monkeypatch):
    panel = DrawPanel(Session(data=small_split))  # untrained: a greyed guess
    qtbot.addWidget(panel)
    labels = (panel.prediction_label, panel.truth_label, panel.status_label)
    sheets = []
    changes = _Changes()
    for label in labels:
        monkeypatch.setattr(label, "setStyleSheet", sheets.append)
        label.installEventFilter(changes)
    panel.canvas.set_image(small_split.test_x[0])
    panel.predict_now()
    first = changes.count
    for i in range(1, 6):
        panel.canvas.set_image(small_split.test_x[i])
        panel.predict_now()
    assert panel.prediction_label.property("state") == theme.HINT
    assert sheets == [] and changes.count == first  # the same state: nothing re-polished


def test_a_formatted_colour_follows_the_application_palette(dark_app):
    assert f"color: {theme.ERROR};" == f"color: {theme.ERROR.dark};"
    assert str(theme.ERROR) == theme.ERROR.light  # str() and comparisons: the light value


def test_a_formatted_colour_is_light_under_a_light_palette(qapp):
    assert f"{theme.ERROR}" == theme.ERROR.light
