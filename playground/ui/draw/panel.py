"""The "Draw & predict" column: draw a digit, see what the network thinks as you draw.

The panel reads the canvas, turns it into the network's input with
:func:`playground.data.to_mnist` and asks ``session.predictor()`` (the latest
published weights, never the network being trained) for its ten outputs. An MNIST
image put on the canvas is given to the network as the 28 x 28 image it is, until
the user draws on it. What the prediction says is worked out in :mod:`.prediction_text`.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QFontMetrics, QImage, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ...data import to_mnist
from ...data.preprocess import as_digit, is_blank
from .. import theme
from ..bind import listen
from ..throttle import Throttle
from . import prediction_text as words
from .bars import OutputBars
from .canvas import DEFAULT_STROKE, MAX_STROKE, MIN_STROKE, DrawCanvas, ImageLoadError
from .prediction_text import gives_probabilities
from .widgets import FitLabel, top_aligning_spacer

DRAW_INTERVAL_MS = 33  #: at most ~30 predictions a second while the mouse moves
WEIGHTS_INTERVAL_MS = 100  #: at most ~10 re-predictions a second during training
PREVIEW_SCALE = 3  #: the 28 x 28 preview is shown this many times larger
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;All files (*)"

WINNER, OTHERS = theme.ANSWER_BAR, theme.OUTPUT_BAR
UNTRAINED_WINNER, UNTRAINED_OTHERS = theme.UNTRAINED_ANSWER_BAR, theme.UNTRAINED_OUTPUT_BAR
RIGHT, WRONG, ERROR = theme.OK, theme.ERROR, theme.ERROR
#: the ``state`` (see :mod:`..theme`) of the truth label after a right or wrong answer
TRUTH_STATES = {words.RIGHT: "ok", words.WRONG: "error"}

NO_NETWORK = "Fix the network to predict"
EMPTY = "Draw a digit"
BLANK = "No digit found"
BLANK_STATUS = ("The canvas is one even shade, so there is no digit to read (the command "
                "line calls such an image blank). Clear it (Esc) and draw a digit.")
UNTRAINED = "Untrained network: guesses are random"
#: after a file or image could not be shown: the canvas (and prediction) are unchanged
KEPT = "The prediction is for the drawing still on the canvas."


class DrawPanel(QWidget):
    """Canvas, the network's view of it, its prediction and the ten output bars."""

    #: after each prediction: the ten outputs (np.ndarray) or None (nothing to predict)
    predicted = Signal(object)

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("drawPanel")
        self.rng = np.random.default_rng()  # picks "Random test digit" (seedable)
        self._input: np.ndarray | None = None  # what the network gets (None: nothing)
        self._blank = False  # the canvas has something on it, but no digit (see is_blank)
        self._input_version = -1  # canvas version that _input was made from
        self._sent_version = -1  # canvas version last sent to session.set_drawing
        self._outputs: np.ndarray | None = None
        self._truth: int | None = None
        self._notice = ""  # a message about the last file or test digit (errors in red)
        self._notice_error = False
        self.prediction_count = 0  # how many times the network was asked (for tests)

        self._build()
        self._sent_version = self.canvas.version  # an empty canvas needs no announcing

        # each request waits its interval, gathering those that follow; even hidden
        self._draw_throttle = Throttle(self, self.predict_now, DRAW_INTERVAL_MS,
                                       leading=False, while_hidden=True)
        self._weights_throttle = Throttle(self, self.predict_now, WEIGHTS_INTERVAL_MS,
                                          leading=False, while_hidden=True)

        c = self.canvas
        c.changed.connect(self._on_canvas_changed)
        c.strokeStarted.connect(self._forget_truth)
        c.strokeFinished.connect(self.predict_now)
        c.cleared.connect(self._on_cleared)
        c.fileDropped.connect(self.load_image_file)
        listen(session.weightsChanged, self._on_weights_changed, self)
        listen(session.modelChanged, self.predict_now, self)
        listen(session.trainingStateChanged, self._on_training_state, self)
        listen(session.showImageRequested, self.show_image, self)
        self.predict_now()

    # -- building ---------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)

        title = QLabel("Draw & predict")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        title.setToolTip("Draw a digit on the canvas and see what the network thinks,\n"
                         "updated as you draw and as the network trains.")
        layout.addWidget(title)

        self.canvas = DrawCanvas()
        # The only stretching item: the canvas grows to the largest square the column
        # allows; the bars keep a compact height; what is left goes below everything.
        layout.addWidget(self.canvas, 1)

        # the network's input, its prediction and the true label
        row = QHBoxLayout()
        row.setSpacing(8)
        side = 28 * PREVIEW_SCALE
        preview_box = QVBoxLayout()
        preview_box.setSpacing(2)
        self.preview = QLabel()
        self.preview.setObjectName("inputPreview")
        self.preview.setFixedSize(side + 2, side + 2)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet(f"QLabel {{ background: {theme.NETWORK_INPUT};"
                                   " border: 1px solid palette(mid); }")
        self.preview.setToolTip(
            "What the network gets: your drawing cropped to its ink, scaled so its\n"
            "longer side is 20 pixels and centred by its centre of mass in a 28 x 28\n"
            "field, the way the MNIST digits were prepared.")
        preview_box.addWidget(self.preview)
        caption = QLabel("Network input")
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        small = caption.font()
        small.setPointSizeF(small.pointSizeF() * 0.85)
        caption.setFont(small)
        caption.setToolTip(self.preview.toolTip())
        caption.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        preview_box.addWidget(caption)
        preview_box.addItem(top_aligning_spacer())
        row.addLayout(preview_box)

        text_box = QVBoxLayout()
        text_box.setSpacing(2)
        self.prediction_label = FitLabel(EMPTY, max_pt=18, height_pt=36)
        self.prediction_label.setObjectName("predictionLabel")
        self.prediction_label.setAlignment(Qt.AlignmentFlag.AlignLeft
                                           | Qt.AlignmentFlag.AlignVCenter)
        self.prediction_label.setToolTip(
            "The network's answer: the digit with the highest output, and that output.\n"
            "With a softmax or sigmoid output layer the output is shown as a percentage\n"
            "(how sure the network is); with any other last layer (ReLU, Tanh, Dense)\n"
            "it is a plain score, not a probability.")
        text_box.addWidget(self.prediction_label)
        self.truth_label = QLabel()
        self.truth_label.setObjectName("truthLabel")
        self.truth_label.setToolTip("The label of the MNIST image on the canvas, to compare "
                                    "with the network's answer")
        self.truth_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        text_box.addWidget(self.truth_label)
        self.status_label = QLabel()
        self.status_label.setObjectName("drawStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                        QSizePolicy.Policy.Preferred)
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        text_box.addWidget(self.status_label)
        text_box.addItem(top_aligning_spacer())
        row.addLayout(text_box, 1)
        layout.addLayout(row)

        # ten output bars
        self.bars_plot = OutputBars()
        self.bars = self.bars_plot.bars
        layout.addWidget(self.bars_plot)

        # buttons
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self.clear_button = self._button("Clear", self.clear,
                                         "Wipe the canvas (Esc or Delete)", "clearButton")
        self.open_button = self._button("Open image...", self.open_image,
                                        "Predict the digit in an image file (PNG, JPEG, BMP); "
                                        "you can also drop a file on the canvas",
                                        "openImageButton")
        self.random_button = self._button("Random test digit", self.show_random_digit,
                                          "Show a random MNIST test image (one the network "
                                          "never trained on) with its true label (R)",
                                          "randomDigitButton")
        for b in (self.clear_button, self.open_button, self.random_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)

        stroke = QHBoxLayout()
        stroke.setSpacing(6)
        stroke_label = QLabel("Stroke")
        self.stroke_slider = QSlider(Qt.Orientation.Horizontal)
        self.stroke_slider.setObjectName("strokeSlider")
        self.stroke_slider.setRange(MIN_STROKE, MAX_STROKE)
        self.stroke_slider.setSingleStep(2)
        self.stroke_slider.setPageStep(6)
        self.stroke_slider.setValue(DEFAULT_STROKE)
        self.stroke_value = QLabel()
        self.stroke_value.setMinimumWidth(QFontMetrics(self.font()).horizontalAdvance("0.0 px"))
        self.stroke_slider.valueChanged.connect(self._on_stroke)
        tip = ("Brush width, in input pixels (grid squares). About 2.2 gives strokes like\n"
               "the MNIST digits when you draw a digit filling the canvas; draw small digits\n"
               "with a thinner brush, since the drawing is scaled up to 20 pixels.")
        for w in (stroke_label, self.stroke_slider, self.stroke_value):
            w.setToolTip(tip)
        stroke.addWidget(stroke_label)
        stroke.addWidget(self.stroke_slider, 1)
        stroke.addWidget(self.stroke_value)
        layout.addLayout(stroke)
        layout.addStretch(0)  # expanding, but only once the canvas has all it can use
        self._on_stroke(self.stroke_slider.value())

    def _button(self, text, slot, tip, name) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setToolTip(tip)
        b.clicked.connect(slot)
        b.setAutoDefault(False)
        return b

    # -- public actions -----------------------------------------------------------------
    def clear(self) -> None:
        """Wipe the canvas; the panel shows "Draw a digit"."""
        self.canvas.clear()  # emits cleared -> _on_cleared

    def load_image_file(self, path) -> bool:
        """Show and predict the digit in an image file (used by drop and Open image).
        Returns False, with a message in the panel, if the file cannot be used."""
        try:
            self.canvas.load_image(path)
        except (ImageLoadError, OSError, ValueError) as e:
            # the canvas keeps what it had: re-predict it so that label, bars and canvas
            # agree, and say so next to the error (see _show)
            self._set_notice(str(e), error=True)
            self.predict_now()
            return False
        self._truth = None
        self._set_notice(f"From {Path(str(path)).name}")
        self._remember_dir(path)
        self.predict_now()
        return True

    def open_image(self) -> bool:
        path, _ = QFileDialog.getOpenFileName(self, "Open image of a digit", self._last_dir(),
                                              IMAGE_FILTER)
        if not path:
            return False
        return self.load_image_file(path)

    def show_random_digit(self) -> int | None:
        """Put a random MNIST test image on the canvas; returns its index."""
        try:
            data = self.session.data
            n = len(data.test_x)
        except Exception as e:  # noqa: BLE001 - a missing dataset is shown, never fatal
            self._set_notice(f"No test images: {e}", error=True)
            return None
        if n == 0:
            self._set_notice("No test images in the dataset", error=True)
            return None
        i = int(self.rng.integers(n))
        self.session.show_image(data.test_x[i], int(data.test_y[i]))
        self._set_notice(f"MNIST test image #{i + 1:,}")
        return i

    def show_image(self, image, label=None) -> None:
        """Put an image (e.g. a 28 x 28 MNIST digit) on the canvas, with its true label."""
        try:
            self.canvas.set_image(image)
        except (ValueError, TypeError) as e:
            self._set_notice(f"Cannot show that image: {e}", error=True)
            self.predict_now()
            return
        self._truth = None if label is None else int(label)
        self._set_notice("")
        self.predict_now()

    def outputs(self) -> np.ndarray | None:
        """The network's ten outputs for the drawing, or None if nothing was predicted."""
        return None if self._outputs is None else self._outputs.copy()

    def network_input(self) -> np.ndarray | None:
        """The 28 x 28 input the network got, as floats in [0, 1]: to_mnist of the
        drawing, or an MNIST image as it is; None if there is nothing to predict."""
        return None if self._input is None else as_digit(self._input)

    def _read_canvas(self) -> np.ndarray:
        """Work out the network's input from the canvas; returns the drawing to announce
        (the canvas image, or the 28 x 28 image shown as it is)."""
        canvas = self.canvas
        source = canvas.source()
        image = canvas.image() if source is None else as_digit(source)
        x = None if canvas.is_empty() else to_mnist(image)
        self._blank = x is not None and is_blank(x)  # the command line's rule
        if source is not None and x is not None:  # an MNIST image: predicted as it is,
            x = source if source.dtype == np.uint8 else image  # as the gallery does
        self._input = None if self._blank else x
        self._input_version = canvas.version
        self._show_preview()
        return image

    def predict_now(self) -> None:
        """Predict the canvas with the latest weights and show the result."""
        self._draw_throttle.cancel()
        self._weights_throttle.cancel()
        canvas = self.canvas
        image = self._read_canvas() if canvas.version != self._input_version else None

        net = self.session.predictor()
        outputs = None
        problem = ""
        if net is not None and self._input is not None:
            outputs, problem = words.predict(net, self._input)
            self.prediction_count += 1
        self._outputs = outputs
        self._show(net, outputs, problem)

        if canvas.version != self._sent_version:
            self._sent_version = canvas.version
            if image is None:
                image = self._read_canvas()
            self.session.set_drawing(None if self._input is None else image)
        self.predicted.emit(None if outputs is None else outputs.copy())

    # -- showing ------------------------------------------------------------------------
    def _show(self, net, outputs, problem: str) -> None:
        trained = self.session.trained
        label = self.prediction_label
        grey = theme.HINT
        said = None
        if net is None:
            label.set_text(NO_NETWORK, 15)
            theme.set_state(label, "error")
        elif outputs is None:
            text = problem or (BLANK if self._blank else EMPTY)
            label.set_text(text, 18 if not problem else 13)
            theme.set_state(label, "error" if problem else grey)
        else:
            said = words.verdict(outputs, gives_probabilities(net), trained, self._truth)
            label.set_text(said.text, said.size)
            theme.set_state(label, "" if said.tone == words.ANSWER else grey)

        heights = np.zeros(10) if outputs is None else outputs
        winner = None if said is None else said.winner
        hi, lo = (WINNER, OTHERS) if trained else (UNTRAINED_WINNER, UNTRAINED_OTHERS)
        brushes = [hi if i == winner else lo for i in range(10)]
        self.bars_plot.show_outputs(heights, brushes,
                                    outputs is None or gives_probabilities(net))

        # the true label of a test image: right or wrong only for a trained answer
        truth = "" if self._truth is None or self._input is None else (
            said.truth if said is not None else f"True label: {self._truth}")
        self.truth_label.setText(truth)
        theme.set_state(self.truth_label, TRUTH_STATES.get(said.truth_tone, "") if said else "")
        self.truth_label.setVisible(bool(truth))

        # one status line: file problems first, then the network's state
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        if self._notice and self._notice_error and outputs is not None:
            # the prediction shown is not for the file: say what it is for
            self.status_label.setTextFormat(Qt.TextFormat.RichText)
            status, colour = (f'<span style="color: {theme.pick(ERROR, self)};">'
                              f"{html.escape(self._notice)}</span><br>{KEPT}", grey)
        elif self._notice:
            status, colour = self._notice, ("error" if self._notice_error else grey)
        elif net is None:
            status, colour = ("The network is not valid yet: see the builder on the left",
                              grey)
        elif self._blank:
            status, colour = BLANK_STATUS, grey
        elif not trained:
            status, colour = UNTRAINED, grey
        elif self.session.training_state != "idle":
            status, colour = "Following training: updates as the network learns", grey
        else:
            status, colour = "", grey
        self.status_label.setText(status)
        theme.set_state(self.status_label, colour)
        self.status_label.setVisible(bool(status))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        scale = PREVIEW_SCALE + 1 if self.width() >= 420 else PREVIEW_SCALE
        if self.preview.width() != 28 * scale + 2:
            self.preview.setFixedSize(28 * scale + 2, 28 * scale + 2)
            self._show_preview()

    def _show_preview(self) -> None:
        side = self.preview.width() - 2
        if self._input is None:
            pixels = np.zeros((28, 28), np.uint8)
        else:
            pixels = np.ascontiguousarray(np.rint(self.network_input() * 255), dtype=np.uint8)
        image = QImage(pixels.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
        self.preview.setPixmap(QPixmap.fromImage(image).scaled(
            side, side, Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.FastTransformation))

    def _set_notice(self, text: str, error: bool = False) -> None:
        self._notice, self._notice_error = text, error
        self._show(self.session.predictor(), self._outputs, "")

    # -- reacting -----------------------------------------------------------------------
    def _on_canvas_changed(self) -> None:
        self._draw_throttle.request()

    def _forget_truth(self) -> None:
        self._truth = None
        self._notice = ""

    def _on_cleared(self) -> None:
        self._truth = None
        self._notice = ""
        self.predict_now()

    def _on_weights_changed(self) -> None:
        if not self._draw_throttle.pending:
            self._weights_throttle.request()

    def _on_training_state(self, _state: str) -> None:
        self._show(self.session.predictor(), self._outputs, "")

    def _on_stroke(self, value: int) -> None:
        self.canvas.set_stroke_width(value)
        self.stroke_value.setText(f"{value / 10:.1f} px")

    def keyPressEvent(self, event) -> None:
        key, mods = event.key(), event.modifiers()
        if mods == Qt.KeyboardModifier.NoModifier:
            if key in (Qt.Key.Key_Escape, Qt.Key.Key_Delete):
                self.clear()
                return
            if key == Qt.Key.Key_R:
                self.show_random_digit()
                return
        super().keyPressEvent(event)

    # -- settings -----------------------------------------------------------------------
    def _last_dir(self) -> str:
        s = QSettings()
        return str(s.value("draw/imageDir", s.value("lastDir", str(Path.home()))))

    def _remember_dir(self, path) -> None:
        try:
            QSettings().setValue("draw/imageDir", str(Path(str(path)).resolve().parent))
        except OSError:
            pass
