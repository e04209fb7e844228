"""Learning-rate schedules: the share of the set rate by how far through the run it is,
applied batch by batch, reported in the progress and records, and reset between runs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground import nn

ROOT = Path(__file__).resolve().parents[2]


def test_the_factors():
    assert [nn.lr_factor("constant", f) for f in (0, 0.5, 1)] == [1.0, 1.0, 1.0]
    assert [nn.lr_factor("step", f) for f in (0, 0.49, 0.5, 0.74, 0.75, 1)] == pytest.approx(
        [1, 1, 0.1, 0.1, 0.01, 0.01])
    assert [nn.lr_factor("cosine", f) for f in (0, 0.5, 1)] == pytest.approx([1, 0.5, 0])
    with pytest.raises(ValueError, match="unknown schedule"):
        nn.lr_factor("linear", 0.5)


@pytest.mark.parametrize("schedule", ["step", "cosine"])
def test_a_run_trains_with_the_scheduled_rate_and_ends_with_the_set_one(small_split, schedule):
    p = nn.preset("seed")
    model = nn.Model.create(p["spec"], {**p["hyper"], "lr": 2.0, "schedule": schedule})
    trainer = nn.Trainer(model, small_split)
    reports = []
    result = trainer.run(4, on_progress=reports.append, reports_per_epoch=4)
    assert result.status == "finished"
    rates = [r.lr for r in reports]
    # 2,000 images at batch 10: 200 batches an epoch, 800 in the run; the first report
    # follows batch 50, which trained at the share for 49 of 800 batches done
    assert rates[0] == pytest.approx(2.0 * nn.lr_factor(schedule, 49 / 800))
    assert all(a >= b for a, b in zip(rates, rates[1:], strict=False))  # never rises
    assert rates[-1] < 0.1 * 2.0 + 1e-9
    assert [r.lr for r in result.epochs] == [rep.lr for rep in reports if rep.batch == rep.batches]
    assert trainer.lr == 2.0 and model.hyper["lr"] == 2.0  # the set rate, between runs


def test_constant_keeps_the_rate_and_settings_refuse_unknown_schedules(small_split):
    p = nn.preset("seed")
    model = nn.Model.create(p["spec"], p["hyper"])
    reports = []
    nn.Trainer(model, small_split).run(1, on_progress=reports.append)
    assert {r.lr for r in reports} == {p["hyper"]["lr"]}
    assert nn.check_hyper({**p["hyper"], "schedule": "linear"}) == [
        "learning-rate schedule must be one of: constant, step, cosine"]


def test_the_cli_takes_a_schedule_and_saves_it(tmp_path):
    path = tmp_path / "cos.npz"
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--limit", "500",
                             "--epochs", "2", "--schedule", "cosine", "--save", str(path),
                             "--json"], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "finished"
    model = nn.load_model(path)
    assert model.hyper["schedule"] == "cosine" and model.hyper["lr"] == 3.0
    assert model.history[0].lr > model.history[1].lr
