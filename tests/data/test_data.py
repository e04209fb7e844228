"""Tests for playground.data: MNIST loading (IDX parsing, verification) and to_mnist."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.data import (
    MNIST,
    DataError,
    Split,
    bundled_mnist_dir,
    load_mnist,
    preprocess,
    read_idx,
    resources_dir,
    to_mnist,
)
from playground.data.mnist import MNIST_FILES

REPO = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- helpers

def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as IDX."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    return header + array.tobytes()


def link_bundled(folder: Path, names) -> None:
    """Symlink (or copy) the bundled .gz files for ``names`` into ``folder``."""
    for name in names:
        src = bundled_mnist_dir() / f"{name}.gz"
        dst = folder / f"{name}.gz"
        try:
            dst.symlink_to(src)
        except OSError:
            dst.write_bytes(src.read_bytes())


def com(image: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted centre of mass (row, col) in pixel-index coordinates."""
    total = image.sum()
    rows = (image.sum(axis=1) * np.arange(image.shape[0])).sum() / total
    cols = (image.sum(axis=0) * np.arange(image.shape[1])).sum() / total
    return float(rows), float(cols)


def bbox_size(image: np.ndarray, threshold: float = 0.1) -> tuple[int, int]:
    rows = np.flatnonzero((image > threshold).any(axis=1))
    cols = np.flatnonzero((image > threshold).any(axis=0))
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


def stroke(shape, points, width: float) -> np.ndarray:
    """Anti-aliased polyline of the given width on a black (H, W) float canvas."""
    yy, xx = np.mgrid[: shape[0], : shape[1]].astype(np.float64)
    dist = np.full(shape, np.inf)
    for (y0, x0), (y1, x1) in zip(points[:-1], points[1:], strict=True):
        dy, dx = y1 - y0, x1 - x0
        t = ((yy - y0) * dy + (xx - x0) * dx) / max(dy * dy + dx * dx, 1e-12)
        t = np.clip(t, 0.0, 1.0)
        dist = np.minimum(dist, np.hypot(yy - (y0 + t * dy), xx - (x0 + t * dx)))
    return np.clip(width / 2 + 0.5 - dist, 0.0, 1.0)


SHAPES = {
    # name: (canvas shape, polyline points, stroke width)
    "seven_top_left": ((280, 280), [(30, 20), (30, 110), (150, 60)], 12),
    "one_right": ((280, 280), [(60, 230), (230, 236)], 16),
    "tiny_zero": ((280, 280), [(200, 40), (200, 60), (230, 60), (230, 40), (200, 40)], 4),
    "wide_bar": ((500, 300), [(400, 20), (410, 280)], 10),
    "tall_four": ((500, 300), [(50, 200), (300, 120), (300, 260), (150, 230), (450, 230)], 20),
    "big_loop": ((500, 300), [(20, 20), (20, 280), (480, 280), (480, 20), (20, 20)], 30),
}


@pytest.fixture(scope="module")
def mnist() -> MNIST:
    return load_mnist()


# ---------------------------------------------------------------- bundled MNIST

def test_bundled_mnist_shapes_and_labels(mnist):
    assert mnist.train_images.shape == (60000, 28, 28)
    assert mnist.train_labels.shape == (60000,)
    assert mnist.test_images.shape == (10000, 28, 28)
    assert mnist.test_labels.shape == (10000,)
    for array in (mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels):
        assert array.dtype == np.uint8
        assert not array.flags.writeable
    assert mnist.train_labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist.test_labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert set(np.unique(mnist.train_labels).tolist()) == set(range(10))


def test_load_is_memoised(mnist):
    again = load_mnist()
    assert again is mnist
    assert load_mnist(bundled_mnist_dir()) is mnist


def test_resources_found_independent_of_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resources_dir().is_absolute()
    assert bundled_mnist_dir() == resources_dir() / "mnist"
    for name in MNIST_FILES:
        assert (bundled_mnist_dir() / f"{name}.gz").is_file()


def test_split_sizes_and_views(mnist):
    split = mnist.split()
    assert isinstance(split, Split)
    assert len(split.train_x) == len(split.train_y) == 50_000
    assert len(split.val_x) == len(split.val_y) == 10_000
    assert len(split.test_x) == len(split.test_y) == 10_000
    np.testing.assert_array_equal(split.val_x, mnist.train_images[-10_000:])
    np.testing.assert_array_equal(split.val_y, mnist.train_labels[-10_000:])
    np.testing.assert_array_equal(split.train_x, mnist.train_images[:50_000])
    assert np.shares_memory(split.val_x, mnist.train_images)
    assert np.shares_memory(split.train_x, mnist.train_images)
    assert split.train_x.dtype == np.uint8
    assert mnist.summary() == "MNIST: 50,000 train / 10,000 validation / 10,000 test"


