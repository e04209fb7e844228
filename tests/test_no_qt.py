"""The engine and the data layer never import Qt: the CLI and tests run headless."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QT_PREFIXES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "PySide2")

SCRIPT = """
import json, sys
import playground.nn
import playground.data
from playground.data import load_mnist, to_mnist
import numpy as np
to_mnist(np.zeros((40, 40)))  # lazily imported helpers count too
net = playground.nn.Network(playground.nn.preset("seed")["spec"])
net.predict(np.zeros((1, 28, 28), dtype=np.uint8))
print(json.dumps(sorted(sys.modules)))
"""


def loaded_modules(script: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("QT_QPA_PLATFORM", None)
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_engine_and_data_load_no_qt():
    modules = loaded_modules(SCRIPT)
    assert "playground.nn" in modules and "playground.data" in modules
    qt = [m for m in modules if m.split(".")[0] in QT_PREFIXES]
    assert qt == []


def test_the_check_can_see_qt():
    """The same check does notice Qt when it is imported (it is installed)."""
    modules = loaded_modules(
        "import json, sys, PySide6.QtCore; print(json.dumps(sorted(sys.modules)))")
    assert any(m.startswith("PySide6") for m in modules)
