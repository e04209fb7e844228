"""Expanding the training data: each change does what it says, nothing changes with all
settings at zero, the same seed gives the same batches and the same curves."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground import nn
from playground.data.augment import LIMITS, Augment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def digits(mnist):
    return mnist.train_images[:64]


def test_no_settings_is_the_image_as_floats(digits):
    out = Augment()(digits, np.random.default_rng(0))
    assert not Augment().active and out.dtype == np.float32
    np.testing.assert_allclose(out, digits / 255.0, atol=1e-6)


def moved(image, dy, dx):
    """``image`` moved down dy and right dx pixels, zeros coming in."""
    out = np.zeros_like(image)
    h, w = image.shape
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        image[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def test_a_shift_moves_whole_pixels_within_its_bound(digits):
    out = Augment(shift=2)(digits, np.random.default_rng(1))
    seen = set()
    for before, after in zip(digits / 255.0, out, strict=True):
        # exactly one whole-pixel move of at most 2 in y and x gives this image
        matches = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                   if np.allclose(moved(before, dy, dx), after, atol=1e-6)]
        assert matches
        seen.update(matches)
    assert len(seen) > 10  # the moves vary from image to image


def test_rotation_zoom_elastic_and_noise_change_the_images_but_keep_them_digits(digits):
    x = digits / 255.0
    for aug in (Augment(rotate=20), Augment(zoom=0.2), Augment(elastic=1), Augment(noise=0.2)):
        out = aug(digits, np.random.default_rng(2))
        assert out.shape == digits.shape and 0 <= out.min() and out.max() <= 1
        assert not np.allclose(out, x, atol=1e-3), aug
        # the ink stays about where it was: correlation with the original stays high
        c = np.corrcoef(out.reshape(len(x), -1)[0], x.reshape(len(x), -1)[0])[0, 1]
        assert c > 0.3, (aug, c)


def test_a_rotation_by_a_right_angle_is_exact():
    image = np.zeros((1, 28, 28), np.float32)
    image[0, 5:9, 10:20] = 1.0
    aug = Augment(rotate=90)

    class Ninety:  # the rotation drawn is always +90 degrees
        def uniform(self, low, high, size):
            return np.full(size, high if high == 90 else 1.0)

        def integers(self, *a, **k):  # pragma: no cover - no shift asked for
            raise AssertionError

    out = aug(image, Ninety())
    expected = np.rot90(image[0], k=-1)  # +90 about the centre in (row, col) axes
    assert np.allclose(out[0], expected, atol=1e-5) or np.allclose(out[0], np.rot90(image[0]),
                                                                    atol=1e-5)


def test_settings_are_bounded():
    for name, limit in LIMITS.items():
        with pytest.raises(ValueError, match=name):
            Augment(**{name: limit * 2})
        with pytest.raises(ValueError, match=name):
            Augment(**{name: -1})
    hyper = dict(nn.DEFAULT_HYPER)
    assert nn.check_hyper({**hyper, "augment": {"shift": 2}}) == []
    assert nn.check_hyper({**hyper, "augment": {"shift": 99}}) == [
        "data augmentation: shift must be a number from 0 to 8, not 99"]
    assert nn.check_hyper({**hyper, "augment": {"blur": 1}}) == [
        "data augmentation has an unknown setting"]


def test_the_same_seed_gives_identical_curves_with_augmentation(small_split):
    def curves():
        p = nn.preset("modern")
        model = nn.Model.create(p["spec"], {**p["hyper"], "batch_size": 50,
                                            "augment": {"shift": 2, "rotate": 10}})
        reports = []
        nn.Trainer(model, small_split).run(1, on_progress=reports.append)
        return [r.loss for r in reports], model.network.get_weights()

    (loss_a, w_a), (loss_b, w_b) = curves(), curves()
    assert loss_a == loss_b
    for a, b in zip(w_a, w_b, strict=True):
        np.testing.assert_array_equal(a, b)
    p = nn.preset("modern")
    plain = nn.Model.create(p["spec"], {**p["hyper"], "batch_size": 50})
    reports = []
    nn.Trainer(plain, small_split).run(1, on_progress=reports.append)
    assert [r.loss for r in reports] != loss_a  # the augmentation did change the batches


def test_the_cli_flags(tmp_path):
    path = tmp_path / "aug.npz"
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--limit", "300",
                             "--shift", "2", "--rotate", "10", "--elastic", "--save",
                             str(path)], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert nn.load_model(path).hyper["augment"] == {"shift": 2.0, "rotate": 10.0,
                                                    "elastic": 1.0}
    refused = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--shift", "50"],
                             capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert refused.returncode == 2 and "shift must be a number from 0 to 8" in refused.stderr
