"""The maths behind the insight views (no Qt)."""

import numpy as np
import pytest

from playground import nn
from playground.nn import analysis


def make_net(layers, seed=0):
    return nn.Network({"input": [28, 28], "layers": layers}, seed=seed)


SEED = [{"type": "Flatten"}, {"type": "Dense", "units": 128}, {"type": "Sigmoid"},
        {"type": "Dense", "units": 10}, {"type": "Sigmoid"}]


# -- confusion matrix ----------------------------------------------------------------
def test_confusion_matrix_matches_a_hand_made_example():
    y_true = [0, 0, 1, 1, 1, 2, 2, 9]
    y_pred = [0, 1, 1, 1, 2, 2, 0, 4]
    cm = analysis.confusion_matrix(y_true, y_pred)
    expected = np.zeros((10, 10), int)
    expected[0, 0] = 1
    expected[0, 1] = 1
    expected[1, 1] = 2
    expected[1, 2] = 1
    expected[2, 2] = 1
    expected[2, 0] = 1
    expected[9, 4] = 1
    np.testing.assert_array_equal(cm, expected)
    assert cm.sum() == len(y_true)


def test_confusion_matrix_sums_to_n_and_rows_count_labels():
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 10, 5000)
    y_pred = rng.integers(0, 10, 5000)
    cm = analysis.confusion_matrix(y_true, y_pred)
    assert cm.shape == (10, 10)
    assert cm.sum() == 5000
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(y_true, minlength=10))
    np.testing.assert_array_equal(cm.sum(axis=0), np.bincount(y_pred, minlength=10))
    assert np.trace(cm) == np.count_nonzero(y_true == y_pred)


def test_confusion_matrix_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        analysis.confusion_matrix([1, 2, 3], [1, 2])


def test_per_class_accuracy_and_most_confused():
    cm = analysis.confusion_matrix([0, 0, 0, 0, 4, 4, 4, 9, 9],
                                   [0, 0, 0, 6, 9, 9, 4, 4, 9])
    acc = analysis.per_class_accuracy(cm)
    assert acc[0] == pytest.approx(0.75)
    assert acc[4] == pytest.approx(1 / 3)
    assert acc[9] == pytest.approx(0.5)
    assert np.isnan(acc[1])  # no samples of 1
    assert analysis.most_confused(cm) == (4, 9, 2)


def test_most_confused_is_none_without_mistakes():
    assert analysis.most_confused(analysis.confusion_matrix([1, 2, 3], [1, 2, 3])) is None


def test_cell_indices():
    y_true = np.array([4, 4, 9, 4, 1])
    y_pred = np.array([9, 4, 9, 9, 1])
    np.testing.assert_array_equal(analysis.cell_indices(y_true, y_pred, 4, 9), [0, 3])
    assert len(analysis.cell_indices(y_true, y_pred, 1, 9)) == 0


# -- mistakes --------------------------------------------------------------------------
def test_confident_mistakes_are_all_wrong_and_sorted_by_confidence():
    rng = np.random.default_rng(2)
    proba = rng.random((500, 10)).astype(np.float32)
    y = rng.integers(0, 10, 500)
    idx = analysis.confident_mistakes(proba, y)
    pred = proba.argmax(axis=1)
    assert set(idx) == set(np.flatnonzero(pred != y))  # every mistake, nothing else
    assert np.all(pred[idx] != y[idx])
    conf = proba[idx, pred[idx]]
    assert np.all(np.diff(conf) <= 0)
    assert list(analysis.confident_mistakes(proba, y, limit=7)) == list(idx[:7])


def test_confident_mistakes_hand_made():
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.3, 0.7]])
    y = np.array([1, 1, 0, 0])  # sample 0 wrong (0.9), 2 wrong (0.6), 3 wrong (0.7)
    assert list(analysis.confident_mistakes(proba, y)) == [0, 3, 2]


def test_evaluate_on_a_real_network(small_split):
    net = make_net(SEED)
    result = analysis.evaluate(net, small_split.test_x, small_split.test_y)
    assert result.n == len(small_split.test_y)
    assert result.cm.sum() == result.n
    assert result.correct == net.accuracy(small_split.test_x, small_split.test_y)
    np.testing.assert_array_equal(result.pred, net.predict(small_split.test_x))
    np.testing.assert_allclose(result.confidence, result.proba.max(axis=1))


# -- activations -------------------------------------------------------------------------
@pytest.mark.parametrize("layers", [
    SEED,
    [{"type": "Flatten"}, {"type": "Dense", "units": 256}, {"type": "ReLU"},
     {"type": "Dense", "units": 64}, {"type": "Tanh"}, {"type": "Dense", "units": 10},
     {"type": "Softmax"}],
    [{"type": "Flatten"}, {"type": "Dense", "units": 10}],
])
def test_activations_shapes_match_the_network(layers, mnist):
    net = make_net(layers)
    x = mnist.test_images[0]
    acts = analysis.activations(net, x)
    assert [name for name, _ in acts] == [repr(layer) for layer in net.layers]
    assert [a.shape for _, a in acts] == [tuple(s) for s in net.shapes]
    # the last one is the network's output for that input
    np.testing.assert_allclose(acts[-1][1], net.forward(x[None])[0], rtol=1e-5, atol=1e-6)
    # a batch of one gives the same, floats in [0, 1] too
    again = analysis.activations(net, (x / 255.0)[None])
    np.testing.assert_allclose(again[-1][1], acts[-1][1], rtol=1e-4, atol=1e-5)

    hidden = analysis.hidden_activations(net, x)
    dense = [layer for layer in net.layers if isinstance(layer, nn.Dense)]
    assert [len(v) for _, v in hidden] == [layer.units for layer in dense]
    assert hidden[0][0].startswith(repr(dense[0]))
    np.testing.assert_allclose(hidden[-1][1], acts[-1][1])