def test_split_without_validation_and_limit(mnist):
    split = mnist.split(validation=0)
    assert len(split.train_x) == 60_000
    assert split.val_x.shape == (0, 28, 28) and split.val_y.shape == (0,)
    small = mnist.split().limit(100, 20, 30)
    assert [len(a) for a in (small.train_x, small.train_y, small.val_x, small.val_y,
                             small.test_x, small.test_y)] == [100, 100, 20, 20, 30, 30]
    assert small.train_y.tolist() == mnist.train_labels[:100].tolist()
    assert small.val_y.tolist() == mnist.train_labels[50_000:50_020].tolist()
    keep = mnist.split().limit(10)
    assert len(keep.train_x) == 10 and len(keep.val_x) == 10_000 and len(keep.test_x) == 10_000
    with pytest.raises(ValueError):
        mnist.split(validation=60_001)
    with pytest.raises(ValueError):
        mnist.split().limit(-1)


# ---------------------------------------------------------------- read_idx

def test_read_idx_raw_and_gzip(tmp_path):
    data = np.arange(2 * 3 * 5, dtype=np.uint8).reshape(2, 3, 5)
    raw = tmp_path / "a.idx"
    raw.write_bytes(idx_bytes(data))
    packed = tmp_path / "b"  # gzip detected by content, not by name
    packed.write_bytes(gzip.compress(idx_bytes(data)))
    misnamed = tmp_path / "c.gz"  # raw despite the name
    misnamed.write_bytes(idx_bytes(data))
    for path in (raw, packed, misnamed, str(raw)):
        out = read_idx(path)
        assert out.dtype == np.uint8 and out.shape == (2, 3, 5)
        np.testing.assert_array_equal(out, data)
    labels = tmp_path / "labels"
    labels.write_bytes(idx_bytes(np.array([3, 1, 4], np.uint8)))
    assert read_idx(labels).tolist() == [3, 1, 4]


@pytest.mark.parametrize("cut", [0, 1, 3, 4, 6, 8, 12, 15, 16, 17, 45])
def test_read_idx_truncated(tmp_path, cut):
    full = idx_bytes(np.ones((2, 3, 8), np.uint8))  # 16-byte header + 48 bytes
    path = tmp_path / "truncated-idx3-ubyte"
    path.write_bytes(full[:cut])
    with pytest.raises(DataError, match="truncated-idx3-ubyte"):
        read_idx(path)
    gz = tmp_path / "truncated.gz"
    gz.write_bytes(gzip.compress(full[:cut]))
    with pytest.raises(DataError, match=r"truncated\.gz"):
        read_idx(gz)


def test_read_idx_truncated_gzip_stream(tmp_path):
    packed = gzip.compress(idx_bytes(np.arange(200, dtype=np.uint8)))
    path = tmp_path / "cut.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(DataError, match=r"cut\.gz"):
        read_idx(path)


def test_read_idx_too_long(tmp_path):
    path = tmp_path / "long"
    path.write_bytes(idx_bytes(np.ones(10, np.uint8)) + b"\x00")
    with pytest.raises(DataError, match="long.*too long"):
        read_idx(path)


@pytest.mark.parametrize("header", [b"\x01\x00\x08\x01", b"\x00\x01\x08\x01", b"PK\x03\x04"])
def test_read_idx_wrong_magic(tmp_path, header):
    path = tmp_path / "bad-magic"
    path.write_bytes(header + (3).to_bytes(4, "big") + b"abc")
    with pytest.raises(DataError, match="bad-magic.*magic"):
        read_idx(path)


def test_read_idx_rejects_non_uint8(tmp_path):
    path = tmp_path / "floats"
    path.write_bytes(b"\x00\x00\x0d\x01" + (1).to_bytes(4, "big") + b"\x00" * 4)
    with pytest.raises(DataError, match="floats.*0x0d"):
        read_idx(path)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(DataError, match="nothing-here"):
        read_idx(tmp_path / "nothing-here")


# ---------------------------------------------------------------- load_mnist on folders

def test_load_mnist_empty_folder(tmp_path):
    with pytest.raises(DataError) as info:
        load_mnist(tmp_path)
    assert "train-images-idx3-ubyte" in str(info.value)
    assert str(tmp_path.resolve()) in str(info.value)


