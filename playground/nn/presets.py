"""Ready-made networks with the training settings that suit them."""

from __future__ import annotations

import copy


def _stack(*layers) -> dict:
    out = []
    for layer in layers:
        out.append({"type": "Dense", "units": layer} if isinstance(layer, int) else {"type": layer})
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
}


def preset(name: str) -> dict:
    """A deep copy of preset ``name``: {"title", "description", "spec", "hyper"}."""
    try:
        return copy.deepcopy(PRESETS[name])
    except KeyError:
        raise ValueError(f"unknown preset '{name}' (known: {', '.join(PRESETS)})") from None
