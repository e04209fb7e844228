"""Saving and loading models: round trip, atomic writes, and every kind of broken file
(each one a ModelFileError naming the file, never another exception)."""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest

import playground.nn as nn
from playground import safeio
from playground.nn import serialization

TINY = {"input": [2, 2], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10}]}


def tiny_model() -> nn.Model:
    return nn.Model.create(TINY, {"seed": 3})


def meta_of(model: nn.Model) -> dict:
    return {
        "format": "nn-playground-model",
        "version": 1,
        "spec": model.network.spec,
        "hyper": model.hyper,
        "history": [r.to_dict() for r in model.history],
        "samples_seen": model.samples_seen,
    }


def meta_array(meta) -> np.ndarray:
    text = meta if isinstance(meta, str) else json.dumps(meta)
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def write_npz(path, meta, arrays) -> None:
    np.savez(path, meta=meta_array(meta), **arrays)


def good_arrays(model) -> dict:
    return {f"p{i}": w for i, w in enumerate(model.network.get_weights())}


def assert_load_fails(path, *words):
    with pytest.raises(nn.ModelFileError) as info:
        nn.load_model(path)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message, message
    return message


@pytest.fixture(scope="module")
def trained(small_split):
    """A briefly trained seed network (shared: tests must not change it)."""
    p = nn.preset("seed")
    model = nn.Model.create(p["spec"], {**p["hyper"], "batch_size": 100, "lr": 2.5, "seed": 4})
    nn.Trainer(model, small_split.limit(500)).run(2)
    return model


# ---------------------------------------------------------------- round trip

def test_round_trip(tmp_path, trained, small_split):
    path = tmp_path / "model.npz"
    nn.save_model(path, trained)
    assert os.listdir(tmp_path) == ["model.npz"]
    loaded = nn.load_model(path)
    assert loaded.network.spec == trained.network.spec
    assert loaded.hyper == trained.hyper
    assert loaded.hyper["lr"] == 2.5 and loaded.hyper["seed"] == 4
    assert loaded.history == trained.history and len(loaded.history) == 2
    assert loaded.samples_seen == trained.samples_seen == 1000
    assert loaded.trained
    for a, b in zip(loaded.network.get_weights(), trained.network.get_weights(), strict=True):
        assert a.dtype == np.float32
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.network.predict_proba(small_split.test_x),
                                  trained.network.predict_proba(small_split.test_x))
    # and the loaded model trains on
    result = nn.Trainer(loaded, small_split).run(1)
    assert [r.epoch for r in result.epochs] == [3]


@pytest.mark.parametrize("name", sorted(nn.PRESETS))
def test_round_trip_every_preset(tmp_path, name):
    p = nn.preset(name)
    model = nn.Model.create(p["spec"], p["hyper"])
    nn.save_model(str(tmp_path / "m.npz"), model)  # a str path works too
    loaded = nn.load_model(str(tmp_path / "m.npz"))
    assert loaded.network.spec == p["spec"]
    assert loaded.hyper == p["hyper"]
    assert loaded.history == [] and loaded.samples_seen == 0 and not loaded.trained
    for a, b in zip(loaded.network.get_weights(), model.network.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_round_trip_unusual_file_name(tmp_path):
    path = tmp_path / "mein Modell – ziffern (1).npz"
    nn.save_model(path, tiny_model())
    assert nn.load_model(path).network.spec == TINY


def test_the_file_holds_no_pickle(tmp_path, trained):
    path = tmp_path / "model.npz"
    nn.save_model(path, trained)
    with np.load(path, allow_pickle=False) as z:
        assert set(z.files) == {"meta", "p0", "p1", "p2", "p3"}
        meta = json.loads(z["meta"].tobytes().decode("utf-8"))
    assert meta["format"] == "nn-playground-model" and meta["version"] == 1
    assert meta["spec"] == trained.network.spec


def test_save_replaces_an_existing_file(tmp_path, trained):
    path = tmp_path / "model.npz"
    nn.save_model(path, tiny_model())
    nn.save_model(path, trained)
    assert nn.load_model(path).network.spec == trained.network.spec
    assert os.listdir(tmp_path) == ["model.npz"]


def test_saved_file_has_ordinary_permissions(tmp_path):
    """A saved model is readable like any other file the user writes (umask applies),
    not private (0600) as a temporary file is."""
    path = tmp_path / "model.npz"
    old = os.umask(0o022)
    try:
        nn.save_model(path, tiny_model())
    finally:
        os.umask(old)
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


# ---------------------------------------------------------------- atomic writes

def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    nn.save_model(path, tiny_model())
    before = path.read_bytes()

    def broken_savez(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(nn.ModelFileError) as info:
        nn.save_model(path, nn.Model.create(TINY, {"seed": 9}))
    assert str(path) in str(info.value)
    assert "no space left on device" in str(info.value)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left


def test_failed_replace_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    nn.save_model(path, tiny_model())
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(nn.ModelFileError, match="permission denied"):
        nn.save_model(path, nn.Model.create(TINY, {"seed": 9}))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]


def test_temporary_file_cannot_be_created(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    nn.save_model(path, tiny_model())
    before = path.read_bytes()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(safeio.tempfile, "mkstemp", refuse)
    with pytest.raises(nn.ModelFileError, match="permission denied") as info:
        nn.save_model(path, nn.Model.create(TINY, {"seed": 9}))
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]


def test_save_into_a_missing_folder(tmp_path):
    path = tmp_path / "nowhere" / "model.npz"
    with pytest.raises(nn.ModelFileError) as info:
        nn.save_model(path, tiny_model())
    assert str(path) in str(info.value)
    assert os.listdir(tmp_path) == []


def test_save_onto_a_folder(tmp_path):
    folder = tmp_path / "model.npz"
    folder.mkdir()
    (folder / "keep.txt").write_text("keep")
    with pytest.raises(nn.ModelFileError) as info:
        nn.save_model(folder, tiny_model())
    assert str(folder) in str(info.value)
    assert (folder / "keep.txt").read_text() == "keep"
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]


def test_save_into_a_folder_that_refuses_writes(tmp_path, monkeypatch):
    """A read-only folder (simulated: the tests may run as root, who can write anyway)."""
    import tempfile

    path = tmp_path / "model.npz"
    nn.save_model(path, tiny_model())
    before = path.read_bytes()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(nn.ModelFileError, match="permission denied") as info:
        nn.save_model(path, tiny_model())
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]


# ---------------------------------------------------------------- broken files

def test_missing_file(tmp_path):
    assert_load_fails(tmp_path / "absent.npz")


def test_folder(tmp_path):
    assert_load_fails(tmp_path, "folder")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    assert_load_fails(path)


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    assert_load_fails(path)


def test_text_file(tmp_path):
    path = tmp_path / "model.npz"
    path.write_text('{"format": "nn-playground-model"}')
    assert_load_fails(path)


def test_npy_file(tmp_path):
    path = tmp_path / "weights.npy"
    np.save(path, np.zeros((3, 3), dtype=np.float32))
    assert_load_fails(path)


def test_zip_with_other_content(tmp_path):
    path = tmp_path / "photos.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a model")
    assert_load_fails(path, "not a model file")


def test_npz_without_meta(tmp_path):
    path = tmp_path / "m.npz"
    np.savez(path, p0=np.zeros((4, 10), dtype=np.float32))
    assert_load_fails(path, "meta")


def test_object_array_fails_cleanly(tmp_path):
    """allow_pickle=False: an object array inside is refused, never unpickled."""
    model = tiny_model()
    path = tmp_path / "m.npz"
    arrays = good_arrays(model)
    arrays["p0"] = np.array([{"a": 1}, None], dtype=object)
    write_npz(path, meta_of(model), arrays)
    assert_load_fails(path)


def test_object_meta_fails_cleanly(tmp_path):
    path = tmp_path / "m.npz"
    np.savez(path, meta=np.array([meta_of(tiny_model())], dtype=object),
             **good_arrays(tiny_model()))
    assert_load_fails(path)


