"""Divergence: a run blown up by a huge learning rate is caught even when its loss is
bounded (sigmoid outputs with squared error, clipped cross-entropy), and a slow run on a
plateau near chance is left alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import playground.nn as nn
from playground.nn import divergence
from playground.nn.divergence import COLLAPSE_SAMPLES, DivergenceGuard

ROOT = Path(__file__).resolve().parents[2]
VARIED = np.linspace(0.05, 0.15, 100, dtype=np.float32).reshape(10, 10)  # outputs that differ


def guard(**options):
    options = {"start_accuracy": 0.1, "start_norm": 10.0, "epoch_samples": 50_000, **options}
    return DivergenceGuard(1.0, **options)


def feed(g, reports, correct, samples=100, norm=10.0, outputs=VARIED):
    """``reports`` reports of ``correct`` of ``samples``; the first reason, if any."""
    for _ in range(reports):
        why = g.report(correct, samples, norm, outputs)
        if why is not None:
            return why
    return None


# ---------------------------------------------------------------- the guard's rules

def test_a_plateau_near_chance_is_never_flagged():
    g = guard()
    assert feed(g, 1000, 10, norm=11.0) is None  # 100,000 samples at 10%, weights 1.1x
    assert g.healthy


def test_collapse_after_having_been_better():
    g = guard(start_accuracy=0.9)
    assert feed(g, COLLAPSE_SAMPLES // 100 - 1, 10) is None  # not yet a block
    why = feed(g, 1, 10)
    assert why == "the training accuracy fell from 90% to 10.0%, no better than guessing"
    assert not g.healthy


def test_a_network_that_learned_during_the_run_and_collapsed():
    g = guard()
    assert feed(g, 20, 60) is None  # two blocks at 60%
    assert feed(g, 20, 8) == "the training accuracy fell from 60% to 8.0%, no better than guessing"


def test_a_lucky_small_window_does_not_count_as_having_been_better():
    """The window reports 50-image windows at times: one of them at 40% on the seed
    network's plateau is noise, not a network that had learned."""
    g = guard()
    for _ in range(50):
        assert g.report(20, 50, 10.0, VARIED) is None  # 40%
        assert feed(g, 39, 5, samples=50) is None  # then 10% over the rest of the block
    assert g.best_accuracy < 0.15


def test_chance_with_growing_weights():
    g = guard()
    assert feed(g, 100, 10, norm=90.0) is None  # 9x: not yet
    why = feed(g, 20, 10, norm=150.0)
    assert why == ("the training accuracy is 10.0%, no better than guessing, "
                   "and the weights grew 15-fold")


def test_weights_blowing_up_end_the_run_at_once():
    g = guard(start_accuracy=0.9)
    assert g.report(90, 100, 10.0 * 999, VARIED) is None  # accurate: not a collapse
    assert g.report(90, 100, 10.0 * 1000, VARIED) == "the weights grew 1,000-fold"
    assert not g.healthy
    assert guard().report(90, 100, 1e30, VARIED) == "the weights grew more than a million-fold"
    assert guard().report(90, 100, np.inf, VARIED) == "the weights grew without bound"
    assert guard().report(90, 100, np.nan, VARIED) == "the weights grew without bound"


def test_a_model_of_zeros_may_grow():
    g = guard(start_norm=0.0)
    assert g.report(95, 100, 500.0, VARIED) is None


def test_saturated_softmax_outputs_at_chance():
    one_hot = np.eye(10, dtype=np.float32)[np.zeros(10, dtype=int)]
    one_hot[:, 0] = np.linspace(0.9991, 0.9999, 10)  # saturated, and not all the same
    g = guard(start_saturation=0.0)
    why = feed(g, 20, 10, outputs=one_hot)
    assert why == ("the training accuracy is 10.0%, no better than guessing, "
                   "and the outputs are stuck at 0 or 1")
    # saturated already at the start, or not a softmax: saturation proves nothing
    assert feed(guard(start_saturation=0.95), 100, 10, outputs=one_hot) is None
    assert feed(guard(start_saturation=None), 100, 10, outputs=one_hot) is None


def test_the_same_output_for_every_image_at_chance():
    same = np.full((10, 10), 1e-6, dtype=np.float32)
    why = feed(guard(start_constant=False), 20, 10, outputs=same)
    assert why.endswith("and the network gives the same output for every image")
    # a network that already answered the same, or a batch of one image: no evidence
    assert feed(guard(start_constant=True), 100, 10, outputs=same) is None
    assert feed(guard(start_constant=False), 100, 10, outputs=same[:1]) is None
    assert divergence.constant(VARIED) is False and divergence.constant(same) is True


def test_a_short_epoch_is_judged_over_a_quarter_of_it_but_not_over_a_handful():
    g = guard(start_accuracy=0.9, epoch_samples=1200)
    assert g.collapse_samples == 300
    assert feed(g, 2, 10, samples=150) is not None
    g = guard(start_accuracy=0.9, epoch_samples=10)  # --limit 10
    assert g.collapse_samples == divergence.MIN_COLLAPSE_SAMPLES
    assert feed(g, 19, 0, samples=10) is None


