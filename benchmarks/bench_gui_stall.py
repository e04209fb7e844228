"""How responsive is the window while training? Run: python benchmarks/bench_gui_stall.py

Trains the seed preset (784-128-10 sigmoid, squared error, SGD, batch 10) for one epoch
on the full 50,000 training images through a TrainingPanel (offscreen; --window for the
whole MainWindow), with a 10 ms QTimer on the GUI thread. Reports the largest and the
99th-percentile gap between timer ticks (an event-loop stall), seconds per epoch, the
number of GUI updates and the test accuracy.
Targets: no gap over 100 ms; about 1 s per epoch; at least 94% test accuracy.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gui_timing import train_and_time  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def measure(epochs: int = 1, limit: int | None = None, window: bool = False) -> dict:
    """Train through the Start button inside app.exec(); return the figures."""
    import pyqtgraph as pg

    from playground.data import load_mnist
    from playground.ui.session import Session
    from playground.ui.training_panel import TrainingPanel

    app = QApplication.instance() or QApplication([])
    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")  # as the app does
    split = load_mnist().split()
    if limit:
        split = split.limit(limit)
    session = Session(data=split)
    if window:
        from playground.ui.main_window import MainWindow

        top = MainWindow(session)
        top._confirm_discard = lambda: True
        panel = top.training
    else:
        top = panel = TrainingPanel(session)
    top.resize(1280, 800)
    top.show()
    app.processEvents()
    session.set_hyper(epochs=epochs)

    r = train_and_time(session, panel.start_button)
    top.close()
    panel.shutdown()
    updates = r["update_times"]
    return {
        **r,
        "ticks": len(r["gaps_ms"]),
        "epoch_seconds": [rec["seconds"] for rec in r["records"]],
        "updates": len(updates),
        "first_update_s": updates[0] if updates else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None,
                        help="training images (default: all 50,000)")
    parser.add_argument("--window", action="store_true", help="the whole MainWindow")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    for _ in range(args.repeat):
        r = measure(args.epochs, args.limit, args.window)
        acc = r["test_accuracy"]
        print(f"event-loop gap: max {r['max_gap_ms']:.1f} ms, 99th percentile "
              f"{r['p99_gap_ms']:.1f} ms, median {r['median_gap_ms']:.1f} ms "
              f"({r['ticks']} ticks of a 10 ms timer)")
        print(f"epoch: {', '.join(f'{s:.2f}' for s in r['epoch_seconds'])} s of training; "
              f"{r['wall_seconds']:.2f} s wall-clock with evaluation; "
              f"{r['updates']} GUI updates, the first after {r['first_update_s']:.3f} s")
        print(f"test accuracy: {100 * acc:.2f}%" if acc is not None else "no epoch finished")


if __name__ == "__main__":
    main()
