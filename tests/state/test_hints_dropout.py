"""Hints about Dropout layers: where they are and how much they drop (no Qt)."""

from __future__ import annotations

import pytest

from playground.nn import check_spec, preset
from playground.state.hints import (
    HIDDEN_RATE,
    HIGH_RATE,
    MAX_INPUT_RATE,
    SMALL_NETWORK_UNITS,
    hidden_units,
    hints,
    structure_hints,
)

MODERN_HYPER = preset("modern")["hyper"]


def net(*layers) -> dict:
    """Layers as ints (Dense units), names, or ("Dropout", rate)."""
    out = []
    for x in layers:
        if isinstance(x, int):
            out.append({"type": "Dense", "units": x})
        elif isinstance(x, tuple):
            out.append({"type": "Dropout", "rate": x[1]})
        else:
            out.append({"type": x})
    return {"input": [28, 28], "layers": out}


def keys(found) -> list[tuple[str, int | None]]:
    return [(h.key, h.layer) for h in found]


def drop(rate=HIDDEN_RATE):
    return ("Dropout", rate)


def test_dropout_on_the_hidden_units_of_a_big_enough_network_needs_no_hint():
    good = net("Flatten", 512, "ReLU", drop(), 10, "Softmax")
    assert check_spec(good, "ce").ok
    assert hints(good, MODERN_HYPER, madds_per_second=1e12) == []
    # the classic input dropout of 0.2, then 0.5 on the hidden units
    classic = net("Flatten", drop(MAX_INPUT_RATE), 1024, "ReLU", drop(), 10, "Softmax")
    assert hints(classic, MODERN_HYPER) == []


@pytest.mark.parametrize("layers, title", [
    (("Flatten", 128, "ReLU", 10, "Softmax", drop()), "Dropout as the last layer"),
    (("Flatten", 128, "ReLU", 10, drop()), "Dropout as the last layer"),
    (("Flatten", 128, "ReLU", 10, drop(), "Softmax"), "Dropout right before Softmax"),
    (("Flatten", 128, "ReLU", 10, drop(), "Sigmoid"), "Dropout right before Sigmoid"),
])
def test_dropout_on_the_outputs(layers, title):
    found = structure_hints(net(*layers))
    at = layers.index(drop())
    assert keys(found) == [("dropout-at-output", at)]  # and no softmax-not-last
    assert found[0].text == title
    assert "before the last Dense" in found[0].fix
    assert ("probabilities" in found[0].why) is (title == "Dropout as the last layer")


def test_dropout_as_the_last_layer_is_an_error_with_cross_entropy_already():
    spec = net("Flatten", 128, "ReLU", 10, "Softmax", drop())
    assert check_spec(spec, "se").ok  # allowed with squared error: then only the hint
    report = check_spec(spec, "ce")
    assert not report.ok and "cross-entropy needs probabilities" in str(report.errors[0])


def test_dropout_before_the_output_layer_is_not_on_the_outputs():
    assert structure_hints(net("Flatten", 128, "ReLU", drop(), 10, "Softmax")) == []


@pytest.mark.parametrize("layers, hinted", [
    (("Flatten", drop(0.5), 128, "ReLU", 10, "Softmax"), True),
    (("Flatten", drop(0.25), 128, "ReLU", 10, "Softmax"), True),
    ((drop(0.3), "Flatten", 128, "ReLU", 10, "Softmax"), True),  # before Flatten too
    (("Flatten", drop(MAX_INPUT_RATE), 128, "ReLU", 10, "Softmax"), False),
    (("Flatten", drop(0.1), 128, "ReLU", 10, "Softmax"), False),
    (("Flatten", 128, "ReLU", drop(0.5), 10, "Softmax"), False),  # on hidden units
])
def test_a_high_rate_on_the_raw_pixels(layers, hinted):
    found = structure_hints(net(*layers))
    at = next(i for i, x in enumerate(layers) if isinstance(x, tuple))
    assert (keys(found) == [("dropout-on-input", at)]) is hinted
    if hinted:
        rate = layers[at][1]
        assert f"{rate:g}" in found[0].text and f"{rate:.0%}" in found[0].why
        assert f"{MAX_INPUT_RATE:g} or less" in found[0].fix


@pytest.mark.parametrize("rate, hinted", [(HIGH_RATE, True), (0.95, True), (0.9, True),
                                          (0.75, False), (0.5, False)])
def test_a_rate_that_stops_learning(rate, hinted):
    found = structure_hints(net("Flatten", 256, "ReLU", drop(rate), 10, "Softmax"))
    assert (keys(found) == [("dropout-rate-high", 3)]) is hinted
    if hinted:
        assert f"{rate:g}" in found[0].text and f"{1 - rate:.0%}" in found[0].why


def test_a_very_high_rate_on_the_pixels_gets_one_hint_not_two():
    found = structure_hints(net("Flatten", drop(0.9), 256, "ReLU", 10, "Softmax"))
    assert keys(found) == [("dropout-rate-high", 1)]


