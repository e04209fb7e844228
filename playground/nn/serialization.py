"""Save and load a model as one ``.npz`` file, never with pickle.

The file holds ``meta`` (UTF-8 JSON as uint8 bytes: format, version, spec, training
settings, history) and ``p0``, ``p1``, ... (each layer's weights then biases, float32).
Writes are atomic and never replace anything but a regular file (a symlink is written
through to its target). Loading checks every member's declared size and shape before
reading it, and the whole file before a network is built.
"""

from __future__ import annotations

import json
import math
import zipfile

import numpy as np

from .. import safeio
from .history import EpochRecord
from .layers import LAYER_TYPES
from .model import Model
from .network import Network
from .settings import check_hyper
from .spec import MAX_LAYERS, check_spec, make_layer

FORMAT = "nn-playground-model"
VERSION = 1
MODEL_SUFFIX = ".npz"  # what the Open dialog filters on
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_META_BYTES = 4 * 1024 * 1024
MAX_HISTORY = 100_000
MAX_SAMPLES_SEEN = 10**15
MAX_EPOCH = 10**9
MAX_SECONDS = 1e9  # about 30 years
MAX_VALUE = 1e30  # the largest loss or other unbounded number a history record holds
MAX_OUTPUT = 1e15  # weights that could give larger outputs (from pixels in [0, 1]) are refused
MAX_NPY_HEADER = 10_000
MAX_MEMBERS = 2 * MAX_LAYERS + 1  # meta and each layer's weights and biases
MAX_DIRECTORY_BYTES = 64 * 1024
_BOUNDED_OUTPUTS = {"Sigmoid": 1.0, "Tanh": 1.0, "Softmax": 1.0}


class ModelFileError(Exception):
    """A model file that cannot be written or read; the message names the file."""


