"""Convolution and pooling: checked against a direct loop-based convolution and against
float64 finite differences for every option; shapes, parameter counts and messages in
specs; memory estimates that refuse before allocating; training, saving and loading."""

from __future__ import annotations

import io
import itertools
import json
import math
import tracemalloc
import zipfile

import numpy as np
import pytest

import playground.nn as nn
from playground.nn.conv import AvgPool2D, Conv2D, MaxPool2D
from playground.nn.memory import activation_row_bytes
from tests.gradcheck import TOL, numeric_grad, rel_error

# ---------------------------------------------------------------- a direct convolution


def direct_conv(x, w, b, stride, padding):
    """Conv2D the slow way: a loop over samples, filters and output pixels. ``x`` (n, C,
    H, W); 'same' pads with zeros so that the output is ceil(H / stride), the odd zero
    below and right."""
    n, c, h, wd = x.shape
    f, _, k, _ = w.shape
    if padding == "same":
        ho, wo = -(-h // stride), -(-wd // stride)
        ph, pw = max((ho - 1) * stride + k - h, 0), max((wo - 1) * stride + k - wd, 0)
        xp = np.zeros((n, c, h + ph, wd + pw))
        xp[:, :, ph // 2:ph // 2 + h, pw // 2:pw // 2 + wd] = x
    else:
        ho, wo = (h - k) // stride + 1, (wd - k) // stride + 1
        xp = x
    out = np.zeros((n, f, ho, wo))
    for s, o, i, j in itertools.product(range(n), range(f), range(ho), range(wo)):
        window = xp[s, :, i * stride:i * stride + k, j * stride:j * stride + k]
        out[s, o, i, j] = np.sum(window * w[o]) + b[o]
    return out


# every option: stride 1 and 2, valid and same, 1 (as a 2-D image) and 3 channels,
# odd and even kernels on odd-sized images
CASES = [
    # (channels, height, width, filters, size, stride, padding)
    (1, 7, 7, 2, 3, 1, "valid"),
    (1, 7, 7, 2, 3, 1, "same"),
    (1, 7, 6, 3, 3, 2, "valid"),
    (1, 7, 7, 2, 3, 2, "same"),
    (3, 6, 7, 2, 3, 1, "valid"),
    (3, 7, 7, 2, 5, 1, "same"),
    (3, 7, 5, 2, 2, 2, "valid"),
    (3, 5, 7, 4, 4, 2, "same"),
    (3, 5, 5, 2, 1, 1, "valid"),
    (2, 5, 5, 1, 5, 1, "valid"),
]


def built_conv(c, h, w, f, k, s, pad, rng, dtype=np.float64):
    layer = Conv2D(f, k, stride=s, padding=pad)
    shape = (h, w) if c == 1 else (c, h, w)
    layer.build(shape, rng, "scaled", dtype=dtype)
    layer.b[...] = rng.standard_normal(f)  # biases start at 0: make them count
    return layer, shape


@pytest.fixture
def rng():
    return np.random.default_rng(7)


@pytest.mark.parametrize("case", CASES)
def test_conv_forward_matches_the_direct_convolution(case, rng):
    c, h, w, f, k, s, pad = case
    layer, shape = built_conv(*case, rng)
    x = rng.standard_normal((3, *shape))
    out = layer.forward(x)
    assert out.shape == (3, *layer.output_shape(shape))
    expected = direct_conv(x.reshape(3, c, h, w), layer.w, layer.b, s, pad)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_conv_gradients_match_finite_differences(case, rng):
    layer, shape = built_conv(*case, rng)
    x = rng.standard_normal((2, *shape))
    upstream = rng.standard_normal((2, *layer.output_shape(shape)))

    def f():
        return float(np.sum(upstream * layer.forward(x)))

    layer.forward(x)
    dx = layer.backward(upstream.copy())
    assert dx.shape == x.shape
    nabla_w, nabla_b = layer.nabla_w.copy(), layer.nabla_b.copy()
    assert nabla_w.shape == layer.w.shape and nabla_b.shape == layer.b.shape
    assert rel_error(dx, numeric_grad(f, x)) < TOL
    assert rel_error(nabla_w, numeric_grad(f, layer.w)) < TOL
    assert rel_error(nabla_b, numeric_grad(f, layer.b)) < TOL
    assert layer.params()[0] is layer.w and layer.grads()[0] is layer.nabla_w


def test_conv_without_input_gradient_still_fills_the_gradients(rng):
    layer, shape = built_conv(3, 6, 6, 2, 3, 1, "same", rng)
    x = rng.standard_normal((2, *shape))
    delta = rng.standard_normal((2, *layer.output_shape(shape)))
    layer.forward(x)
    layer.backward(delta)
    full = layer.nabla_w.copy(), layer.nabla_b.copy()
    layer.forward(x)
    assert layer.backward(delta, need_input_grad=False) is None
    np.testing.assert_allclose(layer.nabla_w, full[0])
    np.testing.assert_allclose(layer.nabla_b, full[1])


@pytest.mark.parametrize("case", [CASES[0], CASES[3], CASES[5], CASES[7]])
def test_training_steps_of_any_batch_size_reuse_the_work_arrays_exactly(case, rng):
    """A training forward pass writes its im2col matrix into an array kept from the last
    step (as does backward's col2im): a smaller last batch, a larger one after it, and
    an evaluation between them give what a layer computing everything afresh gives, and
    nothing handed out is overwritten by the next step."""
    layer, shape = built_conv(*case, rng)
    fresh, _ = built_conv(*case, np.random.default_rng(0))
    fresh.adopt(layer.params())
    kept = []
    for n in (5, 3, 7, 3):
        x = rng.standard_normal((n, *shape))
        delta = rng.standard_normal((n, *layer.output_shape(shape)))
        out = layer.forward(x, train=True)
        dx = layer.backward(delta)
        expected = fresh.forward(x)  # an evaluation: new arrays
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(out, direct_conv(x.reshape(n, -1, *shape[-2:]), layer.w,
                                                    layer.b, case[5], case[6]).reshape(out.shape))
        np.testing.assert_allclose(dx, fresh.backward(delta), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(layer.nabla_w, fresh.nabla_w, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(layer.nabla_b, fresh.nabla_b, rtol=1e-12, atol=1e-12)
        layer.forward(x[:1])  # an evaluation between two steps changes nothing kept
        kept.append((out, out.copy(), dx, dx.copy()))
    for out, out_then, dx, dx_then in kept:
        np.testing.assert_array_equal(out, out_then)
        np.testing.assert_array_equal(dx, dx_then)


@pytest.mark.parametrize("case", [CASES[3], CASES[5], CASES[6]])
def test_a_batch_computed_in_blocks_of_samples_gives_the_same_results(case, rng, monkeypatch):
    """Conv2D writes and multiplies its im2col matrix (and gathers col2im) a block of
    samples at a time: blocks of one sample, of two with a remainder, or one block for
    the batch, all give the same outputs and gradients."""
    import playground.nn.conv as conv

    layer, shape = built_conv(*case, rng)
    x = rng.standard_normal((5, *shape))
    delta = rng.standard_normal((5, *layer.output_shape(shape)))
    results = []
    for sample_bytes in (10**9, 1, 2):  # the whole batch; one sample; two (5 = 2 + 2 + 1)
        c, h, w = conv.image_shape(shape)
        ho, wo = layer._sides(h, w)
        monkeypatch.setattr(conv, "BLOCK_BYTES", sample_bytes * ho * wo * 8 * (
            case[4] ** 2 * c + 1) if sample_bytes < 10**9 else sample_bytes)
        out = layer.forward(x, train=True).copy()
        results.append((out, layer.backward(delta).copy(), layer.nabla_w.copy(),
                        layer.nabla_b.copy()))
    for other in results[1:]:
        for got, expected in zip(other, results[0], strict=True):
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", [CASES[0], CASES[3], CASES[5], CASES[7]])
def test_blocks_split_between_threads_give_what_one_thread_gives(case, rng, monkeypatch):
    """With two block workers (blas.py's choice on one BLAS thread), a batch of 1, 2 or
    5 blocks of samples, the last one smaller, gives the outputs and gradients of the
    same batch on one thread, within float32 rounding; the helper thread did take part."""
    import playground.nn.blas as blas
    import playground.nn.conv as conv

    threaded, shape = built_conv(*case, rng, dtype=np.float32)
    alone, _ = built_conv(*case, np.random.default_rng(0), dtype=np.float32)
    alone.adopt(threaded.params())
    c, h, w = conv.image_shape(shape)
    ho, wo = threaded._sides(h, w)
    split = []
    monkeypatch.setattr(conv, "run_parallel", lambda tasks: split.append(len(tasks)) or
                        blas.run_parallel(tasks))
    for n, per_block, blocks in ((2, 10**6, 1), (3, 2, 2), (5, 1, 5), (9, 2, 5)):
        monkeypatch.setattr(conv, "BLOCK_BYTES", per_block * ho * wo * 4 * (
            case[4] ** 2 * c + 1))
        assert len(conv.sample_blocks(n, ho * wo * 4 * (case[4] ** 2 * c + 1))) == blocks
        x = rng.standard_normal((n, *shape), dtype=np.float32)
        delta = rng.standard_normal((n, *threaded.output_shape(shape)), dtype=np.float32)
        results = []
        for layer, workers in ((alone, 1), (threaded, 2)):
            monkeypatch.setattr(blas, "_workers", workers)
            split.clear()
            out = layer.forward(x, train=True).copy()
            results.append((out, layer.backward(delta).copy(), layer.nabla_w.copy(),
                            layer.nabla_b.copy()))
            assert bool(split) == (workers > 1 and blocks > 1)
        for got, expected in zip(results[1], results[0], strict=True):
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("pool", [MaxPool2D, AvgPool2D])
def test_pool_blocks_split_between_threads_give_what_one_thread_gives(pool, rng,
                                                                      monkeypatch):
    """A pool splits 1, 2 or 5 blocks of samples (the last smaller) between two block
    workers and gives exactly what one thread gives, ties included."""
    import playground.nn.blas as blas
    import playground.nn.conv as conv

    layer, shape = pool(2), (3, 7, 6)
    split = []
    monkeypatch.setattr(conv, "run_parallel", lambda tasks: split.append(len(tasks))
                        or blas.run_parallel(tasks))
    for n, per_block, blocks in ((2, 10**6, 1), (3, 2, 2), (9, 2, 5)):
        monkeypatch.setattr(conv, "BLOCK_BYTES", per_block * math.prod(shape) * 4)
        x = rng.integers(0, 3, (n, *shape)).astype(np.float32)  # many ties
        delta = rng.standard_normal((n, *layer.output_shape(shape)), dtype=np.float32)
        results = []
        split.clear()
        for workers in (1, 2):
            monkeypatch.setattr(blas, "_workers", workers)
            out = layer.forward(x, train=True).copy()
            results.append((out, layer.backward(delta).copy()))
        assert bool(split) == (blocks > 1)
        for got, expected in zip(results[1], results[0], strict=True):
            np.testing.assert_array_equal(got, expected)


def test_a_measured_choice_sets_blas_threads_and_block_workers():
    """Each choice sets both; after the run blocks run one after another again."""
    import playground.nn.blas as blas

    policy = blas.MeasuredThreads()
    with policy:
        if not policy.choices:
            pytest.skip("one core: nothing to share")
        for threads, workers in policy.choices:
            policy._set((threads, workers))
            assert blas.block_workers() == workers
            assert max(blas_threads()) == threads
    assert blas.block_workers() == 1


def test_sample_blocks_cover_the_batch_in_order():
    from playground.nn.conv import BLOCK_BYTES, sample_blocks

    assert sample_blocks(5, BLOCK_BYTES // 2) == [(0, 2), (2, 4), (4, 5)]
    assert sample_blocks(3, BLOCK_BYTES * 4) == [(0, 1), (1, 2), (2, 3)]  # one at least
    assert sample_blocks(10, 1) == [(0, 10)]
    assert sample_blocks(0, 1) == []


def test_an_evaluation_does_not_keep_growing_the_training_work_arrays(rng):
    layer, shape = built_conv(3, 6, 6, 2, 3, 1, "valid", rng, dtype=np.float32)
    layer.forward(rng.standard_normal((4, *shape), dtype=np.float32), train=True)
    before = layer._scratch.nbytes
    layer.forward(rng.standard_normal((400, *shape), dtype=np.float32))
    assert layer._scratch.nbytes == before > 0


def test_conv_computes_in_float32_and_takes_a_two_d_image(rng):
    layer = Conv2D(4, 3, padding="same")
    layer.build((28, 28), rng, "he")
    assert layer.w.shape == (4, 1, 3, 3) and layer.w.dtype == np.float32
    assert layer.b.shape == (4,) and layer.b.dtype == np.float32
    x = rng.random((5, 28, 28), dtype=np.float32)
    out = layer.forward(x)
    assert out.shape == (5, 4, 28, 28) and out.dtype == np.float32
    dx = layer.backward(np.ones_like(out))
    assert dx.shape == (5, 28, 28) and dx.dtype == np.float32
    assert layer.nabla_w.dtype == np.float32


@pytest.mark.parametrize(("init", "std"), [("he", np.sqrt(2 / 75)), ("scaled", np.sqrt(1 / 75)),
                                           ("normal", 1.0)])
def test_conv_weights_are_drawn_with_the_fan_in_of_a_window(init, std):
    layer = Conv2D(200, 5)
    layer.build((3, 10, 10), np.random.default_rng(0), init)
    assert layer.w.std() == pytest.approx(std, rel=0.05)
    # the same seed draws the same weights
    again = Conv2D(200, 5)
    again.build((3, 10, 10), np.random.default_rng(0), init)
    assert np.array_equal(layer.w, again.w)


# ---------------------------------------------------------------- pooling


@pytest.mark.parametrize("cls", [MaxPool2D, AvgPool2D])
@pytest.mark.parametrize(("shape", "size"), [((2, 6, 6), 2), ((3, 7, 5), 2), ((1, 9, 9), 3),
                                             ((8, 8), 2), ((2, 5, 5), 1)])
def test_pool_gradients_match_finite_differences(cls, shape, size, rng):
    layer = cls(size)
    x = rng.standard_normal((2, *shape))
    out = layer.forward(x)
    *lead, h, w = shape
    assert out.shape == (2, *lead, h // size, w // size) == (2, *layer.output_shape(shape))
    upstream = rng.standard_normal(out.shape)

    def f():
        return float(np.sum(upstream * layer.forward(x)))

    layer.forward(x)
    dx = layer.backward(upstream.copy())
    assert dx.shape == x.shape
    assert rel_error(dx, numeric_grad(f, x)) < TOL


def test_pools_compute_the_max_and_the_mean_and_drop_the_remainder():
    x = np.arange(2 * 5 * 5, dtype=np.float32).reshape(1, 2, 5, 5)
    x[0, 1] *= -1
    top = MaxPool2D(2).forward(x)
    assert top.shape == (1, 2, 2, 2)
    np.testing.assert_array_equal(top[0, 0], [[6, 8], [16, 18]])
    np.testing.assert_array_equal(top[0, 1], -np.array([[25, 27], [35, 37]]))
    mean = AvgPool2D(2).forward(x)
    np.testing.assert_array_equal(mean[0, 0], [[3, 5], [13, 15]])
    # the last row and column fill no window: their gradient is 0
    for cls in (MaxPool2D, AvgPool2D):
        layer = cls(2)
        layer.forward(x)
        dx = layer.backward(np.ones((1, 2, 2, 2), np.float32))
        assert not dx[..., 4, :].any() and not dx[..., :, 4].any()
        assert dx.sum() == pytest.approx(8)


def test_max_pool_routes_the_gradient_to_one_maximum_when_several_are_equal():
    x = np.zeros((1, 1, 4, 4), np.float32)
    x[0, 0, 2:, 2:] = 5.0  # a tie of four in the last window
    layer = MaxPool2D(2)
    layer.forward(x)
    dx = layer.backward(np.full((1, 1, 2, 2), 3.0, np.float32))
    assert dx.sum() == pytest.approx(12.0)  # each window passes its gradient once
    assert np.count_nonzero(dx) == 4
    assert dx[0, 0, 2, 2] == 3.0  # the first of the tie, in row-major order


# ---------------------------------------------------------------- specs

CONV_NET = {"input": [28, 28], "layers": [
    {"type": "Conv2D", "filters": 4, "size": 3}, {"type": "ReLU"},
    {"type": "MaxPool2D", "size": 2}, {"type": "Flatten"},
    {"type": "Dense", "units": 10}, {"type": "Softmax"}]}


def conv_stack(*layers, input=(28, 28)):
    return {"input": list(input), "layers": [*layers, {"type": "Flatten"},
                                             {"type": "Dense", "units": 10}]}


def test_spec_shapes_and_parameter_counts():
    report = nn.check_spec({"input": [28, 28], "layers": [
        {"type": "Conv2D", "filters": 20, "size": 5}, {"type": "ReLU"},
        {"type": "MaxPool2D", "size": 2},
        {"type": "Conv2D", "filters": 40, "size": 5, "padding": "same"},
        {"type": "Conv2D", "filters": 8, "size": 3, "stride": 2},
        {"type": "AvgPool2D"}, {"type": "Dropout", "rate": 0.25}, {"type": "Flatten"},
        {"type": "Dense", "units": 10}, {"type": "Softmax"}]})
    assert report.ok, report.errors
    assert [info.output_shape for info in report.layers] == [
        (20, 24, 24), (20, 24, 24), (20, 12, 12), (40, 12, 12), (8, 5, 5), (8, 2, 2),
        (8, 2, 2), (32,), (10,), (10,)]
    assert [info.params for info in report.layers] == [
        20 * 25 + 20, 0, 0, 40 * 20 * 25 + 40, 8 * 40 * 9 + 8, 0, 0, 0, 33 * 10, 0]
    assert nn.format_shape(report.layers[0].output_shape) == "20 x 24 x 24"


def test_a_pool_on_the_input_keeps_it_two_d():
    report = nn.check_spec(conv_stack({"type": "MaxPool2D", "size": 2}))
    assert report.ok and report.layers[0].output_shape == (14, 14)
    assert report.layers[1].output_shape == (196,)


def message(spec):
    report = nn.check_spec(spec)
    assert not report.ok
    return str(report.errors[0]), report.errors[0].layer


def test_a_kernel_larger_than_its_input_is_named():
    text, layer = message(conv_stack(
        {"type": "Conv2D", "filters": 2, "size": 5}, {"type": "MaxPool2D", "size": 6},
        {"type": "Conv2D", "filters": 2, "size": 5}))
    assert text == "the 5 x 5 kernel of layer 3 is larger than its 4 x 4 input"
    assert layer == 2


def test_an_image_that_shrinks_to_nothing_is_named():
    text, layer = message(conv_stack(
        {"type": "Conv2D", "filters": 2, "size": 5}, {"type": "MaxPool2D", "size": 4},
        {"type": "Conv2D", "filters": 2, "size": 5}, {"type": "AvgPool2D", "size": 3}))
    assert text == ("the image shrinks to nothing at layer 4: use 'same' padding "
                    "or a smaller kernel/pool")
    assert layer == 3


def test_dense_directly_on_feature_maps_asks_for_flatten():
    text, layer = message({"input": [28, 28], "layers": [
        {"type": "Conv2D", "filters": 2, "size": 3}, {"type": "Dense", "units": 10}]})
    assert text == "Dense needs a flat input: add Flatten before layer 2" and layer == 1


def test_a_convolution_after_flatten_is_named():
    text, layer = message({"input": [28, 28], "layers": [
        {"type": "Flatten"}, {"type": "Conv2D", "filters": 2, "size": 3},
        {"type": "Flatten"}, {"type": "Dense", "units": 10}]})
    assert text == ("Conv2D needs an image, not a flat list of 784 values: "
                    "move layer 2 before Flatten") and layer == 1
    text, _ = message({"input": [2, 3, 8, 8], "layers": [
        {"type": "MaxPool2D"}, {"type": "Flatten"}, {"type": "Dense", "units": 10}]})
    assert text.startswith("layer 1: MaxPool2D needs an image (height x width")


@pytest.mark.parametrize(("settings", "expected"), [
    ({"filters": 0, "size": 3}, "layer 1: Conv2D filters must be 1 to 1,024"),
    ({"filters": 1025, "size": 3}, "Conv2D filters must be 1 to 1,024"),
    ({"filters": True, "size": 3}, "Conv2D filters must be 1 to 1,024"),
    ({"size": 3}, "Conv2D filters must be 1 to 1,024"),
    ({"filters": 4}, "the Conv2D kernel size must be a whole number from 1"),
    ({"filters": 4, "size": 0}, "the Conv2D kernel size must be a whole number from 1"),
    ({"filters": 4, "size": 2.5}, "the Conv2D kernel size must be a whole number from 1"),
    ({"filters": 4, "size": 3, "stride": 0}, "the Conv2D stride must be 1 to 100"),
    ({"filters": 4, "size": 3, "stride": 10**30}, "the Conv2D stride must be 1 to 100"),
    ({"filters": 4, "size": 3, "padding": "full"},
     "the Conv2D padding must be 'valid' or 'same'"),
    ({"filters": 4, "size": 3, "units": 3}, "Conv2D has no setting 'units'"),
])
def test_conv_settings_are_checked(settings, expected):
    text, layer = message(conv_stack({"type": "Conv2D", **settings}))
    assert expected in text and layer == 0


@pytest.mark.parametrize("kind", ["MaxPool2D", "AvgPool2D"])
def test_pool_settings_are_checked(kind):
    for size in (0, -1, "2", None):
        text, _ = message(conv_stack({"type": kind, "size": size}))
        assert f"the {kind} pool size must be a whole number from 1" in text
    assert nn.check_spec(conv_stack({"type": kind})).layers[0].output_shape == (14, 14)
    text, _ = message(conv_stack({"type": kind, "stride": 1}))
    assert f"{kind} has no setting 'stride'" in text


def test_the_largest_settings_are_fine():
    assert nn.check_spec(conv_stack(
        {"type": "Conv2D", "filters": 2, "size": 28, "stride": 100, "padding": "same"})).ok
    assert nn.check_spec(conv_stack({"type": "MaxPool2D", "size": 28})).ok


# ---------------------------------------------------------------- networks


def test_flatten_turns_feature_maps_into_channels_times_pixels(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    layer = nn.Flatten()
    assert layer.output_shape((3, 4, 5)) == (60,)
    out = layer.forward(x)
    np.testing.assert_array_equal(out, x.reshape(2, 60))  # channel by channel, row by row
    np.testing.assert_array_equal(layer.backward(out), x)


def test_backprop_through_a_conv_net_matches_finite_differences():
    spec = {"input": [8, 8], "layers": [
        {"type": "Conv2D", "filters": 3, "size": 3, "padding": "same"}, {"type": "Tanh"},
        {"type": "MaxPool2D", "size": 2},
        {"type": "Conv2D", "filters": 2, "size": 3, "stride": 1}, {"type": "Sigmoid"},
        {"type": "AvgPool2D", "size": 2}, {"type": "Flatten"},
        {"type": "Dense", "units": 10}, {"type": "Softmax"}]}
    net = nn.Network(spec, seed=0, dtype=np.float64)
    for layer in net.layers:
        if layer.trainable:
            layer.b[...] = np.random.default_rng(1).standard_normal(layer.b.shape)
    loss = nn.make_loss("ce", net.layers[-1])
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, (4, 8, 8))
    y = nn.one_hot(rng.integers(0, 10, 4), dtype=np.float64)
    a = net.forward(x, train=True)
    net.backward(loss.fused_delta(a, y), skip_last=True)
    analytic = [g.copy() for layer in net.layers if layer.trainable for g in layer.grads()]
    for p, g in zip(net.parameters(), analytic, strict=True):
        numeric = numeric_grad(lambda: loss.value(net.forward(x), y), p)
        assert rel_error(g, numeric) < TOL


def test_a_small_conv_net_learns_in_one_epoch(small_split):
    model = nn.Model.create(CONV_NET, {"loss": "ce", "optimizer": "adam", "lr": 0.003,
                                       "batch_size": 32, "epochs": 1, "seed": 0, "init": "he"})
    result = nn.Trainer(model, small_split).run()
    assert result.status == "finished", result.message
    assert model.history[0].val_accuracy > 0.7
    assert all(p.dtype == np.float32 for p in model.network.parameters())


def blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


class FakeClock:
    """perf_counter for MeasuredThreads: each mini-batch takes ``cost((BLAS threads,
    block workers))``."""

    def __init__(self, cost):
        self.now, self.cost = 0.0, cost
        self.seen = set()  # the choices mini-batches ran on

    def __call__(self):
        return self.now

    def step(self):
        from playground.nn.blas import block_workers

        choice = (max(blas_threads()), block_workers())
        self.seen.add(choice)
        self.now += self.cost(choice)
        return "done"


@pytest.mark.parametrize("faster", [0, 1, 2])
def test_a_conv_run_measures_which_threads_train_faster(faster):
    """One thread, one BLAS thread and a block worker per core, or a BLAS thread per
    core, alternated over a few mini-batches; the fastest is kept and measured again
    after RECHECK_SECONDS of training; the threads as they were come back at the end."""
    from playground.nn import blas

    before = blas_threads()
    if not before or max(before) < 2:
        pytest.skip("needs a BLAS library with at least 2 threads")
    most = max(before)
    choice = blas.MeasuredThreads()
    with choice:
        assert choice.choices == ((1, 1), (1, most), (most, 1))
    options = choice.choices
    best = options[faster]
    clock = FakeClock(lambda c: 1.0 if c == best else 2.0)
    choice = blas.MeasuredThreads(clock)
    with choice:
        trial = blas.WARM_UP + blas.TRIAL_BLOCKS * len(options) * blas.BLOCK
        for _ in range(trial):
            assert choice.step(clock.step) == "done"
            if choice.measurements == 1:
                break
        assert choice.measurements == 1
        # sharing twice as slow as one thread: its first such mini-batch ends the trial
        assert {options[0], options[1]} <= clock.seen
        assert faster == 0 or clock.seen == set(options)
        assert choice.chosen == best
        assert (max(blas_threads()), blas.block_workers()) == best
        best = options[(faster + 1) % 3]  # another program takes or frees a core
        start = clock.now
        for _ in range(int(blas.RECHECK_SECONDS) + 2 * trial):  # bounded: never hangs
            choice.step(clock.step)
            if choice.measurements == 2:
                break
        assert choice.measurements == 2
        assert choice.chosen == best
        assert clock.now - start <= 2 * (blas.RECHECK_SECONDS + 1 + trial)
    assert blas_threads() == before and blas.block_workers() == 1


def test_blas_threads_of_a_run(small_split):
    """A network without convolutions: one BLAS thread below SMALL_BATCH, as many as
    there are from it on; with convolutions the run measures (every thread count it
    tries is 1 or all of them), and the threads come back afterwards."""
    from playground.nn.blas import SMALL_BATCH, MeasuredThreads, thread_policy

    mlp = nn.Network(nn.preset("modern")["spec"])
    assert thread_policy(mlp, SMALL_BATCH - 1).threads == 1
    assert thread_policy(mlp, SMALL_BATCH).threads is None
    assert thread_policy(mlp, 10, fixed=2).threads == 2
    assert isinstance(thread_policy(nn.Network(CONV_NET), 10), MeasuredThreads)
    before = blas_threads()
    if not before:
        pytest.skip("no BLAS library visible to threadpoolctl")
    during = []
    model = nn.Model.create(CONV_NET, {"loss": "ce", "optimizer": "adam", "lr": 0.003,
                                       "batch_size": 10, "epochs": 1, "seed": 0})
    trainer = nn.Trainer(model, small_split.limit(400, 50, 50))
    result = trainer.run(1, reports_per_epoch=20,
                         on_progress=lambda p: during.append(max(blas_threads())))
    assert result.status == "finished"
    assert set(during) <= {1, max(before)}
    assert trainer._threads.measurements >= (1 if max(before) > 1 else 0)
    assert blas_threads() == before


def test_snapshot_copies_the_conv_weights():
    net = nn.Network(CONV_NET, seed=2)
    snap = net.snapshot()
    conv, mine = snap.layers[0], net.layers[0]
    assert repr(conv) == "Conv2D(4@3x3)" and conv.w is not mine.w
    np.testing.assert_array_equal(conv.w, mine.w)
    images = np.random.default_rng(0).integers(0, 256, (6, 28, 28), dtype=np.uint8)
    np.testing.assert_array_equal(snap.predict_proba(images), net.predict_proba(images))
    mine.w += 1.0  # training on does not reach the snapshot
    assert not np.array_equal(conv.w, mine.w)


def test_an_edit_keeps_the_conv_weights_that_keep_their_shape():
    net = nn.Network(CONV_NET, seed=2)
    wider = {**CONV_NET, "layers": [*CONV_NET["layers"][:4], {"type": "Dense", "units": 32},
                                    {"type": "ReLU"}, *CONV_NET["layers"][4:]]}
    other = nn.Network(wider, seed=9, keep_from=net)
    assert other.kept == 1
    np.testing.assert_array_equal(other.layers[0].w, net.layers[0].w)
    assert nn.transfer_weights(net, nn.Network(wider, seed=9)) == 1


def test_a_conv_model_saves_and_loads(tmp_path):
    spec = {"input": [28, 28], "layers": [
        {"type": "Conv2D", "filters": 4, "size": 3, "stride": 2, "padding": "same"},
        {"type": "ReLU"}, {"type": "AvgPool2D", "size": 2},
        {"type": "Conv2D", "filters": 3, "size": 3}, {"type": "MaxPool2D"},
        {"type": "Flatten"}, {"type": "Dense", "units": 10}, {"type": "Softmax"}]}
    model = nn.Model.create(spec, {"loss": "ce", "init": "he"})
    path = tmp_path / "conv.npz"
    nn.save_model(path, model)
    back = nn.load_model(path)
    assert back.network.spec == model.network.spec
    assert [w.shape for w in back.network.get_weights()] == [
        (4, 1, 3, 3), (4,), (3, 4, 3, 3), (3,), (12, 10), (10,)]
    for a, b in zip(model.network.get_weights(), back.network.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    np.testing.assert_array_equal(back.network.predict_proba(images),
                                  model.network.predict_proba(images))


def test_a_conv_model_whose_weights_could_overflow_is_refused(tmp_path):
    model = nn.Model.create(CONV_NET, {"loss": "ce"})
    model.network.layers[0].w[...] = 1e20  # conv outputs of 9e20 reach the Dense layer
    path = tmp_path / "huge.npz"
    nn.save_model(path, model)
    with pytest.raises(nn.ModelFileError, match="outputs could overflow"):
        nn.load_model(path)
    model.network.layers[0].w[...] = 1e5  # large but bounded: the file opens
    nn.save_model(path, model)
    nn.load_model(path)


def test_a_conv_model_whose_conv_weights_have_the_wrong_shape_is_refused(tmp_path):
    model = nn.Model.create(CONV_NET, {"loss": "ce"})
    path = tmp_path / "m.npz"
    nn.save_model(path, model)
    other = {**CONV_NET, "layers": [{"type": "Conv2D", "filters": 4, "size": 5},
                                    *CONV_NET["layers"][1:]]}
    with zipfile.ZipFile(path) as z:
        members = {name: z.read(name) for name in z.namelist()}
    meta = json.loads(np.load(path)["meta"].tobytes())
    meta["spec"] = other
    text = json.dumps(meta).encode()
    buf = io.BytesIO()
    np.save(buf, np.frombuffer(text, np.uint8))
    members["meta.npy"] = buf.getvalue()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    with pytest.raises(nn.ModelFileError, match=r"p0 is float32 \(4, 1, 3, 3\); "
                                                 r"the network needs float32 \(4, 1, 5, 5\)"):
        nn.load_model(path)


# ---------------------------------------------------------------- memory


def test_the_memory_estimate_counts_the_im2col_matrix():
    plain = activation_row_bytes((28, 28), [("Conv2D", (4, 26, 26))])
    with_col = activation_row_bytes((28, 28), [("Conv2D", (4, 26, 26), 26 * 26 * 9 * 4)])
    assert with_col - plain == 26 * 26 * 9 * 4
    valid = Conv2D(4, 3)
    # a window of 3 x 3 inputs and a 1 (the bias's column) per output pixel
    assert valid.scratch_bytes((28, 28)) == 26 * 26 * 10 * 4
    assert valid.scratch_bytes((28, 28), itemsize=8) == 26 * 26 * 10 * 8
    same = Conv2D(4, 3, padding="same")
    assert same.scratch_bytes((2, 28, 28)) == (28 * 28 * (9 * 2 + 1) + 2 * 30 * 30) * 4
    assert MaxPool2D(2).scratch_bytes((4, 7, 7)) == 4 * 6 * 6  # one boolean per value pooled
    estimate = nn.estimate_training_memory(
        conv_stack({"type": "Conv2D", "filters": 4, "size": 3}), 100)
    assert estimate.activations >= 2 * 100 * 4 * (784 + 26 * 26 * (4 + 9))


def test_an_absurd_conv_stack_is_refused_before_anything_is_allocated():
    spec = {"input": [28, 28], "layers": [
        {"type": "Conv2D", "filters": 512, "size": 3, "padding": "same"}, {"type": "ReLU"},
        {"type": "Flatten"}, {"type": "Dense", "units": 10}, {"type": "Softmax"}]}
    tracemalloc.start()
    try:
        text = nn.check_training_memory(spec, 100_000, "adam")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert text is not None and text.startswith("this network would need about ")
    assert "at batch size 100,000 (the limit is 2.0 GB): use fewer filters or units" in text
    assert peak < 5_000_000  # the estimate builds nothing
    assert nn.check_training_memory(CONV_NET, 32, "adam") is None


def test_the_evaluation_chunks_of_a_conv_net_stay_within_their_budget():
    net = nn.Network({"input": [28, 28], "layers": [
        {"type": "Conv2D", "filters": 64, "size": 5, "padding": "same"},
        {"type": "Flatten"}, {"type": "Dense", "units": 10}]})
    row = 4 * (784 + 64 * 784 + 784 * 26 + 32 * 32)  # im2col: a window and a 1 per pixel
    assert net.eval_rows == 128_000_000 // (2 * row)


def test_dense_weights_after_a_convolution_are_not_shown_as_pictures_of_the_input():
    from playground.nn import analysis

    # Conv 1@3x3 'same' keeps 784 values, but the Dense after it sees a feature map
    net = nn.Network({"input": [28, 28], "layers": [
        {"type": "Conv2D", "filters": 1, "size": 3, "padding": "same"}, {"type": "Flatten"},
        {"type": "Dense", "units": 10}]})
    assert analysis.first_layer_weights(net) == (None, analysis.NOT_FLATTENED)
    shown = [name for name, _ in analysis.activations(net, np.zeros((28, 28), np.uint8))]
    assert shown == ["Conv2D(1@3x3, same)", "Flatten", "Dense(10)"]
