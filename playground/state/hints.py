"""Advice on a network and its training settings: what is allowed but unwise.

The engine's ``check_spec`` says what cannot work (Start stays disabled); these hints
say what will work badly, why, and how to fix it, and never stop training. They are a
pure function of the spec and the training settings (plus, for the epoch-time estimate,
how fast this machine trains: see :mod:`playground.state.speed`). No Qt here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..nn.layers import ACTIVATIONS, Dropout
from ..nn.presets import preset
from ..nn.settings import train_size_of
from ..nn.spec import INPUT_SHAPE, check_spec

#: Layers that only reshape: a Dense or an activation on either side still touch.
RESHAPES = ("Flatten",)
#: Layers that leave the values as they are when predicting (Dropout drops only while
#: training): two Dense layers or two activations on either side still act as neighbours.
PASS_THROUGH = (*RESHAPES, "Dropout")
#: Optimizers whose steps grow beyond ``lr`` times the gradient.
FAST_OPTIMIZERS = ("adam", "momentum")
MAX_FAST_LR = 0.1  #: above this, Adam and momentum usually overshoot
PLATEAU_BATCH = 64  #: sigmoid outputs with squared error stall from this batch size up
SLOW_EPOCH_SECONDS = 60.0  #: an epoch longer than this gets an estimate before Start
#: MNIST's split as the window trains on it: training images, and the validation and
#: test images measured at the end of each epoch.
TRAIN_IMAGES, EVAL_IMAGES = 50_000, 20_000
#: Dropout: the usual rate on hidden units (a new Dropout gets it), the most that the
#: raw pixels stand (a new Dropout on the input gets it), the rate from which a network
#: usually stops learning, and a network too small to overfit when trained on at least
#: FEW_IMAGES images (fewer hidden units than SMALL_NETWORK_UNITS).
HIDDEN_RATE = Dropout().rate
MAX_INPUT_RATE = 0.2
HIGH_RATE = 0.8
SMALL_NETWORK_UNITS = 64
FEW_IMAGES = 10_000


@dataclass(frozen=True)
class Hint:
    """One piece of advice. ``layer`` is the 0-based index of the layer it is about,
    or None for the whole network or the training settings."""

    key: str  #: which rule, e.g. "softmax-not-last" (stable, for tests and styling)
    layer: int | None
    text: str  #: a short title
    why: str  #: one sentence
    fix: str  #: what to do about it

    def sentence(self) -> str:
        """The whole hint as one line of text."""
        where = f"Layer {self.layer + 1}: " if self.layer is not None else ""
        return f"{where}{self.text}. {self.why} {self.fix}"


def _kinds(spec) -> list[str]:
    layers = spec.get("layers") if isinstance(spec, dict) else None
    if not isinstance(layers, list):
        return []
    return [str(s.get("type", "?")) if isinstance(s, dict) else "?" for s in layers]


def _previous(kinds: list[str], i: int, through=RESHAPES) -> int | None:
    """The index of the layer before ``i``, looking through ``through`` (None if none)."""
    j = i - 1
    while j >= 0 and kinds[j] in through:
        j -= 1
    return j if j >= 0 else None


def structure_hints(spec) -> list[Hint]:
    """Hints about the layers alone."""
    kinds = _kinds(spec)
    out: list[Hint] = []
    for i, kind in enumerate(kinds):
        # (a Dropout after it is the problem there: see dropout_hints)
        if kind == "Softmax" and any(k not in PASS_THROUGH for k in kinds[i + 1:]):
            out.append(Hint(
                "softmax-not-last", i, "Softmax before the last layer",
                "It squeezes its inputs into probabilities that sum to 1, throwing away "
                "the sizes later layers need, so it belongs only at the output.",
                "Move it to the end, or use ReLU, Tanh or Sigmoid here."))
        j = _previous(kinds, i, PASS_THROUGH)
        if j is None:
            continue
        if kind in ACTIVATIONS and kinds[j] in ACTIVATIONS:
            out.append(Hint(
                "two-activations", i, f"{kinds[j]} then {kind}: two activations in a row",
                "The second only squashes what the first already squashed: it adds no "
                "power and can slow learning.",
                "Remove one of them."))
        if kind == "Dense" and kinds[j] == "Dense":
            out.append(Hint(
                "dense-dense", i, "Dense right after Dense, with no activation between",
                "Two linear maps in a row are one linear map: the extra layer adds "
                "weights but no power.",
                "Put an activation (e.g. ReLU) between them, or remove one."))
    from .conv_hints import conv_hints  # it builds on this module's Hint

    return sorted(out + dropout_hints(spec) + conv_hints(spec), key=lambda h: h.layer)


def _rate(layer) -> float | None:
    """A Dropout layer's rate (the engine's default when it has none); None if not a
    number (the spec check says so)."""
    rate = layer.get("rate", HIDDEN_RATE) if isinstance(layer, dict) else None
    ok = isinstance(rate, (int, float)) and not isinstance(rate, bool) and 0 <= rate <= 1
    return float(rate) if ok else None


def _g(x: float) -> str:
    """A rate as the card shows it: 0.5, 0.25."""
    return f"{round(x, 2):g}"


def dropout_hints(spec) -> list[Hint]:
    """Hints about where Dropout layers are and how much they drop."""
    kinds = _kinds(spec)
    layers = spec["layers"] if kinds else []
    out: list[Hint] = []
    for i, kind in enumerate(kinds):
        if kind != "Dropout":
            continue
        rate = _rate(layers[i])
        if "Dense" not in kinds[i + 1:] and "Dense" in kinds[:i]:
            after = next((k for k in kinds[i + 1:] if k in ACTIVATIONS), None)
            out.append(Hint(
                "dropout-at-output", i,
                f"Dropout right before {after}" if after else "Dropout as the last layer",
                (f"While training it zeroes some of the ten scores before {after}, so" if after
                 else "While training it zeroes some of the ten outputs, so they are no "
                 "longer probabilities and") + " the network is graded on answers with "
                "digits missing.",
                "Move it before the last Dense layer, to drop hidden units instead."))
        j = _previous(kinds, i)
        if rate is not None and rate >= HIGH_RATE:
            out.append(Hint(
                "dropout-rate-high", i, f"A dropout rate of {_g(rate)}",
                f"It keeps only {1 - rate:.0%} of the values at each step, too little for "
                "the next layer to learn from, so training usually stalls.",
                f"Use about {_g(HIDDEN_RATE)} on hidden units, at most {_g(MAX_INPUT_RATE)} "
                "on the pixels."))
        elif rate is not None and rate > MAX_INPUT_RATE and j is None:
            out.append(Hint(
                "dropout-on-input", i, f"Dropout of {_g(rate)} on the raw pixels",
                f"It blanks {rate:.0%} of each image at every step, so much of every digit "
                "is gone before the network sees it.",
                f"Use a rate of {_g(MAX_INPUT_RATE)} or less here, or move it after a "
                "hidden layer."))
        if j is not None and kinds[j] == "Dropout":
            first = _rate(layers[j])
            both = (f" act as one Dropout of {_g(1 - (1 - first) * (1 - rate))}"
                    if first is not None and rate is not None else " drop twice")
            out.append(Hint(
                "two-dropouts", i, "Dropout right after Dropout",
                f"Two in a row{both}, which drops more than either rate says.",
                "Remove one and set the rate you want on the other."))
    return out


def settings_hints(spec, hyper: dict, train_images: int = TRAIN_IMAGES) -> list[Hint]:
    """Hints about the training settings (with the layers they act on)."""
    out: list[Hint] = []
    optimizer, lr = hyper.get("optimizer"), hyper.get("lr")
    if (optimizer in FAST_OPTIMIZERS and isinstance(lr, (int, float))
            and not isinstance(lr, bool) and lr > MAX_FAST_LR):
        name = "Adam" if optimizer == "adam" else "Momentum"
        good = "0.001" if optimizer == "adam" else "0.01 to 0.1"
        out.append(Hint(
            "fast-optimizer-lr", None, f"{name} with a learning rate of {lr:g}",
            f"{name} takes larger steps than plain SGD, so above {MAX_FAST_LR:g} it "
            "usually overshoots and training diverges.",
            f"Try a learning rate of {good}."))
    kinds = _kinds(spec)
    batch = hyper.get("batch_size")
    if (kinds and kinds[-1] == "Sigmoid" and hyper.get("loss") == "se"
            and isinstance(batch, int) and batch >= PLATEAU_BATCH):
        out.append(Hint(
            "sigmoid-se-plateau", len(kinds) - 1,
            f"Sigmoid outputs, squared error and batches of {batch:,}",
            "With squared error a saturated sigmoid barely learns, and big batches give "
            "few updates, so the loss can sit on a plateau for a long time.",
            "Use cross-entropy, or batches of about 10."))
    small = small_network_hint(spec, hyper, train_images)
    return out + ([small] if small is not None else [])


def hidden_units(spec) -> int:
    """The units of every Dense layer but the last (the output layer)."""
    layers = spec["layers"] if _kinds(spec) else []
    units = [s.get("units") for s in layers
             if isinstance(s, dict) and s.get("type") == "Dense"][:-1]
    return sum(u for u in units if isinstance(u, int) and not isinstance(u, bool))


def small_network_hint(spec, hyper: dict, train_images: int = TRAIN_IMAGES) -> Hint | None:
    """Dropout in a network too small to overfit the images it trains on (on the first
    Dropout layer), or None."""
    kinds = _kinds(spec)
    # only for networks of Dense layers and activations (their size is their hidden units)
    if "Dropout" not in kinds or any(
            k not in ("Dense", *ACTIVATIONS, *PASS_THROUGH) for k in kinds):
        return None
    try:
        images = train_size_of(hyper, train_images)
    except (TypeError, ValueError):  # settings the session would refuse
        images = train_images
    units = hidden_units(spec)
    if units >= SMALL_NETWORK_UNITS or images < FEW_IMAGES:
        return None
    what = f"{units:,} hidden unit{'s' if units != 1 else ''}" if units else "no hidden layer"
    return Hint(
        "dropout-small-network", kinds.index("Dropout"), f"Dropout in a small network "
        f"({what})",
        f"A network this small cannot memorise {images:,} images, so it does not overfit "
        "and dropout only slows it down.",
        f"Remove it: dropout pays off in networks of {SMALL_NETWORK_UNITS * 2}+ hidden units "
        "that overfit.")


# -- how long an epoch takes ------------------------------------------------------------------
def layer_madds(spec) -> list[tuple[int, int]]:
    """(layer index, multiply-adds per image) of each Dense and Conv2D layer's forward
    pass, for a valid spec on MNIST's 28 x 28 input (empty when the spec is not valid).
    A Conv2D does each of its weights once per output position (pooling and activations
    are not counted: they add no multiplications)."""
    report = check_spec(spec, None, INPUT_SHAPE)
    if not report.ok:
        return []
    return [(info.index, info_madds(info)) for info in report.layers
            if info.type in ("Dense", "Conv2D") and info.output_shape]


def info_madds(info) -> int:
    """Multiply-adds of one image through a layer, from its LayerInfo: each weight once
    (a Dense layer's inputs x units), once per output position for a Conv2D."""
    if not info.output_shape or info.type not in ("Dense", "Conv2D"):
        return 0
    if info.type == "Dense":
        return info.params - info.output_shape[0]  # less the biases
    filters, height, width = info.output_shape
    return (info.params - filters) * height * width


dense_madds = layer_madds  #: the name speed.py knows it by (its probe is all Dense)


def forward_madds(spec) -> int:
    """Multiply-adds of one image's forward pass (0 for a spec that is not valid)."""
    return sum(m for _, m in layer_madds(spec))


@functools.cache
def lenet_madds() -> int:
    """Multiply-adds of one image through the LeNet preset: a yardstick in hints."""
    return forward_madds(preset("lenet")["spec"])


def training_madds(per_layer: list[tuple[int, int]]) -> int:
    """Multiply-adds to train on one image: the forward pass, the weight gradients and
    the gradients passed down (none below the first Dense layer)."""
    forward = sum(m for _, m in per_layer)
    first = per_layer[0][1] if per_layer else 0
    return 3 * forward - first


def epoch_madds(spec, train_images: int = TRAIN_IMAGES, eval_images: int = EVAL_IMAGES) -> int:
    """Multiply-adds in one epoch: training on every image, then measuring the
    validation and test images once."""
    per_layer = layer_madds(spec)
    forward = sum(m for _, m in per_layer)
    return training_madds(per_layer) * train_images + forward * eval_images


def format_duration(seconds: float) -> str:
    """Roughly, as a person would say it: "about 40 seconds", "about 3 minutes"."""
    if seconds < 90:
        return f"about {max(1, round(seconds)):,} seconds"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60):,} minutes"
    hours = seconds / 3600
    return f"about {hours:.1f} hours" if hours < 10 else f"about {round(hours):,} hours"


