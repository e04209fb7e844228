"""The insight views with a convolutional network: kernels, feature maps, evaluation."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF

from playground import nn
from playground.data import perturb, to_mnist
from playground.nn import analysis, conv_analysis
from playground.state.session import Session
from playground.ui.insight import (
    ConfusionView,
    Evaluator,
    InsideView,
    MistakesView,
    WeightsView,
)
from playground.ui.insight.feature_grid import MAP_GAP, MAX_MAPS

CONV = {"input": [28, 28], "layers": [
    {"type": "Conv2D", "filters": 4, "size": 3}, {"type": "ReLU"},
    {"type": "MaxPool2D", "size": 2},
    {"type": "Conv2D", "filters": 6, "size": 3}, {"type": "ReLU"},
    {"type": "Flatten"}, {"type": "Dense", "units": 10}, {"type": "Softmax"}]}


@pytest.fixture
def session(small_split, qtbot):
    s = Session(data=small_split)
    assert s.set_hyper(loss="ce", optimizer="adam", lr=0.003, batch_size=32) == []
    s.set_spec(CONV)
    assert s.predictor() is not None, s.report.errors
    return s


def train(session):
    record = nn.Trainer(session.model, session.data).run(1).epochs[-1]
    session.publish(session.model.network.snapshot())
    session.finish_epoch(record)
    return record


def shown(qtbot, widget, width=900):
    qtbot.addWidget(widget)
    widget.resize(width, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def canvas_drawing(image_uint8):
    canvas = np.zeros((200, 240), np.float32)
    canvas[30:170, 100:240] = np.kron(image_uint8 / 255.0, np.ones((5, 5)))
    return canvas


# -- weights -------------------------------------------------------------------------------
def test_weights_view_shows_the_first_conv_layers_kernels(session, qtbot):
    view = shown(qtbot, WeightsView(session))
    train(session)
    net = session.predictor()
    assert not view.stack.empty
    w = net.layers[0].w  # (4, 1, 3, 3)
    assert view.tiles.shape == (4, 3, 3)
    np.testing.assert_array_equal(view.tiles, w[:, 0])
    cols = view.columns
    rows = -(-4 // cols)
    assert view.image.shape == (rows * 4 - 1, cols * 4 - 1)  # 3 x 3 tiles, 1 apart
    np.testing.assert_allclose(view.image[:3, :3], w[0, 0] / np.abs(w[0, 0]).max(), rtol=1e-6)
    assert view.item.image.shape == view.image.shape
    assert "First layer" in view.title.text() and "Conv2D 4@3x3" in view.title.text()
    assert "Random starting weights" not in view.title.text()
    assert not view.kernels.isHidden() and not view.pager.isVisible()
    combo = view.kernels.combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Layer 1: Conv2D 4@3x3", "Layer 4: Conv2D 6@3x3"]
    assert combo.objectName() == "kernelLayerCombo"
    assert view.kernels.spin.isHidden()  # one input channel: nothing to choose
    # hovering a tile names the filter
    r, c = divmod(2, cols)
    assert view.unit_at(r * 4 + 1, c * 4 + 2) == 2
    assert view.describe(2) == (f"filter 2: weights {w[2].min():.2f} .. {w[2].max():.2f}, "
                                f"bias {net.layers[0].b[2]:.2f}")
    view.plot.scene().sigMouseMoved.emit(view.item.mapToScene(QPointF(c * 4 + 1.5,
                                                                      r * 4 + 1.5)))
    assert view.readout.text() == view.describe(2)


def test_the_kernel_picker_switches_layers_and_channels(session, qtbot):
    view = shown(qtbot, WeightsView(session))
    train(session)
    w = session.predictor().layers[3].w  # (6, 4, 3, 3)
    view.kernels.combo.setCurrentIndex(1)  # as a user picks it
    assert view.tiles.shape == (6, 3, 3)
    np.testing.assert_allclose(view.tiles, w.mean(axis=1), rtol=1e-6)
    spin = view.kernels.spin
    assert not spin.isHidden() and spin.objectName() == "kernelChannelSpin"
    assert (spin.minimum(), spin.maximum()) == (-1, 3) and spin.text() == "mean of all"
    assert "Layer 4" in view.title.text() and "mean over its 4 input channels" in (
        view.title.text())
    spin.setValue(2)
    np.testing.assert_array_equal(view.tiles, w[:, 2])
    assert "input channel 2 of 4" in view.title.text()
    # new weights after an epoch: the choice stays, the tiles follow
    train(session)
    assert view.kernels.combo.currentIndex() == 1 and spin.value() == 2
    np.testing.assert_array_equal(view.tiles, session.predictor().layers[3].w[:, 2])
    # shared scale keeps the raw weights
    view.scale.setCurrentIndex(1)
    assert np.nanmax(np.abs(view.image)) == pytest.approx(np.abs(view.tiles).max())
    # back to the first layer: its own kernels, no channel to choose
    view.kernels.combo.setCurrentIndex(0)
    assert view.tiles.shape == (4, 3, 3) and spin.isHidden()


def test_a_dense_network_keeps_its_weight_pictures(session, qtbot):
    view = shown(qtbot, WeightsView(session))
    assert view.tiles.shape == (4, 3, 3)
    session.set_spec(nn.preset("seed")["spec"])
    assert view.kernels.isHidden()
    assert view.tiles.shape == (128, 28, 28)
    assert view.title.text().startswith("<b>First layer</b> &mdash; Dense(128): 128 units")
    assert view.describe(0).startswith("unit 0: weights")
    assert view.image.shape[0] % 29 == 28  # 28 x 28 tiles again, re-fitted


# -- inside --------------------------------------------------------------------------------
def test_inside_view_shows_every_conv_and_pool_layers_maps(session, qtbot):
    view = shown(qtbot, InsideView(session))
    train(session)
    digit = session.data.test_x[0]
    session.set_drawing(canvas_drawing(digit))
    net = session.predictor()
    out = to_mnist(canvas_drawing(digit))
    expected = conv_analysis.feature_maps(net, out)
    assert [g.label for g in view._grids] == [
        "Conv2D 4@3x3 > ReLU -> 4 x 26 x 26", "MaxPool2D 2x2 -> 4 x 13 x 13",
        "Conv2D 6@3x3 > ReLU -> 6 x 11 x 11"] == [m.label for m in expected]
    qtbot.waitUntil(lambda: all(grid.isVisible() for grid in view._grids))
    for grid, m in zip(view._grids, expected, strict=True):
        np.testing.assert_allclose(grid.maps, m.maps)
        assert grid.shown == len(m.maps) and grid.more.isHidden()
        canvas = grid.canvas
        assert canvas.image is not None and not canvas.image.isNull()
        assert canvas.size() == canvas.image.size()
        assert canvas.mapTo(view, QPoint(canvas.width(), 0)).x() <= view.width()
        _, h, w = m.maps.shape
        side = h * canvas.scale
        assert 24 <= side <= 72  # small images, each value a block of screen pixels
        # the first map's top-left pixel is the colour of its value, the gap is clear
        assert canvas.image.pixelColor(0, 0).alpha() == 255
        if canvas.columns > 1:
            assert canvas.image.pixelColor(side + MAP_GAP // 2, 0).alpha() == 0
        assert canvas.map_at(QPoint(side // 2, side // 2)) == 0
    # the Dense rows are still there, under the maps
    assert [name for name, _ in view.layer_values] == ["Dense(10) > Softmax"]
    best = int(net.predict_proba(out[None])[0].argmax())
    assert f"says <b>{best}</b>" in view.prediction.text()
    assert "feature map" in view.layers_title.text()
    layout = view.layers_layout
    assert layout.indexOf(view._grids[-1]) < layout.indexOf(view._layer_widgets[0])

    # another drawing: the maps follow (strokes are throttled, never lost)
    first = view._grids[0].maps.copy()
    other = canvas_drawing(session.data.test_x[1])
    session.set_drawing(other)
    want = conv_analysis.feature_maps(net, to_mnist(other))[0].maps
    qtbot.waitUntil(lambda: np.allclose(view._grids[0].maps, want), timeout=3000)
    assert not np.allclose(view._grids[0].maps, first)
    # an empty canvas: no maps
    session.set_drawing(np.zeros((50, 50), np.float32))
    qtbot.waitUntil(lambda: view._grids == [] and view.feature_maps == [], timeout=3000)


def test_inside_view_draws_at_most_max_maps_and_counts_the_rest(session, qtbot):
    view = shown(qtbot, InsideView(session), width=500)
    session.set_spec({"input": [28, 28], "layers": [
        {"type": "Conv2D", "filters": MAX_MAPS + 8, "size": 5}, {"type": "ReLU"},
        {"type": "Flatten"}, {"type": "Dense", "units": 10}, {"type": "Softmax"}]})
    session.set_drawing(canvas_drawing(session.data.test_x[2]))
    qtbot.waitUntil(lambda: len(view._grids) == 1, timeout=3000)
    grid = view._grids[0]
    assert len(grid.maps) == MAX_MAPS + 8 and grid.shown == MAX_MAPS and grid.hidden == 8
    assert grid.canvas.count == MAX_MAPS
    assert not grid.more.isHidden() and grid.more.text() == "+8 more maps not drawn"
    # the maps wrap to the narrow width
    assert grid.canvas.width() <= view.width() - 30
    assert grid.canvas.mapTo(view, QPoint(grid.canvas.width(), 0)).x() <= view.width()
    assert "untrained" in view.layers_note.text()


def test_a_dense_network_has_no_feature_maps(session, qtbot):
    view = shown(qtbot, InsideView(session))
    session.set_drawing(canvas_drawing(session.data.test_x[0]))
    assert len(view._grids) == 3
    session.set_spec(nn.preset("seed")["spec"])
    qtbot.waitUntil(lambda: view._grids == [], timeout=3000)
    assert "feature map" not in view.layers_title.text()
    assert [(n, len(v)) for n, v in view.layer_values] == [("Dense(128) > Sigmoid", 128),
                                                           ("Dense(10) > Sigmoid", 10)]


# -- evaluation ----------------------------------------------------------------------------
def test_confusion_and_mistakes_evaluate_a_conv_network(session, qtbot):
    evaluator = Evaluator(session)
    view = shown(qtbot, ConfusionView(session, evaluator))
    mistakes = shown(qtbot, MistakesView(session, evaluator))
    train(session)
    qtbot.waitUntil(lambda: view.result is not None and mistakes.result is not None
                    and not evaluator.busy, timeout=20000)
    data = session.data
    want = analysis.evaluate(session.predictor(), data.test_x, data.test_y)
    np.testing.assert_array_equal(view.result.cm, want.cm)
    assert view.result.n == len(data.test_y) and view.result.accuracy > 0.5
    assert not view.stack.empty and not mistakes.stack.empty
    assert 0 < mistakes.gallery.count() <= len(want.mistakes())
    assert all(want.pred[i] != want.labels[i] for i in mistakes.indices)


def test_robustness_measures_a_conv_network(session):
    net = session.predictor()
    x, y = session.data.test_x[:40], session.data.test_y[:40]
    curves = perturb.measure(net, x, y)
    clean = float((net.predict(x) == y).mean())
    assert curves and all(dict(levels)[0.0] == pytest.approx(clean)
                          for levels in curves.values())


@pytest.mark.parametrize("width", [330, 620, 900])
def test_feature_maps_fit_the_width_and_cut_no_label(session, qtbot, width):
    view = shown(qtbot, InsideView(session), width=width)
    session.set_drawing(canvas_drawing(session.data.test_x[4]))
    qtbot.waitUntil(lambda: len(view._grids) == 3 and all(g.isVisible() for g in view._grids))

    def problems() -> list:
        found = []
        for grid in view._grids:
            for label in (grid.title, grid.readout):
                if (label.width() < min(label.sizeHint().width(), grid.width())
                        or label.mapTo(view, label.rect().topRight()).x() > view.width()):
                    found.append(label.text())
            canvas = grid.canvas
            if canvas.mapTo(view, QPoint(canvas.width(), 0)).x() > view.width():
                found.append(f"{grid.label}: maps off the view")
        return found

    try:  # the layouts settle over a few events
        qtbot.waitUntil(lambda: not problems(), timeout=3000)
    except Exception:
        raise AssertionError((width, problems())) from None
    first = view._grids[0]
    assert first.canvas.columns == min(4, (width - 40 + MAP_GAP) // (52 + MAP_GAP))
    if width <= 330:
        assert any(g.head.folded for g in view._grids)  # the readout under the title


def test_feature_map_colours_follow_the_values(session, qtbot):
    from playground.ui.insight.common import DIVERGING
    from playground.ui.insight.layer_rows import SEQUENTIAL

    view = shown(qtbot, InsideView(session))
    session.set_spec({"input": [28, 28], "layers": [
        {"type": "Conv2D", "filters": 3, "size": 3}, {"type": "Tanh"},
        {"type": "MaxPool2D", "size": 2}, {"type": "ReLU"},
        {"type": "Flatten"}, {"type": "Dense", "units": 10}, {"type": "Softmax"}]})
    session.set_drawing(canvas_drawing(session.data.test_x[0]))
    qtbot.waitUntil(lambda: len(view._grids) == 2)
    tanh, relu = view._grids
    assert tanh.label == "Conv2D 3@3x3 > Tanh -> 3 x 26 x 26"
    assert relu.label == "MaxPool2D 2x2 > ReLU -> 3 x 13 x 13"
    assert tanh.maps.min() < 0 and tanh.colour_map == DIVERGING
    assert relu.maps.min() >= 0 and relu.colour_map == SEQUENTIAL
    # the most active value of the layer gets the top of the colour scale
    m = int(np.argmax(relu.maps.reshape(3, -1).max(axis=1)))
    r, c = np.unravel_index(int(relu.maps[m].argmax()), relu.maps[m].shape)
    canvas = relu.canvas
    side = 13 * canvas.scale
    row, col = divmod(m, canvas.columns)
    x = col * (side + MAP_GAP) + c * canvas.scale
    y = row * (side + MAP_GAP) + r * canvas.scale
    import pyqtgraph as pg
    top = pg.colormap.get(SEQUENTIAL).getLookupTable(nPts=256)[255]
    pixel = canvas.image.pixelColor(x, y)
    assert (pixel.red(), pixel.green(), pixel.blue()) == tuple(int(v) for v in top[:3])
    assert relu.describe(m).startswith(f"map {m}: ") and f"row {r}, column {c}" in (
        relu.describe(m))
