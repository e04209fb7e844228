"""The command line's option values: numbers as a person types them, and the version.

Pure stdlib; shared by the CLI's parser (and usable by the window: no Qt here).
"""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

from . import safeio
from .data.augment import LIMITS as AUGMENT_LIMITS
from .nn.memory import MAX_BUDGET_GB, MIN_BUDGET_GB
from .nn.settings import MAX_LR, MAX_PATIENCE, MAX_SEED, MAX_TRAIN_SIZE, MAX_WEIGHT_DECAY

PACKAGE = "nn-playground"


def _plain_digits(text: str) -> str:
    """``text`` without surrounding spaces; Python's digit separators ('1_000') are
    not numbers a person types, so they are refused."""
    text = text.strip()
    if "_" in text:
        raise ValueError(text)
    return text


def parse_decimal(text: str) -> float:
    """A decimal number as a person types it: '0.01', '0,01' (a decimal comma, as the
    window accepts) or '1e-3'. Raises ValueError for anything else, e.g. '1_000'."""
    text = _plain_digits(text)
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    return float(text)


def positive_int(name, low: int = 1, high: int | None = None):
    def parse(text):
        try:
            value = int(_plain_digits(text))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number, not '{text[:40]}'") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{name} must be at least {low}, not {value}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"{name} must be at most {high:,}, not {value:,}")
        return value
    return parse


patience = positive_int("patience", 0, MAX_PATIENCE)
train_size = positive_int("limit", 1, MAX_TRAIN_SIZE)


def hyper_from_args(preset_hyper: dict, args) -> dict:
    """The preset's training settings with the command line's on top."""
    hyper = dict(preset_hyper)
    augment = {name: value for name, value in
               (("shift", args.shift), ("rotate", args.rotate), ("zoom", args.zoom),
                ("noise", args.noise), ("elastic", 1.0 if args.elastic else None))
               if value}
    if augment:
        hyper["augment"] = augment
    for key, value in (("epochs", args.epochs), ("batch_size", args.batch_size),
                       ("lr", args.lr), ("optimizer", args.optimizer), ("loss", args.loss),
                       ("init", args.init), ("seed", args.seed),
                       ("weight_decay", args.weight_decay), ("schedule", args.schedule),
                       ("train_size", args.limit), ("patience", args.patience)):
        if value is not None:
            hyper[key] = value
    return hyper


def bounded_decimal(name: str, low: float, high: float, *, low_open: bool = False):
    """A parser of a decimal (comma or point) from ``low`` to ``high``; above ``low``
    only with ``low_open``. Its error says the range, naming the setting."""
    if low_open:
        wanted = f"a positive number up to {high:g}"
    else:
        wanted = f"a number from {low:g} to {high:g}"

    def parse(text):
        try:
            value = parse_decimal(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and (low < value if low_open else low <= value)
                and value <= high):
            raise argparse.ArgumentTypeError(f"{name} must be {wanted}, not '{text[:40]}'")
        return value
    return parse


learning_rate = bounded_decimal("learning rate", 0, MAX_LR, low_open=True)
weight_decay = bounded_decimal("weight decay", 0, MAX_WEIGHT_DECAY)


memory_budget = bounded_decimal("memory budget (GB)", MIN_BUDGET_GB, MAX_BUDGET_GB)


def augment_setting(name: str):
    """A parser for one augmentation setting (0 to its limit in data.augment.LIMITS)."""
    return bounded_decimal(name, 0, AUGMENT_LIMITS[name])


def seed(text):
    try:
        value = int(_plain_digits(text))
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"seed must be a whole number from 0 to {MAX_SEED}, not '{text[:40]}'")
    return value


def version() -> str:
    """The installed version, else the one pyproject.toml names (a source checkout)."""
    from importlib import metadata

    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        text = safeio.read_bounded(pyproject, 100_000).decode("utf-8", "replace")
    except safeio.FileProblem:
        return "unknown"
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    return match.group(1) if match else "unknown"
