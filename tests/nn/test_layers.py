"""Engine maths: finite-difference gradient checks (float64) for every layer and loss,
numerical stability at extreme inputs, optimizers and weight initialisation."""

from __future__ import annotations

import numpy as np
import pytest

import playground.nn as nn
from tests.gradcheck import TOL, numeric_grad, rel_error

# ---------------------------------------------------------------- helpers

def check_layer(layer, x: np.ndarray, rng):
    """Check backward() of ``layer`` against sum(upstream * forward(x))."""
    out = layer.forward(x.copy())
    upstream = rng.standard_normal(out.shape)

    def f():
        return float(np.sum(upstream * layer.forward(x)))

    layer.forward(x)
    analytic = layer.backward(upstream.copy())
    assert analytic.shape == x.shape
    numeric = numeric_grad(f, x)
    assert rel_error(analytic, numeric) < TOL
    return upstream


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# ---------------------------------------------------------------- layers

def test_dense_gradients(rng):
    layer = nn.Dense(3)
    layer.build((5,), rng, "scaled", dtype=np.float64)
    assert layer.w.shape == (5, 3) and layer.b.shape == (3,)
    assert layer.w.dtype == np.float64 and layer.trainable
    x = rng.standard_normal((4, 5))
    upstream = rng.standard_normal((4, 3))

    def f():
        return float(np.sum(upstream * layer.forward(x)))

    layer.forward(x)
    dx = layer.backward(upstream.copy())
    nabla_w, nabla_b = layer.nabla_w.copy(), layer.nabla_b.copy()
    assert rel_error(dx, numeric_grad(f, x)) < TOL
    assert rel_error(nabla_w, numeric_grad(f, layer.w)) < TOL
    assert rel_error(nabla_b, numeric_grad(f, layer.b)) < TOL
    # params() / grads() expose the same arrays the optimizers update
    assert layer.params()[0] is layer.w and layer.params()[1] is layer.b
    assert layer.grads()[0] is layer.nabla_w and layer.grads()[1] is layer.nabla_b


def test_dense_without_input_gradient_still_fills_nablas(rng):
    layer = nn.Dense(4)
    layer.build((3,), rng, dtype=np.float64)
    x = rng.standard_normal((2, 3))
    layer.forward(x)
    delta = rng.standard_normal((2, 4))
    assert layer.backward(delta, need_input_grad=False) is None
    np.testing.assert_allclose(layer.nabla_w, x.T @ delta)
    np.testing.assert_allclose(layer.nabla_b, delta.sum(axis=0))


@pytest.mark.parametrize("cls", [nn.Sigmoid, nn.Tanh, nn.Softmax])
def test_activation_gradients(cls, rng):
    x = rng.standard_normal((4, 6)) * 2
    check_layer(cls(), x, rng)


def test_relu_gradient_away_from_the_kink(rng):
    x = rng.standard_normal((5, 7))
    x[np.abs(x) < 0.05] = 0.3  # keep every input well away from 0
    check_layer(nn.ReLU(), x, rng)
    out = nn.ReLU().forward(x)
    np.testing.assert_array_equal(out, np.maximum(x, 0))


def test_flatten_gradient_and_shapes(rng):
    layer = nn.Flatten()
    x = rng.standard_normal((3, 4, 2))
    assert layer.forward(x).shape == (3, 8)
    assert layer.output_shape((4, 2)) == (8,)
    check_layer(layer, x, rng)


def test_layer_types_cover_every_layer():
    assert set(nn.LAYER_TYPES) == {"Flatten", "Dense", "Sigmoid", "ReLU", "Tanh", "Softmax",
                                   "Dropout", "Conv2D", "MaxPool2D", "AvgPool2D"}
    for name, cls in nn.LAYER_TYPES.items():
        assert cls.trainable == (name in ("Dense", "Conv2D"))


