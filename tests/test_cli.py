"""The command line, end to end through subprocesses, and every kind of bad input."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground import cli, nn
from playground.data import load_mnist

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=cwd or ROOT,
                          timeout=120)


@pytest.fixture(scope="module")
def trained_model(tmp_path_factory):
    """A seed network trained one epoch on 20,000 images, saved by the CLI itself."""
    path = tmp_path_factory.mktemp("model") / "seed.npz"
    result = run("train", "--limit", "20000", "--save", path, "--json")
    assert result.returncode == 0, result.stderr
    return path, json.loads(result.stdout)


def digit_png(tmp_path, index, invert=False, scale=5):
    """An MNIST test digit written as a larger PNG (dark-on-light when ``invert``)."""
    from PySide6.QtGui import QImage

    digit = load_mnist().test_images[index]
    big = np.kron(digit, np.ones((scale, scale), dtype=np.uint8))
    if invert:
        big = 255 - big
    big = np.ascontiguousarray(big)
    h, w = big.shape
    image = QImage(big.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    path = tmp_path / f"digit{index}{'_inv' if invert else ''}.png"
    assert image.save(str(path))
    return path


def test_train_json_output(trained_model):
    path, out = trained_model
    assert path.exists()
    assert out["status"] == "finished"
    assert out["test_accuracy"] > 0.90
    (epoch,) = out["epochs"]
    assert epoch["epoch"] == 1
    assert epoch["seconds"] > 0
    assert 0 < epoch["loss"] < 1
    assert 0.8 < epoch["val_accuracy"] <= 1
    assert out["samples_per_second"] > 1000


def test_train_progress_goes_to_stderr_and_result_to_stdout(tmp_path):
    result = run("train", "--limit", "1000", "--epochs", "2", "--batch-size", "20")
    assert result.returncode == 0, result.stderr
    assert "epoch 1:" in result.stderr and "epoch 2:" in result.stderr
    assert result.stdout.startswith("test accuracy ")


def test_evaluate_prints_accuracy_and_confusion(trained_model):
    path, out = trained_model
    result = run("evaluate", path, "--json")
    assert result.returncode == 0, result.stderr
    ev = json.loads(result.stdout)
    confusion = np.array(ev["confusion"])
    assert confusion.shape == (10, 10)
    assert confusion.sum() == 10_000
    assert ev["test_accuracy"] == pytest.approx(np.trace(confusion) / 10_000)
    assert ev["test_accuracy"] == pytest.approx(out["test_accuracy"])
    text = run("evaluate", path)
    assert "confusion matrix" in text.stdout and "test accuracy" in text.stdout


def test_predict_reads_images_of_either_polarity(trained_model, tmp_path):
    path, _ = trained_model
    mnist = load_mnist()
    files = [digit_png(tmp_path, 0), digit_png(tmp_path, 1, invert=True),
             digit_png(tmp_path, 2, scale=9)]
    result = run("predict", path, *files, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["file"] for r in rows] == [str(f) for f in files]
    for row, label in zip(rows, mnist.test_labels[:3], strict=True):
        assert len(row["probabilities"]) == 10
        assert row["digit"] == int(np.argmax(row["probabilities"]))
        assert row["digit"] == label


@pytest.mark.parametrize("args, words", [
    (["train", "--lr", "0"], "learning rate"),
    (["train", "--lr", "nan"], "learning rate"),
    (["train", "--lr", "-1"], "learning rate"),
    (["train", "--lr", "abc"], "learning rate"),
    (["train", "--batch-size", "0"], "batch size"),
    (["train", "--epochs", "0"], "epochs"),
    (["train", "--epochs", "two"], "epochs"),
    (["train", "--preset", "huge"], "huge"),
    (["train", "--optimizer", "rmsprop"], "rmsprop"),
    (["train", "--arch", "missing.json"], "missing.json"),
    (["train", "--data", "/nonexistent-folder"], "no such folder"),
    (["train", "--data", str(ROOT / "README.md")], "is a file, not a folder"),
    (["train", "--batch-size", "99999", "--limit", "100"], "batch size"),
    (["evaluate", "missing.npz"], "missing.npz"),
    (["predict", "missing.npz", "x.png"], "missing.npz"),
    (["frobnicate"], "frobnicate"),
    ([], "required"),
])
def test_bad_input_is_one_line_and_status_2(args, words, capsys):
    assert cli.main(args) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert words in lines[0]
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("content, words", [
    ("{not json", "not valid JSON"),
    (json.dumps({"input": [28, 28], "layers": [{"type": "Dense", "units": 10}]}),
     "add Flatten before layer 1"),
    (json.dumps({"input": [28, 28], "layers": [{"type": "Flatten"}, {"type": "Conv"}]}),
     "unknown layer type 'Conv'"),
    (json.dumps({"input": [28, 28], "layers": [{"type": "Flatten"},
                                               {"type": "Dense", "units": 64}]}),
     "the 10 digits need 10"),
    (json.dumps([1, 2, 3]), "JSON object"),
])
def test_bad_architecture_files(tmp_path, capsys, content, words):
    spec = tmp_path / "arch.json"
    spec.write_text(content)
    assert cli.main(["train", "--arch", str(spec)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and words in err and str(spec) in err


def test_corrupt_model_and_unreadable_image(trained_model, tmp_path, capsys):
    path, _ = trained_model
    broken = tmp_path / "broken.npz"
    broken.write_bytes(path.read_bytes()[:1000])
    assert cli.main(["evaluate", str(broken)]) == 2
    assert str(broken) in capsys.readouterr().err
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    assert cli.main(["predict", str(path), str(text)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(text) in err


def test_architecture_file_is_used(tmp_path):
    spec = tmp_path / "tiny.json"
    spec.write_text(json.dumps(nn.preset("logistic")["spec"]))
    result = run("train", "--arch", spec, "--limit", "500", "--loss", "ce", "--lr", "0.5",
                 "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["parameters"] == 7850


def test_divergence_exits_1_with_message(tmp_path):
    """Unbounded ReLU outputs with squared error blow up at a huge learning rate."""
    spec = tmp_path / "relu.json"
    spec.write_text(json.dumps({"input": [28, 28], "layers": [
        {"type": "Flatten"}, {"type": "Dense", "units": 32}, {"type": "ReLU"},
        {"type": "Dense", "units": 10}, {"type": "ReLU"}]}))
    result = run("train", "--arch", spec, "--lr", "1000", "--limit", "2000", "--json")
    out = json.loads(result.stdout)
    assert result.returncode == 1, result.stderr
    assert out["status"] == "diverged"
    assert "smaller learning rate" in result.stderr
    assert np.isfinite(out["test_accuracy"])


def test_an_unwritable_save_target_is_refused_before_training(tmp_path, capsys):
    folder = tmp_path / "taken.npz"
    folder.mkdir()
    for target, words in ((folder, "is a folder"),
                          (tmp_path / "missing" / "m.npz", "cannot save there")):
        # a 60,000-epoch run would take hours: the refusal must come first
        assert cli.main(["train", "--epochs", "1000", "--save", str(target)]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and words in err


def test_predict_refuses_blank_images_folders_and_damaged_files(trained_model, tmp_path):
    from PySide6.QtGui import QColor, QImage

    path, _ = trained_model
    blank = QImage(40, 40, QImage.Format.Format_RGB32)
    blank.fill(QColor("white"))
    blank_png = tmp_path / "blank.png"
    assert blank.save(str(blank_png))
    damaged = tmp_path / "damaged.png"
    damaged.write_bytes(digit_png(tmp_path, 3).read_bytes()[:120])
    for image, words in ((blank_png, "no digit found"), (tmp_path, "is a folder"),
                         (damaged, "cannot read the image")):
        result = run("predict", path, image)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr  # nothing from the image library
        assert words in lines[0] and str(image) in lines[0]


def test_a_batch_larger_than_the_limited_data_says_which_option(capsys):
    assert cli.main(["train", "--limit", "5"]) == 2
    assert "use --batch-size 5 or less" in capsys.readouterr().err


def test_an_architecture_for_other_images_is_refused(tmp_path, capsys):
    spec = tmp_path / "flat.json"
    spec.write_text(json.dumps({"input": [784], "layers": [{"type": "Dense", "units": 10},
                                                           {"type": "Sigmoid"}]}))
    assert cli.main(["train", "--arch", str(spec)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "the input must be [28, 28]" in err and "not 784" in err


def test_ctrl_c_stops_between_batches_and_saves(tmp_path):
    import signal

    path = tmp_path / "interrupted.npz"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen([sys.executable, str(ROOT / "main.py"), "train", "--epochs", "50",
                           "--save", str(path)], stderr=subprocess.PIPE, text=True,
                          env=env, cwd=ROOT) as proc:
        for line in proc.stderr:  # wait until training reports progress
            if line.startswith("epoch 1/50"):
                break
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        assert proc.wait(timeout=60) == 130
    # between batches, not after 50 epochs: far fewer samples than the run would have seen
    assert "interrupted: keeping the weights" in rest and "Traceback" not in rest
    model = nn.load_model(path)
    assert 0 < model.samples_seen < 50 * 50_000



def test_train_progress_line_says_how_far_the_epoch_end_measurement_is(capsys, monkeypatch):
    import re

    import playground.nn.network as network
    monkeypatch.setattr(network, "eval_chunk_rows", lambda row_bytes: 1000)
    monkeypatch.setattr(nn.training, "MEASURE_REPORT_IMAGES", 2000)
    monkeypatch.setattr(cli, "_stderr_is_terminal", lambda: True)  # the line is rewritten
    assert cli.main(["train", "--limit", "500", "--epochs", "1"]) == 0
    shown = [part.replace("\x1b[K", "") for line in capsys.readouterr().err.splitlines()
             for part in line.split("\r")]
    measuring = [text for text in shown if "measuring" in text]
    found = [re.fullmatch(r"epoch 1: measuring ([\d,]+) of ([\d,]+) images", text)
             for text in measuring]
    assert measuring and all(found), measuring
    done = [int(m.group(1).replace(",", "")) for m in found]
    total = {int(m.group(2).replace(",", "")) for m in found}
    assert done[0] == 0 and done == sorted(done) and len(done) > 3
    assert len(total) == 1 and max(done) < total.pop()
    record = next(i for i, text in enumerate(shown) if re.match(r"epoch 1: [\d.]+ s", text))
    assert shown.index(measuring[-1]) < record  # then the epoch's own line


def test_train_log_tells_of_the_measurement_once_an_epoch(tmp_path):
    result = run("train", "--limit", "1000", "--epochs", "2", "--batch-size", "20")
    assert result.returncode == 0, result.stderr
    measuring = [line for line in result.stderr.splitlines() if "measuring" in line]
    assert measuring == ["epoch 1: measuring 0 of 21,000 images",
                         "epoch 2: measuring 0 of 21,000 images"]
