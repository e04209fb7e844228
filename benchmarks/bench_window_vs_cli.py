"""Is training in the window as fast as on the command line?
Run: python benchmarks/bench_window_vs_cli.py [--rounds 3] [--preset seed]

Alternates, in one process and one run, an epoch trained the way the CLI trains (the
Trainer on the main thread, no Qt) with an epoch trained by pressing Start in the whole
MainWindow (offscreen, 1920x1080, live plots on, a 10 ms timer timing the event loop).
Both train the same preset on the same 50,000 images; each round builds a fresh model.
Reports seconds of training per epoch (evaluation excluded, as both record it), the median
of the rounds, and the window/CLI ratio of the medians. Target: ratio <= 1.15 at batch 10.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QPA_OFFSCREEN_SCREEN_SIZE", "1920x1080")  # the wide layout
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gui_timing import train_and_time  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

TARGET = 1.15


def cli_epoch(split, preset: str) -> float:
    from playground import nn

    p = nn.preset(preset)
    model = nn.Model.create(p["spec"], {**p["hyper"], "epochs": 1})
    result = nn.Trainer(model, split).run()
    return result.epochs[0].seconds


def window_epoch(split, preset: str) -> tuple[float, float]:
    from playground.state.session import Session
    from playground.ui.window.main_window import MainWindow

    session = Session(data=split, preset_name=preset)
    session.set_hyper(epochs=1)
    window = MainWindow(session)
    window.resize(1600, 900)
    window.show()
    QApplication.instance().processEvents()
    r = train_and_time(session, window.training.start_button)
    session.dirty = False  # close without the unsaved-changes question
    window.close()
    window.shutdown()
    return r["records"][0].seconds, r["max_gap_ms"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--preset", default="seed")
    args = parser.parse_args()

    import pyqtgraph as pg

    from playground.data import load_mnist

    QApplication.instance() or QApplication([])
    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")  # as the app does
    split = load_mnist().split()
    cli, window, gaps = [], [], []
    for i in range(args.rounds):
        cli.append(cli_epoch(split, args.preset))
        seconds, gap = window_epoch(split, args.preset)
        window.append(seconds)
        gaps.append(gap)
        print(f"round {i + 1}: CLI {cli[-1]:.2f} s, window {window[-1]:.2f} s "
              f"(largest event-loop gap {gap:.0f} ms)", flush=True)
    ratio = statistics.median(window) / statistics.median(cli)
    print(f"median seconds per epoch: CLI {statistics.median(cli):.2f}, window "
          f"{statistics.median(window):.2f}; window/CLI {ratio:.2f} (target <= {TARGET}) "
          f"{'ok' if ratio <= TARGET else 'OVER TARGET'}")


if __name__ == "__main__":
    main()
