"""Dropout: inverted while training, the identity when predicting, seeded, checked against
finite differences with a fixed mask, and accepted by specs, memory and model files."""

from __future__ import annotations

import numpy as np
import pytest

import playground.nn as nn
from playground.nn.layers import MAX_DROPOUT
from playground.nn.memory import activation_row_bytes
from tests.gradcheck import TOL, numeric_grad, rel_error

WITH_DROPOUT = {"input": [4, 3], "layers": [
    {"type": "Flatten"}, {"type": "Dense", "units": 8}, {"type": "Tanh"},
    {"type": "Dropout", "rate": 0.5}, {"type": "Dense", "units": 10}, {"type": "Softmax"}]}


def test_dropout_keeps_about_one_minus_rate_and_scales_so_the_mean_stays():
    layer = nn.Dropout(0.3)
    layer.reseed(np.random.default_rng(0))
    x = np.ones((400, 250), np.float32)
    out = layer.forward(x, train=True)
    assert out.dtype == np.float32
    kept = out != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.01)
    assert np.allclose(out[kept], 1 / 0.7)
    assert out.mean() == pytest.approx(1.0, abs=0.02)
    # the gradient flows only through the kept values, scaled alike
    delta = np.full_like(x, 2.0)
    assert np.array_equal(layer.backward(delta), np.where(kept, 2 / 0.7, 0).astype(np.float32))


def test_dropout_is_the_identity_when_predicting():
    layer = nn.Dropout(0.9)
    x = np.random.default_rng(1).standard_normal((5, 7)).astype(np.float32)
    assert layer.forward(x) is x
    assert layer.backward(x) is x
    net = nn.Network(WITH_DROPOUT, seed=3)
    plain = nn.Network({**WITH_DROPOUT, "layers": [
        s for s in WITH_DROPOUT["layers"] if s["type"] != "Dropout"]}, seed=3)
    plain.set_weights(net.get_weights())
    images = np.random.default_rng(2).integers(0, 256, (20, 4, 3), dtype=np.uint8)
    assert np.array_equal(net.predict_proba(images), plain.predict_proba(images))
    assert np.array_equal(net.predict_proba(images), net.predict_proba(images))
    # while training it does drop: the outputs differ from the prediction's
    assert not np.allclose(net.forward(images, train=True), net.predict_proba(images))


def test_rate_zero_drops_nothing():
    layer = nn.Dropout(0.0)
    x = np.ones((3, 4), np.float32)
    assert np.array_equal(layer.forward(x, train=True), x)


def test_backprop_through_dropout_matches_finite_differences_with_a_fixed_mask():
    net = nn.Network(WITH_DROPOUT, seed=0, dtype=np.float64)
    loss = nn.make_loss("ce", net.layers[-1])
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, (6, 4, 3))
    y = nn.one_hot(rng.integers(0, 10, 6), dtype=np.float64)

    def forward():  # the same mask every time: the layer's stream starts over
        net.reseed(11)
        return net.forward(x, train=True)

    a = forward()
    assert (net.layers[3]._mask == 0).any()  # the check covers dropped units
    net.backward(loss.fused_delta(a, y), skip_last=True)
    analytic = [g.copy() for layer in net.layers if layer.trainable for g in layer.grads()]
    for p, g in zip(net.parameters(), analytic, strict=True):
        numeric = numeric_grad(lambda: loss.value(forward(), y), p)
        assert rel_error(g, numeric) < TOL


def test_dropout_input_gradient_matches_finite_differences():
    layer = nn.Dropout(0.4)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 6))
    upstream = rng.standard_normal((4, 6))

    def f():
        layer.reseed(np.random.default_rng(9))
        return float(np.sum(upstream * layer.forward(x, train=True)))

    f()
    analytic = layer.backward(upstream.copy())
    assert rel_error(analytic, numeric_grad(f, x)) < TOL