def _billions(n: float) -> str:
    return f"{n / 1e9:,.0f} billion" if n >= 1e10 else f"{n / 1e9:,.1f} billion"


def epoch_hint(spec, madds_per_second: float | None, train_images: int = TRAIN_IMAGES,
               eval_images: int = EVAL_IMAGES) -> Hint | None:
    """An estimate of the epoch time when it is over a minute (None otherwise, or when
    the speed is not known). ``madds_per_second`` is this machine's measured training
    speed (:func:`playground.state.speed.madds_per_second`)."""
    per_layer = layer_madds(spec)
    if not per_layer or not madds_per_second or madds_per_second <= 0:
        return None
    total = epoch_madds(spec, train_images, eval_images)
    seconds = total / madds_per_second
    if seconds <= SLOW_EPOCH_SECONDS:
        return None
    index, biggest = max(per_layer, key=lambda item: item[1])
    share = biggest / sum(m for _, m in per_layer)
    layer = spec["layers"][index]
    if share < 0.5:
        where = "Use fewer or smaller layers"
    elif layer["type"] == "Conv2D":
        where = (f"Use fewer filters in layer {index + 1} (Conv2D {layer['filters']:,}: "
                 f"{share:.0%} of the work), or pool before it")
    else:
        where = (f"Use fewer units in layer {index + 1} (Dense {layer['units']:,}: "
                 f"{share:.0%} of the work)")
    return Hint(
        "slow-epoch", None, f"An epoch will take {format_duration(seconds)} (an estimate)",
        f"It needs {_billions(total)} multiply-adds for {train_images:,} images, and this "
        f"machine does about {_billions(madds_per_second)} a second (measured on a few "
        "batches).",
        f"{where}; Stop keeps what was trained.")


def may_be_slow(spec, train_images: int = TRAIN_IMAGES, eval_images: int = EVAL_IMAGES,
                slowest_madds_per_second: float = 1e9) -> bool:
    """Whether an epoch could take over a minute on a slow machine (about 1e9
    multiply-adds a second): if not, no hint can come of measuring this machine's speed."""
    return (epoch_madds(spec, train_images, eval_images) / slowest_madds_per_second
            > SLOW_EPOCH_SECONDS)


def hints(spec, hyper: dict, *, madds_per_second: float | None = None,
          train_images: int = TRAIN_IMAGES, eval_images: int = EVAL_IMAGES) -> list[Hint]:
    """Every hint for ``spec`` trained with ``hyper``: layer hints first, in layer order,
    then the settings' and the epoch-time estimate."""
    out = structure_hints(spec)
    settings = settings_hints(spec, hyper, train_images)
    out += [h for h in settings if h.layer is not None]
    out.sort(key=lambda h: h.layer)
    out += [h for h in settings if h.layer is None]
    slow = epoch_hint(spec, madds_per_second, train_images, eval_images)
    if slow is not None:
        out.append(slow)
    return out