def broken_meta_cases():
    """(name, change to the meta dict or raw meta text, words the message must hold)."""
    return [
        ("other format", lambda m: {"format": "keras-model", "version": 1}, ["not a model file"]),
        ("json list", lambda m: [1, 2, 3], ["not a model file"]),
        ("no format", lambda m: {k: v for k, v in m.items() if k != "format"}, []),
        ("unknown version", lambda m: {**m, "version": 2}, ["version 2"]),
        ("version as text", lambda m: {**m, "version": "1"}, ["version"]),
        ("no version", lambda m: {k: v for k, v in m.items() if k != "version"}, ["version"]),
        ("invalid spec", lambda m: {**m, "spec": {"input": [2, 2], "layers": [
            {"type": "Flatten"}, {"type": "Dense", "units": 0}]}}, ["invalid", "units"]),
        ("spec of wrong output", lambda m: {**m, "spec": {"input": [2, 2], "layers": [
            {"type": "Flatten"}, {"type": "Dense", "units": 7}]}}, ["invalid"]),
        ("spec missing", lambda m: {k: v for k, v in m.items() if k != "spec"}, []),
        ("spec not a dict", lambda m: {**m, "spec": "seed"}, []),
        ("hyper missing", lambda m: {k: v for k, v in m.items() if k != "hyper"}, []),
        ("hyper lr zero", lambda m: {**m, "hyper": {**m["hyper"], "lr": 0}}, ["learning rate"]),
        ("hyper unknown loss", lambda m: {**m, "hyper": {**m["hyper"], "loss": "hinge"}}, []),
        ("hyper unknown init", lambda m: {**m, "hyper": {**m["hyper"], "init": "zeros"}}, []),
        ("hyper not a dict", lambda m: {**m, "hyper": [1]}, []),
        ("history not a list", lambda m: {**m, "history": "lots"}, ["history"]),
        ("history of numbers", lambda m: {**m, "history": [1, 2]}, ["history"]),
        ("history with text", lambda m: {**m, "history": [{"loss": "low"}]}, ["history"]),
        ("history with bool", lambda m: {**m, "history": [{"epoch": True}]}, ["history"]),
        ("history with list", lambda m: {**m, "history": [{"loss": [1]}]}, ["history"]),
        ("history with NaN", 'NaN-history', ["history"]),
        ("history with infinity", 'inf-history', ["history"]),
        ("history too long", lambda m: {**m, "history": [{}] * 100_001}, ["history"]),
        ("samples_seen negative", lambda m: {**m, "samples_seen": -1}, ["samples_seen"]),
        ("samples_seen float", lambda m: {**m, "samples_seen": 1.5}, ["samples_seen"]),
        ("samples_seen missing", lambda m: {k: v for k, v in m.items()
                                            if k != "samples_seen"}, ["samples_seen"]),
        ("not json", 'not-json', []),
        ("not utf-8", 'latin-1', []),
        ("json nested too deep", 'deep', []),
    ]


@pytest.mark.parametrize("name,change,words", broken_meta_cases(),
                         ids=[c[0] for c in broken_meta_cases()])
def test_broken_meta(tmp_path, name, change, words):
    model = tiny_model()
    model.history = [nn.EpochRecord(epoch=1, seconds=0.5, loss=0.3, accuracy=0.9,
                                    val_accuracy=0.91, test_accuracy=None, lr=3.0)]
    meta = meta_of(model)
    path = tmp_path / "m.npz"
    if change == "NaN-history":
        text = json.dumps(meta).replace('"loss": 0.3', '"loss": NaN')
        write_npz(path, text, good_arrays(model))
    elif change == "inf-history":
        text = json.dumps(meta).replace('"loss": 0.3', '"loss": Infinity')
        write_npz(path, text, good_arrays(model))
    elif change == "not-json":
        write_npz(path, "{format: nn-playground-model", good_arrays(model))
    elif change == "latin-1":
        raw = json.dumps({**meta, "note": "é"}, ensure_ascii=False).encode("latin-1")
        np.savez(path, meta=np.frombuffer(raw, dtype=np.uint8), **good_arrays(model))
    elif change == "deep":
        write_npz(path, "[" * 100_000 + "]" * 100_000, good_arrays(model))
    else:
        write_npz(path, change(meta), good_arrays(model))
    assert_load_fails(path, *words)


def test_the_unbroken_meta_loads(tmp_path):
    """The cases above differ from a file that loads only in what they break."""
    model = tiny_model()
    model.history = [nn.EpochRecord(epoch=1, seconds=0.5, loss=0.3, accuracy=0.9,
                                    val_accuracy=0.91, test_accuracy=None, lr=3.0)]
    model.samples_seen = 60
    path = tmp_path / "m.npz"
    write_npz(path, meta_of(model), good_arrays(model))
    loaded = nn.load_model(path)
    assert loaded.history == model.history and loaded.samples_seen == 60


