"""Helpers the insight views share: empty states, images, test evaluation,
and the base of the views that show that evaluation."""

from __future__ import annotations

import time
import weakref
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...nn import analysis
from ...nn.history import EpochRecord
from ..bind import listen
from ..throttle import Throttle

#: The name (prefix) of the thread that evaluates the test set.
EVALUATION_THREAD = "insight-evaluation"
_executors: weakref.WeakSet = weakref.WeakSet()
_jobs: weakref.WeakSet = weakref.WeakSet()


def evaluation_executor() -> ThreadPoolExecutor:
    """One thread for test-set evaluations, one job at a time. Its owner shuts it down:
    the window on close (``MainWindow.shutdown``), or an ``Evaluator`` that made its own
    when it is destroyed."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=EVALUATION_THREAD)
    _executors.add(executor)
    return executor


def running_evaluations() -> list[Future]:
    """Evaluations submitted and not finished (tests check that none is left)."""
    return [job for job in list(_jobs) if not job.done()]


def shutdown_executors() -> None:
    """Shut down every evaluation executor still open, waiting for its thread (tests)."""
    for executor in list(_executors):
        executor.shutdown(wait=True, cancel_futures=True)


#: The colour map of signed values (weights, activations below zero): blue - white - red,
#: white at zero.
DIVERGING = "CET-D1"

class EmptyState(QStackedWidget):
    """A content widget with a message page in front of it until there is something to show."""

    def __init__(self, content: QWidget, message: str = "", parent=None):
        super().__init__(parent)
        self.message = QLabel(message)
        self.message.setObjectName("emptyMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setMargin(24)
        self.message.setStyleSheet("color: palette(mid); font-size: 12pt;")
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.content = content
        self.addWidget(self.message)
        self.addWidget(content)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.setCurrentWidget(self.message)

    def show_content(self) -> None:
        self.setCurrentWidget(self.content)

    @property
    def empty(self) -> bool:
        return self.currentWidget() is self.message


def to_uint8(image: np.ndarray) -> np.ndarray:
    """A 2-D image as uint8 0..255 (floats are taken as 0..1)."""
    a = np.asarray(image)
    if a.dtype != np.uint8:
        a = (np.clip(np.nan_to_num(a.astype(np.float32)), 0.0, 1.0) * 255.0 + 0.5)
        a = a.astype(np.uint8)
    return np.ascontiguousarray(a)


def digit_pixmap(image: np.ndarray, size: QSize | int, ink_dark: bool = False,
                 keep_aspect: bool = False) -> QPixmap:
    """A grayscale digit (ink bright, uint8 or float 0..1) as a pixmap, pixels kept sharp.

    By default ink is white on black, as the network sees it and the canvas shows it;
    with ``ink_dark`` it is dark on white, like pencil on paper.
    """
    a = to_uint8(image)
    if ink_dark:
        a = 255 - a
    h, w = a.shape
    qimage = QImage(a.tobytes(), w, h, w, QImage.Format.Format_Grayscale8)
    if isinstance(size, int):
        size = QSize(size, size)
    mode = (Qt.AspectRatioMode.KeepAspectRatio if keep_aspect
            else Qt.AspectRatioMode.IgnoreAspectRatio)
    return QPixmap.fromImage(qimage.scaled(size, mode, Qt.TransformationMode.FastTransformation))


def weight_pixmap(tile: np.ndarray, size: int, lut: np.ndarray) -> QPixmap:
    """A weight picture (h, w) coloured with ``lut`` (256 x 3 uint8), centred on zero and
    scaled to its own largest absolute value, pixels kept sharp."""
    t = np.asarray(tile, np.float32)
    m = float(np.abs(t).max()) or 1.0
    idx = np.clip((t / m + 1.0) * 127.5, 0, 255).astype(np.uint8)
    rgb = np.ascontiguousarray(lut[idx][..., :3], dtype=np.uint8)
    h, w = t.shape
    qimage = QImage(rgb.tobytes(), w, h, 3 * w, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(qimage.scaled(size, size, Qt.AspectRatioMode.IgnoreAspectRatio,
                                           Qt.TransformationMode.FastTransformation))


class Evaluator(QObject):
    """The published weights evaluated on the test set, shared by the views.

    :meth:`request` evaluates the current predictor on ``executor``'s thread (NumPy's
    matrix products release the GIL, so the window stays responsive even on a busy
    machine) and ``ready(Evaluation, when)`` delivers the result on the GUI thread.
    One pass per set of weights: a second request for the same weights reuses it.
    Without an ``executor`` it makes its own, shut down when the evaluator is destroyed.
    """

    ready = Signal(object, str)  # (analysis.Evaluation, "after epoch 2" ...)
    failed = Signal(str)  # a message (e.g. the data could not be loaded)
    _done = Signal(int, object, object, str)  # (generation, net, Evaluation, when), internal

    def __init__(self, session, executor: ThreadPoolExecutor | None = None, parent=None):
        super().__init__(parent)
        self.session = session
        if executor is None:
            executor = evaluation_executor()
            self.destroyed.connect(lambda *_: executor.shutdown(wait=False))
        self.executor = executor
        self._net = None  # the network of the last result
        self._result: analysis.Evaluation | None = None
        self.when = ""  # what the last result evaluated: "after epoch 2", "untrained weights"
        self._busy = None  # the network being evaluated, if any
        self._again = False  # a request came for other weights while busy
        self._generation = 0  # bumped when the model changes: older results are dropped
        self.dropped = 0  # results dropped because the model had changed
        self._position: float | None = None  # epochs of training of the published weights
        self._epoch: int | None = None  # the epoch just finished, until training goes on
        self.synchronous = False  # evaluate on the calling thread (for debugging)
        listen(session.progressed, self._on_progress, self)
        listen(session.epochFinished, self._on_epoch, self)
        listen(session.modelChanged, self._on_model, self)
        self._done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)

    # -- what the weights are -----------------------------------------------------------
    def _on_progress(self, progress) -> None:
        self._position = getattr(progress, "position", None)
        self._epoch = None

    def _on_epoch(self, record: EpochRecord) -> None:
        self._epoch = record.epoch

    def _on_model(self) -> None:
        self._position = self._epoch = None
        self._generation += 1
        self._net = self._result = None
        self._busy = None
        self._again = False

    def _describe(self) -> str:
        model = self.session.model
        if model is None or not model.trained:
            return "untrained weights"
        if self._epoch is not None:
            return f"after epoch {self._epoch}"
        pos = self._position
        if pos is None:
            return f"after epoch {len(model.history)}" if model.history else "trained weights"
        return f"after {pos:.2f} epochs"

    # -- evaluating ---------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._busy is not None

    @property
    def result(self) -> analysis.Evaluation | None:
        """The last result delivered (for the weights in ``when``)."""
        return self._result

    def request(self) -> bool:
        """Evaluate the latest published weights; ``ready`` follows (at once if they were
        evaluated already). False if there is no valid network."""
        net = self.session.predictor()
        if net is None:
            return False
        if net is self._net and self._result is not None:
            self.ready.emit(self._result, self.when)
            return True
        if self._busy is not None:
            self._again = self._again or net is not self._busy
            return True
        try:
            data = self.session.data
            x, y = data.test_x, data.test_y
        except Exception as e:  # noqa: BLE001 - a missing data file must not crash
            self.failed.emit(f"Cannot evaluate on the test set: {e}")
            return False
        self._busy = net
        self._again = False
        args = (self._generation, net, x, y, self._describe())
        if self.synchronous:
            self._work(*args)
            return True
        try:
            _jobs.add(self.executor.submit(self._work, *args))
        except RuntimeError:  # shut down: the window is closing
            self._busy = None
            return False
        return True

    def _work(self, generation, net, x, y, when) -> None:
        """On the evaluation thread: one pass through a private copy of the network (its
        layers' caches of 10,000 inputs then vanish with it)."""
        try:
            result = self.compute(net.snapshot(), x, y)
        except Exception as e:  # noqa: BLE001 - reported on the GUI thread
            result = e
        try:
            self._done.emit(generation, net, result, when)
        except RuntimeError:  # the evaluator was deleted meanwhile (window closed)
            pass

    def compute(self, net, x: np.ndarray, y: np.ndarray):
        """The work of a request, on the evaluation thread: ``net`` (a private copy) on
        the test images ``x`` and labels ``y``. A subclass measures something else."""
        return analysis.evaluate(net, x, y)

    def _on_done(self, generation, net, result, when) -> None:
        if generation != self._generation:
            self.dropped += 1  # the model changed meanwhile: a result for old weights
            return
        self._busy = None
        if isinstance(result, Exception):
            self.failed.emit(f"Cannot evaluate on the test set: {result}")
        else:
            self._net, self._result, self.when = net, result, when
            self.ready.emit(result, when)
        if self._again:
            self._again = False
            self.request()

    def wait(self, timeout: float = 10.0) -> None:
        """Process events until no evaluation is running (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._busy is not None and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.002)


class EvaluatedView(QWidget):
    """Base of the views of the shared test-set evaluation (Confusion, Mistakes).

    A summary line with a Recompute button (F9) above the subclass's content, which an
    empty state covers until a result arrives. A new network clears the view and, if it
    is trained, evaluates at once; so does the end of an epoch. A hidden view only
    remembers that it is stale and catches up when shown.

    Subclasses set ``NAME`` (the prefix of the object names), ``TITLE`` and ``EMPTY``, and
    implement ``_build`` (the content widget), ``_reset`` (forget what the content shows)
    and ``show_result``.
    """

    NAME = ""  # "confusion": objectNames confusionView, confusionSummary, confusionRecompute
    TITLE = ""  # the summary's opening words, "<b>Confusion matrix</b>"
    EMPTY = ""  # the message until there is a result

    def __init__(self, session, evaluator: Evaluator | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName(f"{self.NAME}View")
        self.session = session
        self.evaluator = evaluator or Evaluator(session, parent=self)
        self.result: analysis.Evaluation | None = None  # the evaluation on screen

        self.summary = QLabel()
        self.summary.setObjectName(f"{self.NAME}Summary")
        self.summary.setWordWrap(True)
        self.recompute = QPushButton("&Recompute")
        self.recompute.setObjectName(f"{self.NAME}Recompute")
        self.recompute.setToolTip("Evaluate the latest weights on the test set now (F9)")
        self.recompute.clicked.connect(self.refresh)
        shortcut = QShortcut(QKeySequence("F9"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.recompute, 0, Qt.AlignmentFlag.AlignTop)

        self.stack = EmptyState(self._build(), self.EMPTY)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        self.throttle = Throttle(self, self.refresh, 0)
        self.evaluator.ready.connect(self.show_result)
        self.evaluator.failed.connect(self._clear)
        listen(session.epochFinished, lambda _: self.throttle.request(now=True), self)
        listen(session.modelChanged, self._on_model, self)
        self._on_model()

    # -- for the subclasses -------------------------------------------------------------
    def _build(self) -> QWidget:
        """The content widget shown once there is a result."""
        raise NotImplementedError

    def _reset(self) -> None:
        """Forget what the content shows (no result now)."""
        raise NotImplementedError

    def show_result(self, result: analysis.Evaluation, when: str = "") -> None:
        raise NotImplementedError

    def _open_test_image(self, indices: np.ndarray, row: int) -> None:
        """Put test image ``indices[row]`` on the drawing canvas (a click in a gallery)."""
        if 0 <= row < len(indices):
            i = int(indices[row])
            data = self.session.data
            self.session.show_image(data.test_x[i], int(data.test_y[i]))

    # -- evaluation -----------------------------------------------------------------------
    def _on_model(self) -> None:
        """A new network: forget the old results; evaluate at once if it is trained."""
        self.throttle.stale = False
        self._clear()
        if self.session.trained:
            self.throttle.request(now=True)

    def refresh(self) -> None:
        """Evaluate the latest weights (the Recompute button); the result comes back
        through the evaluator's ``ready`` signal."""
        if not self.evaluator.request():
            if self.session.predictor() is None:
                self._clear()
            return
        if self.result is None and self.evaluator.busy:
            self.stack.show_message("Evaluating the test set...")

    def _clear(self, message: str | None = None) -> None:
        self.result = None
        self._reset()
        self.summary.setText(f"{self.TITLE} on the test set")
        if message is None and self.session.predictor() is None:
            message = "The network is not valid yet: fix it in the builder."
        self.stack.show_message(message or self.EMPTY)

    # -- Qt events ----------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.throttle.shown()
