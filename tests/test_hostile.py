"""Crafted hostile inputs: files that are not files (FIFOs, devices, symlinks), files that
would make the app allocate far too much (zip and gzip bombs, sparse files, huge
networks, huge images), values out of every range, odd names and broken streams.

Each one must give one plain message (the CLI: one line on stderr, exit 2), never a
hang, a traceback, or a file replaced that was not the app's to replace. Whatever
could hang or exhaust memory runs in a subprocess with a timeout and a memory limit.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import shutil
import stat
import struct
import subprocess
import sys
import time
import tracemalloc
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from playground import cli, nn, safeio
from playground.data import DataError, bundled_mnist_dir, load_mnist
from playground.nn.spec import MAX_INPUT_SIZE, check_spec, read_spec_file

ROOT = Path(__file__).resolve().parent.parent
TINY = {"input": [2, 2], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10}]}
MEMORY_LIMIT = 3 << 30  # a child that tries to read a bomb whole fails instead of the machine


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_cli(*args, timeout=60, cwd=None):
    """The CLI in a child process that cannot hang the suite or exhaust the machine."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=cwd or ROOT,
                          timeout=timeout, preexec_fn=_limit_memory)


def one_line(stderr: str, *words) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def refused(result, *words) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    return one_line(result.stderr, *words)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    """An (untrained) seed network saved as a model file the CLI accepts."""
    path = tmp_path_factory.mktemp("model") / "seed.npz"
    p = nn.preset("seed")
    nn.save_model(path, nn.Model.create(p["spec"], p["hyper"]))
    return path


@pytest.fixture
def digit_png(tmp_path):
    from PySide6.QtGui import QImage

    big = np.ascontiguousarray(np.kron(load_mnist().test_images[0],
                                       np.ones((4, 4), dtype=np.uint8)))
    h, w = big.shape
    path = tmp_path / "digit.png"
    assert QImage(big.data, w, h, w, QImage.Format.Format_Grayscale8).copy().save(str(path))
    return path


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def char_device(path: Path) -> Path:
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # like /dev/null
    except (PermissionError, OSError) as e:
        pytest.skip(f"cannot make a device node here ({e})")
    return path


def peak_python_bytes(call):
    """The peak of Python and NumPy allocations while ``call()`` runs (not time)."""
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


# ------------------------------------------------------------ 1. saving over what is not ours

@pytest.mark.parametrize("make", [fifo, char_device], ids=["fifo", "device"])
def test_save_never_replaces_a_fifo_or_device(tmp_path, make):
    target = make(tmp_path / "m.npz")
    with pytest.raises(nn.ModelFileError) as info:
        nn.save_model(target, nn.Model.create(TINY))
    assert "not a regular file" in str(info.value) and str(target) in str(info.value)
    mode = os.lstat(target).st_mode
    assert stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)
    assert os.listdir(tmp_path) == ["m.npz"]  # no temporary left behind


