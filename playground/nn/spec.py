"""Network specs: JSON-able descriptions, checked with shape inference.

A spec looks like::

    {"input": [28, 28],
     "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 128},
                {"type": "Sigmoid"}, {"type": "Dense", "units": 10}, {"type": "Sigmoid"}]}

``check_spec`` never raises: it reports every layer's output shape and parameter
count, and each problem with the layer it belongs to, in words a learner can act on.
Layers are numbered from 1 in messages, as the builder shows them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from .. import safeio
from .conv import DEFAULT_POOL, MAX_FILTERS, MAX_STRIDE, PADDINGS, SPATIAL
from .layers import LAYER_TYPES, MAX_DROPOUT, MAX_UNITS, Layer

N_CLASSES = 10
MAX_LAYERS = 64
MAX_PARAMS = 50_000_000
MAX_SPEC_BYTES = 1_000_000
MAX_INPUT_SIZE = 1_000_000  # values in one input sample (28 x 28 = 784)
MAX_INPUT_DIMS = 8
MAX_SPEC_DEPTH = 20  # a spec nests 3 deep; far deeper JSON is not a spec
INPUT_SHAPE = (28, 28)


class SpecError(ValueError):
    """An invalid spec. ``layer`` is the 0-based index of the offending layer, or None."""

    def __init__(self, message: str, layer: int | None = None):
        super().__init__(message)
        self.layer = layer


@dataclass
class LayerInfo:
    index: int  # 0-based
    type: str
    output_shape: tuple[int, ...] | None
    params: int
    error: str | None = None


@dataclass
class SpecReport:
    input_shape: tuple[int, ...] | None
    layers: list[LayerInfo] = field(default_factory=list)
    errors: list[SpecError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_params(self) -> int:
        return sum(info.params for info in self.layers)

    @property
    def output_shape(self):
        return self.layers[-1].output_shape if self.layers else self.input_shape

    def raise_first(self) -> None:
        if self.errors:
            raise self.errors[0]


#: Last layers whose outputs are probabilities (cross-entropy needs one; the window and
#: the CLI show their outputs as percentages, other outputs as plain scores).
PROBABILITY_OUTPUTS = ("Softmax", "Sigmoid")


def gives_probabilities(spec) -> bool:
    """Whether a network built from ``spec`` outputs probabilities."""
    layers = spec.get("layers") if isinstance(spec, dict) else None
    return bool(layers) and isinstance(layers[-1], dict) and (
        layers[-1].get("type") in PROBABILITY_OUTPUTS)


def format_shape(shape) -> str:
    return " x ".join(f"{d:,}" for d in shape) if shape is not None else "?"


def make_layer(layer_spec: dict) -> Layer:
    """A layer object from its spec dict (assumed valid)."""
    kind = layer_spec["type"]
    settings = {k: v for k, v in layer_spec.items() if k != "type"}
    return LAYER_TYPES[kind](**settings)


#: the settings each layer type takes besides its "type"
SETTINGS = {"Dense": ("units",), "Dropout": ("rate",),
            "Conv2D": ("filters", "size", "stride", "padding"),
            "MaxPool2D": ("size",), "AvgPool2D": ("size",)}


def _whole(value, low: int, high: int | None = None) -> bool:
    """An int (not a bool) from ``low`` to ``high`` (no upper end when None)."""
    return (isinstance(value, int) and not isinstance(value, bool) and low <= value
            and (high is None or value <= high))


def _check_layer(i: int, layer_spec) -> str | None:
    if not isinstance(layer_spec, dict) or not isinstance(layer_spec.get("type"), str):
        return (f"layer {i + 1}: each layer needs a \"type\", "
                f"e.g. {{\"type\": \"Dense\", \"units\": 10}}")
    kind = layer_spec["type"]
    if kind not in LAYER_TYPES:
        return f"layer {i + 1}: unknown layer type '{kind}' (known: {', '.join(LAYER_TYPES)})"
    allowed = {"type", *SETTINGS.get(kind, ())}
    extra = sorted(set(layer_spec) - allowed)
    if extra:
        return f"layer {i + 1}: {kind} has no setting '{extra[0]}'"
    if kind == "Dense":
        units = layer_spec.get("units")
        if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= MAX_UNITS:
            return f"layer {i + 1}: Dense units must be 1 to {MAX_UNITS:,}"
    if kind == "Dropout":
        rate = layer_spec.get("rate", 0.5)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not (
                math.isfinite(rate) and 0 <= rate <= MAX_DROPOUT):
            return f"layer {i + 1}: the dropout rate must be 0 to {MAX_DROPOUT:g}"
    if kind == "Conv2D" and not _whole(layer_spec.get("filters"), 1, MAX_FILTERS):
        return f"layer {i + 1}: Conv2D filters must be 1 to {MAX_FILTERS:,}"
    if kind in SPATIAL and not _whole(layer_spec.get(
            "size", None if kind == "Conv2D" else DEFAULT_POOL), 1):
        what = "kernel size" if kind == "Conv2D" else "pool size"
        return (f"layer {i + 1}: the {kind} {what} must be a whole number from 1 "
                f"(at most its input's height and width)")
    if kind == "Conv2D" and not _whole(layer_spec.get("stride", 1), 1, MAX_STRIDE):
        return f"layer {i + 1}: the Conv2D stride must be 1 to {MAX_STRIDE}"
    if kind == "Conv2D" and layer_spec.get("padding", "valid") not in PADDINGS:
        return f"layer {i + 1}: the Conv2D padding must be 'valid' or 'same'"
    return None


def _image_problem(i: int, kind: str, size: int, shape: tuple[int, ...]) -> str | None:
    """Why a convolution or pooling layer cannot take ``shape``, or None."""
    if len(shape) == 1:
        return (f"{kind} needs an image, not a flat list of {shape[0]:,} values: "
                f"move layer {i + 1} before Flatten")
    if len(shape) not in (2, 3):
        return (f"layer {i + 1}: {kind} needs an image (height x width, or channels x "
                f"height x width), not {format_shape(shape)}")
    side = format_shape(shape[-2:])
    if kind == "Conv2D" and size > min(shape[-2:]):
        return f"the {size} x {size} kernel of layer {i + 1} is larger than its {side} input"
    if size > min(shape[-2:]):
        return (f"the image shrinks to nothing at layer {i + 1}: use 'same' padding "
                f"or a smaller kernel/pool")
    return None


def check_spec(spec, loss: str | None = None, data_shape=None) -> SpecReport:
    """Shapes, parameter counts and problems of ``spec``.

    ``loss`` adds its own checks; ``data_shape`` (e.g. (28, 28) for MNIST) is the shape
    of the images the network will be given, which its input must match.
    """
    if not isinstance(spec, dict):
        return SpecReport(None, errors=[SpecError("a network spec must be a JSON object "
                                                  "with \"input\" and \"layers\"")])
    raw_input = spec.get("input", list(INPUT_SHAPE))
    if (not isinstance(raw_input, (list, tuple)) or not 0 < len(raw_input) <= MAX_INPUT_DIMS
            or not all(isinstance(d, int) and not isinstance(d, bool) and 0 < d <= 100_000
                       for d in raw_input)):
        return SpecReport(None, errors=[SpecError(
            "the input must be a list of positive sizes, e.g. [28, 28]")])
    input_shape = tuple(raw_input)
    if math.prod(input_shape) > MAX_INPUT_SIZE:
        return SpecReport(None, errors=[SpecError(
            f"the input {format_shape(input_shape)} has {math.prod(input_shape):,} values; "
            f"at most {MAX_INPUT_SIZE:,}")])
    if data_shape is not None and input_shape != tuple(data_shape):
        return SpecReport(None, errors=[SpecError(
            f"the input must be {list(data_shape)}: the images are "
            f"{format_shape(data_shape)}, not {format_shape(input_shape)}")])
    report = SpecReport(input_shape)
    layers = spec.get("layers")
    if not isinstance(layers, list):
        report.errors.append(SpecError("\"layers\" must be a list of layers"))
        return report
    if len(layers) > MAX_LAYERS:
        report.errors.append(SpecError(f"too many layers ({len(layers)}); at most {MAX_LAYERS}"))
        return report
    if not layers:
        report.errors.append(SpecError("the network has no layers: add Flatten, then Dense 10"))
        return report

    shape: tuple[int, ...] | None = input_shape
    for i, layer_spec in enumerate(layers):
        error = _check_layer(i, layer_spec)
        kind = layer_spec.get("type", "?") if isinstance(layer_spec, dict) else "?"
        params = 0
        if error is None and shape is not None:
            layer = make_layer(layer_spec)
            if kind == "Dense" and len(shape) != 1:
                error = f"Dense needs a flat input: add Flatten before layer {i + 1}"
            elif kind in SPATIAL:
                error = _image_problem(i, kind, layer.size, shape)
            if error is None:
                params = layer.param_count(shape)
                shape = layer.output_shape(shape)
        if error is not None:
            shape = None  # shapes after a broken layer are unknown
            report.errors.append(SpecError(error, i))
        report.layers.append(LayerInfo(i, str(kind), shape, params, error))

    if report.ok:
        out = report.output_shape
        if out != (N_CLASSES,):
            hint = "" if len(out) == 1 else " (add Flatten and Dense 10)"
            _fail_last(report, f"the last layer gives {format_shape(out)} values; "
                               f"the {N_CLASSES} digits need {N_CLASSES}{hint}")
        if report.total_params > MAX_PARAMS:
            report.errors.append(SpecError(
                f"the network has {report.total_params:,} parameters; at most {MAX_PARAMS:,}"))
    if report.ok and loss == "ce" and not gives_probabilities(spec):
        _fail_last(report, "cross-entropy needs probabilities: end the network "
                           "with Softmax (or Sigmoid)")
    return report


def structural_problem(spec) -> str | None:
    """Why ``spec`` cannot even be shown as a stack of layers: not an object with a list of
    layer objects that each name their type, a bad input, more layers than allowed. None
    when it can, even if a layer is wrong or the stack is empty (the builder shows that)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("layers"), list):
        report = check_spec(spec)
        return str(report.errors[0]) if report.errors else "not a network spec"
    if not all(isinstance(s, dict) and "type" in s for s in spec["layers"]):
        return 'each layer needs a "type"'
    if len(spec["layers"]) > MAX_LAYERS:
        return f"too many layers ({len(spec['layers'])}); at most {MAX_LAYERS}"
    report = check_spec({**spec, "layers": []})  # the input alone
    return str(report.errors[0]) if report.input_shape is None else None


