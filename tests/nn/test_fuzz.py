"""Fuzzing the model loader: a small model file cut at every byte, and a seeded sample of
bytes and bits flipped. Each damaged file gives a ModelFileError naming the file, or
(where zip and .npy leave a byte unchecked, e.g. a timestamp) loads the very same model:
never another exception, and never a model that differs from what was saved."""

from __future__ import annotations

import numpy as np
import pytest

import playground.nn as nn

SPEC = {"input": [2, 2], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 3},
                                    {"type": "Tanh"}, {"type": "Dense", "units": 10},
                                    {"type": "Softmax"}]}
FLIPS = 400


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    model = nn.Model.create(SPEC, {"seed": 5, "loss": "ce"})
    model.history = [nn.EpochRecord(epoch=1, seconds=0.25, loss=0.5, accuracy=0.8,
                                    val_accuracy=0.75, test_accuracy=None, lr=0.1)]
    model.samples_seen = 40
    path = tmp_path_factory.mktemp("fuzz") / "model.npz"
    nn.save_model(path, model)
    return model, path.read_bytes()


def outcome(path, original) -> str:
    """'refused' or 'same'; anything else fails the test."""
    try:
        loaded = nn.load_model(path)
    except nn.ModelFileError as e:
        assert str(path) in str(e)
        return "refused"
    assert loaded.network.spec == original.network.spec
    assert loaded.hyper == original.hyper and loaded.history == original.history
    assert loaded.samples_seen == original.samples_seen
    for a, b in zip(loaded.network.get_weights(), original.network.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    return "same"


def test_truncated_at_every_offset(tmp_path, saved):
    model, data = saved
    path = tmp_path / "cut.npz"
    results = []
    for size in range(len(data)):
        path.write_bytes(data[:size])
        results.append(outcome(path, model))
    assert results.count("refused") == len(data)  # a cut file never loads
    path.write_bytes(data)
    assert outcome(path, model) == "same"


def test_flipped_bytes_and_bits(tmp_path, saved):
    model, data = saved
    rng = np.random.default_rng(20261201)
    path = tmp_path / "flipped.npz"
    counts = {"refused": 0, "same": 0}
    positions = rng.integers(0, len(data), FLIPS)
    for n, i in enumerate(positions):
        bad = bytearray(data)
        if n % 2:
            bad[i] ^= 1 << int(rng.integers(0, 8))  # one bit
        else:
            bad[i] ^= int(rng.integers(1, 256))  # one byte, to any other value
        path.write_bytes(bytes(bad))
        counts[outcome(path, model)] += 1
    assert counts["refused"] > FLIPS // 2
