"""Hints about convolutional networks (no Qt): each fires in its case, and not in the case
next to it."""

from __future__ import annotations

import pytest

from playground.nn import check_spec, preset
from playground.state.conv_hints import LARGE_FLAT, MANY_CONV_MADDS, MANY_DENSE_WEIGHTS
from playground.state.hints import epoch_hint, hints, layer_madds, lenet_madds

HYPER = preset("lenet")["hyper"]


def conv(filters, size, **more):
    return {"type": "Conv2D", "filters": filters, "size": size, **more}


def pool(size=2, kind="MaxPool2D"):
    return {"type": kind, "size": size}


def spec(*layers) -> dict:
    return {"input": [28, 28], "layers": [
        x if isinstance(x, dict) else {"type": "Dense", "units": x} if isinstance(x, int)
        else {"type": x} for x in layers]}


def keys(s) -> list[tuple[str, int | None]]:
    return [(h.key, h.layer) for h in hints(s, HYPER)]


HEAD = ("Flatten", 10, "Softmax")
LENET = preset("lenet")["spec"]


def test_lenet_needs_no_hint_and_is_the_yardstick():
    assert keys(LENET) == []
    assert layer_madds(LENET) == [(0, 24 * 24 * 20 * 25), (3, 8 * 8 * 40 * 20 * 25),
                                  (7, 640 * 100), (9, 100 * 10)]
    assert lenet_madds() == 1_633_000


# -- stride larger than the kernel -----------------------------------------------------------
@pytest.mark.parametrize("size, stride, hinted", [(2, 3, True), (1, 2, True), (2, 2, False),
                                                  (3, 2, False), (5, 1, False)])
def test_a_stride_larger_than_the_kernel_skips_pixels(size, stride, hinted):
    s = spec(conv(8, size, stride=stride), "ReLU", *HEAD)
    assert check_spec(s, "ce").ok
    assert keys(s) == ([("stride-skips-pixels", 0)] if hinted else [])


def test_the_stride_hint_says_what_is_skipped():
    (h,) = hints(spec(conv(8, 2, stride=3), "ReLU", *HEAD), HYPER)
    assert h.text == "Stride 3 with a 2 x 2 kernel"
    assert "one row and column of every 3" in h.why
    assert "at most 2" in h.fix
    (h,) = hints(spec(conv(8, 1, stride=4), "ReLU", *HEAD), HYPER)
    assert "3 rows and columns of every 4" in h.why


# -- two pools -------------------------------------------------------------------------------
def test_pooling_twice_in_a_row():
    twice = spec(conv(8, 3), "ReLU", pool(), "ReLU", pool(2, "AvgPool2D"), *HEAD)
    assert keys(twice) == [("two-pools", 4)]
    (h,) = hints(twice, HYPER)
    assert h.text == "MaxPool2D then AvgPool2D: pooling twice in a row"
    assert "4 x 4" in h.why and "Conv2D" in h.fix
    assert keys(spec(pool(), pool(3), *HEAD))[0] == ("two-pools", 1)  # 2 and 3: one of 6
    assert "6 x 6" in hints(spec(pool(), pool(3), *HEAD), HYPER)[0].why
    # a convolution between them: each pool has its own job
    assert keys(spec(conv(8, 3), "ReLU", pool(), conv(8, 3), "ReLU", pool(), *HEAD)) == []


# -- large maps, many filters, no pooling ---------------------------------------------------
WIDE = conv(32, 3, padding="same")


def test_many_filters_on_full_size_maps_without_pooling():
    slow = spec(WIDE, "ReLU", WIDE, "ReLU", pool(), pool(), "Flatten", 10, "Softmax")
    found = [h for h in hints(slow, HYPER) if h.key == "conv-without-pooling"]
    assert [(h.layer, h.text) for h in found] == [
        (2, "32 filters on 32 maps of 28 x 28, with no pooling before")]
    assert "7 million multiply-adds" in found[0].why and "1.6 million" in found[0].why
    assert "MaxPool2D" in found[0].fix
    assert 28 * 28 * 32 * 32 * 9 >= MANY_CONV_MADDS


def test_no_slow_convolution_hint_after_a_pool_or_for_few_filters():
    # the first layer sees one channel: cheap, whatever its maps
    assert "conv-without-pooling" not in str(keys(spec(WIDE, "ReLU", pool(), pool(), *HEAD)))
    pooled = spec(WIDE, "ReLU", pool(), WIDE, "ReLU", pool(), pool(), *HEAD)  # on 14 x 14
    assert "conv-without-pooling" not in str(keys(pooled))
    few = spec(conv(8, 3), "ReLU", conv(8, 3), "ReLU", pool(), pool(), *HEAD)  # 0.3 million
    assert "conv-without-pooling" not in str(keys(few))


def test_the_epoch_estimate_counts_the_convolutions():
    slow = spec(WIDE, "ReLU", WIDE, "ReLU", pool(), pool(), "Flatten", 10, "Softmax")
    h = epoch_hint(slow, madds_per_second=1e10)
    assert h is not None and h.key == "slow-epoch"
    assert "fewer filters in layer 3 (Conv2D 32" in h.fix and "pool before it" in h.fix
    assert epoch_hint(LENET, madds_per_second=1e10) is None  # about 30 s at that speed


# -- a Dense layer on many flattened maps -----------------------------------------------------
def test_dense_straight_on_large_flattened_maps():
    big = spec(WIDE, "ReLU", "Flatten", 128, "ReLU", 10, "Softmax")
    found = [h for h in hints(big, HYPER) if h.key == "dense-on-large-maps"]
    assert [(h.layer, h.text) for h in found] == [(3, "Dense on 25,088 values of feature maps")]
    assert "3,211,264 weights are almost all of the network's" in found[0].why
    assert "MaxPool2D" in found[0].fix and "before Flatten" in found[0].fix
    with_dropout = spec(WIDE, "ReLU", "Flatten", {"type": "Dropout", "rate": 0.5}, 128,
                        "ReLU", 10, "Softmax")
    assert ("dense-on-large-maps", 4) in keys(with_dropout)


def test_no_dense_hint_once_the_maps_are_pooled_or_for_pixels():
    pooled = spec(WIDE, "ReLU", pool(), pool(), "Flatten", 128, "ReLU", 10, "Softmax")
    assert 32 * 7 * 7 < LARGE_FLAT and "dense-on-large-maps" not in str(keys(pooled))
    # as many weights straight on the pixels: an ordinary network of Dense layers
    pixels = spec("Flatten", 1000, "ReLU", 10, "Softmax")
    assert 784 * 1000 > MANY_DENSE_WEIGHTS and keys(pixels) == []
    # large maps but a small layer: few weights
    assert "dense-on-large-maps" not in str(keys(spec(WIDE, "ReLU", "Flatten", 10,
                                                      "Softmax")))


# -- a convolution after Flatten: an error, not a hint ---------------------------------------
def test_a_convolution_after_flatten_is_an_error_not_a_hint():
    s = spec("Flatten", conv(8, 3), "ReLU", *HEAD)
    report = check_spec(s, "ce")
    assert not report.ok and "before Flatten" in str(report.errors[0])
    assert report.errors[0].layer == 1
    assert keys(s) == []
