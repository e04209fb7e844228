"""The optimizer contract: it reads nabla_w / nabla_b and changes only the parameters."""

import numpy as np
import pytest

from playground import nn


def built(layer, shape):
    layer.build(shape, np.random.default_rng(0))
    return layer


@pytest.mark.parametrize("kind", ["Flatten", "Sigmoid", "ReLU", "Tanh", "Softmax"])
def test_layers_without_parameters_have_none_to_offer(kind):
    layer = nn.LAYER_TYPES[kind]()
    assert layer.params() == [] and layer.grads() == []


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_a_step_leaves_the_gradients_as_the_layers_computed_them(name):
    dense = built(nn.Dense(3), (4,))
    rng = np.random.default_rng(1)
    dense.nabla_w[...] = rng.standard_normal(dense.w.shape)
    dense.nabla_b[...] = rng.standard_normal(dense.b.shape)
    grads = [g.copy() for g in dense.grads()]
    before = [p.copy() for p in dense.params()]
    nn.make_optimizer(name, 0.5).step([nn.Flatten(), dense, nn.Sigmoid()])
    for g, kept in zip(dense.grads(), grads, strict=True):
        np.testing.assert_array_equal(g, kept)
    for p, old in zip(dense.params(), before, strict=True):
        assert not np.array_equal(p, old)


def test_sgd_moves_each_weight_by_lr_times_its_gradient():
    dense = built(nn.Dense(2), (3,))
    dense.nabla_w[...] = 1.0
    dense.nabla_b[...] = -2.0
    w, b = dense.w.copy(), dense.b.copy()
    nn.sgd([dense], 0.25)
    np.testing.assert_allclose(dense.w, w - 0.25)
    np.testing.assert_allclose(dense.b, b + 0.5)
    assert dense.w.dtype == np.float32