def test_load_mnist_missing_one_file(tmp_path):
    link_bundled(tmp_path, [n for n in MNIST_FILES if n != "t10k-labels-idx1-ubyte"])
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte") as info:
        load_mnist(tmp_path)
    assert str(tmp_path.resolve()) in str(info.value)


def test_load_mnist_wrong_content_fails_checksum(tmp_path):
    link_bundled(tmp_path, [n for n in MNIST_FILES if n != "train-labels-idx1-ubyte"])
    fake = tmp_path / "train-labels-idx1-ubyte"  # valid IDX, right shape, wrong bytes
    fake.write_bytes(idx_bytes(np.zeros(60000, np.uint8)))
    with pytest.raises(DataError, match="SHA-256") as info:
        load_mnist(tmp_path)
    assert "train-labels-idx1-ubyte" in str(info.value)
    unverified = load_mnist(tmp_path, verify=False)  # loads when not verifying
    assert unverified.train_labels.shape == (60000,)
    assert not unverified.train_labels.any()


def test_load_mnist_count_mismatch_without_verify(tmp_path):
    link_bundled(tmp_path, [n for n in MNIST_FILES if n != "t10k-labels-idx1-ubyte"])
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(9999, np.uint8)))
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.*9999"):
        load_mnist(tmp_path, verify=False)


def test_load_mnist_accepts_raw_and_prefers_gz(tmp_path, mnist):
    link_bundled(tmp_path, MNIST_FILES)
    # Raw garbage next to the .gz must be ignored (.gz preferred).
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"garbage")
    # A raw (decompressed) file alone is accepted.
    gz = tmp_path / "t10k-labels-idx1-ubyte.gz"
    raw = gzip.decompress(gz.read_bytes())
    gz.unlink()
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(raw)
    loaded = load_mnist(tmp_path)
    np.testing.assert_array_equal(loaded.test_labels, mnist.test_labels)
    np.testing.assert_array_equal(loaded.train_images[:5], mnist.train_images[:5])


# ---------------------------------------------------------------- to_mnist

@pytest.mark.parametrize("name", sorted(SHAPES))
def test_to_mnist_centres_and_scales(name):
    shape, points, width = SHAPES[name]
    out = to_mnist(stroke(shape, points, width))
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0 and out.max() > 0.5
    r, c = com(out)
    # Within a pixel of the geometric centre; exactly a rounding step from the target.
    assert abs(r - 13.5) <= 1.0 + 1e-4 and abs(c - 13.5) <= 1.0 + 1e-4
    assert abs(r - preprocess.COM_TARGET) <= 0.5 + 1e-4
    assert abs(c - preprocess.COM_TARGET) <= 0.5 + 1e-4
    assert 19 <= max(bbox_size(out)) <= 20


def test_to_mnist_keeps_aspect_ratio():
    bar = stroke((500, 300), [(400, 20), (410, 280)], 10)  # ~270 wide, ~20 tall
    h, w = bbox_size(to_mnist(bar))
    assert 19 <= w <= 20 and h <= 3


@pytest.mark.parametrize("name", ["seven_top_left", "tall_four"])
def test_to_mnist_polarity_and_grey_background(name):
    shape, points, width = SHAPES[name]
    light_on_dark = stroke(shape, points, width).astype(np.float32)
    expected = to_mnist(light_on_dark)
    np.testing.assert_allclose(to_mnist(1.0 - light_on_dark), expected, atol=1e-5)
    photo = 0.3 + 0.5 * light_on_dark  # light ink on a grey background
    np.testing.assert_allclose(to_mnist(photo), expected, atol=1e-5)
    paper = 0.85 - 0.6 * light_on_dark  # dark ink on light-grey paper
    np.testing.assert_allclose(to_mnist(paper), expected, atol=1e-5)


def test_to_mnist_uint8_float_and_other_dtypes_agree():
    canvas = stroke((280, 280), [(40, 40), (200, 120)], 14)
    as_u8 = np.round(canvas * 255).astype(np.uint8)
    expected = to_mnist(as_u8.astype(np.float32) / 255)
    np.testing.assert_allclose(to_mnist(as_u8), expected, atol=1e-5)
    np.testing.assert_allclose(to_mnist(as_u8 / 255.0), expected, atol=1e-5)  # float64
    as_u16 = np.round(canvas * 65535).astype(np.uint16)
    np.testing.assert_allclose(to_mnist(as_u16), to_mnist(as_u16 / 65535.0), atol=1e-5)
    np.testing.assert_allclose(to_mnist(canvas > 0.5), to_mnist(canvas > 0.5), atol=0)


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((280, 280), np.float32),
        np.ones((280, 280), np.float32),
        np.full((100, 50), 0.4),
        np.full((28, 28), 255, np.uint8),
        0.5 + 0.01 * np.random.default_rng(0).standard_normal((60, 60)),
        np.full((1, 1), 0.7),
    ],
    ids=["zeros", "ones", "grey", "white-u8", "faint-noise", "one-pixel-image"],
)
def test_to_mnist_blank_gives_zeros(image):
    out, steps = to_mnist(image, return_steps=True)
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert not out.any()
    assert set(steps) == {"input", "crop", "fitted", "centred"}
    for step in steps.values():
        assert np.isfinite(step).all() and not step.any()
    assert steps["input"].shape == image.shape
    assert steps["fitted"].shape == (20, 20) and steps["centred"].shape == (28, 28)


