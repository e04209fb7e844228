"""Hints: advice on what is allowed but unwise (the rules without Qt, then the builder)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from playground.nn import PRESETS, preset
from playground.state import speed
from playground.state.hints import (
    SLOW_EPOCH_SECONDS,
    epoch_madds,
    hints,
    may_be_slow,
    structure_hints,
)

REPO = Path(__file__).resolve().parents[2]
SEED_HYPER = preset("seed")["hyper"]
MODERN_HYPER = preset("modern")["hyper"]


def spec(*layers) -> dict:
    return {"input": [28, 28], "layers": [
        {"type": "Dense", "units": x} if isinstance(x, int) else {"type": x} for x in layers]}


def keys(found) -> list[tuple[str, int | None]]:
    return [(h.key, h.layer) for h in found]


# -- the rules, without Qt ----------------------------------------------------------------
def test_the_rules_import_no_qt():
    script = ("import json, sys, playground.state.hints, playground.state.speed; "
              "print(json.dumps(sorted(sys.modules)))")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert not [m for m in modules if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph")]


@pytest.mark.parametrize("name", list(PRESETS))
def test_the_presets_need_no_hint(name):
    p = preset(name)
    assert hints(p["spec"], p["hyper"], madds_per_second=1e10) == []


def test_softmax_anywhere_but_last():
    assert keys(structure_hints(spec("Flatten", 64, "Softmax", 10, "Softmax"))) == [
        ("softmax-not-last", 2)]
    assert structure_hints(spec("Flatten", 10, "Softmax")) == []


def test_two_activations_in_a_row():
    assert keys(hints(spec("Flatten", 64, "ReLU", "Tanh", 10, "Softmax"), MODERN_HYPER)) == [
        ("two-activations", 3)]
    # a Flatten between them changes nothing
    assert keys(structure_hints(spec("Flatten", 64, "ReLU", "Flatten", "Sigmoid", 10))) == [
        ("two-activations", 4)]
    found = structure_hints(spec("Flatten", 64, "Sigmoid", "ReLU", 10))
    assert found[0].text.startswith("Sigmoid then ReLU")


def test_dense_after_dense_collapses_into_one_linear_map():
    assert keys(structure_hints(spec("Flatten", 128, 10, "Softmax"))) == [("dense-dense", 2)]
    assert keys(structure_hints(spec("Flatten", 128, "Flatten", 10))) == [("dense-dense", 3)]
    assert structure_hints(spec("Flatten", 128, "ReLU", 10, "Softmax")) == []
    assert "linear" in structure_hints(spec("Flatten", 128, 10))[0].why


@pytest.mark.parametrize("optimizer, lr, hinted", [
    ("adam", 0.5, True), ("adam", 0.1, False), ("adam", 0.001, False),
    ("momentum", 0.2, True), ("momentum", 0.05, False), ("sgd", 3.0, False)])
def test_adam_or_momentum_with_a_large_learning_rate(optimizer, lr, hinted):
    found = hints(preset("modern")["spec"], {**MODERN_HYPER, "optimizer": optimizer, "lr": lr})
    assert (keys(found) == [("fast-optimizer-lr", None)]) is hinted
    if hinted:
        assert f"{lr:g}" in found[0].text and "diverge" in found[0].why


@pytest.mark.parametrize("loss, batch, last, hinted", [
    ("se", 64, "Sigmoid", True), ("se", 500, "Sigmoid", True), ("se", 63, "Sigmoid", False),
    ("ce", 64, "Sigmoid", False), ("se", 64, "Softmax", False)])
def test_sigmoid_outputs_squared_error_and_large_batches(loss, batch, last, hinted):
    net = spec("Flatten", 128, "Sigmoid", 10, last)
    found = hints(net, {**SEED_HYPER, "loss": loss, "batch_size": batch})
    assert (keys(found) == [("sigmoid-se-plateau", 4)]) is hinted
    if hinted:
        assert "plateau" in found[0].why and "cross-entropy" in found[0].fix


def test_every_hint_says_why_in_one_sentence_and_how_to_fix_it():
    net = spec("Flatten", 64, "Softmax", "ReLU", 32, 10, "Sigmoid")
    found = hints(net, {**SEED_HYPER, "optimizer": "adam", "lr": 1.0, "batch_size": 128})
    assert {h.key for h in found} == {"softmax-not-last", "two-activations", "dense-dense",
                                      "fast-optimizer-lr", "sigmoid-se-plateau"}
    assert [h.layer for h in found] == [2, 3, 5, 6, None]  # layer order, then settings
    for h in found:
        assert h.text and h.fix and not h.text.endswith(".")
        assert h.why.endswith(".") and h.why.count(". ") == 0, h.why  # one sentence
        assert h.sentence().endswith(h.fix)


def test_an_epoch_over_a_minute_gets_an_estimate():
    big = spec("Flatten", 50_000, "ReLU", 10, "Softmax")
    # 784 x 50,000 weights: about 3 x 39 million multiply-adds per training image
    madds = epoch_madds(big)
    assert madds == (3 * 39_200_000 + 500_000 * 3 - 39_200_000) * 50_000 \
        + (39_200_000 + 500_000) * 20_000
    rate = madds / 300  # a machine on which it takes five minutes
    found = hints(big, MODERN_HYPER, madds_per_second=rate)
    assert keys(found) == [("slow-epoch", None)]
    h = found[0]
    assert "about 5 minutes" in h.text and "estimate" in h.text
    assert "layer 2 (Dense 50,000" in h.fix and "measured" in h.why
    # a minute or less, or an unknown speed: no estimate
    assert hints(big, MODERN_HYPER, madds_per_second=madds / SLOW_EPOCH_SECONDS) == []
    assert hints(big, MODERN_HYPER) == []


def test_the_speed_is_measured_only_for_networks_that_could_be_slow():
    assert not may_be_slow(preset("seed")["spec"])
    assert may_be_slow(spec("Flatten", 50_000, "ReLU", 10, "Softmax"))
    assert not may_be_slow(spec("Dense", 10))  # not valid: nothing to estimate


def test_the_speed_is_measured_with_the_engine():
    rate = speed.measure(32, "adam")
    assert math.isfinite(rate) and rate > 0


@pytest.mark.parametrize("bad", [None, {}, {"layers": "x"}, {"layers": [1, {"type": 3}]},
                                 spec("Flatten", 10, "Nope")])
def test_broken_specs_give_no_crash(bad):
    hints(bad, SEED_HYPER, madds_per_second=1e9)
    hints(preset("seed")["spec"], {}, madds_per_second=1e9)


# -- the builder shows them ------------------------------------------------------------------
@pytest.fixture
def builder(qtbot, small_split):
    from playground.state.session import Session
    from playground.ui.builder.panel import BuilderPanel

    session = Session(data=small_split)
    panel = BuilderPanel(session)
    qtbot.addWidget(panel)
    panel.resize(340, 800)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_builder_shows_hints_on_the_card_and_in_a_calm_banner(builder):
    panel, session = builder, builder.session
    assert not panel.hint_banner.isVisible() and panel.hints == []
    panel.add_layer("Tanh", 3)  # Flatten, Dense, Sigmoid, Tanh, Dense, Sigmoid
    assert keys(panel.hints) == [("two-activations", 3)]
    card = panel.card(3)
    assert card.hint_label.isVisible() and "two activations" in card.hint_label.text()
    assert "Remove one" in card.hint_label.toolTip() and "Hint" in card.hint_label.text()
    assert not panel.card(2).hint_label.isVisible()
    banner = panel.hint_banner
    assert banner.isVisible() and "Layer 4" in banner.text() and "Remove one" in banner.text()
    assert "#a50e0e" not in banner.styleSheet()  # not the error banner's red
    # advice, not an error: the network is still ready to train
    assert session.report.ok and panel.banner.text().startswith("Ready to train")
    panel.undo()
    assert panel.hints == [] and not panel.hint_banner.isVisible()


def test_builder_hints_follow_the_training_settings(builder):
    panel, session = builder, builder.session
    assert session.set_hyper(batch_size=64) == []
    assert keys(panel.hints) == [("sigmoid-se-plateau", 4)]
    assert panel.card(4).hint_label.isVisible()
    assert session.set_hyper(batch_size=10, optimizer="adam", lr=0.5) == []
    assert keys(panel.hints) == [("fast-optimizer-lr", None)]
    assert not panel.card(4).hint_label.isVisible()
    assert "Adam" in panel.hint_banner.text()
    assert session.set_hyper(lr=0.001) == []
    assert panel.hints == []


def test_builder_estimates_a_slow_epoch(builder, monkeypatch):
    measured = []

    def fake_rate(batch_size, optimizer):
        measured.append((batch_size, optimizer))
        return 1e9

    monkeypatch.setattr(speed, "madds_per_second", fake_rate)
    panel = builder
    panel.set_units(1, 20_000)
    assert measured == [(10, "sgd")]
    assert keys(panel.hints) == [("slow-epoch", None)]
    assert "estimate" in panel.hint_banner.text()
    panel.set_units(1, 128)
    assert panel.hints == [] and len(measured) == 1  # small again: nothing to measure


def test_no_epoch_estimate_while_training(builder, monkeypatch):
    monkeypatch.setattr(speed, "madds_per_second", lambda batch_size, optimizer: 1e9)
    panel, session = builder, builder.session
    panel.set_units(1, 20_000)
    assert keys(panel.hints) == [("slow-epoch", None)]
    session.set_training_state("running")
    assert panel.hints == [] and not panel.hint_banner.isVisible()
    session.set_training_state("idle")
    assert keys(panel.hints) == [("slow-epoch", None)]


def test_start_stays_enabled_with_hints(qtbot, small_split):
    from PySide6.QtWidgets import QPushButton

    from playground.state.session import Session
    from playground.ui.window.main_window import MainWindow

    window = MainWindow(Session(data=small_split))
    qtbot.addWidget(window)
    start = window.findChild(QPushButton, "startButton")
    assert start.isEnabled()
    window.builder.add_layer("Softmax", 2)  # Flatten, Dense, Softmax, Sigmoid, ...
    assert {h.key for h in window.builder.hints} == {"softmax-not-last", "two-activations"}
    window.session.set_hyper(optimizer="adam", lr=1.0)
    assert len(window.builder.hints) == 3
    assert start.isEnabled()  # hints are advice: training can start
    window.shutdown()
