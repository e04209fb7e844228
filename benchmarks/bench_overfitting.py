"""The overfitting chapter's numbers, reproduced. Run: python benchmarks/bench_overfitting.py

1. The textbook experiment (Nielsen, *Neural Networks and Deep Learning*, chapter 3): the
   "overfit" preset, 784-30-10 sigmoid with cross-entropy, N(0, 1) weights, SGD at 0.5 in
   batches of 10, 400 epochs on the first 1,000 training images, tested on the 10,000 test
   images. The book's peak test accuracy: 82.27% without regularisation and 87.1% with L2
   (lambda 0.1, i.e. weight decay lambda / n = 1e-4). Target: each median peak within 0.5 pt.
2. The "regularised" preset (dropout and shifted digits) against the "modern" preset, both
   for 20 epochs. Target: the regularised one reaches at least 98.6% test accuracy.

Prints one line per run and the medians; ``--seeds`` sets how many seeds part 1 uses.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BOOK = {0.0: 82.27, 1e-4: 87.1}  # weight decay -> the book's peak test accuracy (%)
TOLERANCE = 0.5  # percentage points
REGULARISED_TARGET = 98.6


def train(name: str, split, **changes):
    from playground import nn

    p = nn.preset(name)
    model = nn.Model.create(p["spec"], {**p["hyper"], **changes})
    t0 = time.perf_counter()
    result = nn.Trainer(model, split).run()
    return result, time.perf_counter() - t0


def textbook(split, seeds: int) -> bool:
    ok = True
    for wd, book in BOOK.items():
        peaks = []
        for seed in range(seeds):
            result, seconds = train("overfit", split, seed=seed, weight_decay=wd)
            test = [100 * r.test_accuracy for r in result.epochs]
            train_acc = 100 * result.epochs[-1].train_sample_accuracy
            peak = max(test)
            peaks.append(peak)
            print(f"overfit wd={wd:g} seed {seed}: peak test {peak:.2f}% at epoch "
                  f"{test.index(peak) + 1}, last {test[-1]:.2f}%, training accuracy "
                  f"{train_acc:.2f}% ({seconds:.0f} s)", flush=True)
        median = statistics.median(peaks)
        good = abs(median - book) <= TOLERANCE
        ok &= good
        print(f"  median peak {median:.2f}% vs the book's {book:.2f}% "
              f"({median - book:+.2f} pt; target within {TOLERANCE}) "
              f"{'ok' if good else 'OFF TARGET'}", flush=True)
    return ok


def regularised(split) -> bool:
    results = {}
    for name in ("modern", "regularised"):
        result, seconds = train(name, split, epochs=20)
        last = result.epochs[-1]
        results[name] = 100 * last.test_accuracy
        print(f"{name} (20 epochs): test {results[name]:.2f}%, validation "
              f"{100 * last.val_accuracy:.2f}%, training sample "
              f"{100 * last.train_sample_accuracy:.2f}% ({seconds:.0f} s)", flush=True)
    good = results["regularised"] >= REGULARISED_TARGET
    print(f"  regularised {results['regularised']:.2f}% (target >= {REGULARISED_TARGET}) "
          f"{'ok' if good else 'OFF TARGET'}; modern {results['modern']:.2f}%")
    return good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--part", choices=("textbook", "regularised", "both"), default="both")
    args = parser.parse_args()
    from playground.data import load_mnist

    split = load_mnist().split()
    ok = True
    if args.part in ("textbook", "both"):
        ok &= textbook(split, args.seeds)
    if args.part in ("regularised", "both"):
        ok &= regularised(split)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