def test_the_loss_rules_per_batch():
    g = DivergenceGuard(0.5)
    assert g.limit == 5.0
    assert g.batch(0.4) is None and g.good(4.9) and not g.good(5.1)
    assert DivergenceGuard(0.5).batch(np.nan) == "the loss became infinite or NaN"
    g = DivergenceGuard(0.5)
    why = None
    while why is None:
        why = g.batch(100.0)
    assert why.startswith("the loss grew from 0.5 to ")
    assert DivergenceGuard(0.001).limit == pytest.approx(1.0)  # the floor


# ---------------------------------------------------------------- the trainer

def model_of(preset, **hyper):
    p = nn.preset(preset)
    return nn.Model.create(p["spec"], {**p["hyper"], **hyper})


@pytest.mark.parametrize("preset,optimizer,loss,lr", [
    ("seed", "sgd", "se", 1000), ("seed", "adam", "ce", 1000), ("seed", "momentum", "se", 1e6),
    ("modern", "sgd", "se", 1000), ("modern", "adam", "ce", 1e6), ("logistic", "sgd", "ce", 1000),
])
def test_a_collapsed_run_is_diverged_and_restored(small_split, preset, optimizer, loss, lr):
    """These runs all 'finished' at about 10% test accuracy before: their loss stays
    within 10x its start."""
    model = model_of(preset, optimizer=optimizer, loss=loss, lr=lr)
    initial = model.network.get_weights()
    trainer = nn.Trainer(model, small_split)
    result = trainer.run(1)
    assert result.status == "diverged", trainer.message
    assert result.message.startswith("Training diverged: ")
    assert "no better than guessing" in result.message or "weights grew" in result.message
    assert "try a smaller learning rate" in result.message
    # it collapsed from the start: the weights it started with are the good ones
    assert "The weights it started from were restored" in result.message
    for a, b in zip(initial, model.network.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_trained_network_that_collapses_gets_its_trained_weights_back(small_split):
    model = model_of("seed")
    nn.Trainer(model, small_split).run(5)
    assert model.network.accuracy(small_split.test_x, small_split.test_y) > 700
    trained = model.network.get_weights()
    model.hyper["lr"] = 1000.0
    result = nn.Trainer(model, small_split).run(1)
    assert result.status == "diverged"  # by whichever rule comes first
    assert "were restored" in result.message
    for a, b in zip(trained, model.network.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("lr", [10.0, 30.0])
def test_a_network_that_died_is_diverged(small_split, lr):
    """At lr 10 or 30 the seed network's outputs all sink to 0 and stay there."""
    model = model_of("seed", lr=lr)
    result = nn.Trainer(model, small_split.limit(4000)).run(1)
    assert result.status == "diverged"
    assert "no better than guessing" in result.message


@pytest.mark.parametrize("name", ["seed", "logistic", "modern", "deep"])
@pytest.mark.parametrize("reports,validate", [(10, False), (200, True)])
def test_healthy_presets_are_not_flagged(mnist, name, reports, validate):
    """The first 10,000 images, reported on as the command line (10 reports) and as the
    window (many small windows) do. The seed network sits near chance at first."""
    model = model_of(name)
    split = mnist.split().limit(10_000, 1000, 1000)
    progress = []
    result = nn.Trainer(model, split).run(1, reports_per_epoch=reports,
                                          validate_reports=validate,
                                          on_progress=progress.append)
    assert result.status == "finished", result.message
    if name == "seed":  # the plateau this must leave alone
        assert min(p.accuracy for p in progress[:reports // 10]) < 0.2


def test_the_last_good_weights_are_those_of_a_report_before_the_collapse(small_split):
    model = model_of("seed", epochs=1)
    trainer = nn.Trainer(model, small_split)
    snapshots = []

    def on_progress(p):
        snapshots.append(model.network.get_weights())
        if len(snapshots) == 3:
            trainer.lr = 1000.0

    result = trainer.run(2, on_progress=on_progress)
    assert result.status == "diverged"
    assert "The last good weights were restored" in result.message
    weights = model.network.get_weights()
    assert any(all(np.array_equal(a, b) for a, b in zip(s, weights, strict=True))
               for s in snapshots[:3])


def test_a_slow_run_at_chance_is_not_flagged(small_split):
    model = model_of("seed", lr=0.003)
    progress = []
    result = nn.Trainer(model, small_split).run(3, on_progress=progress.append)
    assert result.status == "finished"
    assert max(p.accuracy for p in progress) < 0.3  # it stayed near chance throughout


def test_the_command_line_exits_1_for_a_collapsed_run():
    """`train --lr 1000 --limit N` used to exit 0 with 9.8% test accuracy."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--lr", "1000",
                             "--limit", "2000", "--json"],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["status"] == "diverged"
    assert "no better than guessing" in result.stderr or "weights grew" in result.stderr
