"""Loading the MNIST digits from the four official IDX files (pure NumPy + stdlib).

The files ship with the app in ``resources/mnist/`` (gzip-compressed). Loading the
full set decompresses each file once, checks its SHA-256 and wraps the bytes with
``np.frombuffer`` -- no copies -- and the result is memoised, so calling
:func:`load_mnist` again is free and returns the same read-only arrays.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import playground
from playground import safeio

__all__ = [
    "MNIST_FILES",
    "MNIST",
    "DataError",
    "Split",
    "bundled_mnist_dir",
    "load_mnist",
    "read_idx",
    "resources_dir",
]

#: SHA-256 of each *decompressed* official file.
MNIST_FILES = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: Size of each decompressed official file: the IDX header (16 or 8 bytes) and the data.
MNIST_SIZES = {
    "train-images-idx3-ubyte": 16 + 60_000 * 28 * 28,
    "train-labels-idx1-ubyte": 8 + 60_000,
    "t10k-images-idx3-ubyte": 16 + 10_000 * 28 * 28,
    "t10k-labels-idx1-ubyte": 8 + 10_000,
}
#: The largest IDX file read when the contents are not checked (e.g. other digit sets).
MAX_IDX_BYTES = 512 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
_UINT8_CODE = 0x08
_MAX_DIMS = 4


class DataError(Exception):
    """A data file is missing, unreadable, malformed or not the expected one."""


def resources_dir() -> Path:
    """The folder holding the app's resources.

    Inside an installed wheel that is ``playground/resources``; in a source or
    editable checkout it is ``<repo>/resources``. Never relative to the CWD.
    """
    package = Path(playground.__file__).resolve().parent
    inside = package / "resources"
    return inside if inside.is_dir() else package.parent / "resources"


def bundled_mnist_dir() -> Path:
    """The folder with the bundled MNIST files: ``resources_dir() / "mnist"``."""
    return resources_dir() / "mnist"


def _read_bytes(path: Path, limit: int = MAX_IDX_BYTES) -> bytearray:
    """The file's bytes, gunzipped if it starts with the gzip magic 1f 8b.

    Only a regular file is read. Neither the file nor its decompressed contents may
    exceed ``limit`` bytes: the IDX header says how many bytes follow it, and
    decompression stops there (a gzip bomb is never inflated in full).
    """
    try:
        f = safeio.open_regular(path, limit, "an MNIST data file")
    except safeio.FileProblem as exc:
        if exc.reason in ("is a folder", "not a regular file", "too large"):
            raise DataError(str(exc)) from None
        raise DataError(f"{path}: cannot read file ({exc.reason})") from None
    with f:
        try:
            compressed = f.read(2) == _GZIP_MAGIC
            f.seek(0)
            if not compressed:
                return _read_idx_stream(f, path, limit)
            with gzip.GzipFile(fileobj=f) as stream:
                return _read_idx_stream(stream, path, limit)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise DataError(f"{path}: corrupt or truncated gzip data ({exc})") from None
        except OSError as exc:
            raise DataError(f"{path}: cannot read file ({safeio.os_reason(exc)})") from None


def _read_exactly(stream, n: int, prefix: bytes = b"") -> bytearray:
    """``prefix`` then up to ``n`` bytes from ``stream``, in one buffer (no copies)."""
    buf = bytearray(len(prefix) + n)
    buf[:len(prefix)] = prefix
    view, got = memoryview(buf), len(prefix)
    while got < len(buf):
        count = stream.readinto(view[got:])
        if not count:
            break
        got += count
    view.release()
    if got < len(buf):
        del buf[got:]
    return buf


def _read_idx_stream(stream, path: Path, limit: int) -> bytearray:
    """An IDX file's bytes from ``stream``: the header, then as many bytes as it declares
    (plus one, to tell a file that is too long). Never more than ``limit + 1`` bytes."""
    head = _read_exactly(stream, 4)
    if len(head) == 4 and head[0] == 0 and head[1] == 0 and 0 < head[3] <= _MAX_DIMS:
        dims = _read_exactly(stream, 4 * head[3])
        head += dims
        if len(dims) == 4 * head[3]:
            shape = [int.from_bytes(dims[i:i + 4], "big") for i in range(0, len(dims), 4)]
            total = len(head) + math.prod(shape)
            if total > limit:
                raise DataError(f"{path}: too large: its header declares {total:,} bytes; "
                                f"at most {limit:,}")
            return _read_exactly(stream, total - len(head) + 1, bytes(head))
    return head  # not an IDX header: _parse_idx says what is wrong


def _parse_idx(data: bytes, path: Path) -> np.ndarray:
    """Wrap decompressed IDX bytes as a read-only uint8 array (no copy)."""
    if len(data) < 4:
        raise DataError(f"{path}: truncated IDX header ({len(data)} bytes)")
    if data[0] != 0 or data[1] != 0:
        raise DataError(f"{path}: not an IDX file (bad magic {data[:4].hex(' ')})")
    code, ndim = data[2], data[3]
    if code != _UINT8_CODE:
        raise DataError(f"{path}: unsupported IDX data type 0x{code:02x} (only uint8, 0x08)")
    if ndim == 0:
        raise DataError(f"{path}: IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path}: truncated IDX header ({len(data)} of {header} bytes)")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = math.prod(shape)
    payload = len(data) - header
    if payload != expected:
        what = "truncated" if payload < expected else "too long"
        raise DataError(
            f"{path}: {what}: header shape {shape} needs {expected} data bytes, "
            f"file has {payload}"
        )
    array = np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)
    array.flags.writeable = False
    return array


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (raw or gzip, detected by content) as a read-only uint8 array
    of the shape given in its header, e.g. (N, 28, 28) for images, (N,) for labels.

    Raises DataError naming the file when it is unreadable, not IDX, not uint8,
    truncated or too long.
    """
    path = Path(path)
    return _parse_idx(_read_bytes(path), path)


