"""Do the insight views slow training down? (run: python benchmarks/bench_insight.py)

Trains the seed preset (784-128-10 sigmoid, batch 10) on the full 50,000 training
images through the real MainWindow and TrainingPanel (offscreen, 1280 x 800), which
publish the weights ~25 times a second (about 25 times an epoch here), in these modes:

- ``none``: the window without insight views, Training tab shown (the baseline);
- ``all``: as ``none`` plus every insight view in its own top-level window, all visible at
  once beside the training plots (the worst case: no view can skip work);
- ``blank``: the window without insight views but an empty tab selected instead of the
  Training tab (the baseline for the next modes: hiding the training plots saves time);
- ``weights`` / ``confusion`` / ``mistakes`` / ``inside`` / ``dataset``: the full window
  with that tab selected (a drawing is on the canvas, so Inside works live too).

Runs are interleaved (none, all, blank, weights, ..., none, all, ...) to spread machine
noise. Per mode it prints the median training seconds per run (the trainer's own clock,
evaluation excluded), the wall-clock time to idle, the largest event-loop gap measured
with a 10 ms timer, and the CPU time the GUI thread used (the views' cost without the
noise of other processes). Target: under 10% slower than the baseline; no gap over 100 ms.

First it times the Robustness view's measurement (``perturb.measure`` on the first
``perturb.SUBSET`` test images, every kind at every level) for each MLP preset, as the
evaluation thread runs it (``--robustness N`` rounds; 0 skips it). Target: well under a
second. ``--modes ""`` skips the training runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from gui_timing import train_and_time  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

TABS = {"weights": "Weights", "confusion": "Confusion", "mistakes": "Mistakes",
        "robustness": "Robustness", "inside": "Inside", "dataset": "Dataset"}


def drawing(split) -> np.ndarray:
    """A test digit drawn large on a 280 x 280 canvas, as the drawing panel would send it."""
    canvas = np.zeros((280, 280), np.float32)
    canvas[40:236, 60:256] = np.kron(split.test_x[7] / 255.0, np.ones((7, 7)))
    return canvas


def run_once(mode: str, split, epochs: int) -> dict:
    import playground.ui.window.main_window as mw
    from playground.state.session import Session
    from playground.ui.insight import WeightsView, insight_views

    app = QApplication.instance()
    session = Session(data=split)
    extra = []
    original = mw.insight_views
    if mode in ("none", "all"):
        mw.insight_views = lambda s, *_: []
    elif mode == "blank":
        mw.insight_views = lambda s, *_: [("Blank", QWidget(), "an empty tab")]
    try:
        window = mw.MainWindow(session)
    finally:
        mw.insight_views = original
    window._confirm_discard = lambda: True
    window.resize(1280, 800)
    window.show()
    if mode == "all":
        for title, view, _tip in insight_views(session):
            view.setWindowTitle(title)
            view.resize(800, 600)
            view.show()
            extra.append(view)
    elif mode in TABS or mode == "blank":
        titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        window.tabs.setCurrentIndex(titles.index(TABS.get(mode, "Blank")))
    app.processEvents()
    session.set_drawing(drawing(split))
    session.set_hyper(epochs=epochs)
    app.processEvents()

    publishes = []
    session.weightsChanged.connect(lambda: publishes.append(1))
    r = train_and_time(session, window.training.start_button)
    updates = sum(v.updates for v in [*extra, *window.findChildren(WeightsView)]
                  if isinstance(v, WeightsView))
    window.shutdown()
    window.close()
    for view in extra:
        view.close()
        view.deleteLater()
    window.deleteLater()
    app.processEvents()
    return {
        "train_seconds": sum(rec.seconds for rec in r["records"]),
        "wall_seconds": r["wall_seconds"],
        "gui_cpu_seconds": r["gui_cpu_seconds"],
        "max_gap_ms": r["max_gap_ms"],
        "p99_gap_ms": r["p99_gap_ms"],
        "publishes": len(publishes),
        "weight_redraws": updates,
        "test_accuracy": r["test_accuracy"],
    }


def time_robustness(split, rounds: int) -> None:
    """The median time of one robustness measurement per preset (the weights do not
    change the time: the presets' starting weights are measured)."""
    import time

    from playground import nn
    from playground.data import perturb

    x, y = split.test_x[:perturb.SUBSET], split.test_y[:perturb.SUBSET]
    levels = sum(1 for k in perturb.KINDS for level in k.levels if level) + 1
    for name in nn.PRESETS:
        net = nn.Network(nn.preset(name)["spec"])
        perturb.measure(net, x, y)  # warm-up
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            perturb.measure(net, x, y)
            times.append(time.perf_counter() - start)
        print(f"robustness measurement, {name:<8} {len(x):,} test images x {levels} "
              f"levels: median {statistics.median(times):.3f} s (min {min(times):.3f}, "
              f"max {max(times):.3f}, {rounds} rounds)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--modes", default="none,all,blank,weights,confusion,inside",
                        help="comma-separated: none, all, blank, " + ", ".join(TABS))
    parser.add_argument("--robustness", type=int, default=5, metavar="N",
                        help="rounds of the robustness measurement timing (0: none)")
    args = parser.parse_args()

    settings = tempfile.mkdtemp(prefix="bench-insight-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings)
    QCoreApplication.setOrganizationName("nn-playground-bench")
    QCoreApplication.setApplicationName("bench-insight")
    QApplication.instance() or QApplication([])
    from playground.data import load_mnist

    split = load_mnist().split()
    if args.robustness > 0:
        time_robustness(split, args.robustness)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes:
        return
    results: dict[str, list[dict]] = {m: [] for m in modes}
    run_once("none", split, 1)  # warm-up: imports, caches, BLAS
    for _ in range(args.repeat):
        for mode in modes:
            r = run_once(mode, split, args.epochs)
            results[mode].append(r)
            print(f"  {mode:<10} train {r['train_seconds']:.3f} s  wall {r['wall_seconds']:.3f} s"
                  f"  GUI-thread CPU {r['gui_cpu_seconds']:.3f} s"
                  f"  max gap {r['max_gap_ms']:.0f} ms  publishes {r['publishes']}"
                  f"  weight redraws {r['weight_redraws']}", flush=True)

    print(f"\nmedians over {args.repeat} rounds of {args.epochs} epoch(s), seed preset, "
          "50,000 images; slowdowns are medians of each round's ratio to its own baseline run "
          "(the machine's load drifts between rounds):")
    for mode, rs in results.items():
        ref = "blank" if mode in TABS and "blank" in results else "none"
        train = statistics.median(r["train_seconds"] for r in rs)
        wall = statistics.median(r["wall_seconds"] for r in rs)
        gui = statistics.median(r["gui_cpu_seconds"] for r in rs)
        gap = max(r["max_gap_ms"] for r in rs)
        p99 = statistics.median(r["p99_gap_ms"] for r in rs)
        line = (f"{mode:<10} train {train:.3f} s  wall {wall:.3f} s  GUI CPU {gui:.3f} s  "
                f"worst gap {gap:.0f} ms  p99 gap {p99:.0f} ms")
        if ref in results and mode != ref:
            pairs = list(zip(rs, results[ref], strict=True))
            slow = statistics.median(a["train_seconds"] / b["train_seconds"] for a, b in pairs)
            slow_wall = statistics.median(a["wall_seconds"] / b["wall_seconds"] for a, b in pairs)
            extra = statistics.median(a["gui_cpu_seconds"] - b["gui_cpu_seconds"]
                                      for a, b in pairs)
            line += (f"\n{'':<10} vs {ref}: train {100 * (slow - 1):+.1f}%, wall "
                     f"{100 * (slow_wall - 1):+.1f}%, GUI CPU {1000 * extra:+.0f} ms")
        print(line)


if __name__ == "__main__":
    main()
