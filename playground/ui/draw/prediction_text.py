"""What the "Draw & predict" column says about the network's ten outputs.

Plain Python (no Qt), so the wording rules can be tested on their own: a trained
network gives an answer ("7 - 98%"), an untrained one only a random guess, shown
neutral and never as correct; outputs that are all equal give no answer at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...nn.spec import N_CLASSES
from ...nn.spec import gives_probabilities as spec_gives_probabilities

RANDOM_GUESS = "untrained: a random guess"
NO_ANSWER = "No answer: every output is {value}"
ANSWER_PT, GUESS_PT, NO_ANSWER_PT = 36, 18, 15  #: the prediction's largest font sizes

#: tones: "answer" a trained network's answer; "neutral" a guess or no answer
ANSWER, NEUTRAL = "answer", "neutral"
RIGHT, WRONG = "right", "wrong"  #: the true label's tone, next to a trained answer


def gives_probabilities(net) -> bool:
    """Whether ``net``'s outputs are probabilities (shown as %), not plain scores."""
    return spec_gives_probabilities(net.spec)


def predict(net, x: np.ndarray) -> tuple[np.ndarray | None, str]:
    """The ten outputs (float64) for one input ``x`` (28 x 28), or None and why not:
    a network with another number of outputs, outputs that are not numbers, or an error
    (shown, never fatal)."""
    try:
        outputs = np.asarray(net.predict_proba(x[None]), dtype=np.float64).reshape(-1)
    except Exception as e:  # noqa: BLE001 - shown, never fatal
        return None, f"Cannot predict: {e}"
    if outputs.size != N_CLASSES:
        return None, f"The network has {outputs.size} outputs; it needs {N_CLASSES}"
    if not np.isfinite(outputs).all():
        return None, "The network's outputs are not numbers: reset the weights"
    return outputs, ""


def format_score(value: float) -> str:
    """A raw output for the label: two decimals, or three significant digits when
    two decimals would say too little (tiny) or too much (huge)."""
    a = abs(value)
    return f"{value:.3g}" if a >= 1000 or 0 < a < 0.01 else f"{value:.2f}"


def format_output(value: float, probabilities: bool) -> str:
    """One output as the label shows it: "98%" for a probability, else a score."""
    if value == 0:
        return "0"
    return f"{value * 100:.0f}%" if probabilities else format_score(value)


@dataclass(frozen=True)
class Verdict:
    """What to show for one prediction."""

    text: str  #: the prediction label
    size: float  #: its largest font size, in points
    tone: str  #: ANSWER or NEUTRAL
    winner: int | None  #: the digit to highlight in the bars; None: no answer
    truth: str  #: the true-label line ("" without a true label)
    truth_tone: str  #: RIGHT, WRONG or NEUTRAL


def verdict(outputs: np.ndarray, probabilities: bool, trained: bool,
            truth: int | None = None) -> Verdict:
    """The prediction for ten finite ``outputs``; ``truth`` is the image's true label."""
    outputs = np.asarray(outputs, dtype=np.float64).reshape(-1)
    label = "" if truth is None else f"True label: {truth}"
    if outputs.max() == outputs.min():  # no digit stands out: argmax would be a default
        text = NO_ANSWER.format(value=format_output(float(outputs[0]), probabilities))
        return Verdict(text, NO_ANSWER_PT, NEUTRAL, None,
                       label and f"{label} - the network gives no answer", NEUTRAL)
    k = int(outputs.argmax())
    if not trained:  # random weights: whatever it says is chance, right or wrong
        return Verdict(f"{k} - {RANDOM_GUESS}", GUESS_PT, NEUTRAL, k, label, NEUTRAL)
    if probabilities:
        text = f"{k} - {outputs[k] * 100:.0f}%"
    else:  # ReLU, Tanh or Dense outputs are no probabilities: no %
        text = f"{k} - score {format_score(float(outputs[k]))}"
    if truth is None:
        return Verdict(text, ANSWER_PT, ANSWER, k, "", NEUTRAL)
    ok = k == truth
    return Verdict(text, ANSWER_PT, ANSWER, k,
                   f"{label} - correct" if ok else f"{label} - the network says {k}",
                   RIGHT if ok else WRONG)