@pytest.mark.parametrize(("rate", "ok"), [
    (0.5, True), (0, True), (MAX_DROPOUT, True), (1.0, False), (-0.1, False),
    (True, False), ("0.5", False), (float("nan"), False)])
def test_spec_checks_the_rate(rate, ok):
    spec = {"input": [28, 28], "layers": [
        {"type": "Flatten"}, {"type": "Dropout", "rate": rate}, {"type": "Dense", "units": 10}]}
    report = nn.check_spec(spec)
    assert report.ok == ok
    if not ok:
        assert "dropout rate must be 0 to" in str(report.errors[0])
        assert report.errors[0].layer == 1


def test_spec_shapes_and_settings():
    report = nn.check_spec({"input": [28, 28], "layers": [
        {"type": "Flatten"}, {"type": "Dropout"}, {"type": "Dense", "units": 10}]})
    assert report.ok and report.layers[1].output_shape == (784,) and report.layers[1].params == 0
    bad = nn.check_spec({"input": [28, 28], "layers": [
        {"type": "Flatten"}, {"type": "Dropout", "units": 3}, {"type": "Dense", "units": 10}]})
    assert "Dropout has no setting 'units'" in str(bad.errors[0])


def test_the_same_seed_repeats_a_run_with_dropout_exactly_and_another_differs(small_split):
    def train(seed):
        model = nn.Model.create(
            {"input": [28, 28], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 32},
                                           {"type": "ReLU"}, {"type": "Dropout", "rate": 0.5},
                                           {"type": "Dense", "units": 10},
                                           {"type": "Softmax"}]},
            {"loss": "ce", "optimizer": "sgd", "lr": 0.1, "batch_size": 50, "epochs": 2,
             "seed": seed, "init": "he"})
        result = nn.Trainer(model, small_split.limit(500, 200, 200)).run()
        assert result.status == "finished", result.message
        return model

    a, b, c = train(1), train(1), train(2)
    assert [r.loss for r in a.history] == [r.loss for r in b.history]
    for wa, wb in zip(a.network.get_weights(), b.network.get_weights(), strict=True):
        assert np.array_equal(wa, wb)
    assert [r.loss for r in a.history] != [r.loss for r in c.history]


def test_dropout_changes_training_but_not_the_network_it_starts_from(small_split):
    """Same seed with and without dropout: same first weights, different training."""
    def model(rate):
        return nn.Model.create({"input": [28, 28], "layers": [
            {"type": "Flatten"}, {"type": "Dense", "units": 32}, {"type": "ReLU"},
            {"type": "Dropout", "rate": rate}, {"type": "Dense", "units": 10},
            {"type": "Softmax"}]}, {"loss": "ce", "lr": 0.1, "batch_size": 50, "epochs": 1})

    a, b = model(0.0), model(0.5)
    for wa, wb in zip(a.network.get_weights(), b.network.get_weights(), strict=True):
        assert np.array_equal(wa, wb)
    data = small_split.limit(2000, 200, 100)
    nn.Trainer(a, data).run()
    nn.Trainer(b, data).run()
    assert a.history[0].loss < b.history[0].loss  # dropping units makes the task harder
    assert b.history[0].val_accuracy > 0.6  # and yet it learns, undiverged


def test_memory_counts_the_mask():
    flat = activation_row_bytes((784,), [("Dense", (100,))])
    dropped = activation_row_bytes((784,), [("Dense", (100,)), ("Dropout", (100,))])
    assert dropped - flat == 2 * 100 * 4  # its output and its mask


def test_a_model_with_dropout_saves_and_loads(tmp_path):
    model = nn.Model.create({**WITH_DROPOUT, "input": [28, 28]})
    path = tmp_path / "m.npz"
    nn.save_model(path, model)
    back = nn.load_model(path)
    assert back.network.spec["layers"][3] == {"type": "Dropout", "rate": 0.5}
    assert repr(back.network.layers[3]) == "Dropout(0.5)"
    snap = back.network.snapshot()
    assert snap.layers[3].rate == 0.5
