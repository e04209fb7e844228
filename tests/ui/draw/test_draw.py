"""The "Draw & predict" panel: drawing with the mouse, clearing, files, predictions."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage, QPainter, QPen
from PySide6.QtTest import QTest

from playground import nn
from playground.data import to_mnist
from playground.state.session import Session
from playground.ui.draw.canvas import DEFAULT_STROKE, RESOLUTION, DrawCanvas
from playground.ui.draw.panel import DrawPanel

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
NO_MOD = Qt.KeyboardModifier.NoModifier

# Digits as strokes in unit coordinates (0..1 of the digit's box), drawn with the mouse.
_t = np.linspace(0, 2 * np.pi, 40)
DIGITS = {
    0: [[(0.5 + 0.3 * np.sin(t), 0.5 - 0.45 * np.cos(t)) for t in _t]],
    1: [[(0.5, 0.05), (0.5, 0.95)]],
    4: [[(0.6, 0.05), (0.1, 0.65), (0.85, 0.65)], [(0.6, 0.05), (0.6, 0.95)]],
    7: [[(0.15, 0.05), (0.85, 0.05), (0.4, 0.95)]],
}


# -- helpers -------------------------------------------------------------------------
def drag(canvas: DrawCanvas, points, button=LEFT, steps: int = 4) -> None:
    """Press, move through ``points`` (drawing pixels) and release, like a mouse would."""
    pts = [canvas.widget_point(x, y) for x, y in points]
    QTest.mousePress(canvas, button, NO_MOD, pts[0].toPoint())
    for a, b in zip(pts[:-1], pts[1:], strict=True):
        for k in range(1, steps + 1):
            p = a + (b - a) * (k / steps)
            QTest.mouseMove(canvas, p.toPoint())
    QTest.mouseRelease(canvas, button, NO_MOD, pts[-1].toPoint())


def draw_digit(canvas, digit: int, x0: float, y0: float, size: float) -> None:
    for stroke in DIGITS[digit]:
        drag(canvas, [(x0 + u * size, y0 + v * size) for u, v in stroke])


def bar_heights(panel: DrawPanel) -> np.ndarray:
    return np.asarray(panel.bars.opts["height"], dtype=float)


def bar_colours(panel: DrawPanel) -> list[str]:
    return [QColor(b).name() if isinstance(b, str) else b.color().name()
            for b in panel.bars.opts["brushes"]]


def trained_session(data, network) -> Session:
    """A session whose predictor is ``network`` and whose model counts as trained."""
    session = Session(data=data)
    session.model.samples_seen = len(data.train_x)
    session.publish(network.snapshot())
    return session


@pytest.fixture
def session(small_split):
    return Session(data=small_split)


@pytest.fixture
def panel(qtbot, session):
    p = DrawPanel(session)
    qtbot.addWidget(p)
    p.resize(360, 760)
    p.show()
    qtbot.waitExposed(p)
    return p


@pytest.fixture(scope="module")
def trained_network(mnist):
    """The seed preset trained for one epoch on 30,000 images (about 91% on the test set)."""
    split = mnist.split().limit(30_000, 500, 1000)
    p = nn.preset("seed")
    model = nn.Model.create(p["spec"], p["hyper"])
    result = nn.Trainer(model, split).run(1)
    assert result.status == "finished"
    return model.network


@pytest.fixture
def trained_panel(qtbot, small_split, trained_network):
    session = trained_session(small_split, trained_network)
    p = DrawPanel(session)
    qtbot.addWidget(p)
    p.resize(360, 760)
    p.show()
    qtbot.waitExposed(p)
    return p


# -- the canvas ------------------------------------------------------------------------
def test_canvas_is_square_large_and_named(panel):
    c = panel.canvas
    assert c.objectName() == "drawCanvas"
    r = c.canvas_rect()
    assert r.width() == r.height() >= 280
    assert c.image().shape == (RESOLUTION, RESOLUTION)
    assert c.image().dtype == np.float32
    assert c.is_empty()


def test_stroke_changes_canvas_and_prediction(qtbot, panel):
    c = panel.canvas
    assert panel.prediction_label.text() == "Draw a digit"
    with qtbot.waitSignal(c.strokeFinished):
        drag(c, [(140, 40), (140, 240)])
    img = c.image()
    assert not c.is_empty()
    assert img.max() == pytest.approx(1.0)
    assert 0.0 <= img.min()
    # a line, not dots: every row the stroke passes through has ink
    assert (img[50:230, 135:146].max(axis=1) > 0.9).all()
    # ink sits where the mouse went and nowhere far from it
    assert img[:, :100].max() == 0 and img[:, 180:].max() == 0
    assert img[140, 140 - DEFAULT_STROKE // 2 + 2] == pytest.approx(1.0)
    # a prediction of the untrained network: "<digit> - untrained: a random guess" and
    # ten bars, the guess highlighted
    text = panel.prediction_label.text()
    assert text[0].isdigit() and text.endswith("untrained: a random guess"), text
    heights = bar_heights(panel)
    assert heights.shape == (10,) and np.isfinite(heights).all() and heights.max() > 0
    winner = int(text[0])
    assert winner == int(heights.argmax())
    colours = bar_colours(panel)
    assert len(set(colours)) == 2 and colours.count(colours[winner]) == 1
    assert panel.network_input().shape == (28, 28)


def test_prediction_updates_while_drawing_rate_limited(qtbot, panel):
    c = panel.canvas
    pts = [c.widget_point(60 + 4 * i, 60 + 3 * i).toPoint() for i in range(40)]
    QTest.mousePress(c, LEFT, NO_MOD, pts[0])
    before = panel.prediction_count
    for p in pts[1:]:
        QTest.mouseMove(c, p)
    # forty quick steps, still pressed: predictions are coalesced, not made per step ...
    assert panel.prediction_count - before <= 2
    # ... but one arrives within a timer tick while the button is still down
    with qtbot.waitSignal(panel.predicted, timeout=500) as blocker:
        pass
    assert blocker.args[0] is not None and blocker.args[0].shape == (10,)
    during = panel.prediction_count
    QTest.mouseRelease(c, LEFT, NO_MOD, pts[-1])
    assert panel.prediction_count == during + 1  # and once on release, immediately


def test_right_drag_erases(qtbot, panel):
    c = panel.canvas
    drag(c, [(60, 140), (220, 140)])
    assert c.image()[140, 140] == pytest.approx(1.0)
    drag(c, [(140, 60), (140, 220)], button=RIGHT)
    img = c.image()
    assert img[140, 140] == 0.0  # erased where the eraser passed
    assert img[140, 70] == pytest.approx(1.0)  # the rest of the line is still there
    drag(c, [(40, 140), (240, 140)], button=RIGHT)
    assert c.is_empty()
    assert panel.prediction_label.text() == "Draw a digit"


def test_clear_button_and_escape(qtbot, panel):
    c = panel.canvas
    drag(c, [(100, 100), (180, 200)])
    assert panel.prediction_label.text() != "Draw a digit"
    qtbot.mouseClick(panel.clear_button, LEFT)
    assert c.is_empty() and c.image().max() == 0
    assert panel.prediction_label.text() == "Draw a digit"
    assert (bar_heights(panel) == 0).all()

    drag(c, [(100, 100), (180, 200)])
    QTest.keyClick(c, Qt.Key.Key_Escape)
    assert c.is_empty()
    assert panel.prediction_label.text() == "Draw a digit"

    drag(c, [(100, 100), (180, 200)])
    QTest.keyClick(c, Qt.Key.Key_Delete)
    assert c.is_empty()


def test_empty_canvas_has_no_nan(qtbot, panel):
    with qtbot.waitSignal(panel.predicted) as blocker:
        panel.predict_now()
    assert blocker.args == [None]
    assert panel.prediction_label.text() == "Draw a digit"
    heights = bar_heights(panel)
    assert np.isfinite(heights).all() and (heights == 0).all()
    assert panel.network_input() is None
    assert "nan" not in panel.prediction_label.text().lower()


def test_stroke_weight_slider(qtbot, panel):
    c = panel.canvas
    assert panel.stroke_slider.toolTip()
    panel.stroke_slider.setValue(12)
    drag(c, [(140, 40), (140, 240)])
    thin = c.image().sum()
    panel.clear()
    panel.stroke_slider.setValue(40)
    assert c.stroke_width() == 40
    drag(c, [(140, 40), (140, 240)])
    thick = c.image().sum()
    assert thick > 2.5 * thin


# -- images from files and from the dataset ---------------------------------------------
def _digit_png(path, dark_on_light: bool, alpha: bool = False):
    """A "1" drawn into a PNG: black on white paper, or white on black."""
    fmt = QImage.Format.Format_ARGB32 if alpha else QImage.Format.Format_RGB32
    img = QImage(120, 160, fmt)
    img.fill(QColor(0, 0, 0, 0) if alpha else (Qt.GlobalColor.white if dark_on_light
                                               else Qt.GlobalColor.black))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    ink = QColor(20, 20, 20) if dark_on_light else QColor(240, 240, 240)
    p.setPen(QPen(ink, 12, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(70, 20), QPointF(50, 140))
    p.end()
    assert img.save(str(path))
    return path


@pytest.mark.parametrize("dark_on_light, alpha", [(True, False), (False, False),
                                                  (True, True)])
def test_load_image_file_shows_and_predicts(qtbot, panel, tmp_path, dark_on_light, alpha):
    path = _digit_png(tmp_path / "one.png", dark_on_light, alpha)
    with qtbot.waitSignal(panel.predicted) as blocker:
        assert panel.load_image_file(path) is True
    assert blocker.args[0] is not None
    img = panel.canvas.image()
    # ink is bright whatever the file's polarity; the paper is background
    assert img[0, 0] == 0 and img.max() == pytest.approx(1.0)
    assert panel.prediction_label.text()[0].isdigit()
    assert "one.png" in panel.status_label.text()
    # the network input is a tall thin MNIST-like stroke, 20 pixels high
    x = panel.network_input()
    rows = np.flatnonzero(x.max(axis=1) > 0.05)
    assert 19 <= len(rows) <= 21


def test_drop_image_file_on_canvas(qtbot, panel, tmp_path):
    path = _digit_png(tmp_path / "dropped.png", dark_on_light=True)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, LEFT, NO_MOD)
    with qtbot.waitSignal(panel.predicted):
        panel.canvas.dropEvent(event)
    assert event.isAccepted()
    assert not panel.canvas.is_empty()
    assert panel.prediction_label.text()[0].isdigit()
    # a drop with no local file is refused
    mime2 = QMimeData()
    mime2.setText("not a file")
    refused = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime2, LEFT, NO_MOD)
    panel.canvas.dropEvent(refused)
    assert not refused.isAccepted()


def test_unreadable_file_gives_a_message(qtbot, panel, tmp_path):
    drag(panel.canvas, [(100, 60), (120, 220)])
    before = panel.canvas.image()
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not really an image")
    assert panel.load_image_file(bad) is False
    assert "broken.png" in panel.status_label.text()
    assert panel.status_label.isVisible()
    np.testing.assert_array_equal(panel.canvas.image(), before)  # the drawing is kept

    assert panel.load_image_file(tmp_path / "missing.jpg") is False
    assert "missing.jpg" in panel.status_label.text()

    blank = tmp_path / "blank.png"
    img = QImage(50, 50, QImage.Format.Format_RGB32)
    img.fill(Qt.GlobalColor.white)
    img.save(str(blank))
    assert panel.load_image_file(blank) is False
    assert "blank" in panel.status_label.text()
    # drawing again clears the message
    drag(panel.canvas, [(100, 60), (120, 220)])
    assert "blank" not in panel.status_label.text()


def test_open_image_uses_the_same_path(qtbot, panel, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    path = _digit_png(tmp_path / "picked.png", dark_on_light=True)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    qtbot.mouseClick(panel.open_button, LEFT)
    assert not panel.canvas.is_empty()
    assert "picked.png" in panel.status_label.text()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    assert panel.open_image() is False  # cancelled: nothing changes


def test_random_test_digit_shows_true_label(qtbot, panel, session, small_split):
    panel.rng = np.random.default_rng(0)
    index = int(np.random.default_rng(0).integers(len(small_split.test_x)))
    with qtbot.waitSignal(session.showImageRequested) as blocker:
        qtbot.mouseClick(panel.random_button, LEFT)
    image, label = blocker.args
    np.testing.assert_array_equal(image, small_split.test_x[index])
    assert label == small_split.test_y[index]
    assert panel.truth_label.text().startswith(f"True label: {label}")
    assert not panel.canvas.is_empty()
    # the 28 x 28 image fills the canvas: its network input is close to the original
    x = panel.network_input()
    assert np.abs(x - image / 255.0).mean() < 0.05
    # drawing over it forgets the label
    drag(panel.canvas, [(10, 10), (30, 30)])
    assert not panel.truth_label.isVisible()


def test_show_image_requested_from_elsewhere(qtbot, panel, session, small_split):
    image, label = small_split.test_x[3], int(small_split.test_y[3])
    session.show_image(image, label)
    assert panel.truth_label.text().startswith(f"True label: {label}")
    assert panel.outputs() is not None


def test_set_drawing_only_when_the_drawing_changes(qtbot, panel, session):
    seen = []
    session.drawingChanged.connect(seen.append)
    drag(panel.canvas, [(100, 60), (120, 220)])
    assert seen and seen[-1].shape == (RESOLUTION, RESOLUTION)
    n = len(seen)
    with qtbot.waitSignal(panel.predicted, timeout=1000):
        session.publish(session.model.network.snapshot())  # new weights, same drawing
    assert len(seen) == n
    panel.clear()
    assert seen[-1] is None


def test_failed_load_says_the_prediction_is_for_the_canvas(qtbot, panel, session, tmp_path):
    """A file that cannot be used leaves the canvas as it was; the prediction beside the
    error is re-made for that canvas and says so, never looking like the file's answer."""
    kept = "prediction is for the drawing still on the canvas"
    blank = tmp_path / "all_white.png"
    img = QImage(50, 50, QImage.Format.Format_RGB32)
    img.fill(Qt.GlobalColor.white)
    img.save(str(blank))
    # an empty canvas: just the error, nothing to explain
    assert panel.load_image_file(blank) is False
    assert "all_white.png" in panel.status_label.text()
    assert kept not in panel.status_label.text()
    assert panel.prediction_label.text() == "Draw a digit"

    assert panel.load_image_file(_digit_png(tmp_path / "one.png", dark_on_light=True))
    before = panel.canvas.image()
    fresh = nn.Network(session.spec, seed=5)
    session.publish(fresh.snapshot())  # new weights, not predicted yet (throttled)
    with qtbot.waitSignal(panel.predicted) as blocker:
        assert panel.load_image_file(blank) is False
    np.testing.assert_array_equal(panel.canvas.image(), before)  # the canvas is kept
    status = panel.status_label.text()
    assert "No digit found in all_white.png" in status and kept in status
    assert "one.png" not in status
    # label and bars are the network's answer for the drawing on the canvas, now
    expected = fresh.predict_proba(panel.network_input()[None])[0]
    np.testing.assert_allclose(blocker.args[0], expected, rtol=1e-5)
    np.testing.assert_allclose(bar_heights(panel), expected, rtol=1e-5)
    assert panel.prediction_label.text().startswith(f"{int(expected.argmax())} - ")
    # drawing again: the message and the note go
    drag(panel.canvas, [(100, 60), (120, 220)])
    assert "all_white" not in panel.status_label.text()
    assert kept not in panel.status_label.text()


