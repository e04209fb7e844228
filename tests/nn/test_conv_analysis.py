"""Kernels and feature maps of convolutional networks (no Qt)."""

import numpy as np
import pytest

from playground import nn
from playground.nn import analysis, conv_analysis
from playground.nn.conv_analysis import MEAN

LENET = [{"type": "Conv2D", "filters": 6, "size": 5}, {"type": "ReLU"},
         {"type": "MaxPool2D", "size": 2},
         {"type": "Conv2D", "filters": 8, "size": 3, "stride": 2, "padding": "same"},
         {"type": "Tanh"}, {"type": "AvgPool2D", "size": 2},
         {"type": "Flatten"}, {"type": "Dense", "units": 10}, {"type": "Softmax"}]


def make_net(layers, seed=0):
    return nn.Network({"input": [28, 28], "layers": layers}, seed=seed)


def test_conv_layers_and_the_first_weighted_layer():
    net = make_net(LENET)
    assert conv_analysis.conv_layers(net) == [0, 3]
    assert conv_analysis.first_weighted_is_conv(net)
    assert conv_analysis.kernel_channels(net, 0) == 1
    assert conv_analysis.kernel_channels(net, 3) == 6
    mlp = make_net([{"type": "Flatten"}, {"type": "Dense", "units": 10}])
    assert conv_analysis.conv_layers(mlp) == []
    assert not conv_analysis.first_weighted_is_conv(mlp)
    # a pool before the first convolution: still the convolution that sees the pixels
    pooled = make_net([{"type": "MaxPool2D", "size": 2},
                       {"type": "Conv2D", "filters": 2, "size": 3}, {"type": "Flatten"},
                       {"type": "Dense", "units": 10}])
    assert conv_analysis.first_weighted_is_conv(pooled)


def test_kernel_tiles_are_the_weights():
    net = make_net(LENET)
    w0 = net.layers[0].w  # (6, 1, 5, 5)
    tiles = conv_analysis.kernel_tiles(net, 0)
    assert tiles.shape == (6, 5, 5) and tiles.dtype == np.float32
    np.testing.assert_array_equal(tiles, w0[:, 0])
    np.testing.assert_array_equal(conv_analysis.kernel_tiles(net, 0, 0), w0[:, 0])
    tiles[0, 0, 0] = 99.0  # a copy
    assert net.layers[0].w[0, 0, 0, 0] != 99.0
    w3 = net.layers[3].w  # (8, 6, 3, 3)
    mean = conv_analysis.kernel_tiles(net, 3, MEAN)
    assert mean.shape == (8, 3, 3)
    np.testing.assert_allclose(mean, w3.mean(axis=1), rtol=1e-6)
    np.testing.assert_array_equal(conv_analysis.kernel_tiles(net, 3, 4), w3[:, 4])
    for bad in (6, -1):
        with pytest.raises(ValueError, match="out of range"):
            conv_analysis.kernel_tiles(net, 3, bad)
    with pytest.raises(ValueError, match="not a Conv2D"):
        conv_analysis.kernel_tiles(net, 1)


def test_kernel_tiles_normalise_like_the_dense_pictures():
    net = make_net(LENET)
    tiles = conv_analysis.kernel_tiles(net, 3, MEAN)
    tiles[2] = 0.0  # a dead filter stays zero, not NaN
    per = analysis.normalise_tiles(tiles)
    assert per.shape == tiles.shape
    live = [k for k in range(8) if k != 2]
    np.testing.assert_allclose(np.abs(per[live]).reshape(7, -1).max(axis=1), 1.0, rtol=1e-6)
    assert not per[2].any()
    np.testing.assert_allclose(np.sign(per), np.sign(tiles))
    shared = analysis.normalise_tiles(tiles, per_tile=False)
    assert np.abs(shared).max() == pytest.approx(1.0)
    np.testing.assert_allclose(shared, tiles / np.abs(tiles).max(), rtol=1e-6)
    # the mosaic uses the same scaling
    mosaic = analysis.weight_mosaic(tiles, columns=8, gap=1)
    np.testing.assert_allclose(mosaic[:, :3], per[0], rtol=1e-6)


def test_feature_maps_have_the_spec_shapes():
    net = make_net(LENET)
    x = np.random.default_rng(0).integers(0, 256, (28, 28)).astype(np.uint8)
    groups = conv_analysis.feature_maps(net, x)
    # 28 -5+1 = 24, pool 12, stride-2 same 6, pool 3
    assert [g.shape for g in groups] == [(6, 24, 24), (6, 12, 12), (8, 6, 6), (8, 3, 3)]
    assert [g.shape for g in groups] == [tuple(net.shapes[i]) for i in (1, 2, 4, 5)]
    assert [g.index for g in groups] == [0, 2, 3, 5]
    assert [g.label for g in groups] == [
        "Conv2D 6@5x5 > ReLU -> 6 x 24 x 24", "MaxPool2D 2x2 -> 6 x 12 x 12",
        "Conv2D 8@3x3, stride 2, same > Tanh -> 8 x 6 x 6", "AvgPool2D 2x2 -> 8 x 3 x 3"]
    # the values: each group's last layer's output, as activations() computes them
    outs = analysis.activations(net, x)
    for g, i in zip(groups, (1, 2, 4, 5), strict=True):
        np.testing.assert_array_equal(g.maps, outs[i][1])
        assert g.maps.dtype == np.float32 and g.maps.flags.c_contiguous
    assert (groups[0].maps >= 0).all()  # after ReLU
    # precomputed outputs give the same, without a second pass
    again = conv_analysis.feature_maps(net, outputs=outs)
    assert [g.label for g in again] == [g.label for g in groups]
    # the Dense rows are unchanged beside them
    assert [n for n, _ in analysis.hidden_activations(net, x)] == ["Dense(10) > Softmax"]
    assert [n for n, _ in analysis.hidden_activations(net, outputs=outs)] == [
        "Dense(10) > Softmax"]


def test_feature_maps_of_a_pool_on_the_digit_are_one_channel():
    net = make_net([{"type": "MaxPool2D", "size": 2}, {"type": "Conv2D", "filters": 3,
                                                       "size": 3},
                    {"type": "Flatten"}, {"type": "Dense", "units": 10}])
    x = np.zeros((28, 28), np.float32)
    x[10:20, 12:16] = 1.0
    groups = conv_analysis.feature_maps(net, x)
    assert [g.shape for g in groups] == [(1, 14, 14), (3, 12, 12)]
    np.testing.assert_array_equal(groups[0].maps[0], x.reshape(14, 2, 14, 2).max(axis=(1, 3)))
    assert groups[0].label == "MaxPool2D 2x2 -> 1 x 14 x 14"


def test_feature_maps_of_a_dense_network_are_none():
    net = make_net([{"type": "Flatten"}, {"type": "Dense", "units": 16}, {"type": "ReLU"},
                    {"type": "Dense", "units": 10}])
    assert conv_analysis.feature_maps(net, np.zeros((28, 28), np.uint8)) == []
