"""What does expanding the training data cost? Run: python benchmarks/bench_augment.py

Alternates, in one run, an epoch of the seed preset (batch 10, 50,000 images) without
augmentation and with each setting, and prints seconds of training per epoch (median of
the rounds) and the ratio to the plain epoch. Target: --shift 2 within 1.5x.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SETTINGS = {"none": {}, "shift 2": {"shift": 2}, "rotate 10": {"rotate": 10},
            "elastic": {"elastic": 1.0}}
TARGET = {"shift 2": 1.5}


def epoch_seconds(split, augment: dict) -> float:
    from playground import nn

    p = nn.preset("seed")
    model = nn.Model.create(p["spec"], {**p["hyper"], "augment": augment})
    return nn.Trainer(model, split).run(1).epochs[0].seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from playground.data import load_mnist

    split = load_mnist().split()
    times = {name: [] for name in SETTINGS}
    for _ in range(args.rounds):
        for name, augment in SETTINGS.items():
            times[name].append(epoch_seconds(split, augment))
    base = statistics.median(times["none"])
    for name, values in times.items():
        ratio = statistics.median(values) / base
        target = TARGET.get(name)
        verdict = "" if target is None else (f"(target <= {target}) "
                                             f"{'ok' if ratio <= target else 'OVER TARGET'}")
        print(f"{name:>10}: {statistics.median(values):.2f} s per epoch, {ratio:.2f}x {verdict}")


if __name__ == "__main__":
    main()
