"""While an epoch's weights are measured (the validation, test and training-sample
images), the window says so and how far it is; a pause or a stop pressed meanwhile
takes effect right after it, with the epoch's record whole.

The measurement is held at a chunk by a gate (a fake ``_forward``) so that the test
sees it under way without depending on how fast the machine is.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from playground.nn import training

MEASURING = "Measuring epoch 1 on the validation, test and training images"


@pytest.fixture
def gate(monkeypatch):
    """Holds the first epoch's measurement after its second chunk of 100 images (a
    Measuring event at 200 of 3,500 images has gone out) until ``release`` is set."""
    monkeypatch.setattr(training, "MEASURE_REPORT_IMAGES", 200)
    real = training._forward
    calls = []
    held, release = threading.Event(), threading.Event()

    def forward(net, x):
        calls.append(len(x))
        if len(calls) == 3:
            held.set()
            release.wait(timeout=30)
        return real(net, x)

    monkeypatch.setattr(training, "_forward", forward)
    yield held, release
    release.set()


def start_measuring(qtbot, make_panel, gate, epochs=2):
    panel = make_panel(epochs=epochs)
    panel.session.model.network.eval_rows = 100  # 35 chunks of 100 images
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    held, _ = gate
    qtbot.waitUntil(held.is_set, timeout=20_000)
    return panel


def test_the_status_and_the_bar_say_how_far_the_measuring_is(qtbot, make_panel, gate):
    panel = start_measuring(qtbot, make_panel, gate)
    qtbot.waitUntil(lambda: panel.status_label.text() == f"{MEASURING}: 5%", timeout=5_000)
    assert panel.progress_bar.text() == "Epoch 1 of 2 - measuring: 5%"
    assert panel.controller.last_measuring.done == 200
    assert panel.controller.last_measuring.total == 3500
    gate[1].set()
    qtbot.waitUntil(lambda: panel.worker is None, timeout=20_000)
    assert panel.controller.last_measuring is None  # cleared with the epoch's record
    assert MEASURING not in panel.status_label.text()
    assert len(panel.session.model.history) == 2


def test_the_status_and_bar_texts_of_the_measuring():
    from playground.ui.training.status import RunPlace, live_text

    place = RunPlace(first_epoch=1, epochs=5, train_size=1000)
    start = training.Measuring(epoch=3, done=0, total=30_000, train_seconds=1.0)
    later = training.Measuring(epoch=3, done=12_000, total=30_000, train_seconds=1.0)
    at_end = 3000  # three epochs' samples, two epochs' results in: epoch 3 is measured
    text = "Measuring epoch 3 on the validation, test and training images"
    assert live_text(place, at_end, 2, None) == f"{text}..."
    assert live_text(place, at_end, 2, None, start) == f"{text}: 0%"
    assert live_text(place, at_end, 2, None, later) == f"{text}: 40%"
    old = training.Measuring(epoch=2, done=12_000, total=30_000, train_seconds=1.0)
    assert live_text(place, at_end, 2, None, old) == f"{text}..."
    assert place.bar(at_end, later) == (600, "Epoch 3 of 5 - measuring: 40%")
    assert place.bar(at_end) == (600, "Epoch 3 of 5 - 60% of the run")
    assert place.bar(3500, later)[1] == "Epoch 4 of 5 - 70% of the run"  # training again


@pytest.mark.parametrize("press", ["pause", "stop"])
def test_a_pause_or_stop_during_the_measuring_comes_right_after_it(
        qtbot, make_panel, gate, press):
    panel = start_measuring(qtbot, make_panel, gate, epochs=3)
    session = panel.session
    qtbot.waitUntil(lambda: panel.status_label.text().startswith(MEASURING), timeout=5_000)
    button = panel.pause_button if press == "pause" else panel.stop_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    gate[1].set()  # the measurement goes on to its end
    if press == "pause":
        qtbot.waitUntil(lambda: session.training_state == "paused", timeout=20_000)
    else:
        qtbot.waitUntil(lambda: panel.worker is None, timeout=20_000)
    # right after the measurement: epoch 1 whole, not a batch of epoch 2 trained
    (record,) = session.model.history
    assert None not in (record.val_accuracy, record.test_accuracy, record.val_loss,
                        record.train_sample_accuracy, record.train_sample_loss)
    assert session.model.samples_seen == len(session.data.train_x)
    assert "after epoch 1" in panel.status_label.text()
    if press == "pause":
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.worker is None, timeout=20_000)
