"""The Robustness view: curves measured off the GUI thread, the network before kept as a
dashed reference, and a clear message when there is nothing to measure."""

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt

from playground import nn
from playground.data import perturb
from playground.data.perturb import KINDS, SUBSET
from playground.state.session import Session
from playground.ui.insight import RobustnessView, insight_views
from playground.ui.insight.common import EVALUATION_THREAD
from playground.ui.insight.robustness_view import INVALID


@pytest.fixture
def session(small_split, qtbot):
    return Session(data=small_split)


def train(session, epochs=1):
    """Quick epochs on the session's model, published as the training panel does."""
    record = nn.Trainer(session.model, session.data).run(epochs).epochs[-1]
    session.publish(session.model.network.snapshot())
    session.finish_epoch(record)


@pytest.fixture
def view(session, qtbot):
    """The view, on screen (a hidden one waits to be shown)."""
    shown = RobustnessView(session)
    qtbot.addWidget(shown)
    shown.resize(900, 640)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def measured(qtbot, view, before=None):
    """Wait for curves other than ``before`` to reach the view, and the thread to idle."""
    qtbot.waitUntil(lambda: view.measured is not None and view.measured is not before
                    and not view.evaluator.busy, timeout=20_000)
    return view.measured


def expected(session) -> dict:
    """The curves of the session's current weights, measured here on the test thread."""
    data = session.data
    return perturb.measure(session.predictor(), data.test_x[:SUBSET], data.test_y[:SUBSET])


def legend_labels(view) -> list[str]:
    return [label.text for _, label in view.panels[0].legend.items]


def test_the_view_is_one_of_the_insight_tabs(session):
    views = insight_views(session)
    titles = [t for t, _, _ in views]
    assert "Robustness" in titles
    view = views[titles.index("Robustness")][1]
    assert isinstance(view, RobustnessView) and view.objectName() == "robustnessView"
    # it measures on the thread the other views evaluate on
    assert view.evaluator.executor is views[titles.index("Confusion")][1].evaluator.executor
    for _, w, _ in views:
        w.deleteLater()


def test_messages_without_a_trained_image_network(view, session, monkeypatch):
    assert view.stack.empty and "Train the network" in view.stack.message.text()
    assert view.measured is None and not view.evaluator.busy
    session.set_spec({"input": [28, 28], "layers": [{"type": "Flatten"}]})  # not valid
    assert session.predictor() is None
    assert view.stack.empty and view.stack.message.text() == INVALID
    view.recompute.click()  # nothing to measure: still the message, no job
    assert view.stack.empty and not view.evaluator.busy
    # a network whose input is not an image (opened from elsewhere)
    flat = nn.Network({"input": [784], "layers": [{"type": "Dense", "units": 10},
                                                  {"type": "Sigmoid"}]})
    monkeypatch.setattr(session, "predictor", lambda: flat)
    view.recompute.click()
    assert view.stack.empty and "not a 28 x 28 image" in view.stack.message.text()
    assert not view.evaluator.busy