def test_save_writes_through_a_symlink_to_its_target(tmp_path):
    real = tmp_path / "real.npz"
    nn.save_model(real, nn.Model.create(TINY, {"seed": 1}))
    link = tmp_path / "link.npz"
    link.symlink_to(real)
    newer = nn.Model.create(TINY, {"seed": 2})
    nn.save_model(link, newer)
    assert link.is_symlink() and os.readlink(link) == str(real)
    loaded = nn.load_model(real)
    for a, b in zip(loaded.network.get_weights(), newer.network.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_symlink_to_a_device_is_refused(tmp_path):
    link = tmp_path / "m.npz"
    link.symlink_to("/dev/null")
    with pytest.raises(nn.ModelFileError, match="not a regular file"):
        nn.save_model(link, nn.Model.create(TINY))
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_dangling_symlink_is_saved_through_and_a_loop_refused(tmp_path):
    link = tmp_path / "link.npz"
    link.symlink_to(tmp_path / "new.npz")
    nn.save_model(link, nn.Model.create(TINY))
    assert link.is_symlink() and nn.load_model(tmp_path / "new.npz").network.spec == TINY
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(nn.ModelFileError, match="symbolic links"):
        nn.save_model(a, nn.Model.create(TINY))
    assert a.is_symlink() and b.is_symlink()


def test_cli_refuses_a_fifo_save_target_before_training(tmp_path):
    target = fifo(tmp_path / "m.npz")
    result = run_cli("train", "--epochs", "1000", "--save", target)  # hours if it trained
    refused(result, str(target), "not a regular file")
    assert stat.S_ISFIFO(os.lstat(target).st_mode)


def test_the_window_says_why_it_cannot_save_over_a_fifo(qtbot, tmp_path, monkeypatch):
    from playground.ui.window.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    shown = []
    monkeypatch.setattr(window, "error", lambda title, text: shown.append(text))
    target = fifo(tmp_path / "m.npz")
    assert window.save_model_as(str(target)) is False
    assert shown and "not a regular file" in shown[0]
    assert stat.S_ISFIFO(os.lstat(target).st_mode)


# ------------------------------------------------------------ 2. sizes checked before reading

def test_arch_from_dev_zero_is_refused():
    result = run_cli("train", "--arch", "/dev/zero", timeout=60)
    refused(result, "/dev/zero", "not a regular file")


def test_architecture_file_too_large(tmp_path):
    big = tmp_path / "big.json"
    big.write_text(" " * 1_000_001 + "{}")
    with pytest.raises(ValueError, match="too large"):
        read_spec_file(big)


def _mnist_copy(folder: Path) -> Path:
    folder.mkdir()
    for f in bundled_mnist_dir().iterdir():
        if f.name.endswith(".gz"):
            (folder / f.name).symlink_to(f)
    return folder


def _gzip_bomb(path: Path, header: bytes, inflated: int) -> None:
    """``header`` then ``inflated`` zero bytes, gzip-compressed (a tiny file)."""
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(header)
        chunk = bytes(1 << 20)
        for _ in range(inflated >> 20):
            f.write(chunk)


def test_a_gzip_bomb_is_not_inflated_in_full(tmp_path):
    from playground.data import mnist

    folder = _mnist_copy(tmp_path / "data")
    bomb = folder / "t10k-labels-idx1-ubyte.gz"
    bomb.unlink()
    _gzip_bomb(bomb, struct.pack(">HBBI", 0, 8, 1, 10_000), 300 << 20)
    assert bomb.stat().st_size < 2 << 20
    # the header declares 10,000 labels: reading stops there, not 300 MB later
    peak = peak_python_bytes(lambda: mnist._read_bytes(bomb))
    assert peak < 4 << 20
    for verify in (True, False):
        with pytest.raises(DataError) as info:
            load_mnist(folder, verify=verify)
        assert str(bomb) in str(info.value)


def test_a_gzip_header_declaring_a_huge_file_is_refused_unread(tmp_path):
    folder = _mnist_copy(tmp_path / "data")
    bomb = folder / "train-images-idx3-ubyte.gz"
    bomb.unlink()
    _gzip_bomb(bomb, struct.pack(">HBBIII", 0, 8, 3, 4_000_000, 28, 28), 1 << 20)
    with pytest.raises(DataError, match="too large"):
        load_mnist(folder, verify=False)


def test_a_sparse_8_gb_data_file_is_not_read(tmp_path):
    folder = _mnist_copy(tmp_path / "data")
    (folder / "train-images-idx3-ubyte.gz").unlink()
    sparse = folder / "train-images-idx3-ubyte"
    with open(sparse, "wb") as f:
        f.truncate(8 << 30)
    result = run_cli("train", "--data", folder, timeout=60)
    refused(result, str(sparse), "too large")


def _zip_model(path: Path, meta: dict, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta.npy", _npy(np.frombuffer(json.dumps(meta).encode(), np.uint8)))
        for name, data in members.items():
            z.writestr(name, data)


def _npy(array: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def _meta(spec, **changes) -> dict:
    model = nn.Model.create(TINY)
    meta = {"format": "nn-playground-model", "version": 1, "spec": spec,
            "hyper": model.hyper, "history": [], "samples_seen": 0}
    meta.update(changes)
    return meta


def test_a_small_file_naming_a_huge_network_is_refused_without_building_it(tmp_path):
    spec = {"input": [28, 28], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 62000},
                                          {"type": "Sigmoid"}, {"type": "Dense", "units": 10}]}
    assert check_spec(spec).ok
    path = tmp_path / "huge.npz"
    _zip_model(path, _meta(spec), {})
    assert path.stat().st_size < 2000
    peak = peak_python_bytes(lambda: pytest.raises(nn.ModelFileError, nn.load_model, path))
    assert peak < 16 << 20  # building the network would take 600 MB
    with pytest.raises(nn.ModelFileError, match="expected 4 arrays, found 0"):
        nn.load_model(path)


def test_a_member_inflating_far_beyond_its_shape_is_refused_unread(tmp_path):
    weights = nn.Model.create(TINY).network.get_weights()
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta.npy", _npy(np.frombuffer(json.dumps(_meta(TINY)).encode(), np.uint8)))
        header = _npy(weights[0])  # the right header, then 200 MB more than it declares
        with z.open("p0.npy", "w", force_zip64=True) as member:
            member.write(header)
            for _ in range(200):
                member.write(bytes(1 << 20))
        z.writestr("p1.npy", _npy(weights[1]))
    assert path.stat().st_size < 1 << 20
    peak = peak_python_bytes(lambda: pytest.raises(nn.ModelFileError, nn.load_model, path))
    assert peak < 16 << 20
    with pytest.raises(nn.ModelFileError, match="p0"):
        nn.load_model(path)


def test_a_huge_image_is_read_scaled_down(tmp_path):
    from PySide6.QtGui import QColor, QImage

    from playground.ui.images import PREDICT_SIDE, read_image

    image = QImage(5000, 3000, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    path = tmp_path / "poster.png"
    assert image.save(str(path))
    del image
    gray = read_image(path)
    assert max(gray.shape) <= PREDICT_SIDE and gray.shape[1] > gray.shape[0]


def _png_header_only(path: Path, width: int, height: int) -> Path:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b""))
    return path


