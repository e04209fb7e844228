"""Shared by the GUI benchmarks: train through the Start button inside the event loop and
time that loop with a 10 ms QTimer."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QEventLoop, QTimer


def train_and_time(session, start_button, measured=None) -> dict:
    """Click Start, run the event loop until training is idle again, and measure it.

    Returns the gaps between timer ticks (ms; a gap over 10 ms is an event-loop stall),
    wall-clock and GUI-thread CPU seconds, the epoch records and the times of the
    progress reports (seconds after Start); with ``measured`` (a signal, e.g. the training
    controller's ``measured``), the times it fired too ("measuring_times": the reports of
    an epoch-end measurement).
    """
    loop = QEventLoop()  # not app.exec(): app.quit() would also close the windows
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    updates, records = [], []
    session.progressed.connect(lambda p: updates.append(time.perf_counter()))
    measuring: list[float] = []
    if measured is not None:
        measured.connect(lambda m: measuring.append(time.perf_counter()))
    session.epochFinished.connect(records.append)

    def done(state):
        if state == "idle":
            QTimer.singleShot(0, loop.quit)

    session.trainingStateChanged.connect(done)
    timer.start()
    t0 = time.perf_counter()
    cpu0 = time.thread_time()
    ticks.append(t0)
    QTimer.singleShot(0, start_button.click)
    loop.exec()
    wall = time.perf_counter() - t0
    gui_cpu = time.thread_time() - cpu0
    timer.stop()
    session.trainingStateChanged.disconnect(done)
    gaps = np.diff(np.array(ticks)) * 1000
    return {
        "gaps_ms": gaps,
        "max_gap_ms": float(gaps.max()),
        "p99_gap_ms": float(np.percentile(gaps, 99)),
        "median_gap_ms": float(np.median(gaps)),
        "wall_seconds": wall,
        "gui_cpu_seconds": gui_cpu,
        "records": records,
        "update_times": [u - t0 for u in updates],
        "measuring_times": [u - t0 for u in measuring],
        "test_accuracy": records[-1].test_accuracy if records else None,
    }
