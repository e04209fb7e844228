"""Fixtures of the Training tab's tests: panels on the small split, shut down after each
test (a test that leaves a training thread running fails: see tests/conftest.py)."""

import pytest

from playground.state.session import Session
from playground.ui.training.panel import TrainingPanel


@pytest.fixture(autouse=True)
def panels():
    """Panels made by a test, shut down after it (a test that leaves a training thread
    running fails: see conftest.py)."""
    made: list = []
    yield made
    for panel in made:
        panel.shutdown()


@pytest.fixture
def make_panel(qtbot, small_split, panels):
    def make(session=None, **hyper):
        session = session or Session(data=small_split)
        if hyper:
            assert session.set_hyper(**hyper) == []
        panel = TrainingPanel(session)
        qtbot.addWidget(panel)
        panel.resize(900, 700)
        panel.show()
        panels.append(panel)
        return panel

    return make