def test_an_image_declaring_billions_of_pixels_is_refused_before_decoding(tmp_path):
    from playground.ui.images import read_image

    path = _png_header_only(tmp_path / "vast.png", 60_000, 60_000)
    with pytest.raises(ValueError, match="too large"):
        read_image(path)


# ------------------------------------------------------------ 3. FIFOs never block

def test_train_with_a_fifo_architecture_does_not_hang(tmp_path):
    spec = fifo(tmp_path / "f.json")
    refused(run_cli("train", "--arch", spec, timeout=60), str(spec), "not a regular file")


def test_predict_with_a_fifo_image_does_not_hang(tmp_path, model_path):
    image = fifo(tmp_path / "f.png")
    refused(run_cli("predict", model_path, image, timeout=60), str(image),
            "not a regular file")


def test_evaluate_a_fifo_model_and_fifo_data(tmp_path, model_path):
    model = fifo(tmp_path / "m.npz")
    refused(run_cli("evaluate", model, timeout=60), str(model), "not a regular file")
    folder = _mnist_copy(tmp_path / "data")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    fifo(folder / "t10k-labels-idx1-ubyte.gz")
    refused(run_cli("evaluate", model_path, "--data", folder, timeout=60),
            "not a regular file")


GUI_FIFO_SCRIPT = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication, QMessageBox
app = QApplication([])
from playground.ui.window.main_window import MainWindow
shown = []
QMessageBox.critical = QMessageBox.warning = lambda *a, **k: shown.append(a[2])
window = MainWindow()
window.error = lambda title, text: shown.append(text)
folder = sys.argv[1]
ok = window.import_architecture(os.path.join(folder, "f.json"))
print("import", ok, shown[-1] if shown else "")
panels = [w for w in window.findChildren(object) if hasattr(w, "load_image_file")]
print("image", panels[0].load_image_file(os.path.join(folder, "f.png")))
print("model", window.open_model(os.path.join(folder, "f.npz")), shown[-1])
"""


def test_the_window_does_not_freeze_on_fifos(tmp_path):
    """Import architecture, Open/drop image and Open model on a FIFO give a message,
    not a freeze."""
    fifo(tmp_path / "f.json")
    fifo(tmp_path / "f.png")
    fifo(tmp_path / "f.npz")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", GUI_FIFO_SCRIPT, str(tmp_path)],
                            capture_output=True, text=True, env=env, timeout=120,
                            preexec_fn=_limit_memory)
    assert result.returncode == 0, result.stderr
    assert "import False" in result.stdout and "not a regular file" in result.stdout
    assert "image False" in result.stdout
    assert "model False" in result.stdout and "f.npz: not a regular file" in result.stdout


# ------------------------------------------------------------ 4. no tracebacks

def _deny(monkeypatch, target: Path):
    """Opening ``target`` fails as it would for a user without permission (the tests may
    run as root, who may read anything)."""
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        if os.fspath(path) == str(target):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)


def test_permission_denied_on_a_model_says_so(tmp_path, model_path, monkeypatch, capsys):
    _deny(monkeypatch, model_path)
    assert cli.main(["evaluate", str(model_path)]) == 2
    line = one_line(capsys.readouterr().err, str(model_path), "permission denied")
    assert "not a model file" not in line


def test_permission_denied_on_an_image_says_so(tmp_path, model_path, digit_png, monkeypatch,
                                               capsys):
    _deny(monkeypatch, digit_png)
    assert cli.main(["predict", str(model_path), str(digit_png)]) == 2
    line = one_line(capsys.readouterr().err, str(digit_png), "permission denied")
    assert "not found" not in line


def test_permission_denied_on_data_and_arch(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    for f in bundled_mnist_dir().iterdir():
        if f.name.endswith(".gz"):
            shutil.copy(f, folder / f.name)
    spec = tmp_path / "a.json"
    spec.write_text(json.dumps(nn.preset("seed")["spec"]))
    _deny(monkeypatch, folder / "train-images-idx3-ubyte.gz")
    assert cli.main(["train", "--data", str(folder), "--limit", "10"]) == 2
    one_line(capsys.readouterr().err, "train-images-idx3-ubyte.gz", "permission denied")
    _deny(monkeypatch, spec)
    assert cli.main(["train", "--arch", str(spec)]) == 2
    one_line(capsys.readouterr().err, str(spec), "permission denied")


def test_permission_denied_on_the_save_folder(tmp_path, monkeypatch, capsys):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    assert cli.main(["train", "--epochs", "1000", "--save", str(tmp_path / "m.npz")]) == 2
    one_line(capsys.readouterr().err, "cannot save there", "permission denied")


LONG = "n" * 300


@pytest.mark.parametrize("args", [
    ["train", "--arch", f"{LONG}.json"],
    ["train", "--data", LONG],
    ["train", "--epochs", "1000", "--save", f"{LONG}.npz"],
    ["evaluate", f"{LONG}.npz"],
], ids=["arch", "data", "save", "model"])
def test_names_over_255_bytes(args, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(args) == 2
    one_line(capsys.readouterr().err, "file name too long")


def test_an_image_name_over_255_bytes(model_path, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["predict", str(model_path), f"{LONG}.png"]) == 2
    one_line(capsys.readouterr().err, "file name too long")


def test_a_long_but_legal_save_name_saves(tmp_path):
    """A 250-byte name is legal, though our temporary's name would not be if it held it."""
    path = tmp_path / ("m" * 246 + ".npz")
    nn.save_model(path, nn.Model.create(TINY))
    assert nn.load_model(path).network.spec == TINY
    assert os.listdir(tmp_path) == [path.name]


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  '{"layers": ' + "[" * 50 + "]" * 50 + "}"],
                         ids=["recursion", "deep"])
