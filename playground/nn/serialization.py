"""Save and load a model as one ``.npz`` file, never with pickle.

The file holds ``meta`` (UTF-8 JSON as uint8 bytes: format, version, spec, training
settings, history) and ``p0``, ``p1``, ... (each layer's weights then biases, float32).
Writes are atomic; loading checks everything before the model is used.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .network import Model, Network, check_hyper
from .spec import check_spec

FORMAT = "nn-playground-model"
VERSION = 1
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_META_BYTES = 4 * 1024 * 1024
MAX_HISTORY = 100_000


class ModelFileError(Exception):
    """A model file that cannot be written or read; the message names the file."""


def save_model(path, model: Model) -> None:
    """Write ``model`` to ``path`` atomically: on any failure the old file stays as it was."""
    path = Path(path)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "spec": model.network.spec,
        "hyper": model.hyper,
        "history": model.history,
        "samples_seen": int(model.samples_seen),
    }
    arrays = {"meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)}
    for i, w in enumerate(model.network.get_weights()):
        arrays[f"p{i}"] = w
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                   suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), _new_file_mode(path))  # mkstemp's file is private (0600)
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise ModelFileError(f"{path}: could not save the model ({e.strerror or e})") from e
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _new_file_mode(path: Path) -> int:
    """An existing file's permissions, else what a new file gets (0666 less the umask)."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def load_model(path) -> Model:
    """Read and check a model file; any problem is one ModelFileError naming the file."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ModelFileError(f"{path}: cannot open the model file "
                             f"({e.strerror or e})") from None
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder, not a model file")
    if size > MAX_FILE_BYTES:
        raise ModelFileError(f"{path}: too large for a model file ({size:,} bytes)")
    if size == 0:
        raise ModelFileError(f"{path}: the file is empty, not a model")
    try:
        return _read(path)
    except ModelFileError:
        raise
    except _Invalid as e:
        raise ModelFileError(f"{path}: {e}") from None
    except (zipfile.BadZipFile, EOFError) as e:
        raise ModelFileError(f"{path}: damaged: the model archive is cut short or "
                             f"corrupted ({e})") from None
    except Exception:  # noqa: BLE001 - any other failure to parse: not one of our files
        raise ModelFileError(f"{path}: not a model file (it is not a model archive "
                             f"saved by this app)") from None


class _Invalid(Exception):
    pass


def _read(path: Path) -> Model:
    # open the file here: np.load leaves it open when the archive is damaged
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":
            raise _Invalid("not a model file (it is not a model archive saved by this app)")
        f.seek(0)
        with np.load(f, allow_pickle=False) as z:
            return _read_archive(z)


def _read_archive(z) -> Model:
    names = set(z.files)
    if "meta" not in names:
        raise _Invalid("not a model file (no 'meta' entry)")
    total = sum(info.file_size for info in z.zip.infolist())
    if total > MAX_FILE_BYTES:
        raise _Invalid("not a model file (its contents are too large)")
    if z.zip.getinfo("meta.npy").file_size > MAX_META_BYTES:
        raise _Invalid("not a model file (its description is too large)")
    meta_bytes = z["meta"]
    if meta_bytes.dtype != np.uint8 or meta_bytes.ndim != 1:
        raise _Invalid("not a model file (bad 'meta' entry)")
    meta = json.loads(meta_bytes.tobytes().decode("utf-8"))
    spec, hyper = _check_meta(meta)
    net = Network(spec, seed=0, init=hyper["init"])
    expected = net.get_weights()
    if names != {"meta"} | {f"p{i}" for i in range(len(expected))}:
        raise _Invalid(f"its weights do not match its network: expected "
                       f"{len(expected)} arrays, found {len(names) - 1}")
    weights = []
    for i, ref in enumerate(expected):
        w = z[f"p{i}"]
        if w.shape != ref.shape or w.dtype != ref.dtype:
            raise _Invalid(f"weight array p{i} is {w.dtype} {w.shape}; "
                           f"the network needs {ref.dtype} {ref.shape}")
        if not np.isfinite(w).all():
            raise _Invalid(f"weight array p{i} holds NaN or infinite values")
        weights.append(w)
    net.set_weights(weights)
    return Model(net, hyper, meta["history"], meta["samples_seen"])


def _check_meta(meta) -> tuple[dict, dict]:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _Invalid("not a model file of this app")
    if meta.get("version") != VERSION:
        raise _Invalid(f"model format version {meta.get('version')!r} is not supported "
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
    if not isinstance(history, list) or len(history) > MAX_HISTORY or not all(
            isinstance(r, dict) and all(_plain_number(v) for v in r.values()) for r in history):
        raise _Invalid("its training history is damaged")
    seen = meta.get("samples_seen")
    if isinstance(seen, bool) or not isinstance(seen, int) or seen < 0:
        raise _Invalid("its training history is damaged (samples_seen)")
    return meta["spec"], hyper


def _plain_number(v) -> bool:
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)
                         and math.isfinite(v))

