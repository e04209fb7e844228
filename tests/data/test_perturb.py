"""Perturbed test images: each kind does what it says at each level, the seed fixes them,
level 0 changes nothing, and a trained network's accuracy falls as the level rises."""

import numpy as np
import pytest

from playground import nn
from playground.data.augment import affine_sources, bilinear
from playground.data.perturb import (
    IMAGE_SHAPE,
    KINDS,
    kind_of,
    measure,
    not_image_shaped,
    perturb,
    rotated,
)


@pytest.fixture(scope="module")
def digits(mnist):
    return mnist.test_images[:64]


@pytest.fixture(scope="module")
def trained(small_split):
    """The modern preset after three epochs on 2,000 training images (about 85%)."""
    p = nn.preset("modern")
    model = nn.Model(nn.Network(p["spec"], seed=0, init=p["hyper"]["init"]), p["hyper"],
                     [], 0)
    nn.Trainer(model, small_split).run(3)
    return model.network


def test_the_table_names_every_kind_once_with_level_zero():
    names = [k.name for k in KINDS]
    assert names == ["noise", "rotate", "shift", "thickness"]
    for k in KINDS:
        assert 0.0 in k.levels and list(k.levels) == sorted(k.levels)
        assert k.title and k.axis and k.description
        assert kind_of(k.name) is k
    assert kind_of("rotate").label(30) == "30\u00b0"
    assert kind_of("shift").label(2) == "2 px"
    assert kind_of("thickness").label(1) == "+1" and kind_of("thickness").label(-1) == "-1"
    assert kind_of("noise").label(0.2) == "\u03c3 0.2" and kind_of("noise").tick(0.2) == "0.2"


@pytest.mark.parametrize("kind", [k.name for k in KINDS])
def test_level_zero_is_the_images_as_floats(digits, kind):
    out = perturb(digits, kind, 0, seed=5)
    assert out.dtype == np.float32 and out.shape == digits.shape
    np.testing.assert_allclose(out, digits / 255.0, rtol=0, atol=1e-7)


@pytest.mark.parametrize("kind", [k.name for k in KINDS])
def test_the_seed_fixes_every_level(digits, kind):
    for level in kind_of(kind).levels:
        a = perturb(digits, kind, level, seed=3)
        b = perturb(digits, kind, level, seed=3)
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.float32 and 0 <= a.min() and a.max() <= 1
        if level:
            assert not np.allclose(a, digits / 255.0, atol=1e-3), (kind, level)
    if kind != "thickness":  # thickness draws nothing: the seed does not matter
        top = kind_of(kind).levels[-1]
        assert not np.array_equal(perturb(digits, kind, top, seed=3),
                                  perturb(digits, kind, top, seed=4))


def test_noise_has_the_asked_standard_deviation():
    grey = np.full((200, 28, 28), 0.5, np.float32)  # far from 0 and 1: nothing clipped
    for sigma in (0.05, 0.1, 0.15):
        noise = perturb(grey, "noise", sigma, seed=1) - 0.5
        assert abs(noise.std() - sigma) < 0.02 * sigma
        assert abs(noise.mean()) < 0.01 * sigma * 10
    # clipped to the pixel range
    out = perturb(np.zeros((10, 28, 28), np.uint8), "noise", 0.4)
    assert out.min() == 0 and out.max() <= 1 and (out > 0).mean() > 0.4


def centre_of_mass(images):
    rows, cols = np.mgrid[:28, :28]
    mass = images.sum(axis=(1, 2))
    return np.stack([(images * rows).sum(axis=(1, 2)) / mass,
                     (images * cols).sum(axis=(1, 2)) / mass], axis=1)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_a_shift_moves_the_centre_of_mass_by_k_pixels(mnist, k):
    digits = mnist.test_images[:300]
    x = digits / 255.0
    ink = x > 0
    # only digits whose ink stays inside the frame keep all their mass
    inside = np.array([ink[i][:k].sum() + ink[i][-k:].sum() + ink[i][:, :k].sum()
                       + ink[i][:, -k:].sum() == 0 for i in range(len(x))])
    assert inside.sum() > 20
    out = perturb(digits, "shift", k, seed=2)[inside]
    move = centre_of_mass(out) - centre_of_mass(x[inside])
    np.testing.assert_allclose(np.linalg.norm(move, axis=1), k, atol=1e-3)
    # along one axis, in whole pixels; every direction is taken
    np.testing.assert_allclose(np.abs(move).min(axis=1), 0, atol=1e-3)
    assert len({tuple(np.round(m).astype(int)) for m in move}) == 4
    np.testing.assert_allclose(out.sum(axis=(1, 2)), x[inside].sum(axis=(1, 2)), rtol=1e-5)