def _fail_last(report: SpecReport, message: str) -> None:
    last = len(report.layers) - 1
    report.layers[last].error = message
    report.errors.append(SpecError(message, last))


def validate_spec(spec, loss: str | None = None) -> SpecReport:
    """Like ``check_spec`` but raises the first problem as a SpecError."""
    report = check_spec(spec, loss)
    report.raise_first()
    return report


def read_spec_file(path) -> object:
    """The JSON in an architecture file; ValueError with a plain message naming the file.

    Only a regular file of at most MAX_SPEC_BYTES is read (a FIFO or device is refused,
    never waited on).
    """
    try:
        raw = safeio.read_bounded(path, MAX_SPEC_BYTES, "an architecture file")
    except safeio.FileProblem as e:
        if e.reason in ("is a folder", "not a regular file", "too large"):
            raise ValueError(str(e)) from None
        raise ValueError(f"{path}: cannot read the file ({e.reason})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a text file (an architecture is a JSON "
                         f"file)") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not valid JSON ({e.msg} at line {e.lineno}, "
                         f"column {e.colno})") from None
    except RecursionError:
        raise ValueError(f"{path}: not a network spec (the JSON is nested too "
                         f"deeply)") from None
    except ValueError:  # e.g. a number of thousands of digits
        raise ValueError(f"{path}: not a network spec (a number in it is far too "
                         f"long)") from None
    if _depth(value) > MAX_SPEC_DEPTH:
        raise ValueError(f"{path}: not a network spec (the JSON is nested too deeply)")
    return value


def _depth(value) -> int:
    """How deeply lists and objects nest in ``value`` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if depth > MAX_SPEC_DEPTH:
                return depth
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest
