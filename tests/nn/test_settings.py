"""One bound per training setting, used by check_hyper, the CLI, the window and the loader."""

import json

import numpy as np
import pytest

from playground import cli_args, nn
from playground.nn import settings

TINY = {"input": [2, 2], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10}]}


def test_the_names_are_exported_from_one_place():
    assert nn.MAX_LR is settings.MAX_LR and cli_args.MAX_LR is settings.MAX_LR
    assert cli_args.MAX_SEED is settings.MAX_SEED and nn.MAX_EPOCHS == settings.MAX_EPOCHS
    assert nn.check_hyper is settings.check_hyper and nn.DEFAULT_HYPER is settings.DEFAULT_HYPER


@pytest.mark.parametrize("lr", [settings.MAX_LR, 1e-9, 3])
def test_learning_rates_up_to_the_bound_are_fine(lr):
    assert nn.check_hyper({**nn.DEFAULT_HYPER, "lr": lr}) == []


@pytest.mark.parametrize("lr", [settings.MAX_LR * 1.0001, 1e30, 10**400])
def test_learning_rates_beyond_the_bound_are_refused(lr):
    assert nn.check_hyper({**nn.DEFAULT_HYPER, "lr": lr}) == [
        f"learning rate must be at most {settings.MAX_LR:g}"]


def test_the_epoch_limit_is_the_settings_limit():
    top = settings.MAX_EPOCHS
    assert nn.check_hyper({**nn.DEFAULT_HYPER, "epochs": top}) == []
    assert nn.check_hyper({**nn.DEFAULT_HYPER, "epochs": top + 1}) == [
        f"epochs must be 1 to {top:,}"]


def _file(path, lr):
    model = nn.Model.create(TINY)
    meta = {"format": "nn-playground-model", "version": 1, "spec": TINY,
            "hyper": {**model.hyper, "lr": lr}, "history": [], "samples_seen": 0}
    np.savez(path, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
             **{f"p{i}": w for i, w in enumerate(model.network.get_weights())})
    return path


def test_a_model_file_within_the_bound_opens(tmp_path):
    assert nn.load_model(_file(tmp_path / "m.npz", settings.MAX_LR)).hyper["lr"] == 1e6


def test_a_model_file_beyond_the_bound_says_so(tmp_path):
    path = _file(tmp_path / "m.npz", 1e7)
    with pytest.raises(nn.ModelFileError) as e:
        nn.load_model(path)
    assert str(e.value) == (f"{path}: its training settings are invalid: "
                            f"learning rate must be at most 1e+06")


def test_the_window_refuses_a_learning_rate_beyond_the_bound(small_split):
    from playground.state.session import Session

    session = Session(data=small_split)
    assert session.set_hyper(lr=1e7) == [f"learning rate must be at most {settings.MAX_LR:g}"]
    assert session.set_hyper(lr=settings.MAX_LR) == []
