"""One input through the network for the Draw panel: ten finite outputs, or why not."""

import numpy as np

from playground import nn
from playground.ui.draw.prediction_text import predict

SEED = nn.preset("seed")["spec"]


def test_ten_outputs_for_a_digit():
    net = nn.Network(SEED)
    outputs, problem = predict(net, np.zeros((28, 28), dtype=np.uint8))
    assert problem == "" and outputs.shape == (10,) and outputs.dtype == np.float64


def test_outputs_that_are_not_numbers_say_so():
    net = nn.Network(SEED)
    net.layers[1].w[...] = np.nan
    outputs, problem = predict(net, np.full((28, 28), 200, dtype=np.uint8))
    assert outputs is None and "not numbers" in problem


def test_an_error_is_said_not_raised():
    class Broken:
        def predict_proba(self, x):
            raise ValueError("shapes do not fit")

    outputs, problem = predict(Broken(), np.zeros((28, 28)))
    assert outputs is None and problem == "Cannot predict: shapes do not fit"
