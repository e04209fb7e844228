"""The CLI's issue-11 options: --limit (a training-set size the model remembers) and
--patience (early stopping that keeps the best epoch's weights)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground import nn

ROOT = Path(__file__).resolve().parents[1]


def run(*args, cwd):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


def test_limit_trains_on_the_first_images_and_the_model_remembers(tmp_path):
    path = tmp_path / "small.npz"
    done = run("train", "--preset", "logistic", "--epochs", "1", "--limit", "300",
               "--save", str(path), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "300 of 50,000 train / 10,000 validation / 10,000 test" in done.stderr
    model = nn.load_model(path)
    assert model.hyper["train_size"] == 300
    assert model.samples_seen == 300  # one epoch of 300 images, not of 50,000


def test_patience_stops_early_and_keeps_the_best_epochs_weights(tmp_path):
    """A learning rate far too high for logistic regression on 1,000 images makes the
    validation accuracy wander; with patience 1 the run stops at the first epoch that is
    no better, and the saved weights are the best epoch's (its test accuracy)."""
    path = tmp_path / "early.npz"
    done = run("train", "--preset", "logistic", "--limit", "1000", "--epochs", "30",
               "--lr", "5", "--patience", "1", "--save", str(path), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    epochs = out["epochs"]
    assert len(epochs) < 30
    vals = [e["val_accuracy"] for e in epochs]
    best = max(range(len(vals)), key=vals.__getitem__)
    assert best == len(vals) - 2  # one epoch without improvement ended it
    assert f"kept the weights of epoch {best + 1}" in done.stderr
    assert "no better validation accuracy in 1 epoch;" in done.stderr
    assert out["test_accuracy"] == pytest.approx(epochs[best]["test_accuracy"])
    model = nn.load_model(path)
    assert model.hyper["patience"] == 1
    assert len(model.history) == len(epochs)  # the history keeps every epoch trained


@pytest.mark.parametrize(("args", "message"), [
    (("--patience", "-1"), "patience must be at least 0"),
    (("--patience", "x"), "patience must be a whole number"),
    (("--patience", "5000"), "patience must be at most 1,000"),
    (("--limit", "0"), "limit must be at least 1"),
])
def test_bad_values_are_refused_in_one_line(tmp_path, args, message):
    refused = run("train", *args, cwd=tmp_path)
    assert refused.returncode == 2
    assert message in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