@dataclass(frozen=True, eq=False)
class Split:
    """Train/validation/test arrays: ``*_x`` (N, 28, 28) uint8, ``*_y`` (N,) uint8."""

    train_x: np.ndarray
    train_y: np.ndarray
    val_x: np.ndarray
    val_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray

    def limit(self, n_train: int, n_val: int | None = None, n_test: int | None = None) -> Split:
        """A smaller Split with (at most) the first n of each part (views, no copies).

        ``None`` keeps that part whole.
        """
        def first(x: np.ndarray, y: np.ndarray, n: int | None):
            if n is None:
                return x, y
            if n < 0:
                raise ValueError(f"subset size must be >= 0, got {n}")
            return x[:n], y[:n]

        return Split(
            *first(self.train_x, self.train_y, n_train),
            *first(self.val_x, self.val_y, n_val),
            *first(self.test_x, self.test_y, n_test),
        )

    def summary(self) -> str:
        """E.g. ``"50,000 train / 10,000 validation / 10,000 test"``."""
        return (
            f"{len(self.train_y):,} train / {len(self.val_y):,} validation / "
            f"{len(self.test_y):,} test"
        )


@dataclass(frozen=True, eq=False)
class MNIST:
    """The MNIST set as read-only uint8 arrays.

    ``train_images`` (60000, 28, 28), ``train_labels`` (60000,),
    ``test_images`` (10000, 28, 28), ``test_labels`` (10000,).
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray

    def split(self, validation: int = 10_000) -> Split:
        """Train = the first ``N - validation`` training images, val = the last
        ``validation``, test = the test set. All views, still uint8."""
        n = len(self.train_labels)
        if not 0 <= validation <= n:
            raise ValueError(f"validation must be between 0 and {n}, got {validation}")
        cut = n - validation
        return Split(
            self.train_images[:cut], self.train_labels[:cut],
            self.train_images[cut:], self.train_labels[cut:],
            self.test_images, self.test_labels,
        )

    def summary(self, validation: int = 10_000) -> str:
        """E.g. ``"MNIST: 50,000 train / 10,000 validation / 10,000 test"``."""
        return "MNIST: " + self.split(validation).summary()


def _find(folder: Path, name: str) -> Path:
    for candidate in (folder / f"{name}.gz", folder / name):
        st = safeio.stat_path(candidate)
        if st is None:
            continue
        if not safeio.is_regular_file(candidate):
            raise DataError(f"{candidate}: not a regular file ({safeio.kind_of(st)}); "
                            f"expected the MNIST file {name}")
        return candidate
    raise DataError(f"{folder}: MNIST file {name}.gz (or {name}) not found in folder {folder}")


def _load_file(path: Path, name: str, verify: bool) -> np.ndarray:
    data = _read_bytes(path, MNIST_SIZES[name] if verify else MAX_IDX_BYTES)
    if verify and hashlib.sha256(data).hexdigest() != MNIST_FILES[name]:
        raise DataError(f"{path}: not the official MNIST file (SHA-256 mismatch)")
    return _parse_idx(data, path)


def _check_pair(images: np.ndarray, labels: np.ndarray, ipath: Path, lpath: Path) -> None:
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(f"{ipath}: expected images of shape (N, 28, 28), got {images.shape}")
    if labels.ndim != 1:
        raise DataError(f"{lpath}: expected labels of shape (N,), got {labels.shape}")
    if len(images) != len(labels):
        raise DataError(f"{lpath}: {len(labels)} labels but {ipath.name} has {len(images)} images")
    if labels.size and labels.max() > 9:
        raise DataError(f"{lpath}: label {int(labels.max())} out of range 0-9")


@functools.lru_cache(maxsize=4)
def _load_cached(folder: Path, verify: bool) -> MNIST:
    paths = {name: _find(folder, name) for name in MNIST_FILES}  # all present before reading
    arrays = {name: _load_file(path, name, verify) for name, path in paths.items()}
    for kind in ("train", "t10k"):
        images, labels = f"{kind}-images-idx3-ubyte", f"{kind}-labels-idx1-ubyte"
        _check_pair(arrays[images], arrays[labels], paths[images], paths[labels])
    return MNIST(
        train_images=arrays["train-images-idx3-ubyte"],
        train_labels=arrays["train-labels-idx1-ubyte"],
        test_images=arrays["t10k-images-idx3-ubyte"],
        test_labels=arrays["t10k-labels-idx1-ubyte"],
    )


def load_mnist(folder: str | Path | None = None, verify: bool = True) -> MNIST:
    """Load MNIST from ``folder`` (default: :func:`bundled_mnist_dir`).

    Each of the four files may be ``NAME.gz`` or raw ``NAME`` (``.gz`` preferred).
    With ``verify`` the SHA-256 of every decompressed file must match the official
    one; without it any IDX files of the right shapes load (e.g. Fashion-MNIST).
    Memoised per (resolved folder, verify); returns read-only arrays.
    Raises DataError naming the offending file (or the folder searched).
    """
    folder = bundled_mnist_dir() if folder is None else Path(folder)
    if not safeio.is_folder(folder):
        st = safeio.stat_path(folder)
        if st is not None:
            kind = safeio.kind_of(st)
            what = ("is a file, not a folder" if kind == "a regular file"
                    else f"is {kind}, not a folder")
        else:
            what = _missing_reason(folder)
        raise DataError(f"{folder}: {what} (expected a folder with the MNIST IDX files)")
    try:
        resolved = folder.resolve()
    except (OSError, RuntimeError) as exc:
        raise DataError(f"{folder}: {safeio.os_reason(exc)}") from None
    return _load_cached(resolved, bool(verify))


def _missing_reason(folder: Path) -> str:
    try:
        os.stat(folder)
    except (OSError, ValueError) as exc:
        reason = safeio.os_reason(exc)
        return "no such folder" if reason == "no such file or folder" else reason
    return "no such folder"

