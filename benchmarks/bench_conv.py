"""Training speed of a two-convolution network, beside the same network in PyTorch (CPU).

    python benchmarks/bench_conv.py                      # the engine, and PyTorch if importable
    python benchmarks/bench_conv.py --torch-python /path/to/venv/bin/python
    python benchmarks/bench_conv.py --images 2000 --batches 32

The network (issue 12): Conv 20@5x5, ReLU, MaxPool 2, Conv 40@5x5, ReLU, MaxPool 2,
Flatten, Dense 100, ReLU, Dense 10, Softmax; cross-entropy, Adam (lr 0.001). Seconds per
epoch are measured on the first ``--images`` training images (5,000 by default) and
scaled to the 50,000 of an epoch. The engine's time is the trainer's own per-epoch
training time (``record.seconds``: no evaluation, no reporting), with its default BLAS
threads (1 below batch 256) and with 2; PyTorch's is the same loop of batches with
``torch.set_num_threads(2)`` (and 1, for comparison), on the same images, after a few
warm-up batches.

PyTorch is not a dependency. When ``import torch`` fails, its half runs in
``--torch-python`` (another interpreter with torch and numpy, e.g. a side venv; the
images go to it in a temporary .npy file), or is skipped with a message. The issue's
target: PyTorch's seconds / the engine's >= 1.0 at batch 32 (the engine no slower).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

EPOCH = 50_000  # images in a training epoch: every time is scaled to it
BATCH_SIZES = (10, 32, 128)
TORCH_THREADS = 2
SPEC = {"input": [28, 28], "layers": [
    {"type": "Conv2D", "filters": 20, "size": 5}, {"type": "ReLU"},
    {"type": "MaxPool2D", "size": 2},
    {"type": "Conv2D", "filters": 40, "size": 5}, {"type": "ReLU"},
    {"type": "MaxPool2D", "size": 2}, {"type": "Flatten"},
    {"type": "Dense", "units": 100}, {"type": "ReLU"},
    {"type": "Dense", "units": 10}, {"type": "Softmax"}]}


def rule(width=78):
    print("-" * width)


def engine_seconds(split, batch_size: int, blas_threads=None) -> tuple[float, float]:
    """(seconds per 50,000-image epoch, training accuracy of the epoch) for SPEC."""
    import playground.nn as nn

    model = nn.Model.create(SPEC, {"loss": "ce", "optimizer": "adam", "lr": 0.001,
                                   "batch_size": batch_size, "epochs": 1, "seed": 0,
                                   "init": "he"})
    result = nn.Trainer(model, split, blas_threads=blas_threads).run(1)
    assert result.status == "finished", result.message
    record = result.epochs[0]
    seconds = record["seconds"] if isinstance(record, dict) else record.seconds
    accuracy = record["accuracy"] if isinstance(record, dict) else record.accuracy
    return seconds * EPOCH / len(split.train_x), accuracy


def torch_seconds(x: np.ndarray, y: np.ndarray, batch_sizes, threads: int) -> dict:
    """{batch size: (seconds per 50,000-image epoch, training accuracy)} in PyTorch with
    ``threads`` threads, after a few warm-up batches of a throwaway network."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    nn = torch.nn
    images = torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1)
    labels = torch.from_numpy(y.astype(np.int64))

    def network():
        return nn.Sequential(
            nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(20, 40, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(640, 100), nn.ReLU(), nn.Linear(100, 10))

    def epoch(model, order, bs) -> int:
        opt = torch.optim.Adam(model.parameters(), lr=0.001)
        loss_fn = nn.CrossEntropyLoss()
        right = 0
        for i in range(0, len(order), bs):
            idx = order[i:i + bs]
            xb, yb = images[idx], labels[idx]
            opt.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            right += int((logits.argmax(1) == yb).sum())
        return right

    out = {"version": torch.__version__, "threads": torch.get_num_threads()}
    for bs in batch_sizes:
        epoch(network(), torch.arange(5 * bs) % len(images), bs)  # warm-up
        order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
        t0 = time.perf_counter()
        right = epoch(network(), order, bs)
        seconds = time.perf_counter() - t0
        out[bs] = (seconds * EPOCH / len(images), right / len(images))
    return out


def torch_results(split, batch_sizes, torch_python: str | None, threads: int):
    """PyTorch's figures in this process, or in ``torch_python``; None with a message."""
    try:
        import torch  # noqa: F401
    except ImportError:
        pass
    else:
        return torch_seconds(split.train_x, split.train_y, batch_sizes, threads)
    if not torch_python:
        print("PyTorch: not installed here and no --torch-python given; its half is skipped")
        return None
    with tempfile.TemporaryDirectory() as folder:
        x_path, y_path = Path(folder, "x.npy"), Path(folder, "y.npy")
        np.save(x_path, split.train_x)
        np.save(y_path, split.train_y)
        run = subprocess.run(
            [torch_python, __file__, "--torch-child", str(x_path), str(y_path),
             "--batches", ",".join(map(str, batch_sizes)), "--torch-threads", str(threads)],
            capture_output=True, text=True, timeout=3600)
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no message"])[-1]
        print(f"PyTorch: {torch_python} failed ({last}); its half is skipped")
        return None
    raw = json.loads(run.stdout)
    return {**{int(k): tuple(v) for k, v in raw.items() if k.isdigit()},
            "version": raw["version"], "threads": raw["threads"]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=5000,
                        help="training images measured (the time is scaled to 50,000)")
    parser.add_argument("--batches", default=",".join(map(str, BATCH_SIZES)),
                        help="batch sizes, comma-separated")
    parser.add_argument("--torch-python", help="an interpreter with torch, for its half")
    parser.add_argument("--torch-threads", type=int, default=TORCH_THREADS,
                        help=argparse.SUPPRESS)
    parser.add_argument("--torch-child", nargs=2, metavar=("X.npy", "Y.npy"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    batch_sizes = [int(b) for b in args.batches.split(",")]
    if args.torch_child:
        x, y = (np.load(p) for p in args.torch_child)
        figures = torch_seconds(x, y, batch_sizes, args.torch_threads)
        print(json.dumps({str(k): v for k, v in figures.items()}))
        return

    from playground.data import load_mnist

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load:.2f}")
    split = load_mnist().split().limit(args.images, 100, 100)
    print(f"{len(split.train_x):,} training images, times scaled to a {EPOCH:,}-image epoch")
    engine = {bs: (engine_seconds(split, bs), engine_seconds(split, bs, blas_threads=2))
              for bs in batch_sizes}
    theirs = torch_results(split, batch_sizes, args.torch_python, TORCH_THREADS)
    one = theirs and torch_results(split, batch_sizes, args.torch_python, 1)
    print()
    title = (f"PyTorch {theirs['version']} CPU, {theirs['threads']} threads "
             f"(and 1)" if theirs else "PyTorch: skipped")
    print(f"Conv 20@5x5, ReLU, pool 2, Conv 40@5x5, ReLU, pool 2, Dense 100, ReLU, Dense 10, "
          f"softmax; Adam. {title}")
    rule()
    print(f"{'batch':>6} {'engine s':>9} {'(2 BLAS)':>9} {'torch s':>9} {'(1 thr)':>8} "
          f"{'torch / engine':>15}  {'train acc: engine':>17} {'torch':>6}")
    rule()
    for bs in batch_sizes:
        (mine, accuracy), (mine2, _) = engine[bs]
        if theirs:
            t, t_acc = theirs[bs]
            ratio, tail, torch_s = f"{t / mine:.2f}", f"{100 * t_acc:>5.1f}%", f"{t:.2f}"
            torch_1 = f"{one[bs][0]:.2f}" if one else "-"
        else:
            ratio = torch_s = torch_1 = tail = "-"
        print(f"{bs:>6} {mine:>9.2f} {mine2:>9.2f} {torch_s:>9} {torch_1:>8} {ratio:>15}  "
              f"{100 * accuracy:>16.1f}% {tail:>6}")
    rule()
    print("torch / engine: PyTorch's 2-thread seconds over the engine's default ones; >= 1.0 "
          "means the engine is at least as fast (the issue's target at batch 32)")


if __name__ == "__main__":
    main()
