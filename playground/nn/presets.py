"""Ready-made networks with the training settings that suit them."""

from __future__ import annotations

import copy


def _stack(*layers) -> dict:
    out = []
    for layer in layers:  # 128: Dense 128; "ReLU": that layer; a dict: as it is
        if isinstance(layer, dict):
            out.append(dict(layer))
        else:
            out.append({"type": "Dense", "units": layer} if isinstance(layer, int)
                       else {"type": layer})
    return {"input": [28, 28], "layers": out}


PRESETS = {
    "seed": {
        "title": "Seed network (784-128-10, sigmoid)",
        "description": "The classic from-scratch network: one hidden layer of 128 sigmoid "
                       "units, squared error, plain SGD. About 95% after one epoch.",
        "spec": _stack("Flatten", 128, "Sigmoid", 10, "Sigmoid"),
        "hyper": {"loss": "se", "optimizer": "sgd", "lr": 3.0, "batch_size": 10,
                  "epochs": 1, "seed": 0, "init": "scaled"},
    },
    "logistic": {
        "title": "Logistic regression (784-10)",
        "description": "No hidden layer: one weight per pixel and digit. About 92%.",
        "spec": _stack("Flatten", 10, "Softmax"),
        "hyper": {"loss": "ce", "optimizer": "sgd", "lr": 0.5, "batch_size": 32,
                  "epochs": 5, "seed": 0, "init": "scaled"},
    },
    "modern": {
        "title": "Modern (784-512-10, ReLU, Adam)",
        "description": "ReLU hidden units, softmax output, cross-entropy and Adam: "
                       "about 98% after ten epochs.",
        "spec": _stack("Flatten", 512, "ReLU", 10, "Softmax"),
        "hyper": {"loss": "ce", "optimizer": "adam", "lr": 0.001, "batch_size": 128,
                  "epochs": 10, "seed": 0, "init": "he"},
    },
    "deep": {
        "title": "Deep (784-256-128-64-10, ReLU)",
        "description": "Three hidden ReLU layers with Adam: deeper, not always better.",
        "spec": _stack("Flatten", 256, "ReLU", 128, "ReLU", 64, "ReLU", 10, "Softmax"),
        "hyper": {"loss": "ce", "optimizer": "adam", "lr": 0.001, "batch_size": 128,
                  "epochs": 10, "seed": 0, "init": "he"},
    },
    "overfit": {
        "title": "Overfit on 1,000 images (784-30-10, sigmoid)",
        "description": "The textbook's overfitting experiment (Nielsen, chapter 3): 1,000 "
                       "training images, 400 epochs. Training accuracy reaches 100% while "
                       "validation and test accuracy stall near 82%: the network memorises. "
                       "Then set weight decay to 0.0001 (the book's lambda 0.1 for 1,000 "
                       "images) and train it again: about 87%.",
        "spec": _stack("Flatten", 30, "Sigmoid", 10, "Sigmoid"),
        "hyper": {"loss": "ce", "optimizer": "sgd", "lr": 0.5, "batch_size": 10,
                  "epochs": 400, "seed": 0, "init": "normal", "train_size": 1000},
    },
    "regularised": {
        "title": "Regularised (784-512-512-10, dropout, shifted digits)",
        "description": "Two ReLU layers with dropout, training images shifted by up to "
                       "2 pixels, Adam with a cosine schedule: about 98.8% in 20 epochs, "
                       "better than the modern preset, with little gap between training "
                       "and validation.",
        "spec": _stack("Flatten", 512, "ReLU", {"type": "Dropout", "rate": 0.3},
                       512, "ReLU", {"type": "Dropout", "rate": 0.3}, 10, "Softmax"),
        "hyper": {"loss": "ce", "optimizer": "adam", "lr": 0.001, "batch_size": 128,
                  "epochs": 20, "seed": 0, "init": "he", "schedule": "cosine",
                  "augment": {"shift": 2}},
    },
    "lenet": {
        "title": "LeNet (two convolutions, max pooling)",
        "description": "A small convolutional network in the spirit of LeCun's LeNet: 20 "
                       "filters of 5 x 5, max pooling, 40 filters of 5 x 5, max pooling, then "
                       "Dense 100 and the ten digits. The filters find strokes wherever they "
                       "are in the image: about 99.3% test accuracy after 6 epochs (past "
                       "99% from the third), beyond any network of Dense layers. An epoch "
                       "takes several seconds to half a minute, depending on the machine.",
        "spec": _stack({"type": "Conv2D", "filters": 20, "size": 5}, "ReLU",
                       {"type": "MaxPool2D", "size": 2},
                       {"type": "Conv2D", "filters": 40, "size": 5}, "ReLU",
                       {"type": "MaxPool2D", "size": 2},
                       "Flatten", 100, "ReLU", 10, "Softmax"),
        "hyper": {"loss": "ce", "optimizer": "adam", "lr": 0.001, "batch_size": 32,
                  "epochs": 6, "seed": 0, "init": "he", "schedule": "cosine"},
    },
}


def preset(name: str) -> dict:
    """A deep copy of preset ``name``: {"title", "description", "spec", "hyper"}."""
    try:
        return copy.deepcopy(PRESETS[name])
    except KeyError:
        raise ValueError(f"unknown preset '{name}' (known: {', '.join(PRESETS)})") from None