def test_two_dropouts_in_a_row():
    found = structure_hints(net("Flatten", 256, "ReLU", drop(0.5), drop(0.5), 10, "Softmax"))
    assert keys(found) == [("two-dropouts", 4)]
    assert "one Dropout of 0.75" in found[0].why
    # a Flatten between them changes nothing; a Dense between them does
    assert keys(structure_hints(net(drop(0.1), "Flatten", drop(0.1), 256, "ReLU", 10,
                                    "Softmax"))) == [("two-dropouts", 2)]
    assert structure_hints(net("Flatten", drop(0.2), 256, "ReLU", drop(0.5), 10,
                               "Softmax")) == []


def test_dropout_does_not_hide_two_linear_maps_or_two_activations():
    assert keys(structure_hints(net("Flatten", 128, drop(), 10, "Softmax"))) == [
        ("dense-dense", 3)]
    assert keys(structure_hints(net("Flatten", 128, "ReLU", drop(), "ReLU", 10,
                                    "Softmax"))) == [("two-activations", 4)]


@pytest.mark.parametrize("units, train_size, hinted", [
    (32, None, True), (SMALL_NETWORK_UNITS - 1, None, True), (SMALL_NETWORK_UNITS, None, False),
    (128, None, False), (32, 20_000, True), (32, 1_000, False)])
def test_dropout_in_a_network_too_small_to_overfit(units, train_size, hinted):
    spec = net("Flatten", units, "ReLU", drop(), 10, "Softmax")
    hyper = {**MODERN_HYPER, "train_size": train_size}
    found = hints(spec, hyper)
    assert (keys(found) == [("dropout-small-network", 3)]) is hinted
    if hinted:
        images = train_size or 50_000
        assert f"{units} hidden units" in found[0].text and f"{images:,}" in found[0].why
    # the same network without Dropout: nothing to say
    assert hints(net("Flatten", units, "ReLU", 10, "Softmax"), hyper) == []


def test_the_small_network_hint_counts_every_hidden_layer_and_goes_on_the_first_dropout():
    spec = net("Flatten", 32, "ReLU", drop(), 24, "ReLU", drop(), 10, "Softmax")
    assert hidden_units(spec) == 56
    assert keys(hints(spec, MODERN_HYPER)) == [("dropout-small-network", 3)]
    assert hidden_units(net("Flatten", 40, "ReLU", 40, "ReLU", 10, "Softmax")) == 80
    logistic = net("Flatten", drop(0.1), 10, "Softmax")
    found = hints(logistic, MODERN_HYPER, train_images=60_000)
    assert keys(found) == [("dropout-small-network", 1)]
    assert "no hidden layer" in found[0].text and "60,000" in found[0].why


def test_every_dropout_hint_says_why_in_one_sentence_and_how_to_fix_it():
    specs = [net("Flatten", 128, "ReLU", 10, "Softmax", drop()),
             net("Flatten", 128, "ReLU", 10, drop(), "Softmax"),
             net("Flatten", drop(0.5), 128, "ReLU", 10, "Softmax"),
             net("Flatten", 128, "ReLU", drop(0.9), 10, "Softmax"),
             net("Flatten", 128, "ReLU", drop(0.5), drop(0.3), 10, "Softmax"),
             net("Flatten", 16, "ReLU", drop(0.5), 10, "Softmax")]
    seen = set()
    for spec in specs:
        for h in hints(spec, MODERN_HYPER):
            seen.add(h.key)
            assert h.text and h.fix and not h.text.endswith(".")
            assert h.why.endswith(".") and h.why.count(". ") == 0, h.why
            assert len(h.sentence()) < 260, h.sentence()  # short
    assert seen == {"dropout-at-output", "dropout-on-input", "dropout-rate-high",
                    "two-dropouts", "dropout-small-network"}


@pytest.mark.parametrize("layer", [{"type": "Dropout"}, {"type": "Dropout", "rate": "x"},
                                   {"type": "Dropout", "rate": True},
                                   {"type": "Dropout", "rate": 7}])
def test_a_missing_or_bad_rate_gives_no_crash(layer):
    spec = {"input": [28, 28], "layers": [{"type": "Flatten"}, layer,
                                          {"type": "Dense", "units": 128}, {"type": "ReLU"},
                                          {"type": "Dense", "units": 10}]}
    found = hints(spec, MODERN_HYPER)
    if "rate" not in layer:  # the engine's default, 0.5: too much for the pixels
        assert keys(found) == [("dropout-on-input", 1)]
    else:
        assert all(h.key != "dropout-rate-high" for h in found)


def test_the_small_network_hint_is_only_for_dense_networks():
    # a layer of another kind (here one the engine does not know) has a size of its own
    spec = net("Flatten", "Capsule", drop(0.1), 10, "Softmax")
    assert all(h.key != "dropout-small-network" for h in hints(spec, MODERN_HYPER))
