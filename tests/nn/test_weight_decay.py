"""Weight decay: L2 for SGD and momentum (the gradient of wd/2 * sum(w^2) is added),
decoupled AdamW for Adam; weights shrink, biases never; 0 changes nothing."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground import nn

ROOT = Path(__file__).resolve().parents[2]
SPEC = {"input": [4, 3], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 5},
                                    {"type": "Tanh"}, {"type": "Dense", "units": 10},
                                    {"type": "Softmax"}]}


def batch():
    rng = np.random.default_rng(3)
    return rng.uniform(0, 1, (6, 4, 3)), nn.one_hot(rng.integers(0, 10, 6), dtype=np.float64)


def test_an_sgd_step_follows_the_gradient_of_the_loss_plus_the_l2_term():
    """Finite differences of loss + wd/2 * sum of squared weights (biases excluded)."""
    x, y = batch()
    lr, wd, eps = 0.1, 0.05, 1e-6
    net = nn.Network(SPEC, seed=0, dtype=np.float64)
    loss = nn.make_loss("ce", net.layers[-1])
    before = net.get_weights()

    def objective():
        penalty = sum(float((layer.w ** 2).sum()) for layer in net.layers if layer.trainable)
        return loss.value(net.forward(x), y) + wd / 2 * penalty

    net.train_batch(x, y, loss, nn.SGD(lr, weight_decay=wd))
    after = net.get_weights()
    net.set_weights(before)
    params = [p for layer in net.layers for p in layer.params()]
    for i, p in enumerate(params):
        for flat in range(0, p.size, max(1, p.size // 4)):
            index = np.unravel_index(flat, p.shape)
            p[index] = before[i][index] + eps
            up = objective()
            p[index] = before[i][index] - eps
            down = objective()
            p[index] = before[i][index]
            expected = lr * (up - down) / (2 * eps)
            assert before[i][index] - after[i][index] == pytest.approx(expected, rel=1e-5,
                                                                         abs=1e-9)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_biases_are_never_decayed_and_zero_decay_changes_nothing(name):
    dense = nn.Dense(3)
    dense.build((4,), np.random.default_rng(0))
    dense.b[...] = 1.0
    w = dense.w.copy()
    # no gradient at all: only the decay can move a parameter
    nn.make_optimizer(name, 0.1, weight_decay=0.5).step([dense])
    np.testing.assert_array_equal(dense.b, 1.0)
    assert np.all(np.abs(dense.w) < np.abs(w) + 1e-12) and not np.array_equal(dense.w, w)
    plain = nn.Dense(3)
    plain.build((4,), np.random.default_rng(0))
    nn.make_optimizer(name, 0.1).step([plain])
    np.testing.assert_array_equal(plain.w, w)


def test_adam_decay_is_decoupled_adamw():
    """w <- w - lr * wd * w beside the Adam step: with a zero gradient, exactly that."""
    dense = nn.Dense(2)
    dense.build((3,), np.random.default_rng(1), dtype=np.float64)
    w = dense.w.copy()
    nn.Adam(0.01, weight_decay=0.1).step([dense])
    np.testing.assert_allclose(dense.w, w * (1 - 0.01 * 0.1))


def test_settings_bound_the_decay_and_older_files_without_it_load(tmp_path):
    hyper = dict(nn.DEFAULT_HYPER)
    assert nn.check_hyper({**hyper, "weight_decay": 1e-4}) == []
    for bad in (-1e-3, 2.0, float("nan"), True, "0.1"):
        assert nn.check_hyper({**hyper, "weight_decay": bad}) == [
            "weight decay must be a number from 0 to 1"]
    assert "weight_decay" not in hyper and nn.check_hyper(hyper) == []  # older files
    model = nn.Model.create(nn.preset("seed")["spec"], {**hyper, "weight_decay": 1e-3})
    nn.save_model(tmp_path / "m.npz", model)
    assert nn.load_model(tmp_path / "m.npz").hyper["weight_decay"] == 1e-3


def test_the_cli_trains_with_weight_decay_and_saves_it(tmp_path):
    path = tmp_path / "wd.npz"
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--limit", "500",
                             "--weight-decay", "0,001", "--save", str(path), "--json"],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "finished"
    assert nn.load_model(path).hyper["weight_decay"] == 0.001
    refused = subprocess.run([sys.executable, str(ROOT / "main.py"), "train",
                              "--weight-decay", "-1"], capture_output=True, text=True,
                             timeout=60, cwd=tmp_path)
    assert refused.returncode == 2 and "weight decay must be" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
