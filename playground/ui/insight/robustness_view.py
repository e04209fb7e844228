"""Robustness: how the network's test accuracy holds up as the test digits get noisier,
turned, moved, and drawn thinner or thicker, against the network before.

The curves are measured on the evaluation thread (``RobustnessEvaluator``) on the first
``perturb.SUBSET`` test images, at the end of every epoch, when training stops and for a
new network; a hidden view waits until it is shown. When the network is replaced (a
preset, Reset weights, an opened model, an edit), or trained on under other settings (say
augmentation switched on), its last curves stay as the dashed "before" line, so a
learner sees what augmentation or regularisation bought.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...data import perturb
from ...data.perturb import KINDS, SUBSET
from .. import theme
from ..bind import listen
from ..throttle import Throttle
from .common import EmptyState, Evaluator
from .robustness_panel import BEFORE_NAME, NOW_NAME, KindPanel

#: Measurements start at most this often (training publishes weights far more often).
INTERVAL_MS = 1000
EXAMPLE_SEED = 0  # the random choices behind the example digits' changes
INVALID = "The network is not valid yet: fix it in the builder."
UNTRAINED = ("Train the network (one epoch is enough) to see how its test accuracy holds up "
             "when the digits are noisier, turned, moved, or drawn thinner or thicker.\n\n"
             f"It is measured on the first {SUBSET:,} test images; press Recompute to "
             "measure the weights as they are now.")
MEASURING = f"Measuring on {SUBSET:,} changed copies of the test images..."
#: Settings whose change does not change what the network learns from then on.
UNTRACKED = ("epochs", "seed")
#: What the "before" line is, by how it came to be.
PREVIOUS, EARLIER_SETTINGS, KEPT = ("the previous network", "with the earlier settings",
                                    "kept")


class RobustnessEvaluator(Evaluator):
    """The shared evaluator's machinery (one job at a time, old results dropped) with a
    robustness measurement as its work."""

    def compute(self, net, x: np.ndarray, y: np.ndarray) -> dict:
        return perturb.measure(net, x[:SUBSET], y[:SUBSET])


@dataclass(frozen=True)
class Measured:
    """Curves of one network: ``{kind name: [(level, accuracy), ...]}`` and when."""

    curves: dict
    when: str  # "after epoch 3"
    settings: str = ""  # the settings they were last trained with (not ``UNTRACKED``), JSON

    @property
    def clean(self) -> float:
        """The accuracy on the test images as they are (every kind's level 0)."""
        return dict(self.curves[KINDS[0].name])[0.0]


class RobustnessView(QWidget):
    """Accuracy against noise, rotation, shift and stroke thickness, now and before."""

    def __init__(self, session, evaluator: Evaluator | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("robustnessView")
        self.session = session
        self.evaluator = evaluator or RobustnessEvaluator(session, parent=self)
        if self.evaluator.parent() is None:
            self.evaluator.setParent(self)
        self.measured: Measured | None = None  # the network now
        self.reference: Measured | None = None  # the network before ("before")
        self.reference_about = PREVIOUS  # what "before" is
        self.example = 0  # which of the measured test images the thumbnails show
        self._changed = None  # (example, [its changed copies per kind]) on screen

        self.summary = QLabel()
        self.summary.setObjectName("robustnessSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.recompute = QPushButton("&Recompute")
        self.recompute.setObjectName("robustnessRecompute")
        self.recompute.setToolTip("Measure the latest weights now (F9)")
        self.recompute.clicked.connect(self.refresh)
        shortcut = QShortcut(QKeySequence("F9"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)
        self.keep = QPushButton("&Keep as before")
        self.keep.setObjectName("robustnessKeep")
        self.keep.setToolTip("Make these curves the dashed \"before\" line, e.g. before you "
                             "switch on augmentation and train on")
        self.keep.clicked.connect(self.keep_as_before)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.keep, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.recompute, 0, Qt.AlignmentFlag.AlignTop)

        self.panels = [KindPanel(kind, legend=i == 0) for i, kind in enumerate(KINDS)]
        plots = QWidget()
        grid = QGridLayout(plots)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        columns = 2
        for i, panel in enumerate(self.panels):
            grid.addWidget(panel, i // columns, i % columns)
        # a short window scrolls the plots instead of squeezing them (nothing in the
        # scroll area wraps its text: a height-for-width layout would grow it past the
        # window)
        scroll = QScrollArea()
        scroll.setObjectName("robustnessScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(plots)
        self.example_label = QLabel()
        self.example_label.setObjectName("robustnessExample")
        self.example_label.setWordWrap(True)
        self.another = QPushButton("&Another digit")
        self.another.setObjectName("robustnessAnother")
        self.another.setToolTip("Show the changes on the next test image")
        self.another.clicked.connect(lambda: self.show_example(self.example + 1))
        bottom = QHBoxLayout()
        bottom.addWidget(self.example_label, 1)
        bottom.addWidget(self.another)
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(scroll, 1)
        lay.addLayout(bottom)
        self.stack = EmptyState(page, UNTRAINED)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        self.throttle = Throttle(self, self.refresh, INTERVAL_MS)
        self.evaluator.ready.connect(self._on_ready)
        self.evaluator.failed.connect(self._on_failed)
        self._trained_under = self._settings()  # the settings the weights last trained with
        listen(session.progressed, self._on_trained, self)
        listen(session.epochFinished, self._on_epoch, self)
        listen(session.trainingStateChanged, self._on_training_state, self)
        listen(session.modelChanged, self._on_model, self)
        self._on_model()

    # -- what to measure ----------------------------------------------------------------
    def _on_model(self) -> None:
        """A new network: the curves on screen become "before"; measure it if trained."""
        if self.measured is not None:
            self.reference, self.measured = self.measured, None
            self.reference_about = PREVIOUS
        self._trained_under = self._settings()
        self.throttle.stale = False
        self._show()
        if self.session.trained:
            self.throttle.request(now=True)

    def _on_trained(self, *_) -> None:
        """Training moved the weights on: under the settings as they are now."""
        self._trained_under = self._settings()

    def _on_epoch(self, _record) -> None:
        self._on_trained()
        self.throttle.request()

    def _on_training_state(self, state) -> None:
        if not self.session.busy and self.session.trained:  # stopped: the final weights
            self.throttle.request()

    def _problem(self) -> str | None:
        """Why the network cannot be measured, or None."""
        net = self.session.predictor()
        if net is None:
            return INVALID
        return perturb.not_image_shaped(net)

    def refresh(self) -> None:
        """Measure the latest weights (Recompute); the curves come back through the
        evaluator's ``ready`` signal."""
        if self._problem():
            self._show()
            return
        if self.evaluator.request() and self.evaluator.busy:
            self._show()

    def keep_as_before(self) -> None:
        """The curves now become the "before" line."""
        if self.measured is not None:
            self.reference, self.reference_about = self.measured, KEPT
            self._show()

    # -- results -------------------------------------------------------------------------
    def _on_ready(self, curves: dict, when: str) -> None:
        measured = Measured(curves, when or self.evaluator.when, self._trained_under)
        old = self.measured
        if old is None or measured.curves != old.curves:  # (the same curves: same weights)
            if old is not None and measured.settings != old.settings:
                self.reference, self.reference_about = old, EARLIER_SETTINGS  # trained on
            self.measured = measured
        self._show()

    def _settings(self) -> str:
        hyper = {k: v for k, v in self.session.hyper.items() if k not in UNTRACKED}
        return json.dumps(hyper, sort_keys=True, default=str)

    def _on_failed(self, message: str) -> None:
        if self.measured is None and self.reference is None:
            self.stack.show_message(message)
        self.summary.setText(f"<b>Robustness</b>: {message}")

    def _show(self) -> None:
        """Put the state on screen: the message, or the curves and the example."""
        problem = self._problem()
        if problem:
            self.summary.setText("<b>Robustness</b> of the test accuracy")
            self.stack.show_message(problem)
            self._enable(False)
            return
        now, before = self.measured, self.reference
        if now is None and before is None:
            self.summary.setText("<b>Robustness</b> of the test accuracy")
            self.stack.show_message(MEASURING if self.evaluator.busy else UNTRAINED)
            self._enable(False)
            return
        for panel in self.panels:
            panel.show_curves(now.curves[panel.kind.name] if now else None,
                              before.curves[panel.kind.name] if before else None)
        self.summary.setText(self._describe(now, before))
        self.stack.show_content()
        self._enable(True)
        self.show_example(self.example)

    def _describe(self, now: Measured | None, before: Measured | None) -> str:
        dash = f"<span style='color:{theme.ROBUSTNESS_BEFORE}'>- - -</span>"
        line = f"<span style='color:{theme.ROBUSTNESS_NOW}'>&#9473;&#9473;</span>"
        text = (f"<b>Robustness</b>: accuracy on the first {SUBSET:,} test images, changed "
                "more and more. ")
        if now is not None:
            text += (f"{line} {NOW_NAME}, {now.when}: <b>{100 * now.clean:.1f}%</b> as they "
                     "are")
        else:
            text += ("Train this network (or press Recompute) to compare it with the network "
                     "before")
        if before is not None:
            text += (f"; {dash} {BEFORE_NAME} ({self.reference_about}, {before.when}): "
                     f"{100 * before.clean:.1f}%")
        if self.evaluator.busy:
            text += " &mdash; <i>measuring...</i>"
        return text + "."

    def _enable(self, on: bool) -> None:
        self.keep.setEnabled(on and self.measured is not None)
        self.another.setEnabled(on)

    # -- the example digit -----------------------------------------------------------------
    def show_example(self, index: int) -> None:
        """Show test image ``index`` (of the measured ones) changed at every level, with
        the network's answer for each once it is measured."""
        try:
            data = self.session.data
            n = min(SUBSET, len(data.test_x))
        except Exception:  # noqa: BLE001 - a missing data file: the evaluator says so
            return
        if n == 0:
            return
        self.example = index % n
        image, label = data.test_x[self.example:self.example + 1], int(data.test_y[self.example])
        if self._changed is None or self._changed[0] != self.example:  # once per digit
            self._changed = self.example, [np.concatenate([
                perturb.perturb(image, k.name, level, seed=EXAMPLE_SEED)
                for level in k.levels]) for k in KINDS]
        changed = self._changed[1]
        net = self.session.predictor()
        answers = None
        if self.measured is not None and net is not None and not self._problem():
            said = net.predict(np.concatenate(changed))  # a handful of images
            answers = np.split(said, np.cumsum([len(k.levels) for k in KINDS])[:-1])
        for i, panel in enumerate(self.panels):
            panel.show_examples(changed[i], None if answers is None else answers[i], label)
        self.example_label.setText(
            f"Under each plot: test image #{self.example:,} (a {label}) at each level"
            + (", and what the network says." if answers is not None else "."))

    # -- Qt events ----------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.throttle.shown()
