"""Network specs: shape inference, parameter counts, every validation message,
presets, Network.summary, transfer_weights and check_hyper."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import playground.nn as nn


def stack(*layers, input=(28, 28)) -> dict:
    out = []
    for layer in layers:
        out.append({"type": "Dense", "units": layer} if isinstance(layer, int) else {"type": layer})
    return {"input": list(input), "layers": out}


SEED = stack("Flatten", 128, "Sigmoid", 10, "Sigmoid")


def errors(spec, loss=None):
    report = nn.check_spec(spec, loss)
    assert not report.ok
    return [(str(e), e.layer) for e in report.errors]


# ---------------------------------------------------------------- shapes and counts

def test_seed_spec_shapes_and_params():
    report = nn.check_spec(SEED)
    assert report.ok and report.errors == []
    assert report.input_shape == (28, 28)
    assert [info.output_shape for info in report.layers] == [(784,), (128,), (128,), (10,), (10,)]
    assert [info.params for info in report.layers] == [0, 100480, 0, 1290, 0]
    assert [info.type for info in report.layers] == [
        "Flatten", "Dense", "Sigmoid", "Dense", "Sigmoid"]
    assert [info.index for info in report.layers] == [0, 1, 2, 3, 4]
    assert all(info.error is None for info in report.layers)
    assert report.total_params == 101_770
    assert report.output_shape == (10,)
    assert nn.Network(SEED).param_count == 101_770


PRESET_PARAMS = {
    "seed": (101_770, [(784,), (128,), (128,), (10,), (10,)]),
    "logistic": (7_850, [(784,), (10,), (10,)]),
    "modern": (407_050, [(784,), (512,), (512,), (10,), (10,)]),
    "deep": (242_762, [(784,), (256,), (256,), (128,), (128,), (64,), (64,), (10,), (10,)]),
    "overfit": (23_860, [(784,), (30,), (30,), (10,), (10,)]),  # the book's 784-30-10
    "regularised": (669_706, [(784,), (512,), (512,), (512,), (512,), (512,), (512,),
                              (10,), (10,)]),
    # 520 + 20,040 (40 filters of 20 x 5 x 5) + 64,100 (640 x 100) + 1,010
    "lenet": (85_670, [(20, 24, 24), (20, 24, 24), (20, 12, 12), (40, 8, 8), (40, 8, 8),
                       (40, 4, 4), (640,), (100,), (100,), (10,), (10,)]),
}


@pytest.mark.parametrize("name", sorted(nn.PRESETS))
def test_every_preset(name):
    p = nn.preset(name)
    assert set(p) == {"title", "description", "spec", "hyper"}
    assert p["title"] and p["description"]
    report = nn.check_spec(p["spec"], loss=p["hyper"]["loss"])
    assert report.ok, report.errors
    total, shapes = PRESET_PARAMS[name]
    assert report.total_params == total
    assert [info.output_shape for info in report.layers] == shapes
    assert nn.check_hyper(p["hyper"]) == []
    net = nn.Network(p["spec"], seed=p["hyper"]["seed"], init=p["hyper"]["init"])
    assert net.param_count == total
    assert net.shapes == shapes
    # deep copies: changing one does not change the table
    p["spec"]["layers"].clear()
    p["hyper"]["lr"] = 99.0
    assert nn.preset(name)["spec"]["layers"] and nn.PRESETS[name]["hyper"]["lr"] != 99.0


def test_seed_and_modern_presets_are_what_the_issue_says():
    seed = nn.preset("seed")
    assert seed["spec"] == SEED
    assert seed["hyper"] == {"loss": "se", "optimizer": "sgd", "lr": 3.0, "batch_size": 10,
                             "epochs": 1, "seed": 0, "init": "scaled"}
    modern = nn.preset("modern")
    assert modern["hyper"]["loss"] == "ce"
    assert modern["spec"]["layers"][-1] == {"type": "Softmax"}


def test_unknown_preset():
    with pytest.raises(ValueError, match="unknown preset 'huge'.*seed"):
        nn.preset("huge")


def test_other_input_shapes():
    report = nn.check_spec(stack("Flatten", 7, "Tanh", 10, input=(4, 3)))
    assert report.ok
    assert [i.output_shape for i in report.layers] == [(12,), (7,), (7,), (10,)]
    assert [i.params for i in report.layers] == [0, 91, 0, 80]
    # a flat input needs no Flatten
    report = nn.check_spec(stack(10, "Softmax", input=(5,)))
    assert report.ok and report.total_params == 60
    # an input of 10 values with no Dense at all is a valid (if useless) network
    assert nn.check_spec(stack("Softmax", input=(10,))).ok


def test_missing_input_means_28_by_28():
    report = nn.check_spec({"layers": SEED["layers"]})
    assert report.ok and report.input_shape == (28, 28)


def test_format_shape():
    assert nn.format_shape((28, 28)) == "28 x 28"
    assert nn.format_shape((10,)) == "10"
    assert nn.format_shape(None) == "?"


# ---------------------------------------------------------------- validation messages

def test_dense_needs_flat_input():
    assert errors(stack(128, "Sigmoid", 10)) == [
        ("Dense needs a flat input: add Flatten before layer 1", 0)]
    assert errors(stack("Sigmoid", 10)) == [
        ("Dense needs a flat input: add Flatten before layer 2", 1)]


def test_wrong_number_of_outputs():
    assert errors(stack("Flatten", 64)) == [
        ("the last layer gives 64 values; the 10 digits need 10", 1)]
    (message, layer), = errors(stack("Flatten", 128, "Sigmoid", 64, "Sigmoid"))
    assert message == "the last layer gives 64 values; the 10 digits need 10"
    assert layer == 4
    (message, layer), = errors(stack("Sigmoid"))
    assert message.startswith("the last layer gives 28 x 28 values; the 10 digits need 10")
    assert "Flatten" in message and layer == 0


@pytest.mark.parametrize("units", [0, -5, 100_001, 10**12, 10.0, 12.5, True, False, "10",
                                   None, [10]])
def test_bad_units(units):
    spec = stack("Flatten", 128, "Sigmoid", 10, "Sigmoid")
    spec["layers"][3]["units"] = units
    (message, layer), = errors(spec)
    assert "units must be 1 to 100,000" in message
    assert message.startswith("layer 4:")
    assert layer == 3


def test_missing_units():
    spec = stack("Flatten", 10)
    del spec["layers"][1]["units"]
    (message, layer), = errors(spec)
    assert "units must be 1 to 100,000" in message and layer == 1


def test_units_at_the_limits_are_fine():
    assert nn.check_spec(stack("Flatten", 1, 10)).ok
    assert nn.check_spec(stack("Flatten", 100_000, 10, input=(2,))).ok


def test_unknown_type_lists_known_types():
    (message, layer), = errors(stack("Flatten", "Conv3D", 10))
    assert "unknown layer type 'Conv3D'" in message
    for known in nn.LAYER_TYPES:
        assert known in message
    assert message.startswith("layer 2:") and layer == 1


@pytest.mark.parametrize("bad", [{}, {"units": 10}, {"type": 3}, {"type": None}, "Dense", 7, None,
                                 ["Dense"]])
def test_layer_without_type(bad):
    spec = stack("Flatten", 10)
    spec["layers"].insert(1, bad)
    msgs = errors(spec)
    assert msgs[0][1] == 1
    assert 'needs a "type"' in msgs[0][0] and msgs[0][0].startswith("layer 2:")


def test_extra_setting():
    spec = stack("Flatten", 10, "Softmax")
    spec["layers"][1]["activation"] = "relu"
    assert errors(spec) == [("layer 2: Dense has no setting 'activation'", 1)]
    spec = stack("Flatten", 10, "Softmax")
    spec["layers"][2]["units"] = 10
    assert errors(spec) == [("layer 3: Softmax has no setting 'units'", 2)]


def test_several_errors_each_point_at_their_layer():
    spec = stack("Flatten", 0, "Sigmoid", "Magic", 10)
    msgs = errors(spec)
    assert [layer for _, layer in msgs] == [1, 3]
    report = nn.check_spec(spec)
    assert [info.error is not None for info in report.layers] == [False, True, False, True, False]
    # shapes after a broken layer are unknown
    assert report.layers[0].output_shape == (784,)
    assert report.layers[1].output_shape is None and report.layers[4].output_shape is None


def test_no_layers():
    assert errors(stack()) == [("the network has no layers: add Flatten, then Dense 10", None)]


@pytest.mark.parametrize("layers", [None, "Flatten", {"type": "Flatten"}, 5])
def test_layers_not_a_list(layers):
    (message, layer), = errors({"input": [28, 28], "layers": layers})
    assert message == '"layers" must be a list of layers' and layer is None


@pytest.mark.parametrize("shape", [[], [0], [28, 0], [-1], [28.0, 28], [True, 28], "28x28", 784,
                                   None, [28, "28"], [100_001]])
def test_bad_input_shape(shape):
    spec = dict(SEED, input=shape)
    assert errors(spec) == [("the input must be a list of positive sizes, e.g. [28, 28]", None)]


@pytest.mark.parametrize("spec", [None, [], "seed", 3, [SEED]])
def test_spec_not_a_dict(spec):
    assert errors(spec) == [
        ('a network spec must be a JSON object with "input" and "layers"', None)]


def test_too_many_layers():
    spec = stack("Flatten", *([10, "Sigmoid"] * 40))
    (message, layer), = errors(spec)
    assert message == "too many layers (81); at most 64" and layer is None
    ok = stack("Flatten", *([10, "Sigmoid"] * 31), "Softmax")
    assert len(ok["layers"]) == 64 and nn.check_spec(ok).ok
    ok["layers"].append({"type": "Softmax"})
    assert errors(ok) == [("too many layers (65); at most 64", None)]


def test_too_many_params():
    (message, layer), = errors(stack("Flatten", 100_000, 10))
    assert message == "the network has 79,500,010 parameters; at most 50,000,000"
    assert layer is None


def test_cross_entropy_needs_probabilities():
    spec = stack("Flatten", 10)
    assert nn.check_spec(spec).ok  # fine with squared error
    assert nn.check_spec(spec, loss="se").ok
    assert errors(spec, loss="ce") == [
        ("cross-entropy needs probabilities: end the network with Softmax (or Sigmoid)", 1)]
    assert errors(stack("Flatten", 10, "ReLU"), loss="ce")[0][1] == 2
    assert nn.check_spec(stack("Flatten", 10, "Softmax"), loss="ce").ok
    assert nn.check_spec(stack("Flatten", 10, "Sigmoid"), loss="ce").ok


def test_check_spec_does_not_modify_the_spec():
    spec = stack("Flatten", 0, "Magic")
    before = copy.deepcopy(spec)
    nn.check_spec(spec, loss="ce")
    assert spec == before


def test_validate_spec_and_network_raise_spec_error():
    with pytest.raises(nn.SpecError, match="add Flatten before layer 1") as info:
        nn.validate_spec(stack(10))
    assert info.value.layer == 0
    assert isinstance(info.value, ValueError)
    assert nn.validate_spec(SEED).ok
    with pytest.raises(nn.SpecError, match="units must be 1 to 100,000") as info:
        nn.Network(stack("Flatten", 0, 10))
    assert info.value.layer == 1
    with pytest.raises(nn.SpecError):
        nn.Network({"input": [28, 28]})
    with pytest.raises(nn.SpecError):
        nn.Model.create(stack("Flatten", 64))
    with pytest.raises(nn.SpecError):
        nn.validate_spec(stack("Flatten", 10), loss="ce")


# ---------------------------------------------------------------- Network

def test_network_keeps_a_clean_copy_of_its_spec():
    spec = copy.deepcopy(SEED)
    net = nn.Network(spec)
    spec["layers"].append({"type": "Softmax"})
    assert net.spec == SEED
    assert net.input_shape == (28, 28)
    assert [layer.spec() for layer in net.layers] == SEED["layers"]


def test_summary_mentions_each_layer():
    net = nn.Network(nn.preset("deep")["spec"])
    text = net.summary()
    lines = text.splitlines()
    assert len(lines) == 1 + len(net.layers) + 1
    assert "28 x 28" in lines[0]
    for line, layer, shape in zip(lines[1:-1], net.layers, net.shapes, strict=True):
        assert repr(layer) in line and nn.format_shape(shape) in line
    assert "Dense(256)" in text and "200,960" in text
    assert "242,762" in lines[-1]
    assert repr(net) == ("Network(Flatten -> Dense(256) -> ReLU -> Dense(128) -> ReLU -> "
                         "Dense(64) -> ReLU -> Dense(10) -> Softmax)")


# ---------------------------------------------------------------- transfer_weights

def trained_seed_net():
    net = nn.Network(SEED, seed=1)
    for layer in net.layers:
        if layer.trainable:
            layer.w += 1.0  # recognisably "trained"
            layer.b += 2.0
    return net


def test_transfer_weights_keeps_everything_when_nothing_changed():
    old = trained_seed_net()
    new = nn.Network(SEED, seed=2)
    assert nn.transfer_weights(old, new) == 2
    for a, b in zip(old.get_weights(), new.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_transfer_weights_ignores_activation_changes():
    old = trained_seed_net()
    new = nn.Network(stack("Flatten", 128, "ReLU", 10, "Softmax"), seed=2)
    assert nn.transfer_weights(old, new) == 2
    np.testing.assert_array_equal(new.layers[3].w, old.layers[3].w)


def test_transfer_weights_stops_at_the_first_changed_shape():
    old = trained_seed_net()
    new = nn.Network(stack("Flatten", 128, "Sigmoid", 64, "Sigmoid", 10, "Sigmoid"), seed=2)
    fresh = nn.Network(stack("Flatten", 128, "Sigmoid", 64, "Sigmoid", 10, "Sigmoid"), seed=2)
    assert nn.transfer_weights(old, new) == 1
    np.testing.assert_array_equal(new.layers[1].w, old.layers[1].w)
    np.testing.assert_array_equal(new.layers[1].b, old.layers[1].b)
    # the changed layer and everything after it keep their fresh weights
    np.testing.assert_array_equal(new.layers[3].w, fresh.layers[3].w)
    np.testing.assert_array_equal(new.layers[5].w, fresh.layers[5].w)


def test_transfer_weights_first_layer_changed():
    old = trained_seed_net()
    new = nn.Network(stack("Flatten", 64, "Sigmoid", 10, "Sigmoid"), seed=2)
    fresh = nn.Network(stack("Flatten", 64, "Sigmoid", 10, "Sigmoid"), seed=2)
    assert nn.transfer_weights(old, new) == 0
    for a, b in zip(new.get_weights(), fresh.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_transfer_weights_does_not_share_memory():
    old = trained_seed_net()
    new = nn.Network(SEED, seed=2)
    nn.transfer_weights(old, new)
    old.layers[1].w += 5
    assert not np.array_equal(old.layers[1].w, new.layers[1].w)


# ---------------------------------------------------------------- check_hyper

GOOD = dict(nn.DEFAULT_HYPER)


def problems(**changes):
    return nn.check_hyper({**GOOD, **changes})


def test_default_hyper_is_fine():
    assert nn.check_hyper(GOOD) == []
    assert nn.check_hyper(GOOD, train_size=50_000) == []


@pytest.mark.parametrize("lr", [0, -1, 0.0, math.nan, math.inf, -math.inf, "x", "0.1", True,
                                None, [0.1]])
def test_bad_learning_rate(lr):
    assert problems(lr=lr) == ["learning rate must be a positive finite number"]


@pytest.mark.parametrize("lr", [1e-6, 0.001, 3, 3.0, 1e4])
def test_good_learning_rate(lr):
    assert problems(lr=lr) == []


@pytest.mark.parametrize("bs", [0, -1, 1_000_001, 10.0, True, "10", None])
def test_bad_batch_size(bs):
    assert problems(batch_size=bs) == ["batch size must be 1 to 1,000,000"]


def test_batch_size_limited_by_training_set():
    assert problems(batch_size=1) == []
    assert nn.check_hyper({**GOOD, "batch_size": 2000}, train_size=2000) == []
    assert nn.check_hyper({**GOOD, "batch_size": 2001}, train_size=2000) == [
        "batch size must be 1 to 2,000"]


@pytest.mark.parametrize("epochs", [0, -3, 1001, 2.0, False, "1", None])
def test_bad_epochs(epochs):
    assert problems(epochs=epochs) == ["epochs must be 1 to 1,000"]


def test_epoch_limits_are_fine():
    assert problems(epochs=1) == [] and problems(epochs=1000) == []


def test_unknown_loss_optimizer_init():
    assert problems(loss="mse") == ["loss must be one of: se, ce"]
    assert problems(optimizer="rmsprop") == ["optimizer must be one of: sgd, momentum, adam"]
    assert problems(init="zeros") == [
        "weight initialisation must be one of: scaled, normal, xavier, he"]


@pytest.mark.parametrize("seed", [-1, 2**31, 1.0, True, "0", None])
def test_bad_seed(seed):
    assert problems(seed=seed) == ["seed must be a whole number from 0 to 2,147,483,647"]


def test_seed_limits_are_fine():
    assert problems(seed=0) == [] and problems(seed=2**31 - 1) == []


def test_all_problems_at_once():
    assert len(nn.check_hyper({})) == 7
    assert len(problems(lr=0, batch_size=0, epochs=0)) == 3