def test_curves_are_measured_off_the_gui_thread_and_shown(view, session, qtbot, monkeypatch):
    threads = []
    real = perturb.measure

    def spy(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(perturb, "measure", spy)
    train(session)
    assert view.evaluator.busy  # the epoch's end started a measurement in the background
    result = measured(qtbot, view)
    assert threads and all(t.startswith(EVALUATION_THREAD) for t in threads)
    assert threading.current_thread().name not in threads
    monkeypatch.setattr(perturb, "measure", real)
    want = expected(session)
    assert result.curves == want and result.when == "after epoch 1"
    assert not view.stack.empty
    for panel, kind in zip(view.panels, KINDS, strict=True):
        x, y = panel.curve("now")
        np.testing.assert_array_equal(x, kind.levels)
        np.testing.assert_allclose(y, [100 * a for _, a in want[kind.name]])
        assert len(panel.curve("before")[0]) == 0  # nothing before yet
        # the example digit at every level, with what the network says
        assert all(t.pixmap() is not None and not t.pixmap().isNull() for t in panel.thumbs)
        assert all("says" in c.text() for c in panel.captions)
    assert f"{100 * result.clean:.1f}%" in view.summary.text()
    assert legend_labels(view) == ["now"]
    assert "before" not in view.summary.text()


def test_the_network_before_stays_as_a_dashed_reference(view, session, qtbot):
    train(session)
    first = measured(qtbot, view)
    session.load_preset("logistic")  # another network: untrained, nothing measured yet
    assert view.reference is first and view.measured is None
    assert not view.stack.empty  # the curves before are still shown
    assert len(view.panels[0].curve("now")[0]) == 0
    assert "before" in view.summary.text() and "Train this network" in view.summary.text()

    train(session)
    second = measured(qtbot, view)
    assert second.curves == expected(session) and second.curves != first.curves
    for panel in view.panels:
        x, y = panel.curve("before")
        np.testing.assert_allclose(y, [100 * a for _, a in first.curves[panel.kind.name]])
        np.testing.assert_allclose(panel.curve("now")[1],
                                   [100 * a for _, a in second.curves[panel.kind.name]])
        assert panel.before.opts["pen"].style() == Qt.PenStyle.DashLine
    assert legend_labels(view) == ["now", "before"]
    assert "before" in view.summary.text()
    assert f"{100 * first.clean:.1f}%" in view.summary.text()

    # more training of the same network keeps the reference; "Keep as before" moves it
    train(session)
    third = measured(qtbot, view, before=second)
    assert view.reference is first
    view.keep.click()
    assert view.reference is third
    np.testing.assert_allclose(view.panels[1].curve("before")[1],
                               [100 * a for _, a in third.curves["rotate"]])


def test_a_hidden_view_measures_when_shown(session, qtbot):
    view = RobustnessView(session)
    qtbot.addWidget(view)
    train(session)
    assert not view.evaluator.busy and view.measured is None  # hidden: no work
    view.show()
    qtbot.waitExposed(view)
    measured(qtbot, view)
    assert not view.stack.empty


def test_another_digit_shows_the_next_test_image(view, session, qtbot):
    train(session)
    measured(qtbot, view)
    before = view.panels[0].thumbs[0].pixmap().toImage()
    view.another.click()
    assert view.example == 1
    assert f"#{1}" in view.example_label.text()
    assert view.panels[0].thumbs[0].pixmap().toImage() != before
    label = int(session.data.test_y[1])
    assert f"a {label}" in view.example_label.text()


def test_training_on_under_other_settings_keeps_the_curves_before(view, session, qtbot):
    train(session)
    first = measured(qtbot, view)
    assert session.set_hyper(epochs=3) == []  # how long to train: not what it learns
    train(session)
    second = measured(qtbot, view, before=first)
    assert view.reference is None
    assert session.set_hyper(augment={"shift": 2.0}) == []  # augmentation switched on
    view.recompute.click()  # the same weights again: nothing to compare yet
    qtbot.waitUntil(lambda: not view.evaluator.busy, timeout=20_000)
    assert view.reference is None and view.measured is second
    train(session)  # an epoch with augmentation
    third = measured(qtbot, view, before=second)
    assert view.reference is second and third.curves != second.curves
    assert "with the earlier settings" in view.summary.text()
    assert legend_labels(view) == ["now", "before"]


def test_the_settings_are_those_the_weights_were_trained_with(view, session, qtbot):
    """Weights measured after the settings changed (the tab was hidden) still count as
    trained with the old ones."""
    view.hide()
    train(session)
    assert session.set_hyper(augment={"rotate": 15.0}) == []
    view.show()
    first = measured(qtbot, view)
    assert view.reference is None
    train(session)  # now with augmentation
    measured(qtbot, view, before=first)
    assert view.reference is first and "with the earlier settings" in view.summary.text()


def test_missing_data_is_reported_not_fatal(view, session, qtbot, monkeypatch):
    def broken(self):
        raise OSError("t10k-images-idx3-ubyte: cannot read file")

    monkeypatch.setattr(Session, "data", property(broken))
    view.recompute.click()
    assert view.stack.empty and "cannot read file" in view.stack.message.text()
    assert "cannot read file" in view.summary.text()
    view.another.click()  # no data: nothing happens, nothing breaks