# -- outputs that are probabilities and outputs that are not -------------------------------
def _spec_ending_with(last: str | None) -> dict:
    layers = [{"type": "Flatten"}, {"type": "Dense", "units": 16}, {"type": "Sigmoid"},
              {"type": "Dense", "units": 10}]
    return {"input": [28, 28], "layers": layers + ([{"type": last}] if last else [])}


def _shown_outputs(qtbot, panel, session, last: str | None, top: float | None = None):
    """Draw with a trained network ending in ``last``; its outputs scaled to max ``top``."""
    session.set_spec(_spec_ending_with(last))
    session.model.samples_seen = len(session.data.train_x)  # trained: an answer, no guess
    net = nn.Network(session.spec, seed=2)
    drag(panel.canvas, [(100, 60), (120, 220)])
    if top is not None:  # scale the last Dense layer: ReLU and Dense outputs scale too
        out = net.predict_proba(panel.network_input()[None])[0]
        dense = [layer for layer in net.layers if layer.trainable][-1]
        dense.w *= top / out.max()
        dense.b *= top / out.max()
    with qtbot.waitSignal(panel.predicted):
        session.publish(net.snapshot())
    return panel.outputs()


@pytest.mark.parametrize("last", ["ReLU", "Tanh", None])
def test_score_outputs_are_not_shown_as_probabilities(qtbot, panel, session, last):
    top = 0.64 if last != "Tanh" else None  # between 0 and 1: it used to read "64%"
    outputs = _shown_outputs(qtbot, panel, session, last, top)
    k = int(outputs.argmax())
    text = panel.prediction_label.text()
    assert "%" not in text
    assert text == f"{k} - score {outputs[k]:.2f}"
    # the bars' axis follows the outputs' range instead of always showing 0..1
    lo, hi = panel.bars_plot.getPlotItem().getViewBox().viewRange()[1]
    assert lo <= min(0.0, outputs.min()) and hi >= outputs.max()
    if last != "Tanh":
        assert hi < 0.9  # 0.64 at most: the axis goes to 0.7 or so, not to 1
    else:
        assert lo < -0.05  # tanh outputs below zero are shown below the axis
    assert "not a probability" in panel.prediction_label.toolTip()


