"""Fixtures of the builder's tests: a session on the small split and its builder panel."""

import pytest

from playground.state.session import Session
from playground.ui.builder.panel import BuilderPanel


@pytest.fixture
def session(small_split):
    return Session(data=small_split)


@pytest.fixture
def panel_height():
    """The panel's height; a test file may override it."""
    return 800


@pytest.fixture
def panel(qtbot, session, panel_height):
    widget = BuilderPanel(session)
    qtbot.addWidget(widget)
    widget.resize(340, panel_height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
