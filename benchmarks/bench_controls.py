"""How fast do Pause and Stop take hold? Run: python benchmarks/bench_controls.py

Trains the seed preset on 2,000 images through a TrainingPanel (offscreen), then times,
over several rounds: Pause (click until the worker waits between two batches), Stop
(click until the worker is gone) and shutting the panel down while training (what closing
the window does). Targets: pause under 0.1 s, stop and shutdown under 2 s (medians and
worst cases are printed). The unit tests check that these controls work; how fast they
are is measured only here, so a busy machine never fails the suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication  # noqa: E402

TARGETS = {"pause": 0.1, "stop": 2.0, "shutdown": 2.0}


def wait_for(condition, timeout: float = 30.0) -> float:
    """Run the event loop until ``condition()``; the seconds it took."""
    app = QApplication.instance()
    t0 = time.perf_counter()
    while not condition():
        app.processEvents()
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError("the condition never held")
        time.sleep(0.001)
    return time.perf_counter() - t0


def one_round(panel, session) -> dict:
    reports = []
    session.progressed.connect(reports.append)
    panel.start_button.click()
    wait_for(lambda: reports)
    worker = panel.worker
    t0 = time.perf_counter()
    panel.pause_button.click()
    wait_for(lambda: worker.waiting)
    pause = worker.paused_at - t0
    panel.pause_button.click()  # resume
    wait_for(lambda: not worker.waiting)
    t0 = time.perf_counter()
    panel.stop_button.click()
    wait_for(lambda: panel.worker is None)
    stop = time.perf_counter() - t0
    panel.start_button.click()
    reports.clear()
    wait_for(lambda: reports)
    t0 = time.perf_counter()
    panel.shutdown()
    shutdown = time.perf_counter() - t0
    session.progressed.disconnect(reports.append)
    return {"pause": pause, "stop": stop, "shutdown": shutdown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from playground.data import load_mnist
    from playground.state.session import Session
    from playground.ui.training.panel import TrainingPanel

    QApplication.instance() or QApplication([])
    session = Session(data=load_mnist().split().limit(2000, 500, 1000))
    session.set_hyper(epochs=1000)
    panel = TrainingPanel(session)
    panel.show()
    rounds = [one_round(panel, session) for _ in range(args.rounds)]
    for name, target in TARGETS.items():
        values = [r[name] for r in rounds]
        verdict = "ok" if max(values) < target else "OVER TARGET"
        print(f"{name:>8}: median {1000 * statistics.median(values):7.1f} ms, worst "
              f"{1000 * max(values):7.1f} ms (target < {1000 * target:.0f} ms) {verdict}")
    panel.shutdown()


if __name__ == "__main__":
    main()
