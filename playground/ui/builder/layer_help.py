"""What each layer type does, in a sentence a learner can act on (the palette's and the
cards' tooltips). Every type the engine has (``nn.LAYER_TYPES``) has one; a test checks."""

from ...nn.conv import DEFAULT_POOL
from ...state.hints import HIDDEN_RATE, MAX_INPUT_RATE

_POOL = f"{DEFAULT_POOL} x {DEFAULT_POOL}"

LAYER_HELP = {
    "Flatten": "Unrolls a 28 x 28 image into a row of 784 numbers, as Dense needs.",
    "Dense": "Fully connected: every output unit is a weighted sum of all inputs plus a bias.",
    "Sigmoid": "Squashes each value into (0, 1); the classic smooth neuron.",
    "ReLU": "Keeps positive values and zeroes negative ones; trains fast in deep networks.",
    "Tanh": "Squashes each value into (-1, 1); a zero-centred sigmoid.",
    "Softmax": "Turns the last layer's values into probabilities that sum to 1.",
    "Dropout": "While training, sets a random share of its inputs (the rate) to 0 at each "
               "step and scales up the rest; when predicting it is off and passes "
               "everything through. Units cannot count on any one input, so the network "
               "memorises less and does better on digits it has not seen (less overfitting). "
               f"Typical rates: {HIDDEN_RATE:g} after a hidden layer, {MAX_INPUT_RATE:g} at "
               "most on the pixels.",
    "Conv2D": "Slides small filters (e.g. 3 x 3) over the image; each filter finds one "
              "pattern, such as an edge, wherever it is, and gives one feature map. The "
              "output is channels x height x width: 'valid' padding shrinks the maps by the "
              "kernel size - 1, 'same' keeps their size, a stride of 2 halves them.",
    "MaxPool2D": "Keeps the largest value of each small square (" + _POOL + " by default): "
                 "a smaller image that keeps the strongest responses. Put one after a "
                 "Conv2D and its ReLU: a quarter of the positions for the next layers, and "
                 "a stroke shifted by a pixel still counts.",
    "AvgPool2D": "Averages each small square (" + _POOL + " by default): a smaller, "
                 "smoother image. MaxPool2D usually does better on digits.",
}
