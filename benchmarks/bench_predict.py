"""How long one prediction of a drawing takes, as the Draw & predict panel makes it.

One prediction = read the 280 x 280 canvas into NumPy (DrawCanvas.image), turn it
into the network's 28 x 28 input (to_mnist: crop, scale, centre) and run the
network (predict_proba). Target: under 2 ms.

    python benchmarks/bench_predict.py [--runs 1000] [--preset seed]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from playground import nn  # noqa: E402
from playground.data import to_mnist  # noqa: E402
from playground.ui.draw.canvas import DrawCanvas  # noqa: E402

TARGET_MS = 2.0


def draw_seven(canvas: DrawCanvas) -> None:
    canvas.clear()
    canvas.draw_stroke([(70, 50), (210, 50), (200, 70), (120, 240)])
    canvas.draw_stroke([(110, 150), (190, 150)])


def measure(fn, runs: int) -> np.ndarray:
    for _ in range(min(50, runs)):  # warm up caches (resampling matrices, BLAS)
        fn()
    times = np.empty(runs)
    for i in range(runs):
        t0 = time.perf_counter()
        fn()
        times[i] = time.perf_counter() - t0
    return times * 1e3


def report(name: str, ms: np.ndarray) -> float:
    median, p95 = np.median(ms), np.percentile(ms, 95)
    print(f"{name:<44} median {median:7.3f} ms   p95 {p95:7.3f} ms")
    return float(median)


class _NoData:
    """Stands in for the dataset: the panel never touches it when predicting."""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--preset", default="seed", choices=sorted(nn.PRESETS))
    args = ap.parse_args(argv)

    app = QApplication.instance() or QApplication([])  # noqa: F841 - the canvas needs one
    canvas = DrawCanvas()
    draw_seven(canvas)
    net = nn.Network(nn.preset(args.preset)["spec"])
    x = to_mnist(canvas.image())

    print(f"{args.runs} runs, {args.preset} preset ({net.param_count:,} parameters), "
          f"canvas {canvas.resolution} x {canvas.resolution}")
    report("read canvas (DrawCanvas.image)", measure(canvas.image, args.runs))
    image = canvas.image()
    report("to_mnist", measure(lambda: to_mnist(image), args.runs))
    report("predict_proba (one image)", measure(lambda: net.predict_proba(x[None]), args.runs))
    median = report("total: read + to_mnist + predict",
                    measure(lambda: net.predict_proba(to_mnist(canvas.image())[None]),
                            args.runs))

    # the whole panel update, showing the result (label, bars, preview) included
    from playground.state.session import Session
    from playground.ui.draw.panel import DrawPanel

    session = Session(data=_NoData(), preset_name=args.preset)
    panel = DrawPanel(session)
    panel.resize(360, 760)
    draw_seven(panel.canvas)

    def panel_update():
        panel._input_version = -1  # as if the drawing had changed: to_mnist runs again
        panel.predict_now()

    report("DrawPanel.predict_now (shows the result too)", measure(panel_update, args.runs))
    ok = median < TARGET_MS
    print(f"{'OK' if ok else 'TOO SLOW'}: target < {TARGET_MS} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