def test_cross_entropy_model_without_probabilities(tmp_path):
    """A file whose loss cannot work with its network (cross-entropy on a plain Dense
    output) is refused, as the app refuses to build such a model."""
    model = tiny_model()
    meta = meta_of(model)
    meta["hyper"] = {**meta["hyper"], "loss": "ce"}
    path = tmp_path / "m.npz"
    write_npz(path, meta, good_arrays(model))
    assert_load_fails(path, "cross-entropy")


def test_meta_of_wrong_dtype_or_shape(tmp_path):
    model = tiny_model()
    raw = json.dumps(meta_of(model)).encode()
    path = tmp_path / "m.npz"
    np.savez(path, meta=np.frombuffer(raw, dtype=np.uint8).astype(np.int64),
             **good_arrays(model))
    assert_load_fails(path, "meta")
    even = raw + b" " * (len(raw) % 2)
    np.savez(path, meta=np.frombuffer(even, dtype=np.uint8).reshape(2, -1),
             **good_arrays(model))
    assert_load_fails(path, "meta")


def test_meta_too_large(tmp_path):
    model = tiny_model()
    meta = {**meta_of(model), "padding": "x" * (4 * 1024 * 1024 + 1)}
    path = tmp_path / "m.npz"
    write_npz(path, meta, good_arrays(model))
    assert_load_fails(path)


@pytest.mark.parametrize("case", ["wrong shape", "transposed", "float64", "int32", "nan", "inf",
                                  "missing", "extra", "renamed", "scalar"])
def test_broken_weights(tmp_path, case):
    model = tiny_model()
    arrays = good_arrays(model)
    if case == "wrong shape":
        arrays["p0"] = np.zeros((5, 10), dtype=np.float32)
    elif case == "transposed":
        arrays["p0"] = arrays["p0"].T.copy()
    elif case == "float64":
        arrays["p1"] = arrays["p1"].astype(np.float64)
    elif case == "int32":
        arrays["p0"] = arrays["p0"].astype(np.int32)
    elif case == "nan":
        arrays["p0"][1, 2] = np.nan
    elif case == "inf":
        arrays["p1"][0] = -np.inf
    elif case == "missing":
        del arrays["p1"]
    elif case == "extra":
        arrays["p2"] = np.zeros(3, dtype=np.float32)
    elif case == "renamed":
        arrays["w0"] = arrays.pop("p0")
    elif case == "scalar":
        arrays["p1"] = np.float32(1.0)
    path = tmp_path / "m.npz"
    write_npz(path, meta_of(model), arrays)
    message = assert_load_fails(path)
    if case in ("wrong shape", "transposed", "float64", "int32"):
        assert "p0" in message or "p1" in message
    if case in ("nan", "inf"):
        assert "NaN or infinite" in message


def test_file_too_large(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    nn.save_model(path, tiny_model())
    monkeypatch.setattr(serialization, "MAX_FILE_BYTES", 100)
    assert_load_fails(path, "too large")


def test_truncated_at_every_byte(tmp_path):
    """A file cut off at any byte is one clear ModelFileError, never a traceback."""
    model = tiny_model()
    whole = tmp_path / "whole.npz"
    nn.save_model(whole, model)
    data = whole.read_bytes()
    assert len(data) < 5000
    path = tmp_path / "cut.npz"
    for size in range(len(data)):
        path.write_bytes(data[:size])
        try:
            nn.load_model(path)
        except nn.ModelFileError as e:
            assert str(path) in str(e)
        else:
            pytest.fail(f"a file cut at byte {size} of {len(data)} loaded")
    path.write_bytes(data)
    assert nn.load_model(path).network.spec == TINY


def test_damaged_bytes_never_crash(tmp_path):
    """Flipping bytes anywhere either still loads (zip and npy leave some bytes unchecked,
    and a weight may change value) or gives a ModelFileError: never another exception."""
    model = tiny_model()
    whole = tmp_path / "whole.npz"
    nn.save_model(whole, model)
    data = bytearray(whole.read_bytes())
    path = tmp_path / "bad.npz"
    failures = 0
    for i in range(0, len(data), 4):
        bad = bytearray(data)
        bad[i] ^= 0xFF
        path.write_bytes(bytes(bad))
        try:
            nn.load_model(path)
        except nn.ModelFileError as e:
            assert str(path) in str(e)
            failures += 1
    assert failures > 0