def test_a_rotation_turns_by_exactly_the_angle_either_way(digits):
    x = digits / 255.0
    out = perturb(digits, "rotate", 90, seed=0)
    turns = []
    for before, after in zip(x, out, strict=True):
        matches = [t for t in (1, -1) if np.allclose(np.rot90(before, t), after, atol=1e-5)]
        assert len(matches) == 1  # exactly a quarter turn, one way or the other
        turns += matches
    assert 10 < turns.count(1) < len(x) - 10  # both ways, about equally often
    # positive angles turn clockwise as shown: the top row comes to the right column
    top = np.zeros((1, 28, 28), np.float32)
    top[0, 0, 10:18] = 1
    np.testing.assert_allclose(rotated(top, 90)[0][10:18, -1], 1, atol=1e-5)


def test_the_shared_rotation_is_the_augmentation_lookup(digits):
    """``rotated`` (one map for every image) gives what augment's per-image lookup gives."""
    x = digits / 255.0
    n = len(x)
    for degrees in (7.5, 30, -45, 60):
        angle = np.full(n, np.deg2rad(degrees), np.float32)
        zero = np.zeros(n, np.float32)
        expected = bilinear(x.astype(np.float32), *affine_sources(
            x.shape, angle, np.ones(n, np.float32), zero, zero))
        np.testing.assert_allclose(rotated(x.astype(np.float32), degrees), expected,
                                   atol=1e-6)


def test_thicker_strokes_have_more_ink(digits):
    levels = kind_of("thickness").levels
    ink = np.stack([perturb(digits, "thickness", level).sum(axis=(1, 2)) for level in levels],
                   axis=1)
    assert (np.diff(ink, axis=1) > 0).all()  # every digit, every step
    thin = perturb(digits, "thickness", -1)
    assert (thin <= digits / 255.0 + 1e-7).all()  # erosion only takes ink away


def test_bad_requests_are_refused(digits):
    with pytest.raises(ValueError, match="no perturbation"):
        perturb(digits, "blur", 1)
    with pytest.raises(ValueError, match="from 0 up"):
        perturb(digits, "noise", -0.1)
    with pytest.raises(ValueError, match="finite"):
        perturb(digits, "rotate", float("nan"))
    with pytest.raises(ValueError, match="images"):
        perturb(digits[0], "shift", 1)


# -- accuracy -------------------------------------------------------------------------------
def test_accuracy_falls_as_the_level_rises(trained, small_split):
    x, y = small_split.test_x[:600], small_split.test_y[:600]
    curves = measure(trained, x, y, chunk=250)
    assert list(curves) == [k.name for k in KINDS]
    clean = trained.accuracy(x, y) / len(x)
    assert clean > 0.8
    for k in KINDS:
        levels, acc = zip(*curves[k.name], strict=True)
        assert levels == k.levels
        assert acc[k.levels.index(0)] == pytest.approx(clean)
        # away from 0 it falls, allowing for a point or two of sampling noise per step
        lv, a = np.array(k.levels), np.array(acc)
        for side in (a[lv >= 0], a[lv <= 0][::-1]):  # from 0 outwards, each way
            assert (np.diff(side) < 0.03).all(), (k.name, acc)
        assert min(acc) < clean - 0.2, (k.name, acc)
    # the same seed measures the same; the chunking does not change the level 0 figure
    assert measure(trained, x, y, chunk=250) == curves
    assert measure(trained, x, y, chunk=600)["noise"][0] == curves["noise"][0]


def test_only_image_shaped_networks_are_measured(small_split):
    flat = nn.Network({"input": [784], "layers": [{"type": "Dense", "units": 10},
                                                  {"type": "Sigmoid"}]})
    assert "784" in not_image_shaped(flat) and "28 x 28" in not_image_shaped(flat)
    with pytest.raises(ValueError, match="not a 28 x 28 image"):
        measure(flat, small_split.test_x[:10], small_split.test_y[:10])
    net = nn.Network(nn.preset("seed")["spec"])
    assert net.input_shape == IMAGE_SHAPE and not_image_shaped(net) is None
    with pytest.raises(ValueError, match="no test images"):
        measure(net, small_split.test_x[:0], small_split.test_y[:0])