def test_deeply_nested_architecture(tmp_path, capsys, text):
    spec = tmp_path / "deep.json"
    spec.write_text(text)
    assert cli.main(["train", "--arch", str(spec)]) == 2
    one_line(capsys.readouterr().err, str(spec), "nested too deeply")


def test_the_window_reports_a_deeply_nested_architecture(qtbot, tmp_path, monkeypatch):
    from playground.ui.window.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    shown = []
    monkeypatch.setattr(window, "error", lambda title, text: shown.append(text))
    spec = tmp_path / "deep.json"
    spec.write_text("[" * 100_000 + "]" * 100_000)
    assert window.import_architecture(str(spec)) is False
    assert shown and "nested too deeply" in shown[0]


def test_a_reader_that_goes_away_is_not_an_error(model_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    python = f"'{sys.executable}' main.py"
    for command, lines in ((f"{python} evaluate '{model_path}' | head -1", 1),
                           (f"{python} --help | head -1", 1),
                           # the reader is gone before anything is written: always EPIPE
                           (f"{python} evaluate '{model_path}' | true", 0),
                           (f"{python} --version | true", 0)):
        result = subprocess.run(["sh", "-c", command], capture_output=True, text=True,
                                env=env, cwd=ROOT, timeout=120)
        assert len(result.stdout.splitlines()) == lines, result.stdout
        assert "Traceback" not in result.stderr, result.stderr
        assert "BrokenPipe" not in result.stderr and "Exception ignored" not in result.stderr


def test_ctrl_c_while_starting_up_prints_no_traceback():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    for delay in (0.3, 0.6, 1.0):
        with subprocess.Popen([sys.executable, str(ROOT / "main.py"), "train", "--limit",
                               "100"], stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, env=env, cwd=ROOT) as proc:
            time.sleep(delay)  # a moment into start-up (not a timing assertion)
            proc.send_signal(2)
            _, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, err


def test_train_with_stderr_closed(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    command = f"'{sys.executable}' main.py train --limit 500 --json 2>&-"
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0
    assert json.loads(result.stdout)["status"] == "finished"  # stdout holds only the JSON


def test_an_os_error_nowhere_foreseen_is_still_one_line(monkeypatch, capsys):
    def broken(args):
        raise OSError(5, "Input/output error", "/somewhere/file")

    monkeypatch.setitem(cli.COMMANDS, "evaluate", broken)
    assert cli.main(["evaluate", "x.npz"]) == 2
    one_line(capsys.readouterr().err, "/somewhere/file", "input/output error")


# ------------------------------------------------------------ 5. every field in range at load

def _tiny_file(tmp_path, **changes) -> Path:
    model = nn.Model.create(TINY)
    path = tmp_path / "m.npz"
    record = {"epoch": 1, "seconds": 0.5, "loss": 0.3, "accuracy": 0.9, "val_accuracy": 0.91,
              "test_accuracy": None, "lr": 3.0}
    history = changes.pop("history", [record])
    if callable(history):
        history = [history(dict(record))]
    meta = {"format": "nn-playground-model", "version": 1, "spec": TINY,
            "hyper": model.hyper, "history": history, "samples_seen": 10, **changes}
    np.savez(path, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
             **{f"p{i}": w for i, w in enumerate(model.network.get_weights())})
    return path


@pytest.mark.parametrize("name, history", [
    ("epoch null", lambda r: {**r, "epoch": None}),
    ("epoch text", lambda r: {**r, "epoch": "1"}),
    ("epoch fraction", lambda r: {**r, "epoch": 1.5}),
    ("epoch zero", lambda r: {**r, "epoch": 0}),
    ("epoch huge", lambda r: {**r, "epoch": 10**400}),
    ("loss 1e308", lambda r: {**r, "loss": 1e308}),
    ("loss negative", lambda r: {**r, "loss": -1.0}),
    ("seconds 1e308", lambda r: {**r, "seconds": 1e308}),
    ("seconds null", lambda r: {**r, "seconds": None}),
    ("accuracy 1.5", lambda r: {**r, "accuracy": 1.5}),
    ("val accuracy negative", lambda r: {**r, "val_accuracy": -0.1}),
    ("test accuracy 1e308", lambda r: {**r, "test_accuracy": 1e308}),
    ("lr zero", lambda r: {**r, "lr": 0}),
    ("lr 1e308", lambda r: {**r, "lr": 1e308}),
    ("other field huge int", lambda r: {**r, "extra": 10**400}),
])
def test_history_fields_out_of_range(tmp_path, name, history):
    path = _tiny_file(tmp_path, history=history)
    with pytest.raises(nn.ModelFileError, match="history"):
        nn.load_model(path)


@pytest.mark.parametrize("seen", [10**400, 10**16, -1], ids=["10**400", "10**16", "-1"])
def test_samples_seen_out_of_range(tmp_path, seen):
    with pytest.raises(nn.ModelFileError, match="samples_seen"):
        nn.load_model(_tiny_file(tmp_path, samples_seen=seen))


def test_hyper_lr_out_of_range(tmp_path):
    model = nn.Model.create(TINY)
    for lr in (1e308, 10**400):
        path = _tiny_file(tmp_path, hyper={**model.hyper, "lr": lr})
        with pytest.raises(nn.ModelFileError, match="learning rate"):
            nn.load_model(path)


@pytest.mark.parametrize("value", [3e38, 1e20, -1e18])
def test_weights_that_could_overflow_the_outputs_are_refused(tmp_path, value):
    weights = nn.Model.create(TINY).network.get_weights()
    weights[0][:] = value
    path = tmp_path / "m.npz"
    meta = _meta(TINY)
    np.savez(path, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
             **{f"p{i}": w for i, w in enumerate(weights)})
    with pytest.raises(nn.ModelFileError, match="overflow"):
        nn.load_model(path)


@pytest.mark.parametrize("squash", [True, False])
def test_a_bounded_activation_caps_what_follows(tmp_path, squash):
    """A sigmoid caps its outputs at 1: the same weights load after one, not without."""
    layers = [{"type": "Flatten"}, {"type": "Dense", "units": 3},
              {"type": "Sigmoid"}, {"type": "Dense", "units": 10}]
    spec = {"input": [2, 2], "layers": layers if squash else layers[:2] + layers[3:]}
    model = nn.Model.create(spec)
    weights = model.network.get_weights()
    weights[0][:] = 1e14  # each first-layer unit can reach 4e14
    weights[2][:] = 10.0
    model.network.set_weights(weights)
    path = tmp_path / "m.npz"
    nn.save_model(path, model)
    if squash:
        assert np.isfinite(nn.load_model(path).network.forward(np.ones((1, 2, 2)))).all()
    else:
        with pytest.raises(nn.ModelFileError, match="overflow"):
            nn.load_model(path)


def test_json_output_never_holds_nan():
    text = cli._json({"loss": float("nan"), "p": [np.float32("inf"), 0.5], "n": np.int64(3)})
    assert json.loads(text) == {"loss": None, "p": [None, 0.5], "n": 3}


@pytest.mark.parametrize("loss", [float("nan"), float("inf"), 1e35])
def test_a_saved_history_that_blew_up_still_loads(tmp_path, loss):
    """What the loader would refuse is never written: a file saved always opens."""
    model = nn.Model.create(TINY)
    model.history = [nn.EpochRecord(epoch=1, seconds=1.0, loss=loss, accuracy=0.1,
                                    val_accuracy=None, test_accuracy=None, lr=3.0)]
    path = tmp_path / "m.npz"
    nn.save_model(path, model)
    assert nn.load_model(path).history[0].loss is None


# ------------------------------------------------------------ 6. precise messages

def test_a_5000_digit_integer_in_the_architecture(tmp_path, capsys):
    spec = tmp_path / "big.json"
    spec.write_text('{"input": [28, 28], "layers": [{"type": "Dense", "units": '
                    + "9" * 5000 + "}]}")
    assert cli.main(["train", "--arch", str(spec)]) == 2
    line = one_line(capsys.readouterr().err, str(spec), "too long")
    assert "sys.set_int_max_str_digits" not in line


def test_a_data_symlink_to_dev_zero_is_not_a_regular_file(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    from playground.data.mnist import MNIST_FILES

    for name in MNIST_FILES:
        (folder / f"{name}.gz").symlink_to("/dev/zero")
    refused(run_cli("train", "--data", folder, timeout=60), "not a regular file")


def test_a_flattened_input_too_large_is_refused_without_warnings(tmp_path, capsys):
    spec = {"input": [65536] * 4, "layers": [{"type": "Flatten"},
                                            {"type": "Dense", "units": 10}]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = check_spec(spec)
    assert not report.ok and f"{MAX_INPUT_SIZE:,}" in str(report.errors[0])
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(spec))
    result = run_cli("train", "--arch", path)
    refused(result, str(path), "at most")


# ------------------------------------------------------------ 7. a save that fails at the end

def test_a_disk_too_full_is_found_before_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(safeio, "free_bytes", lambda folder: 1000)
    assert cli.main(["train", "--epochs", "1000", "--save", str(tmp_path / "m.npz")]) == 2
    one_line(capsys.readouterr().err, "cannot save there", "1,000 bytes free")


def test_a_failed_final_save_goes_to_a_fallback(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    target = tmp_path / "m.npz"
    real_save = nn.save_model

    def full_disk(path, model):
        if Path(path) == target:
            raise nn.ModelFileError(f"{path}: could not save the model (no space left)")
        real_save(path, model)

    monkeypatch.setattr(nn, "save_model", full_disk)
    assert cli.main(["train", "--limit", "100", "--save", str(target)]) == 2
    err = capsys.readouterr().err
    line = [x for x in err.splitlines() if "error" in x]
    assert len(line) == 1 and "no space left" in line[0]
    fallback = home / "m.recovered.npz"
    assert str(fallback) in line[0]
    assert nn.load_model(fallback).samples_seen == 100
    assert not target.exists()


# ------------------------------------------------------------ 8. stale temporaries

def test_stale_temporaries_of_our_naming_are_removed_on_the_next_save(tmp_path):
    path = tmp_path / "m.npz"
    old = time.time() - 3600
    stale = tmp_path / ".m.npz.k9x2ab.tmp"
    fresh = tmp_path / ".m.npz.busy12.tmp"  # another save may be writing it right now
    other = tmp_path / ".other.npz.abcdef.tmp"
    folder = tmp_path / ".m.npz.folder.tmp"
    link = tmp_path / ".m.npz.link12.tmp"
    for f in (stale, fresh, other):
        f.write_bytes(b"PK half a model")
    folder.mkdir()
    keep = tmp_path / "keep.txt"
    keep.write_text("mine")
    link.symlink_to(keep)
    for f in (stale, other, folder):
        os.utime(f, (old, old))
    os.utime(link, (old, old), follow_symlinks=False)
    nn.save_model(path, nn.Model.create(TINY))
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["m.npz", fresh.name, other.name, folder.name, link.name, "keep.txt"])
    assert keep.read_text() == "mine"


# ------------------------------------------------------------ 9. minor

def test_an_svg_is_refused_and_its_references_never_read(tmp_path, model_path, capsys):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not read")
    svg = tmp_path / "digit.svg"
    svg.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink='
                   f'"http://www.w3.org/1999/xlink" width="28" height="28">'
                   f'<image xlink:href="file://{secret}" width="28" height="28"/></svg>')
    assert cli.main(["predict", str(model_path), str(svg)]) == 2
    one_line(capsys.readouterr().err, str(svg), "SVG images are not read", "raster")


def test_a_save_name_ending_with_a_slash_is_a_folder(tmp_path, capsys):
    target = f"{tmp_path / 'out.npz'}/"
    assert cli.main(["train", "--epochs", "1000", "--save", target]) == 2
    one_line(capsys.readouterr().err, "names a folder")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("args", [["--lr", "1_000"], ["--epochs", "1_0"], ["--seed", "1_0"],
                                  ["--batch-size", "1_0"], ["--lr", "1e999"]])
def test_python_only_number_spellings_are_refused(args, capsys):
    assert cli.main(["train", *args]) == 2
    one_line(capsys.readouterr().err)


# ------------------------------------------------------------ 10. (issue 9) CLI conveniences

def test_save_adds_the_model_extension(tmp_path, capsys):
    assert cli.main(["train", "--limit", "100", "--save", str(tmp_path / "mine")]) == 0
    assert os.listdir(tmp_path) == ["mine.npz"]
    assert f"saved {tmp_path / 'mine.npz'}" in capsys.readouterr().err


def test_a_decimal_comma_is_accepted_as_in_the_window(tmp_path, capsys):
    from playground.cli_args import parse_decimal

    assert parse_decimal("0,01") == 0.01
    assert cli.main(["train", "--limit", "100", "--lr", "0,5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "finished"


def test_version_and_help(capsys):
    assert cli.main(["--version"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("nn-playground ") and out.split()[-1][0].isdigit()
    assert cli.main(["--help"]) == 0
    assert "opens the window" in capsys.readouterr().out


def test_predict_keeps_going_past_a_bad_file(model_path, digit_png, tmp_path, capsys):
    missing = tmp_path / "missing.png"
    assert cli.main(["predict", str(model_path), str(missing), str(digit_png),
                     "--json"]) == 2
    captured = capsys.readouterr()
    one_line(captured.err, str(missing))
    rows = json.loads(captured.out)
    assert [r["file"] for r in rows] == [str(digit_png)]


def test_a_network_too_large_to_train_is_refused_before_building(tmp_path, capsys):
    spec = tmp_path / "wide.json"
    spec.write_text(json.dumps({"input": [28, 28], "layers": [
        {"type": "Flatten"}, {"type": "Dense", "units": 60000}, {"type": "Sigmoid"},
        {"type": "Dense", "units": 10}, {"type": "Sigmoid"}]}))
    args = ["train", "--arch", str(spec), "--batch-size", "5000", "--optimizer", "adam"]
    peak = peak_python_bytes(lambda: cli.main(args))
    one_line(capsys.readouterr().err, "would need about", "GB")
    assert peak < 100 << 20  # the network alone would take 190 MB, training 6 GB


def test_an_archive_of_countless_entries_is_refused_before_listing_them(tmp_path):
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(20_000):
            z.writestr(f"x{i}", b"")
    peak = peak_python_bytes(lambda: pytest.raises(nn.ModelFileError, nn.load_model, path))
    assert peak < 1 << 20  # zipfile would make 20,000 entry objects
    with pytest.raises(nn.ModelFileError, match="20,000 entries"):
        nn.load_model(path)


def test_a_pickle_inside_is_never_unpickled(tmp_path):
    import pickle

    class Boom:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    path = tmp_path / "m.npz"
    weights = nn.Model.create(TINY).network.get_weights()
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("meta.npy", _npy(np.frombuffer(json.dumps(_meta(TINY)).encode(), np.uint8)))
        z.writestr("p0.npy", _npy(np.array([Boom()], dtype=object)))
        z.writestr("p1.npy", _npy(weights[1]))
        z.writestr("p2.pkl", pickle.dumps(Boom()))
    with pytest.raises(nn.ModelFileError):
        nn.load_model(path)
    assert not (tmp_path / "pwned").exists()


def test_export_architecture_never_writes_into_a_fifo(qtbot, tmp_path, monkeypatch):
    """Writing into a FIFO blocks until someone reads it: the window would freeze."""
    from playground.ui.window.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    shown = []
    monkeypatch.setattr(window, "error", lambda title, text: shown.append(text))
    target = fifo(tmp_path / "arch.json")
    assert window.export_architecture(str(target)) is False
    assert shown and "not a regular file" in shown[0]
    assert stat.S_ISFIFO(os.lstat(target).st_mode)


def test_a_device_is_refused_without_being_opened(monkeypatch, tmp_path):
    """Opening some devices has effects (a watchdog starts, a tape rewinds)."""
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a, **k: opened.append(p) or real_open(p, *a, **k))
    link = tmp_path / "m.npz"
    link.symlink_to("/dev/zero")
    for path in ("/dev/zero", link):
        with pytest.raises(safeio.FileProblem, match="not a regular file"):
            safeio.read_bounded(path, 100)
    assert opened == []


def _strict_json(text):
    def refuse(name):
        raise AssertionError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


def test_a_run_that_blows_up_still_prints_strict_json(tmp_path):
    spec = tmp_path / "relu.json"
    spec.write_text(json.dumps({"input": [28, 28], "layers": [
        {"type": "Flatten"}, {"type": "Dense", "units": 32}, {"type": "ReLU"},
        {"type": "Dense", "units": 10}, {"type": "ReLU"}]}))
    result = run_cli("train", "--arch", spec, "--lr", "1000", "--limit", "2000", "--json",
                     timeout=120)
    assert result.returncode == 1, result.stderr
    out = _strict_json(result.stdout)
    assert out["status"] == "diverged"


def test_a_read_only_model_file_is_not_replaced(tmp_path, monkeypatch, capsys):
    """A file its owner made read-only stays as it is (root may write anyway: simulated)."""
    path = tmp_path / "m.npz"
    nn.save_model(path, nn.Model.create(TINY, {"seed": 1}))
    before = path.read_bytes()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if Path(p) == path
                        else real_access(p, mode, **k))
    with pytest.raises(nn.ModelFileError, match="read-only"):
        nn.save_model(path, nn.Model.create(TINY, {"seed": 2}))
    assert path.read_bytes() == before
    assert cli.main(["train", "--epochs", "1000", "--save", str(path)]) == 2
    one_line(capsys.readouterr().err, "read-only")
