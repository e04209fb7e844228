"""The engine: layers, losses, optimizers, networks from specs, training, save/load.

Pure NumPy; nothing here imports Qt.
"""

from .conv import AvgPool2D, Conv2D, MaxPool2D
from .divergence import DivergenceGuard
from .history import EpochRecord
from .layers import (
    INITS,
    LAYER_TYPES,
    Dense,
    Dropout,
    Flatten,
    Layer,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from .losses import CrossEntropy, SquaredError, make_loss, one_hot
from .memory import (
    DEFAULT_BUDGET,
    MemoryEstimate,
    check_training_memory,
    estimate_training_memory,
    format_bytes,
)
from .model import Model
from .network import Network, transfer_weights
from .optimizers import SGD, Adam, Momentum, make_optimizer, sgd
from .presets import PRESETS, preset
from .schedules import SCHEDULES, lr_factor
from .serialization import ModelFileError, load_model, save_model
from .settings import (
    DEFAULT_HYPER,
    MAX_EPOCHS,
    MAX_LR,
    MAX_PATIENCE,
    MAX_SEED,
    MAX_TRAIN_SIZE,
    check_hyper,
    train_size_of,
)
from .spec import SpecError, SpecReport, check_spec, format_shape, validate_spec
from .training import EpochEnd, Progress, RunResult, Trainer

__all__ = [
    "INITS", "LAYER_TYPES", "Dense", "Flatten", "Layer", "ReLU", "Sigmoid",
    "Softmax", "Tanh", "Dropout", "Conv2D", "MaxPool2D", "AvgPool2D", "CrossEntropy",
    "SquaredError", "make_loss", "one_hot",
    "DEFAULT_HYPER",
    "Model", "Network", "check_hyper", "transfer_weights", "SGD", "Adam", "Momentum",
    "make_optimizer", "sgd",
    "PRESETS", "preset", "ModelFileError", "load_model", "save_model", "SpecError",
    "SpecReport", "check_spec", "format_shape", "validate_spec", "EpochEnd", "Progress",
    "RunResult", "Trainer", "DivergenceGuard", "DEFAULT_BUDGET", "MemoryEstimate",
    "check_training_memory", "estimate_training_memory", "format_bytes", "EpochRecord",
    "MAX_EPOCHS", "MAX_LR", "MAX_SEED", "SCHEDULES", "lr_factor", "MAX_PATIENCE",
    "MAX_TRAIN_SIZE", "train_size_of",
]