def test_activations_compute_the_right_functions(rng):
    x = rng.standard_normal((3, 10)) * 3
    np.testing.assert_allclose(nn.Sigmoid().forward(x), 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(nn.Tanh().forward(x), np.tanh(x), rtol=1e-12)
    e = np.exp(x)
    sm = nn.Softmax().forward(x)
    np.testing.assert_allclose(sm, e / e.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(sm.sum(axis=1), 1.0)


# ---------------------------------------------------------------- losses

def probabilities(rng, n=4, k=10):
    z = rng.standard_normal((n, k))
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def check_loss(loss, a, y):
    analytic = loss.gradient(a, y)
    numeric = numeric_grad(lambda: loss.value(a, y), a)
    assert rel_error(analytic, numeric) < TOL


def test_squared_error_gradient_and_value(rng):
    a = rng.uniform(0.05, 0.95, (4, 10))
    y = nn.one_hot(rng.integers(0, 10, 4), dtype=np.float64)
    check_loss(nn.SquaredError(), a, y)
    # C = 1/2 |a - y|^2 per sample, averaged
    assert nn.SquaredError().value(a, y) == pytest.approx(0.5 * ((a - y) ** 2).sum() / 4)
    np.testing.assert_allclose(nn.SquaredError().gradient(a, y), (a - y) / 4)


def test_categorical_cross_entropy_gradient_and_value(rng):
    a = probabilities(rng)
    y = nn.one_hot(rng.integers(0, 10, 4), dtype=np.float64)
    loss = nn.CrossEntropy(categorical=True)
    check_loss(loss, a, y)
    assert loss.value(a, y) == pytest.approx(-(y * np.log(a)).sum() / 4)


def test_binary_cross_entropy_gradient_and_value(rng):
    a = rng.uniform(0.1, 0.9, (4, 10))
    y = nn.one_hot(rng.integers(0, 10, 4), dtype=np.float64)
    loss = nn.CrossEntropy(categorical=False)
    check_loss(loss, a, y)
    expected = -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum() / 4
    assert loss.value(a, y) == pytest.approx(expected)


def test_make_loss_picks_the_form_for_the_output_layer():
    assert isinstance(nn.make_loss("se"), nn.SquaredError)
    assert nn.make_loss("ce", nn.Softmax()).categorical is True
    assert nn.make_loss("ce", nn.Sigmoid()).categorical is False
    assert nn.make_loss("ce", nn.Softmax()).fuses_with(nn.Softmax())
    assert nn.make_loss("ce", nn.Sigmoid()).fuses_with(nn.Sigmoid())
    assert not nn.make_loss("ce", nn.Softmax()).fuses_with(nn.Sigmoid())
    assert not nn.SquaredError().fuses_with(nn.Sigmoid())
    with pytest.raises(ValueError, match="unknown loss 'mae'"):
        nn.make_loss("mae")


# ---------------------------------------------------------------- whole networks

def net_params(net):
    return [p for layer in net.layers if layer.trainable for p in layer.params()]


def net_grads(net):
    return [g.copy() for layer in net.layers if layer.trainable for g in layer.grads()]


def check_network(net, loss, x, y):
    """Back-propagation through ``net`` (fused when the loss allows) against
    finite differences of the loss for every parameter."""
    a = net.forward(x)
    fused = loss.fuses_with(net.layers[-1])
    if fused:
        net.backward(loss.fused_delta(a, y), skip_last=True)
    else:
        net.backward(loss.gradient(a, y))
    analytic = net_grads(net)
    params = net_params(net)
    assert len(analytic) == len(params) > 0
    for p, g in zip(params, analytic, strict=True):
        numeric = numeric_grad(lambda: loss.value(net.forward(x), y), p)
        assert rel_error(g, numeric) < TOL
    return fused


SMALL = {"input": [4, 3], "layers": [
    {"type": "Flatten"}, {"type": "Dense", "units": 5}, {"type": "Tanh"},
    {"type": "Dense", "units": 10}]}


def small_net(last, seed=0):
    spec = {"input": SMALL["input"], "layers": [*SMALL["layers"], {"type": last}]}
    return nn.Network(spec, seed=seed, dtype=np.float64)


@pytest.fixture
def batch(rng):
    x = rng.uniform(0, 1, (6, 4, 3))
    y = nn.one_hot(rng.integers(0, 10, 6), dtype=np.float64)
    return x, y


def test_network_softmax_cross_entropy_fused(batch):
    net = small_net("Softmax")
    assert net.layers[1].w.dtype == np.float64
    assert check_network(net, nn.make_loss("ce", net.layers[-1]), *batch)


def test_network_sigmoid_binary_cross_entropy_fused(batch):
    net = small_net("Sigmoid")
    loss = nn.make_loss("ce", net.layers[-1])
    assert not loss.categorical
    assert check_network(net, loss, *batch)


def test_network_sigmoid_squared_error(batch):
    net = small_net("Sigmoid")
    assert not check_network(net, nn.make_loss("se", net.layers[-1]), *batch)


def test_network_softmax_squared_error_unfused(batch):
    net = small_net("Softmax")
    assert not check_network(net, nn.SquaredError(), *batch)


def test_network_softmax_cross_entropy_unfused_matches(batch):
    """The unfused path (CE gradient through Softmax.backward) gives the same gradient."""
    x, y = batch
    net = small_net("Softmax")
    loss = nn.make_loss("ce", net.layers[-1])
    a = net.forward(x)
    net.backward(loss.fused_delta(a, y), skip_last=True)
    fused = net_grads(net)
    net.forward(x)
    net.backward(loss.gradient(a, y))
    for f, u in zip(fused, net_grads(net), strict=True):
        assert rel_error(f, u) < 1e-9


def test_network_relu_squared_error(rng, batch):
    spec = {"input": [4, 3], "layers": [
        {"type": "Flatten"}, {"type": "Dense", "units": 8}, {"type": "ReLU"},
        {"type": "Dense", "units": 10}, {"type": "Sigmoid"}]}
    net = nn.Network(spec, seed=3, init="he", dtype=np.float64)
    x, y = batch
    z = net.layers[0].forward(x) @ net.layers[1].w + net.layers[1].b
    assert np.abs(z).min() > 1e-4  # no pre-activation near ReLU's kink
    check_network(net, nn.SquaredError(), x, y)


def test_train_batch_takes_one_gradient_step(batch):
    """train_batch returns the loss and outputs of the weights it started from, then moves
    every parameter by -lr times the true gradient of that loss: checked against finite
    differences of the loss, not by running the engine's backward pass again."""
    x, y = batch
    lr, eps = 0.1, 1e-6
    rng = np.random.default_rng(7)
    for last, loss_name in (("Softmax", "ce"), ("Sigmoid", "ce"), ("Sigmoid", "se")):
        net = small_net(last)
        loss = nn.make_loss(loss_name, net.layers[-1])
        before = [p.copy() for p in net_params(net)]
        first = nn.Network(net.spec, seed=0, dtype=np.float64)  # the same starting weights
        value, out = net.train_batch(x, y, loss, nn.SGD(lr))
        np.testing.assert_allclose(out, first.forward(x))
        assert value == pytest.approx(loss.value(first.forward(x), y))
        after = [p.copy() for p in net_params(net)]
        net.set_weights(before)
        for i, p in enumerate(net_params(net)):
            for flat in rng.choice(p.size, size=min(5, p.size), replace=False):
                index = np.unravel_index(flat, p.shape)
                p[index] = before[i][index] + eps
                up = loss.value(net.forward(x), y)
                p[index] = before[i][index] - eps
                down = loss.value(net.forward(x), y)
                p[index] = before[i][index]
                gradient = (up - down) / (2 * eps)
                step = before[i][index] - after[i][index]
                assert step == pytest.approx(lr * gradient, rel=1e-5, abs=1e-9), (last, i)


def test_network_input_uint8_and_float_agree():
    net = nn.Network(nn.preset("seed")["spec"])
    pixels = np.random.default_rng(5).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    from_uint8 = net.forward(pixels)
    from_float = net.forward(pixels.astype(np.float32) / 255)
    flat = net.forward((pixels.astype(np.float32) / 255).reshape(3, 784))
    assert from_uint8.dtype == np.float32 and from_uint8.shape == (3, 10)
    np.testing.assert_allclose(from_uint8, from_float, rtol=1e-5)
    np.testing.assert_allclose(from_uint8, flat, rtol=1e-5)
    assert net.predict(pixels).shape == (3,)
    np.testing.assert_array_equal(net.predict(pixels), from_uint8.argmax(axis=1))


def test_float32_network_stays_float32_while_training():
    for opt in ("sgd", "momentum", "adam"):
        net = nn.Network(nn.preset("modern")["spec"])
        x = np.random.default_rng(0).integers(0, 256, (16, 28, 28), dtype=np.uint8)
        y = nn.one_hot(np.arange(16) % 10)
        loss = nn.make_loss("ce", net.layers[-1])
        optimizer = nn.make_optimizer(opt, 0.01)
        for _ in range(3):
            net.train_batch(x, y, loss, optimizer)
        for p in net.get_weights():
            assert p.dtype == np.float32 and np.isfinite(p).all()


def test_snapshot_is_independent():
    net = nn.Network(nn.preset("seed")["spec"])
    snap = net.snapshot()
    x = np.random.default_rng(0).integers(0, 256, (4, 28, 28), dtype=np.uint8)
    np.testing.assert_array_equal(snap.forward(x), net.forward(x))
    net.layers[1].w += 1.0
    assert not np.allclose(snap.forward(x), net.forward(x))
    for a, b in zip(snap.get_weights(), net.get_weights(), strict=True):
        assert not np.shares_memory(a, b)


def test_get_and_set_weights():
    net = nn.Network(nn.preset("seed")["spec"], seed=1)
    other = nn.Network(nn.preset("seed")["spec"], seed=2)
    other.set_weights(net.get_weights())
    for a, b in zip(other.get_weights(), net.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError):
        other.set_weights(net.get_weights()[:2])
    with pytest.raises(ValueError):
        other.set_weights([w.T for w in net.get_weights()])


# ---------------------------------------------------------------- stability

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_stable_at_extremes(dtype):
    x = np.array([[-1000.0, -100.0, 0.0, 100.0, 1000.0]], dtype=dtype)
    layer = nn.Sigmoid()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = layer.forward(x.copy())
        d = layer.backward(np.ones_like(a))
    assert a.dtype == dtype
    assert np.isfinite(a).all() and np.isfinite(d).all()
    assert a[0, 0] == 0.0 and a[0, -1] == 1.0
    assert a[0, 2] == 0.5
    assert d[0, 0] == 0.0 and d[0, -1] == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable_at_extremes(dtype):
    x = np.array([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, -1000.0],
                  [-1000.0, -1000.0, -1000.0]], dtype=dtype)
    layer = nn.Softmax()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = layer.forward(x.copy())
        d = layer.backward(np.ones_like(a))
    assert a.dtype == dtype
    assert np.isfinite(a).all() and np.isfinite(d).all()
    np.testing.assert_allclose(a, [[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_and_relu_at_extremes(dtype):
    x = np.array([[-1000.0, 1000.0]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_array_equal(nn.Tanh().forward(x), [[-1.0, 1.0]])
        np.testing.assert_array_equal(nn.ReLU().forward(x), [[0.0, 1000.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("categorical", [True, False])
def test_cross_entropy_with_certain_outputs_is_finite(dtype, categorical):
    a = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=dtype)
    y = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]], dtype=dtype)  # row 0 is confidently wrong
    loss = nn.CrossEntropy(categorical=categorical)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.value(a, y)
        grad = loss.gradient(a, y)
        fused = loss.fused_delta(a, y)
    assert np.isfinite(value) and value > 5  # a confident mistake costs a lot
    assert np.isfinite(grad).all() and np.isfinite(fused).all()
    # a perfect prediction costs (almost) nothing
    assert loss.value(y, y) < 1e-5


def test_network_forward_at_extreme_inputs_is_finite():
    net = nn.Network(nn.preset("seed")["spec"], init="normal")
    x = np.full((2, 28, 28), 1000.0, dtype=np.float32)
    x[1] *= -1
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = net.forward(x)
    assert np.isfinite(out).all()


# ---------------------------------------------------------------- optimizers

class Quadratic:
    """A stand-in layer: loss 1/2 |w - target|^2, gradient w - target."""

    trainable = True

    def __init__(self, rng):
        self.w = rng.standard_normal((3, 4))
        self.b = rng.standard_normal(4)
        self.tw = rng.standard_normal((3, 4))
        self.tb = rng.standard_normal(4)
        self.nabla_w = np.zeros_like(self.w)
        self.nabla_b = np.zeros_like(self.b)

    def params(self):
        return [self.w, self.b]

    def grads(self):
        return [self.nabla_w, self.nabla_b]

    def compute(self) -> float:
        self.nabla_w[...] = self.w - self.tw
        self.nabla_b[...] = self.b - self.tb
        return 0.5 * float((self.nabla_w ** 2).sum() + (self.nabla_b ** 2).sum())


def test_sgd_step_is_w_minus_lr_grad(rng):
    q = Quadratic(rng)
    q.compute()
    w0, b0 = q.w.copy(), q.b.copy()
    gw, gb = q.nabla_w.copy(), q.nabla_b.copy()
    opt = nn.make_optimizer("sgd", 0.25)
    assert isinstance(opt, nn.SGD) and opt.lr == 0.25
    opt.step([nn.Sigmoid(), q])  # layers without parameters are skipped
    np.testing.assert_allclose(q.w, w0 - 0.25 * gw, rtol=1e-15)
    np.testing.assert_allclose(q.b, b0 - 0.25 * gb, rtol=1e-15)


def test_momentum_first_steps(rng):
    q = Quadratic(rng)
    opt = nn.Momentum(0.1, mu=0.9)
    q.compute()
    w0, g1 = q.w.copy(), q.nabla_w.copy()
    opt.step([q])
    np.testing.assert_allclose(q.w, w0 - 0.1 * g1)
    w1 = q.w.copy()
    q.compute()
    g2 = q.nabla_w.copy()
    opt.step([q])
    np.testing.assert_allclose(q.w, w1 + 0.9 * (-0.1 * g1) - 0.1 * g2)


@pytest.mark.parametrize("name,lr", [("sgd", 0.1), ("momentum", 0.05), ("adam", 0.05)])
def test_optimizers_minimise_a_quadratic(name, lr, rng):
    q = Quadratic(rng)
    opt = nn.make_optimizer(name, lr)
    start = q.compute()
    losses = []
    for _ in range(300):
        opt.step([q])
        losses.append(q.compute())
    assert losses[0] < start
    assert losses[-1] < 1e-3 * start


def test_adam_first_step_size_is_lr(rng):
    q = Quadratic(rng)
    q.compute()
    w0, b0 = q.w.copy(), q.b.copy()
    opt = nn.Adam(0.01)
    opt.step([q])
    np.testing.assert_allclose(np.abs(q.w - w0), 0.01, rtol=1e-4)
    np.testing.assert_allclose(np.abs(q.b - b0), 0.01, rtol=1e-4)
    # and against the gradient
    assert (np.sign(q.w - w0) == -np.sign(q.nabla_w)).all()


def test_optimizer_reset_forgets_state(rng):
    q = Quadratic(rng)
    opt = nn.Adam(0.01)
    q.compute()
    opt.step([q])
    opt.step([q])
    opt.reset()
    assert opt.t == 0
    q.compute()
    w0 = q.w.copy()
    opt.step([q])
    np.testing.assert_allclose(np.abs(q.w - w0), 0.01, rtol=1e-4)


def test_unknown_optimizer():
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'.*sgd, momentum, adam"):
        nn.make_optimizer("rmsprop", 0.1)


# ---------------------------------------------------------------- initialisation

@pytest.mark.parametrize("init,expected_std", [
    ("scaled", 1 / np.sqrt(400)),
    ("normal", 1.0),
    ("xavier", np.sqrt(2 / (400 + 500))),
    ("he", np.sqrt(2 / 400)),
])
def test_initialisation_scales(init, expected_std):
    layer = nn.Dense(500)
    layer.build((400,), np.random.default_rng(0), init, dtype=np.float64)
    assert layer.w.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(layer.w.mean()) < 0.01 * expected_std * 10
    if init == "normal":
        assert layer.b.std() == pytest.approx(1.0, rel=0.3)
    else:
        np.testing.assert_array_equal(layer.b, 0.0)


def test_initialisation_is_deterministic():
    spec = nn.preset("seed")["spec"]
    a, b, c = (nn.Network(spec, seed=s) for s in (7, 7, 8))
    for wa, wb, wc in zip(a.get_weights(), b.get_weights(), c.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
        assert wa.dtype == np.float32
        assert wc.shape == wa.shape
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])
    d = nn.Network(spec, seed=7, init="he")
    assert not np.array_equal(a.get_weights()[0], d.get_weights()[0])


def test_unknown_initialisation():
    with pytest.raises(ValueError, match="unknown weight initialisation 'zeros'"):
        nn.Network(nn.preset("seed")["spec"], init="zeros")
    assert nn.INITS == ("scaled", "normal", "xavier", "he")


# ---------------------------------------------------------------- one_hot

def test_one_hot():
    y = nn.one_hot(np.array([3, 0, 9], dtype=np.uint8))
    assert y.shape == (3, 10) and y.dtype == np.float32
    np.testing.assert_array_equal(y.argmax(axis=1), [3, 0, 9])
    np.testing.assert_array_equal(y.sum(axis=1), 1)
    y64 = nn.one_hot([1, 2], classes=4, dtype=np.float64)
    np.testing.assert_array_equal(y64, [[0, 1, 0, 0], [0, 0, 1, 0]])
    assert y64.dtype == np.float64


def test_empty_batch():
    """No samples in, no rows out (a selection of test images may well be empty)."""
    net = nn.Network(nn.preset("seed")["spec"])
    empty = np.zeros((0, 28, 28), dtype=np.uint8)
    assert net.forward(empty).shape == (0, 10)
    assert net.predict(empty).shape == (0,)
    assert net.accuracy(empty, np.zeros(0, dtype=np.uint8)) == 0
    assert nn.Flatten().forward(np.zeros((0, 4, 3))).shape == (0, 12)
