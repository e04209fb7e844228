"""--save names a file to write: something that is not a regular file is refused as named,
never saved beside it under another name (``/dev/null`` must not become ``/dev/null.npz``)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_fifo_named_without_the_extension_is_refused_not_saved_beside(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--limit", "100",
                             "--save", str(pipe)], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"nn-playground: error: {pipe}: not a regular file (a "
                                     f"FIFO), not a model file; name a file such as model.npz")
    assert not (tmp_path / "pipe.npz").exists()
