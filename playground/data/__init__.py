"""MNIST loading and image preprocessing (pure NumPy + stdlib, no Qt)."""

from playground.data.mnist import (
    MNIST,
    DataError,
    Split,
    bundled_mnist_dir,
    load_mnist,
    read_idx,
    resources_dir,
)
from playground.data.preprocess import to_mnist

__all__ = [
    "MNIST",
    "DataError",
    "Split",
    "bundled_mnist_dir",
    "load_mnist",
    "read_idx",
    "resources_dir",
    "to_mnist",
]
