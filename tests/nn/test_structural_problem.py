"""Which specs can be shown as a stack of layers at all (one rule, for Import and the builder)."""

import pytest

from playground.nn.spec import structural_problem

GOOD_LAYERS = [{"type": "Flatten"}, {"type": "Dense", "units": 10}]


@pytest.mark.parametrize("spec, words", [
    ([1, 2], "JSON object"),
    ({"input": [28, 28]}, "list of layers"),
    ({"input": [28, 28], "layers": [{"units": 3}]}, '"type"'),
    ({"input": [28, 28], "layers": ["Dense"]}, '"type"'),
    ({"input": "28x28", "layers": GOOD_LAYERS}, "the input must be"),
    ({"input": [28, 28], "layers": [{"type": "ReLU"}] * 65}, "too many layers"),
])
def test_specs_that_are_no_stack_say_why(spec, words):
    assert words in structural_problem(spec)


def test_a_stack_with_a_wrong_layer_is_still_a_stack():
    # a wrong layer is shown on its card, so it does not refuse the whole file
    wrong = {"input": [28, 28], "layers": [{"type": "Dense", "units": 10}]}
    assert structural_problem(wrong) is None
    assert structural_problem({"input": [28, 28], "layers": GOOD_LAYERS}) is None
    assert structural_problem({"input": [28, 28], "layers": []}) is None  # "Clear"
