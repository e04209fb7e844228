"""What each layer type does, in a sentence a learner can act on (the palette's and the
cards' tooltips). Every type the engine has (``nn.LAYER_TYPES``) has one; a test checks."""

LAYER_HELP = {
    "Flatten": "Unrolls a 28 x 28 image into a row of 784 numbers, as Dense needs.",
    "Dense": "Fully connected: every output unit is a weighted sum of all inputs plus a bias.",
    "Sigmoid": "Squashes each value into (0, 1); the classic smooth neuron.",
    "ReLU": "Keeps positive values and zeroes negative ones; trains fast in deep networks.",
    "Tanh": "Squashes each value into (-1, 1); a zero-centred sigmoid.",
    "Softmax": "Turns the last layer's values into probabilities that sum to 1.",
}