def save_model(path, model: Model) -> None:
    """Write ``model`` to ``path`` atomically: on any failure the old file stays as it was.

    Refuses to replace a folder, FIFO, device or other non-regular file; a symlink is
    written through to its target. Stale temporaries of a killed save are removed.
    """
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "spec": model.network.spec,
        "hyper": model.hyper,
        "history": [_storable(r.to_dict()) for r in model.history],
        "samples_seen": int(model.samples_seen),
    }
    try:
        text = json.dumps(meta, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ModelFileError(f"{path}: could not save the model ({e})") from None
    arrays = {"meta": np.frombuffer(text.encode("utf-8"), dtype=np.uint8)}
    for i, w in enumerate(model.network.get_weights()):
        arrays[f"p{i}"] = w
    try:
        safeio.atomic_write(path, lambda f: np.savez(f, **arrays), "a model file")
    except safeio.FileProblem as e:
        if e.reason in ("is a folder", "not a regular file", "no such folder", "read-only"):
            raise ModelFileError(str(e)) from None
        raise ModelFileError(f"{path}: could not save the model ({e.reason})") from None


def estimated_file_bytes(param_count: int, epochs: int = 0) -> int:
    """About how many bytes ``save_model`` writes for a network of ``param_count``
    parameters with ``epochs`` history records."""
    return 4 * param_count + 64 * 1024 + 200 * epochs


def with_model_suffix(name: str) -> str:
    """``name`` ending in .npz, the extension model files are opened by."""
    return name if name.lower().endswith(MODEL_SUFFIX) else name + MODEL_SUFFIX


def _storable(record: dict) -> dict:
    """A history record as the loader accepts it: a number it would refuse (NaN, or out
    of its field's range, e.g. the loss of a run that blew up) is stored as None."""
    out = {}
    for key, value in record.items():
        if key != "epoch" and value is not None:
            low, high, nullable = _FIELDS.get(key, _OTHER_FIELD)
            if not _plain_number(value):
                value = None if nullable else low
            elif not low <= value <= high:
                value = None if nullable else min(max(value, low), high)
        out[key] = value
    return out


def load_model(path) -> Model:
    """Read and check a model file; any problem is one ModelFileError naming the file."""
    try:
        f = safeio.open_regular(path, MAX_FILE_BYTES, "a model file")
    except safeio.FileProblem as e:
        if e.reason in ("is a folder", "not a regular file", "too large"):
            raise ModelFileError(str(e)) from None
        raise ModelFileError(f"{path}: cannot open the model file ({e.reason})") from None
    try:
        with f:
            return _read(f)
    except ModelFileError:
        raise
    except _Invalid as e:
        raise ModelFileError(f"{path}: {e}") from None
    except (zipfile.BadZipFile, EOFError) as e:
        raise ModelFileError(f"{path}: damaged: the model archive is cut short or "
                             f"corrupted ({e})") from None
    except OSError as e:
        raise ModelFileError(f"{path}: cannot read the model file "
                             f"({safeio.os_reason(e)})") from None
    except RecursionError:
        raise ModelFileError(f"{path}: not a model file (its description is nested "
                             f"too deeply)") from None
    except Exception:  # noqa: BLE001 - any other failure to parse: not one of our files
        raise ModelFileError(f"{path}: not a model file (it is not a model archive "
                             f"saved by this app)") from None


class _Invalid(Exception):
    pass


def _read(f) -> Model:
    if f.read(4) != b"PK\x03\x04":
        if f.tell() == 0:
            raise _Invalid("the file is empty, not a model")
        raise _Invalid("not a model file (it is not a model archive saved by this app)")
    _check_directory(f)
    f.seek(0)
    with zipfile.ZipFile(f) as z:
        return _read_archive(z)


def _check_directory(f) -> None:
    """Refuse an archive whose table of contents is far larger than a model's, before
    zipfile makes an object for every entry in it."""
    end_record = getattr(zipfile, "_EndRecData", None)  # the zip's end-of-directory record
    if end_record is None:
        return
    record = end_record(f)
    if not record:
        raise zipfile.BadZipFile("no end of the archive's directory")
    entries, size = record[4], record[5]  # total entries, directory size in bytes
    if entries > MAX_MEMBERS or size > MAX_DIRECTORY_BYTES:
        raise _Invalid(f"not a model file (its archive holds {entries:,} entries)")


def _read_archive(z: zipfile.ZipFile) -> Model:
    infos = z.infolist()
    members = {info.filename: info for info in infos}
    if len(members) != len(infos):
        raise _Invalid("not a model file (an entry appears twice)")
    if "meta.npy" not in members:
        raise _Invalid("not a model file (no 'meta' entry)")
    if sum(info.file_size for info in infos) > MAX_FILE_BYTES:
        raise _Invalid("not a model file (its contents are too large)")
    if members["meta.npy"].file_size > MAX_META_BYTES:
        raise _Invalid("not a model file (its description is too large)")
    meta_bytes = _read_npy(z, members["meta.npy"], np.dtype(np.uint8), None, "meta")
    meta = json.loads(meta_bytes.tobytes().decode("utf-8"))
    spec, hyper = _check_meta(meta)
    expected = _weight_shapes(spec)  # from the spec alone: nothing is allocated yet
    wanted = {"meta.npy"} | {f"p{i}.npy" for i in range(len(expected))}
    if set(members) != wanted:
        found = len(members) - 1
        raise _Invalid(f"its weights do not match its network: expected "
                       f"{len(expected)} arrays, found {found}")
    dtype = np.dtype(np.float32)
    for i, shape in enumerate(expected):  # every size checked before any weight is read
        _npy_header(z, members[f"p{i}.npy"], dtype, shape, f"p{i}")
    weights = []
    for i, shape in enumerate(expected):
        w = _read_npy(z, members[f"p{i}.npy"], dtype, shape, f"p{i}")
        if not np.isfinite(w).all():
            raise _Invalid(f"weight array p{i} holds NaN or infinite values")
        weights.append(w)
    if not _outputs_bounded(spec, weights):
        raise _Invalid(f"its weights are so large that the network's outputs could "
                       f"overflow (beyond {MAX_OUTPUT:.0e})")
    net = Network(spec, seed=0, init=hyper["init"])
    net.set_weights(weights)
    history = [EpochRecord.from_dict(r) for r in meta["history"]]
    return Model(net, hyper, history, meta["samples_seen"])


def _weight_shapes(spec: dict) -> list[tuple[int, ...]]:
    """The shapes of p0, p1, ... for a valid spec: each layer's weights then biases
    (Dense: (inputs, units), (units,); Conv2D: (filters, channels, size, size), (filters,))."""
    report = check_spec(spec)
    shapes = []
    shape = report.input_shape
    for layer_spec, info in zip(spec["layers"], report.layers, strict=True):
        if LAYER_TYPES[layer_spec["type"]].trainable:
            shapes += make_layer(layer_spec).param_shapes(shape)
        shape = info.output_shape
    return shapes


def _npy_header(z: zipfile.ZipFile, info: zipfile.ZipInfo, dtype, shape, name: str) -> int:
    """Check a member's .npy header and declared size; returns its header length."""
    with z.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            got_shape, fortran, got_dtype = np.lib.format.read_array_header_1_0(
                fp, max_header_size=MAX_NPY_HEADER)
        elif version == (2, 0):
            got_shape, fortran, got_dtype = np.lib.format.read_array_header_2_0(
                fp, max_header_size=MAX_NPY_HEADER)
        else:
            raise _Invalid(f"entry {name} is not an array this app writes")
        header = fp.tell()
    if got_dtype.hasobject or got_dtype != dtype or fortran:
        raise _Invalid(f"weight array {name} is {got_dtype} {got_shape}; the network needs "
                       f"{dtype} {shape}" if shape is not None else f"bad '{name}' entry")
    if shape is None:
        if len(got_shape) != 1:
            raise _Invalid(f"bad '{name}' entry")
    elif tuple(got_shape) != tuple(shape):
        raise _Invalid(f"weight array {name} is {got_dtype} {tuple(got_shape)}; "
                       f"the network needs {dtype} {tuple(shape)}")
    if info.file_size != header + math.prod(got_shape) * dtype.itemsize:
        raise _Invalid(f"entry {name} is damaged (its size does not match its shape)")
    return header


def _read_npy(z: zipfile.ZipFile, info: zipfile.ZipInfo, dtype, shape, name: str):
    header = _npy_header(z, info, dtype, shape, name)
    with z.open(info) as fp:
        fp.read(header)
        data = fp.read(info.file_size - header)
        if len(data) != info.file_size - header or fp.read(1):
            raise _Invalid(f"entry {name} is damaged")
    count = (info.file_size - header) // dtype.itemsize
    array = np.frombuffer(data, dtype=dtype, count=count)
    return array.reshape(shape) if shape is not None else array


def _outputs_bounded(spec: dict, weights: list[np.ndarray]) -> bool:
    """True when no input in [0, 1] can drive any output past MAX_OUTPUT: a bound on
    each unit's magnitude, carried through the layers in float64 (after a convolution,
    one bound per channel, which pooling keeps and Flatten repeats for each pixel)."""
    bound = None  # None: every input is at most 1 in magnitude
    per_channel = False
    params = iter(weights)
    report = check_spec(spec)
    shapes = [report.input_shape, *(info.output_shape for info in report.layers)]
    with np.errstate(over="ignore", invalid="ignore"):
        for layer_spec, shape in zip(spec["layers"], shapes, strict=False):
            kind = layer_spec["type"]
            if kind == "Conv2D":
                w, b = np.abs(next(params).astype(np.float64)), next(params)
                reach = (w.sum(axis=(1, 2, 3)) if bound is None
                         else np.einsum("fckl,c->f", w, bound))
                bound, per_channel = reach + np.abs(b.astype(np.float64)), True
                if not (bound.max() <= MAX_OUTPUT):
                    return False
            elif kind == "Flatten" and per_channel:
                bound, per_channel = np.repeat(bound, math.prod(shape[1:])), False
            elif LAYER_TYPES[kind].trainable:
                w, b = next(params), next(params)
                col = np.abs(w.astype(np.float64))
                reach = col.sum(axis=0) if bound is None else bound @ col
                bound = reach + np.abs(b.astype(np.float64))
                if not (bound.max() <= MAX_OUTPUT):
                    return False
            elif kind in _BOUNDED_OUTPUTS and bound is not None:
                bound = np.minimum(bound, _BOUNDED_OUTPUTS[kind])
    return True


def _check_meta(meta) -> tuple[dict, dict]:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _Invalid("not a model file of this app")
    if meta.get("version") != VERSION:
        version = meta.get("version")
        shown = repr(version) if isinstance(version, (int, str)) and len(
            repr(version)) < 20 else "of another kind"
        raise _Invalid(f"model format version {shown} is not supported "
                       f"(this app reads version {VERSION})")
    hyper = meta.get("hyper")
    report = check_spec(meta.get("spec"), hyper.get("loss") if isinstance(hyper, dict) else None)
    if not report.ok:
        raise _Invalid(f"its network is invalid: {report.errors[0]}")
    if not isinstance(hyper, dict):
        raise _Invalid("its training settings are missing")
    problems = check_hyper(hyper)
    if problems:
        raise _Invalid(f"its training settings are invalid: {problems[0]}")
    history = meta.get("history")
    if not isinstance(history, list) or len(history) > MAX_HISTORY:
        raise _Invalid("its training history is damaged")
    for n, record in enumerate(history, 1):
        problem = _record_problem(record)
        if problem:
            raise _Invalid(f"its training history is damaged (record {n}: {problem})")
    seen = meta.get("samples_seen")
    if isinstance(seen, bool) or not isinstance(seen, int) or not 0 <= seen <= MAX_SAMPLES_SEEN:
        raise _Invalid("its training history is damaged (samples_seen)")
    return meta["spec"], hyper


# the range of each history field: (lowest, highest, None allowed)
_FIELDS = {
    "seconds": (0.0, MAX_SECONDS, False),
    "loss": (0.0, MAX_VALUE, True),
    "accuracy": (0.0, 1.0, True),
    "val_accuracy": (0.0, 1.0, True),
    "test_accuracy": (0.0, 1.0, True),
    "lr": (0.0, MAX_VALUE, True),
    "val_loss": (0.0, MAX_VALUE, True),
    "train_sample_loss": (0.0, MAX_VALUE, True),
    "train_sample_accuracy": (0.0, 1.0, True),
}
_OTHER_FIELD = (-MAX_VALUE, MAX_VALUE, True)


def _record_problem(record) -> str | None:
    """What is wrong with one history record, or None."""
    if not isinstance(record, dict):
        return "not a record"
    epoch = record.get("epoch")
    if "epoch" in record and (isinstance(epoch, bool) or not isinstance(epoch, int)
                              or not 1 <= epoch <= MAX_EPOCH):
        return "epoch must be a whole number from 1"
    for key, value in record.items():
        if key == "epoch":
            continue
        low, high, nullable = _FIELDS.get(key, _OTHER_FIELD)
        if value is None:
            if not nullable:
                return f"{key} is missing"
            continue
        if not _plain_number(value) or not low <= value <= high:
            return f"{key} out of range"
        if key == "lr" and value == 0:
            return "lr out of range"
    return None


def _plain_number(v) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    return isinstance(v, int) or math.isfinite(v)  # isfinite of a huge int overflows