def test_hidden_activations_labels_and_values():
    net = make_net(SEED)
    x = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    hidden = analysis.hidden_activations(net, x)
    assert [name for name, _ in hidden] == ["Dense(128) > Sigmoid", "Dense(10) > Sigmoid"]
    # by hand: sigmoid(x @ w1 + b1)
    w, b = net.layers[1].w, net.layers[1].b
    expected = 1 / (1 + np.exp(-(x.reshape(-1) @ w + b)))
    np.testing.assert_allclose(hidden[0][1], expected, rtol=1e-4, atol=1e-5)
    assert np.all((hidden[0][1] >= 0) & (hidden[0][1] <= 1))


def test_top_units():
    v = np.array([0.1, 0.9, 0.5, 0.9, 0.0])
    assert list(analysis.top_units(v, 3)) == [1, 3, 2]
    assert list(analysis.top_units(v, 10)) == [1, 3, 2, 0, 4]


def test_activations_rejects_the_wrong_shape():
    net = make_net(SEED)
    with pytest.raises(ValueError):
        analysis.activations(net, np.zeros((20, 20)))
    with pytest.raises(ValueError):
        analysis.activations(net, np.zeros((2, 28, 28)))


# -- first-layer weights ------------------------------------------------------------------
def test_first_layer_weights_are_the_dense_columns():
    net = make_net(SEED)
    tiles, reason = analysis.first_layer_weights(net)
    assert tiles.shape == (128, 28, 28) and reason is None
    np.testing.assert_array_equal(tiles[17].ravel(), net.layers[1].w[:, 17])
    tiles[0, 0, 0] = 99.0  # a copy: the network is untouched
    assert net.layers[1].w[0, 0] != 99.0
    some, _ = analysis.first_layer_weights(net, [17, 3])
    assert some.shape == (2, 28, 28)
    np.testing.assert_array_equal(some[0].ravel(), net.layers[1].w[:, 17])
    np.testing.assert_array_equal(some[1].ravel(), net.layers[1].w[:, 3])


def test_first_layer_weights_explains_when_there_are_none():
    no_flatten = nn.Network({"input": [784], "layers": [{"type": "Dense", "units": 10}]})
    tiles, reason = analysis.first_layer_weights(no_flatten)
    assert tiles is None and reason == analysis.NOT_AN_IMAGE
    # activations before the first Dense keep the pixel order: still pictures
    squashed = make_net([{"type": "Flatten"}, {"type": "Sigmoid"}, {"type": "Dense", "units": 10}])
    tiles, _ = analysis.first_layer_weights(squashed)
    assert tiles.shape == (10, 28, 28)


def test_first_layer_weights_without_dense_or_flatten():
    class Fake:  # what check_spec would refuse: no layer with weights at all
        input_shape = (28, 28)
        layers = [nn.Flatten(), nn.Sigmoid()]

    tiles, reason = analysis.first_layer_weights(Fake())
    assert tiles is None and reason == analysis.NO_DENSE
    wrong = nn.Dense(10)
    wrong.build((100,))
    Fake.layers = [wrong]
    tiles, reason = analysis.first_layer_weights(Fake())
    assert tiles is None and reason == analysis.NOT_FLATTENED


@pytest.mark.parametrize("units", [128, 1000])
def test_weight_mosaic_shape(units):
    tiles = np.random.default_rng(0).standard_normal((units, 28, 28)).astype(np.float32)
    cols = analysis.mosaic_columns(units)
    rows = -(-units // cols)
    assert cols * rows >= units and cols * (rows - 1) < units
    image = analysis.weight_mosaic(tiles, cols, gap=1)
    assert image.shape == (rows * 29 - 1, cols * 29 - 1)
    assert image.dtype == np.float32
    # each tile sits where tile_at says, normalised to max |w| = 1
    for unit in (0, 1, cols, units - 1):
        r, c = divmod(unit, cols)
        tile = image[r * 29:r * 29 + 28, c * 29:c * 29 + 28]
        np.testing.assert_allclose(tile, tiles[unit] / np.abs(tiles[unit]).max(), rtol=1e-6)
        assert analysis.tile_at(r * 29 + 5, c * 29 + 27, cols, units) == unit
    assert np.isnan(image[28, 0])  # a gap
    assert analysis.tile_at(28, 0, cols, units) is None
    # unused cells after the last tile are empty
    if rows * cols > units:
        assert analysis.tile_at((rows - 1) * 29 + 3, (cols - 1) * 29 + 3, cols, units) is None
    raw = analysis.weight_mosaic(tiles, cols, normalise=False)
    np.testing.assert_array_equal(raw[:28, :28], tiles[0])


def test_mosaic_columns_follow_the_aspect_ratio():
    assert analysis.mosaic_columns(100, 1.0) == 10
    assert analysis.mosaic_columns(100, 4.0) == 20
    assert analysis.mosaic_columns(3, 10.0) == 3  # never more columns than tiles
    assert analysis.mosaic_columns(1000, 1.5) == 39


def test_label_counts():
    y = np.array([0, 3, 3, 9, 9, 9])
    np.testing.assert_array_equal(analysis.label_counts(y), [1, 0, 0, 2, 0, 0, 0, 0, 0, 3])
