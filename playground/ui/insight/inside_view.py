"""Inside a prediction: the drawing's way to the 28 x 28 input, and what each layer does:
each convolution's and pooling layer's feature maps, then each Dense layer's units."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...data import to_mnist
from ...nn import analysis, conv_analysis
from .. import theme
from ..bind import listen
from ..throttle import Throttle
from .common import EmptyState, digit_pixmap
from .feature_grid import FeatureGrid
from .layer_rows import LayerStrip, OutputBars
from .top_units import TOP_UNITS, TopUnits

STEP_SIZE = 112  # pixels per pipeline picture (adapts to the width: STEP_MIN..STEP_MAX)
STEP_MIN, STEP_MAX = 44, 168
STEP_PAD = 10  # a step is this much wider than its picture, for its caption
ARROW_PX = 20  # the arrows between the steps
PIPE_SPACING = 4
STEPS = [  # (key of to_mnist's steps, caption, tooltip)
    ("input", "What you drew",
     "The canvas, with ink normalised to 0..1 against the background"),
    ("crop", "Cropped to the ink",
     "The bounding box of the ink: empty margins are cut away"),
    ("fitted", "Scaled to fit 20 x 20",
     "The crop scaled (anti-aliased) so its longer side is 20 pixels, as MNIST digits were"),
    ("centred", "Centred in 28 x 28",
     "Placed in a 28 x 28 field with its centre of mass in the middle: exactly the input "
     "the network sees"),
]
EMPTY = ("Draw a digit on the canvas to see it travel through the network: the steps "
         "that turn your drawing into a 28 x 28 input, then what every layer makes of it.")


UNITS_TITLE = ("<b>What each layer makes of it</b> &mdash; one cell per unit; hover a cell "
               "to read its value")
MAPS_TITLE = ("<b>What each layer makes of it</b> &mdash; one small image per feature map, "
              "one cell per unit; hover one to read it")


def step_size(width: int) -> int:
    """The pipeline pictures' size for a view ``width`` pixels wide: four pictures, their
    caption margins and three arrows fit (down to STEP_MIN)."""
    room = width - 16 - 3 * ARROW_PX - 8 * PIPE_SPACING - 4 * (STEP_PAD + 2)
    return max(STEP_MIN, min(STEP_MAX, room // 4))


class StepImage(QWidget):
    """One pipeline picture with its caption."""

    def __init__(self, caption: str, tip: str, parent=None):
        super().__init__(parent)
        self.image: np.ndarray | None = None
        self.size = STEP_SIZE
        self.picture = QLabel()
        self.picture.setFixedSize(STEP_SIZE + 2, STEP_SIZE + 2)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setFrameShape(QFrame.Shape.Box)
        self.picture.setStyleSheet(f"background: {theme.NETWORK_INPUT};")
        self.caption = QLabel(caption.replace(" x ", "\u00a0x\u00a0"))  # "20 x 20" stays whole
        self.caption.setObjectName("stepCaption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.caption.setWordWrap(True)  # a narrow view wraps the caption, never cuts it
        self.size_label = QLabel(" ")
        self.size_label.setObjectName("stepSize")
        self.size_label.setWordWrap(True)
        self.size_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.size_label.setStyleSheet("color: palette(mid);")
        self.setToolTip(tip)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.caption)
        lay.addWidget(self.size_label)
        lay.addStretch(1)
        self._fit_width()

    def _fit_width(self) -> None:
        """As wide as the picture, a little more for short words; captions wrap inside."""
        self.setFixedWidth(self.size + 2 + STEP_PAD)

    def set_image(self, image: np.ndarray | None) -> None:
        self.image = image
        if image is None:
            self.picture.clear()
            self.size_label.setText(" ")
            return
        h, w = image.shape
        self.picture.setPixmap(digit_pixmap(image, self.size, keep_aspect=True))
        self.size_label.setText(f"{w} x {h} px")

    def set_size(self, size: int) -> None:
        if size != self.size:
            self.size = size
            self.picture.setFixedSize(size + 2, size + 2)
            self._fit_width()
            self.set_image(self.image)


class InsideView(QWidget):
    """The current drawing step by step, and each layer's response to it."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("insideView")
        self.session = session
        self.drawing: np.ndarray | None = None  # the canvas image last received
        self.steps: dict[str, np.ndarray] | None = None  # to_mnist's steps on screen
        self.input: np.ndarray | None = None  # the 28 x 28 network input
        self.layer_values: list[tuple[str, np.ndarray]] = []  # hidden_activations shown
        self._structure: list[tuple[str, int]] = []
        self.feature_maps: list[conv_analysis.FeatureMaps] = []  # conv/pool outputs shown
        self._grids: list[FeatureGrid] = []
        self._layer_widgets: list[QWidget] = []
        self.refreshes = 0  # how often the view was recomputed (tests, benchmarks)
        self._piped: np.ndarray | None = None  # the drawing the pipeline pictures show

        self.step_widgets = {}
        pipeline = QHBoxLayout()
        pipeline.setSpacing(PIPE_SPACING)
        pipeline.addStretch(1)
        for i, (key, caption, tip) in enumerate(STEPS):
            if i:
                arrow = QLabel("\u2192")
                arrow.setStyleSheet("font-size: 18pt; color: palette(mid);")
                arrow.setAlignment(Qt.AlignmentFlag.AlignCenter)
                arrow.setFixedWidth(ARROW_PX)
                pipeline.addWidget(arrow)
            widget = StepImage(caption, tip)
            widget.setObjectName(f"step_{key}")
            self.step_widgets[key] = widget
            pipeline.addWidget(widget)
        pipeline.addStretch(1)

        self.prediction = QLabel(" ")
        self.prediction.setObjectName("insidePrediction")
        self.prediction.setToolTip("What the latest published weights make of the drawing")
        self.layers_box = QWidget()
        self.layers_layout = QVBoxLayout(self.layers_box)
        self.layers_layout.setContentsMargins(0, 0, 4, 0)
        self.layers_layout.setSpacing(10)
        self.layers_note = QLabel()
        self.layers_note.setWordWrap(True)
        self.layers_layout.addWidget(self.layers_note)
        self.top_units = TopUnits()
        self.top_units.setObjectName("topUnits")
        self.top_units.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.layers_layout.addWidget(self.top_units)
        self.layers_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.layers_box)

        title1 = QLabel("<b>From your drawing to the network's input</b>")
        self.layers_title = title2 = QLabel(UNITS_TITLE)
        title2.setWordWrap(True)
        title2.setToolTip("Each layer's output for this drawing, after its activation "
                          "function. Bright cells are units that respond strongly.")
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(title1)
        strip = QWidget()  # sized by resizeEvent, so it never holds the view wider
        strip.setLayout(pipeline)
        strip.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay.addWidget(strip)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        lay.addWidget(line)
        lay.addWidget(title2)
        lay.addWidget(self.prediction)
        lay.addWidget(scroll, 1)
        self.stack = EmptyState(page, EMPTY)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)

        self.throttle = Throttle(self, self.refresh)  # new weights: ~5 times a second
        self.draw_throttle = Throttle(self, self.refresh, 50)  # strokes: ~20 times a second
        listen(session.drawingChanged, self.set_drawing, self)
        listen(session.weightsChanged, self._on_weights, self)
        listen(session.modelChanged, lambda: self.throttle.request(now=True), self)
    def set_drawing(self, image) -> None:
        self.drawing = None if image is None else np.array(image, copy=True)
        self.draw_throttle.request(now=image is None)  # an empty canvas shows at once

    def _on_weights(self) -> None:
        if self.drawing is not None:
            self.throttle.request()

    # -- drawing --------------------------------------------------------------------
    def refresh(self) -> None:
        self.refreshes += 1
        if self.drawing is None:
            self.steps = self.input = self._piped = None
            self.layer_values = []
            self.stack.show_message(EMPTY)
            return
        if self.drawing is not self._piped:  # new weights alone leave the pipeline as it is
            try:
                out, steps = to_mnist(self.drawing, return_steps=True)
            except ValueError as e:
                self.steps = self.input = self._piped = None
                self.stack.show_message(f"Cannot read the drawing: {e}")
                return
            self.steps, self.input, self._piped = steps, out, self.drawing
            for key, widget in self.step_widgets.items():
                widget.set_image(steps[key])
        out = self.input
        self.stack.show_content()
        if not out.any():
            self._show_layers([], "The drawing is empty: draw a digit on the canvas.")
            return
        net = self.session.predictor()
        if net is None:
            self._show_layers([], "The network is not valid yet: fix it in the builder.")
            return
        if tuple(net.input_shape) != out.shape:
            self._show_layers([], f"The network takes inputs of "
                                  f"{' x '.join(map(str, net.input_shape))}, not 28 x 28 "
                                  "images.")
            return
        outputs = analysis.activations(net, out)  # one pass serves maps and units
        values = analysis.hidden_activations(net, outputs=outputs)
        note = "" if self.session.trained else (
            "The network is untrained: its units respond at random until it learns.")
        self._show_layers(values, note, conv_analysis.feature_maps(net, outputs=outputs),
                          outputs[-1][1])
        top = analysis.top_units(values[0][1], TOP_UNITS)
        tiles, _ = analysis.first_layer_weights(net, top)
        if tiles is not None and len(values) > 1:  # a hidden layer that sees the pixels
            self.top_units.set_units(values[0][0], values[0][1], top, tiles)
            self.top_units.show()
        else:
            self.top_units.hide()

    def _show_layers(self, values, note: str, maps=(), output=None) -> None:
        self.layer_values = values
        self._show_maps(list(maps))
        self.top_units.hide()
        self.layers_note.setText(note)
        self.layers_note.setVisible(bool(note))
        structure = [(name, len(v)) for name, v in values]
        if structure != self._structure:
            self._rebuild(structure)
        widgets = self._layer_widgets
        for widget, (_, v) in zip(widgets, values, strict=True):
            widget.set_values(v)
        if output is not None or values:
            out = np.asarray(output if output is not None else values[-1][1]).ravel()
            best = int(out.argmax())
            self.prediction.setText(f"The network says <b>{best}</b> "
                                    f"(output {out[best]:.2f}).")
        else:
            self.prediction.setText(" ")

    def _show_maps(self, maps: list[conv_analysis.FeatureMaps]) -> None:
        """A grid of small images per convolution or pooling layer, above the units."""
        self.feature_maps = maps
        self.layers_title.setText(MAPS_TITLE if maps else UNITS_TITLE)
        labels = [m.label for m in maps]
        if labels != [grid.label for grid in self._grids]:
            for grid in self._grids:
                self.layers_layout.removeWidget(grid)
                grid.deleteLater()
            self._grids = []
            for i, label in enumerate(labels):
                grid = FeatureGrid(label)
                grid.set_room(self._room())
                self.layers_layout.insertWidget(1 + i, grid)  # after the note
                self._grids.append(grid)
        for grid, m in zip(self._grids, maps, strict=True):
            grid.set_maps(m.maps)

    def _room(self) -> int:
        """The width the rows below the pipeline can fill (margins and scroll bar off)."""
        return self.width() - 40

    def _rebuild(self, structure) -> None:
        for widget in self._layer_widgets:
            self.layers_layout.removeWidget(widget)
            widget.deleteLater()
        self._layer_widgets = []
        for i, (name, units) in enumerate(structure):
            last = i == len(structure) - 1
            widget = OutputBars(name) if last and units <= 20 else LayerStrip(
                name + (" (the output)" if last else f" (hidden layer {i + 1})"), units)
            # strips after the note, the top units after the first strip, stretch last
            self.layers_layout.insertWidget(self.layers_layout.count() - 1 - (i == 0), widget)
            self._layer_widgets.append(widget)
        self._structure = structure

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # the pipeline pictures and the top units grow and shrink with the view
        width = event.size().width()
        size = step_size(width)
        for widget in self.step_widgets.values():
            widget.set_size(size)
        self.top_units.set_room(width - 40)  # the margins and the scroll bar
        for grid in self._grids:
            grid.set_room(width - 40)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.throttle.stale or self.draw_throttle.stale:
            self.throttle.stale = self.draw_throttle.stale = False
            self.refresh()
