"""EpochRecord: the history's records, as model files and the CLI's JSON hold them."""

import json

import numpy as np

from playground import nn
from playground.nn.history import FIELDS

TINY = {"input": [2, 2], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10}]}
FULL = {"epoch": 2, "seconds": 1.5, "loss": 0.25, "accuracy": 0.9, "val_accuracy": None,
        "test_accuracy": 0.875, "lr": 3.0, "val_loss": 0.4, "train_sample_loss": 0.2,
        "train_sample_accuracy": 0.95}


def test_a_full_record_round_trips_in_field_order():
    record = nn.EpochRecord.from_dict(FULL)
    assert record.epoch == 2 and record.test_accuracy == 0.875 and record.val_accuracy is None
    assert list(record.to_dict()) == list(FIELDS)
    assert record.to_dict() == FULL
    assert nn.EpochRecord(**FULL).to_dict() == FULL


def test_a_partial_record_with_other_fields_gives_back_what_was_read():
    """An older file's record may lack fields or carry others: saved again, it is the same."""
    old = {"epoch": 1, "loss": 0.5, "note": 7}
    record = nn.EpochRecord.from_dict(old)
    assert record.seconds is None and record.lr is None and record.extra == {"note": 7}
    assert record.to_dict() == old


def _file(path, history):
    model = nn.Model.create(TINY)
    meta = {"format": "nn-playground-model", "version": 1, "spec": TINY,
            "hyper": model.hyper, "history": history, "samples_seen": 10}
    np.savez(path, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
             **{f"p{i}": w for i, w in enumerate(model.network.get_weights())})


def _meta(path):
    with np.load(path) as z:
        return json.loads(z["meta"].tobytes())


def test_a_file_opened_and_saved_again_keeps_its_history(tmp_path):
    history = [{"epoch": 1, "seconds": 0.5, "loss": 0.3}, dict(FULL)]
    _file(tmp_path / "old.npz", history)
    model = nn.load_model(tmp_path / "old.npz")
    assert all(isinstance(r, nn.EpochRecord) for r in model.history)
    assert model.history[1].lr == 3.0
    nn.save_model(tmp_path / "new.npz", model)
    assert _meta(tmp_path / "new.npz")["history"] == history
    assert nn.load_model(tmp_path / "new.npz").history == model.history
