"""Draw & predict: one score per image, no answer when there is none, no praise for a
random guess, and the command line's rule for a blank image."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from playground import nn
from playground.data import to_mnist
from playground.data.preprocess import BLANK_MESSAGE, as_digit, is_blank
from playground.state.session import Session
from playground.ui.draw import prediction_text as words
from playground.ui.draw.panel import DrawPanel


@pytest.fixture(scope="module")
def trained_network(small_split):
    """The seed preset after one epoch on 2,000 images (good enough to be sure of some)."""
    p = nn.preset("seed")
    model = nn.Model.create(p["spec"], p["hyper"])
    assert nn.Trainer(model, small_split).run(1).status == "finished"
    return model.network


def make_panel(qtbot, session) -> DrawPanel:
    panel = DrawPanel(session)
    qtbot.addWidget(panel)
    panel.resize(360, 760)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture
def trained_panel(qtbot, small_split, trained_network):
    session = Session(data=small_split)
    session.model.samples_seen = len(small_split.train_x)
    session.publish(trained_network.snapshot())
    return make_panel(qtbot, session)


@pytest.fixture
def untrained_panel(qtbot, small_split):
    return make_panel(qtbot, Session(data=small_split))


def stroke(panel) -> None:
    c = panel.canvas
    a, b = c.widget_point(60, 60).toPoint(), c.widget_point(90, 200).toPoint()
    QTest.mousePress(c, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(c, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    QTest.mouseRelease(c, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


# -- item: an MNIST image on the canvas gets the gallery's score ---------------------------
def test_an_mnist_image_on_the_canvas_is_predicted_as_it_is(qtbot, trained_panel,
                                                             trained_network, small_split):
    panel, session = trained_panel, trained_panel.session
    x, y = small_split.test_x[:50], small_split.test_y[:50]
    gallery = trained_network.predict_proba(x)  # how the gallery and Evaluate score them
    # what the canvas used to give the network: to_mnist of the image scaled up to it
    redone = []
    for img in x:
        panel.canvas.set_image(img)
        redone.append(trained_network.predict_proba(to_mnist(panel.canvas.image())[None])[0])
    redone = np.stack(redone)
    # the image whose score that changes most
    i = int(np.abs(redone - gallery).max(axis=1).argmax())
    assert np.abs(redone[i] - gallery[i]).max() > 1e-3  # the test can tell the two apart
    drawings = []
    session.drawingChanged.connect(drawings.append)

    session.show_image(x[i], int(y[i]))
    np.testing.assert_allclose(panel.outputs(), gallery[i], rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(panel.network_input(), as_digit(x[i]))
    k = int(gallery[i].argmax())
    assert panel.prediction_label.text() == f"{k} - {gallery[i][k] * 100:.0f}%"
    assert drawings[-1].shape == (28, 28)  # the Inside view gets the image itself
    # new weights: still the image as it is
    with qtbot.waitSignal(panel.predicted):
        session.publish(trained_network.snapshot())
    np.testing.assert_allclose(panel.outputs(), gallery[i], rtol=1e-5, atol=1e-7)

    # drawn on, it is a drawing again: to_mnist of what the canvas shows
    stroke(panel)
    assert panel.canvas.source() is None
    np.testing.assert_allclose(panel.network_input(), to_mnist(panel.canvas.image()))
    assert drawings[-1].shape == (panel.canvas.resolution,) * 2


def test_only_a_28_by_28_image_is_kept_as_it_is(untrained_panel, small_split):
    canvas = untrained_panel.canvas
    canvas.set_image(small_split.test_x[0])
    assert canvas.source() is not None
    canvas.set_image(np.kron(small_split.test_x[0], np.ones((2, 2), np.uint8)))  # 56 x 56
    assert canvas.source() is None
    canvas.set_image(small_split.test_x[0])
    canvas.clear()
    assert canvas.source() is None and untrained_panel.network_input() is None


# -- item: no answer, and no praise for a random guess ---------------------------------------
def test_verdict_words():
    zeros = words.verdict(np.zeros(10), probabilities=True, trained=True, truth=3)
    assert zeros.text == "No answer: every output is 0" and zeros.winner is None
    assert zeros.truth == "True label: 3 - the network gives no answer"
    assert zeros.truth_tone == words.NEUTRAL and zeros.tone == words.NEUTRAL
    even = words.verdict(np.full(10, 0.1), probabilities=True, trained=True)
    assert even.text == "No answer: every output is 10%"
    out = np.eye(10)[7] * 0.9
    guess = words.verdict(out, probabilities=True, trained=False, truth=7)
    assert guess.text == "7 - untrained: a random guess" and guess.tone == words.NEUTRAL
    assert guess.truth == "True label: 7" and guess.truth_tone == words.NEUTRAL
    right = words.verdict(out, probabilities=True, trained=True, truth=7)
    assert (right.text, right.truth, right.truth_tone) == (
        "7 - 90%", "True label: 7 - correct", words.RIGHT)
    wrong = words.verdict(out, probabilities=False, trained=True, truth=1)
    assert (wrong.text, wrong.truth_tone) == ("7 - score 0.90", words.WRONG)


def test_every_output_zero_is_no_answer(qtbot, trained_panel):
    panel, session = trained_panel, trained_panel.session
    session.set_spec({"input": [28, 28], "layers": [
        {"type": "Flatten"}, {"type": "Dense", "units": 10}, {"type": "ReLU"}]})
    session.model.samples_seen = 1000
    net = nn.Network(session.spec)
    dense = net.layers[1]
    dense.w[...] = 0
    dense.b[...] = 0
    session.show_image(session.data.test_x[0], int(session.data.test_y[0]))
    with qtbot.waitSignal(panel.predicted):
        session.publish(net.snapshot())
    assert (panel.outputs() == 0).all()
    assert panel.prediction_label.text() == "No answer: every output is 0"  # not "0 - 0%"
    brushes = {QColor(b).name() if isinstance(b, str) else b.color().name()
               for b in panel.bars.opts["brushes"]}
    assert len(brushes) == 1  # no bar is highlighted as the answer
    assert panel.truth_label.text().endswith("the network gives no answer")
    assert panel.truth_label.property("state") != "ok"  # not the colour of a right answer


def test_an_untrained_guess_is_never_called_correct(qtbot, untrained_panel, small_split):
    panel, session = untrained_panel, untrained_panel.session
    assert not session.trained
    net = session.predictor()
    guesses = net.predict(small_split.test_x[:200])
    lucky = int(np.flatnonzero(guesses == small_split.test_y[:200])[0])  # a right guess
    session.show_image(small_split.test_x[lucky], int(small_split.test_y[lucky]))
    assert int(panel.outputs().argmax()) == int(small_split.test_y[lucky])
    assert panel.prediction_label.text().endswith("untrained: a random guess")
    assert panel.prediction_label.property("state") == "hint"  # greyed, not the answer's look
    assert panel.truth_label.text() == f"True label: {small_split.test_y[lucky]}"
    assert "correct" not in panel.truth_label.text()
    assert panel.truth_label.property("state") != "ok"  # not the colour of a right answer


# -- issue 10: the command line's blank rule --------------------------------------------------
@pytest.mark.parametrize("level", [1.0, 0.5])
def test_one_blank_rule(level):
    even = np.full((60, 40), level, np.float32)  # all white, or all grey
    assert is_blank(to_mnist(even))
    assert not to_mnist(even).any()  # the command line's former test, word for word
    assert not is_blank(to_mnist(np.pad(np.ones((10, 3)), 10)))
    assert "blank" in BLANK_MESSAGE


def test_an_all_white_canvas_is_blank_and_not_predicted(qtbot, untrained_panel):
    panel, session = untrained_panel, untrained_panel.session
    drawings = []
    session.drawingChanged.connect(drawings.append)
    stroke(panel)
    assert panel.outputs() is not None
    before = panel.prediction_count
    res = panel.canvas.resolution
    panel.canvas.set_image(np.ones((res, res), np.float32))  # white everywhere
    panel.predict_now()
    assert not panel.canvas.is_empty()  # something is on it...
    assert panel.outputs() is None and panel.network_input() is None  # ...but no digit
    assert panel.prediction_count == before  # the network was not asked
    assert panel.prediction_label.text() == "No digit found"
    assert "blank" in panel.status_label.text()
    assert drawings[-1] is None
    stroke(panel)  # erasing part of it would bring a digit back; a clear canvas too
    panel.clear()
    assert panel.prediction_label.text() == "Draw a digit"