def test_large_scores_widen_the_axis(qtbot, panel, session):
    outputs = _shown_outputs(qtbot, panel, session, "ReLU", 37.5)
    k = int(outputs.argmax())
    assert panel.prediction_label.text() == f"{k} - score 37.50"
    lo, hi = panel.bars_plot.getPlotItem().getViewBox().viewRange()[1]
    assert 37.5 <= hi <= 60 and lo <= 0


@pytest.mark.parametrize("last", ["Softmax", "Sigmoid"])
def test_probability_outputs_are_percentages(qtbot, panel, session, last):
    outputs = _shown_outputs(qtbot, panel, session, last)
    k = int(outputs.argmax())
    assert panel.prediction_label.text() == f"{k} - {outputs[k] * 100:.0f}%"
    lo, hi = panel.bars_plot.getPlotItem().getViewBox().viewRange()[1]
    assert -0.2 < lo < 0 and 1 < hi < 1.2  # 0..1, a little room for the labels


# -- layout ---------------------------------------------------------------------------------
@pytest.mark.parametrize("width, height", [(480, 1040), (320, 1040), (320, 760), (300, 600)])
def test_canvas_gets_the_space_and_the_bars_stay_compact(qtbot, session, width, height):
    """The canvas is the largest square the column allows; the bars keep a compact
    height; nothing is cut off, from a tall 1920 x 1080 column to the smallest window."""
    p = DrawPanel(session)
    qtbot.addWidget(p)
    p.resize(width, height)
    p.show()
    qtbot.waitExposed(p)
    # settled: the canvas keeps itself square (no taller than wide) after a first layout
    # pass, and the next pass puts the rest right below it
    qtbot.waitUntil(lambda: p.canvas.height() <= p.canvas.width()
                    and 0 <= p.preview.mapTo(p, QPoint(0, 0)).y() - p.canvas.geometry().bottom()
                    < 20)
    side = p.canvas.canvas_rect().width()
    bars = p.bars_plot.height()
    if height >= 760:
        assert side == p.canvas.width() >= width - 14  # as wide as the column
        assert 140 <= bars <= 180
    else:  # the smallest window: both give a little, neither below its minimum
        assert side >= 280 and bars >= 110
    # everything is inside the panel, in order, nothing overlapping
    order = [p.canvas, p.preview, p.bars_plot, p.clear_button, p.stroke_slider]
    tops = [w.mapTo(p, QPoint(0, 0)).y() for w in order]
    assert tops == sorted(tops)
    for a, b in zip(order[:-1], order[1:], strict=True):
        assert a.mapTo(p, QPoint(0, a.height())).y() <= b.mapTo(p, QPoint(0, 0)).y()
    assert p.stroke_slider.mapTo(p, QPoint(0, p.stroke_slider.height())).y() <= height


