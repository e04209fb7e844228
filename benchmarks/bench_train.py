"""Training and prediction speed of the engine, memory, BLAS threads, and PyTorch if present.

    python benchmarks/bench_train.py            # the tables (about a minute on 2 cores)
    python benchmarks/bench_train.py --modern   # also: the modern preset for 10 epochs
    python benchmarks/bench_train.py --repeats 1 --skip-threads   # a quick look

Seconds per epoch are the trainer's own per-epoch training time (``record.seconds``:
no evaluation, no reporting), the median over ``--repeats`` epochs on the 50,000
training images. Targets on a 2-core machine (from the issue): one epoch at batch 10
in about 1 s, batch 32 under 0.45 s, batch 128 under 0.3 s; one prediction including
``to_mnist`` under 1 ms median; a CLI training run under 250 MB peak memory.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

import playground.nn as nn  # noqa: E402
from playground.data import load_mnist, to_mnist  # noqa: E402

BATCH_SIZES = (10, 32, 128)
TARGETS = {10: 1.0, 32: 0.45, 128: 0.3}  # seconds per epoch, from the issue
TORCH_ON_THE_REFERENCE_MACHINE = {10: 2.8, 32: 1.0, 128: 0.4}


def rule(width=72):
    print("-" * width)


def epoch_seconds(split, batch_size: int, repeats: int, blas_threads=None):
    """(seconds of each epoch, last test accuracy, the model) for the seed preset."""
    p = nn.preset("seed")
    model = nn.Model.create(p["spec"], {**p["hyper"], "batch_size": batch_size})
    trainer = nn.Trainer(model, split, blas_threads=blas_threads)
    result = trainer.run(repeats, reports_per_epoch=10)
    assert result.status == "finished", result.message
    return [r.seconds for r in result.epochs], result.epochs[-1].test_accuracy, model


def bench_epochs(split, repeats):
    print(f"Seed preset (784-128-10 sigmoid, squared error, SGD lr 3.0), "
          f"{len(split.train_x):,} images, median of {repeats} epoch(s)")
    rule()
    print(f"{'batch':>6} {'s/epoch':>9} {'samples/s':>11} {'target':>9} {'':>5} "
          f"{'test acc':>9}  each epoch (s)")
    rule()
    trained = None
    for bs in BATCH_SIZES:
        secs, acc, model = epoch_seconds(split, bs, repeats)
        med = statistics.median(secs)
        ok = "ok" if med <= TARGETS[bs] else "SLOW"
        print(f"{bs:>6} {med:>9.3f} {len(split.train_x) / med:>11,.0f} "
              f"{'<= ' + format(TARGETS[bs], 'g') + ' s':>9} {ok:>5} {100 * acc:>8.2f}%  "
              + " ".join(f"{s:.3f}" for s in secs))
        if bs == 10:
            trained = model
    rule()
    return trained


def bench_threads(split, repeats):
    from threadpoolctl import threadpool_info

    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    if not blas:
        print("BLAS threads: no BLAS library visible to threadpoolctl; skipped")
        return
    info = blas[0]
    print(f"BLAS threads ({info['internal_api']} {info['version']}, "
          f"{info['num_threads']} threads by default, {os.cpu_count()} CPUs): "
          f"s/epoch, median of {repeats}")
    rule()
    print(f"{'batch':>6} {'1 thread':>10} {'2 threads':>10} {'2 / 1':>7}  trainer default")
    rule()
    for bs in (10, 128):
        one = statistics.median(epoch_seconds(split, bs, repeats, blas_threads=1)[0])
        two = statistics.median(epoch_seconds(split, bs, repeats, blas_threads=2)[0])
        default = "1 thread" if bs < 256 else "all"
        print(f"{bs:>6} {one:>10.3f} {two:>10.3f} {two / one:>7.2f}  {default}")
    rule()


def bench_prediction(net, images, runs=1000):
    """One drawing (a 280 x 280 float image, as the canvas gives) -> to_mnist -> digit."""
    digit = images[0].astype(np.float32) / 255.0
    canvas = np.kron(digit, np.ones((10, 10), dtype=np.float32))  # 280 x 280
    assert canvas.shape == (280, 280)
    predict = net.snapshot()

    def once():
        x = to_mnist(canvas)
        return predict.predict_proba(x[None])[0]

    for _ in range(20):  # warm up caches
        once()
    times, prep = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        x = to_mnist(canvas)
        t1 = time.perf_counter()
        probabilities = predict.predict_proba(x[None])[0]
        t2 = time.perf_counter()
        times.append(t2 - t0)
        prep.append(t1 - t0)
    med = statistics.median(times) * 1000
    ok = "ok" if med < 1.0 else "SLOW"
    print(f"Prediction of one 280 x 280 drawing incl. to_mnist: median {med:.3f} ms "
          f"(to_mnist {statistics.median(prep) * 1000:.3f} ms), "
          f"p95 {np.percentile(times, 95) * 1000:.3f} ms over {runs} runs; "
          f"target < 1 ms: {ok}; predicted {int(np.argmax(probabilities))}")


# A small go-between process starts the measured one and reports its peak memory.
# (Measuring a child of this big process directly would be wrong: on Linux a child
# started with vfork/fork inherits the parent's peak resident size as its own.)
_MEASURE = ("import resource, subprocess, sys, time;"
            "t = time.perf_counter();"
            "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode, "
            "time.perf_counter() - t)")


def child_peak_mb(args) -> tuple[float, int, float]:
    """Run ``args`` in a child process: its peak resident memory (MB), exit code, seconds."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", _MEASURE, *args], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True)
    kb, code, secs = out.stdout.split()
    return int(kb) / 1024, int(code), float(secs)