@pytest.mark.parametrize("where", [(140, 140), (0, 0), (279, 5)])
def test_to_mnist_single_pixel(where):
    canvas = np.zeros((280, 280), np.float32)
    canvas[where] = 1.0
    out = to_mnist(canvas)
    assert np.isfinite(out).all()
    assert out.max() == pytest.approx(1.0)
    r, c = com(out)
    assert abs(r - 13.5) <= 1.0 and abs(c - 13.5) <= 1.0


def test_to_mnist_nan_input_gives_finite_output():
    canvas = stroke((100, 100), [(20, 20), (80, 50)], 8)
    canvas[0, 0] = np.nan
    out = to_mnist(canvas)
    assert np.isfinite(out).all() and out.max() > 0.5


def test_to_mnist_real_mnist_digits_roundtrip(mnist):
    digits = mnist.test_images[:300]
    for digit in digits:
        out = to_mnist(digit)
        expected = digit / np.float32(255)
        assert np.abs(out - expected).mean() < 0.01
        (r0, c0), (r1, c1) = com(expected), com(out)
        assert abs(r0 - r1) <= 1.0 and abs(c0 - c1) <= 1.0


def test_to_mnist_is_idempotent():
    once = to_mnist(stroke(*SHAPES["tall_four"]))
    # Same up to the contrast stretch (the max becomes 1 again).
    np.testing.assert_allclose(to_mnist(once), once / once.max(), atol=1e-4)


@pytest.mark.parametrize(
    "shape", [(28, 28, 3), (28, 28, 4), (784,), (), (1, 28, 28)]
)
def test_to_mnist_rejects_non_2d(shape):
    with pytest.raises(ValueError, match="2-D"):
        to_mnist(np.zeros(shape, np.float32))


def test_to_mnist_rejects_size_zero():
    with pytest.raises(ValueError):
        to_mnist(np.zeros((0, 5), np.float32))


def test_to_mnist_return_steps():
    canvas = stroke((300, 200), [(50, 30), (250, 150)], 12)
    out, steps = to_mnist(canvas, return_steps=True)
    np.testing.assert_array_equal(out, to_mnist(canvas))
    assert set(steps) == {"input", "crop", "fitted", "centred"}
    assert steps["input"].shape == (300, 200)
    crop = steps["crop"]
    assert crop.ndim == 2 and crop.shape[0] <= 300 and crop.shape[1] <= 200
    assert crop.max() == pytest.approx(1.0)
    assert steps["fitted"].shape == (20, 20)
    assert steps["centred"].shape == (28, 28)
    np.testing.assert_array_equal(steps["centred"], out)
    assert steps["fitted"].sum() == pytest.approx(out.sum(), rel=1e-5)
    for step in steps.values():
        assert step.dtype == np.float32 and step.min() >= 0 and step.max() <= 1


def test_resampling_weights():
    for n_in, n_out in [(280, 20), (20, 20), (1, 20), (7, 20), (45, 13)]:
        w = preprocess._weights(n_in, n_out)
        assert w.shape == (n_out, n_in)
        np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-6)
        assert (w >= 0).all()
    np.testing.assert_array_equal(preprocess._weights(20, 20), np.eye(20, dtype=np.float32))
    # Downscaling averages: an alternating pattern becomes flat grey.
    stripes = np.tile([0.0, 1.0], 140).astype(np.float32)
    np.testing.assert_allclose((preprocess._weights(280, 20) @ stripes)[1:-1], 0.5, atol=1e-5)
    # Upscaling interpolates linearly between pixel centres.
    np.testing.assert_allclose(preprocess._weights(2, 4) @ np.array([0, 1], np.float32),
                               [0.0, 0.25, 0.75, 1.0], atol=1e-6)


# ---------------------------------------------------------------- no Qt

def test_data_package_imports_no_qt():
    code = (
        "import playground.data, sys; "
        "print(any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules))"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