# -- the network's state -------------------------------------------------------------------
def test_untrained_network_is_flagged(qtbot, panel, session):
    assert not session.trained
    assert panel.status_label.text() == "Untrained network: guesses are random"
    drag(panel.canvas, [(100, 60), (120, 220)])  # the canvas still works
    assert panel.prediction_label.text()[0].isdigit()
    assert panel.prediction_label.property("state") == "hint"  # greyed
    assert "#e8710a" not in bar_colours(panel)  # no highlight colour: all grey


def test_invalid_network_says_fix_it(qtbot, panel, session):
    drag(panel.canvas, [(100, 60), (120, 220)])
    session.set_spec({"input": [28, 28], "layers": [{"type": "Dense", "units": 10}]})
    assert session.predictor() is None
    assert panel.prediction_label.text() == "Fix the network to predict"
    assert (bar_heights(panel) == 0).all()
    session.load_preset("seed")
    assert panel.prediction_label.text()[0].isdigit()


def test_weights_update_repredicts_throttled(qtbot, trained_panel, trained_network):
    p = trained_panel
    session = p.session
    draw_digit(p.canvas, 1, 90, 40, 200)
    assert session.trained and p.status_label.text() == ""
    assert p.prediction_label.text().startswith("1")
    assert bar_colours(p)[1] == "#e8710a"
    # training publishes new weights quickly: predictions follow, at most ~10 a second
    fresh = nn.Network(trained_network.spec, seed=1)
    before = p.prediction_count
    with qtbot.waitSignal(p.predicted, timeout=1000):
        for _ in range(20):
            session.publish(fresh.snapshot())
    assert p.prediction_count == before + 1
    np.testing.assert_allclose(p.outputs(), fresh.predict_proba(p.network_input()[None])[0],
                               rtol=1e-5)