def bench_memory():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak memory of this benchmark process so far: {own:.0f} MB")
    mb, _, _ = child_peak_mb([sys.executable, "-c", "import numpy"])
    print(f"Peak memory, python -c 'import numpy' (the floor): {mb:.0f} MB")
    script = ("import playground.nn as nn; from playground.data import load_mnist;"
              "p = nn.preset('seed'); m = nn.Model.create(p['spec'], p['hyper']);"
              "r = nn.Trainer(m, load_mnist().split()).run(1);"
              "assert r.test_accuracy > 0.9")
    mb, code, secs = child_peak_mb([sys.executable, "-c", script])
    ok = "ok" if mb < 250 and code == 0 else "OVER" if code == 0 else f"FAILED ({code})"
    print(f"Peak memory, python -c: seed preset, one epoch: {mb:.0f} MB "
          f"({secs:.1f} s, target < 250 MB: {ok})")
    if (REPO / "main.py").exists():
        mb, code, secs = child_peak_mb([sys.executable, "main.py", "train", "--preset", "seed",
                                        "--epochs", "1", "--json"])
        ok = "ok" if mb < 250 and code == 0 else "OVER" if code == 0 else f"FAILED ({code})"
        print(f"Peak memory, python main.py train --preset seed --epochs 1 --json: "
              f"{mb:.0f} MB ({secs:.1f} s, target < 250 MB: {ok})")


def bench_torch(split, repeats):
    try:
        import torch
    except ImportError:
        print("PyTorch: not installed; skipped (on the issue's reference machine PyTorch CPU "
              "needed " + ", ".join(f"{v} s at batch {k}"
                                    for k, v in TORCH_ON_THE_REFERENCE_MACHINE.items()) + ")")
        return
    torch.manual_seed(0)
    x_all = torch.from_numpy(split.train_x.reshape(len(split.train_x), -1).copy())
    y_all = torch.from_numpy(split.train_y.astype(np.int64))
    eye = torch.eye(10)
    print(f"PyTorch {torch.__version__} on CPU ({torch.get_num_threads()} threads), "
          f"same network, median of {repeats} epoch(s)")
    rule()
    print(f"{'batch':>6} {'engine s':>9} {'torch s':>9} {'torch / engine':>15}")
    rule()
    for bs in BATCH_SIZES:
        model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.Sigmoid(),
                                    torch.nn.Linear(128, 10), torch.nn.Sigmoid())
        opt = torch.optim.SGD(model.parameters(), lr=3.0)
        g = torch.Generator().manual_seed(0)
        secs = []
        for _ in range(repeats):
            perm = torch.randperm(len(x_all), generator=g)
            t0 = time.perf_counter()
            for i in range(0, len(perm), bs):
                idx = perm[i:i + bs]
                xb = x_all[idx].float() / 255.0
                yb = eye[y_all[idx]]
                opt.zero_grad()
                out = model(xb)
                # 1/2 |a - y|^2 per sample, averaged: the engine's loss and gradient
                loss = 0.5 * ((out - yb) ** 2).sum() / len(idx)
                loss.backward()
                opt.step()
            secs.append(time.perf_counter() - t0)
        mine = statistics.median(epoch_seconds(split, bs, repeats)[0])
        theirs = statistics.median(secs)
        print(f"{bs:>6} {mine:>9.3f} {theirs:>9.3f} {theirs / mine:>15.2f}")
    rule()


def bench_modern(split, epochs=10):
    p = nn.preset("modern")
    model = nn.Model.create(p["spec"], p["hyper"])
    print(f"Modern preset ({p['title']}), {epochs} epochs on {len(split.train_x):,} images")
    rule()
    print(f"{'epoch':>6} {'seconds':>8} {'loss':>8} {'val acc':>9} {'test acc':>9}")
    rule()

    def show(r):
        print(f"{r['epoch']:>6} {r['seconds']:>8.2f} {r['loss']:>8.4f} "
              f"{100 * r['val_accuracy']:>8.2f}% {100 * r['test_accuracy']:>8.2f}%", flush=True)

    result = nn.Trainer(model, split).run(epochs, on_epoch=show)
    rule()
    final = result.test_accuracy
    print(f"final test accuracy {100 * final:.2f}% (target >= 98.0%: "
          f"{'ok' if final >= 0.98 else 'MISSED'}); "
          f"training {sum(r['seconds'] for r in result.epochs):.1f} s in total")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modern", action="store_true",
                        help="also train the modern preset for 10 epochs")
    parser.add_argument("--repeats", type=int, default=3, help="epochs per measurement")
    parser.add_argument("--skip-threads", action="store_true",
                        help="skip the 1-vs-2 BLAS thread comparison")
    args = parser.parse_args(argv)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load:.2f}")
    t0 = time.perf_counter()
    mnist = load_mnist()
    split = mnist.split()
    print(f"MNIST loaded in {time.perf_counter() - t0:.2f} s: {split.summary()}")
    print()
    trained = bench_epochs(split, args.repeats)
    print()
    bench_prediction(trained.network, split.test_x)
    print()
    if not args.skip_threads:
        bench_threads(split, args.repeats)
        print()
    bench_torch(split, args.repeats)
    print()
    bench_memory()
    if args.modern:
        print()
        bench_modern(split)


if __name__ == "__main__":
    main()