def test_off_centre_large_same_as_centred_small(qtbot, trained_panel):
    p = trained_panel
    for digit in DIGITS:
        answers = []
        for x0, y0, size in [(90, 90, 100), (10, 5, 250), (150, 130, 120)]:
            p.clear()
            draw_digit(p.canvas, digit, x0, y0, size)
            answers.append(int(p.prediction_label.text()[0]))
        assert answers == [digit] * 3, (digit, answers)


def test_mnist_test_digits_on_the_canvas(qtbot, trained_panel, mnist):
    p = trained_panel
    images, labels = mnist.test_images[:20], mnist.test_labels[:20]
    right, differences = 0, []
    for image, label in zip(images, labels, strict=True):
        p.canvas.set_image(image)
        p.predict_now()
        right += int(p.prediction_label.text()[0]) == int(label)
        # what the network sees is close to the MNIST image itself (scaled up ten
        # times and back down, it may move by a pixel)
        differences.append(np.abs(p.network_input() - to_mnist(image)).mean())
    assert right >= 17, f"{right} of 20"
    assert max(differences) < 0.1 and np.mean(differences) < 0.05


def test_keyboard_shortcuts_on_the_panel(qtbot, panel):
    drag(panel.canvas, [(100, 60), (120, 220)])
    panel.clear_button.setFocus()
    QTest.keyClick(panel, Qt.Key.Key_Escape)
    assert panel.canvas.is_empty()
    QTest.keyClick(panel, Qt.Key.Key_R)
    assert panel.truth_label.text().startswith("True label:")


def test_mouse_events_outside_a_stroke_are_ignored(qtbot, panel):
    c = panel.canvas
    QTest.mouseMove(c, QPoint(100, 100))  # moving without a button draws nothing
    QTest.mouseRelease(c, LEFT, NO_MOD, QPoint(100, 100))
    assert c.is_empty()
    version = c.version
    QTest.mouseClick(c, Qt.MouseButton.MiddleButton, NO_MOD, QPoint(100, 100))
    assert c.version == version and c.is_empty()
