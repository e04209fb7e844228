"""First-layer weights: each hidden unit's 784 incoming weights drawn as a 28 x 28 tile;
in a convolutional network, each filter's kernel as a K x K tile, for any Conv2D layer."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...nn import analysis, conv_analysis
from .. import theme
from ..bind import listen
from ..throttle import Throttle
from .common import DIVERGING, EmptyState
from .kernel_picker import KernelPicker

GAP = 1  # pixels between tiles
COLORMAP = DIVERGING  # blue - white - red, white at the centre: zero weight is white
BACKGROUND = theme.WEIGHTS_GAP
#: At most this many units are drawn at once (a 32 x 32 mosaic); wider layers are shown a
#: page at a time, so a layer of 50,000 units costs no more than one of 1,024.
MAX_TILES = 1024

TIP = ("Each tile is one unit of the first Dense layer: its 784 incoming weights drawn "
       "as a 28 x 28 picture, one per input pixel.\nRed pixels push the unit on, blue pixels "
       "hold it back, white ones do not matter. Hover a tile for its unit number and range; "
       "scroll to zoom, drag to pan, right-click > View All to reset.")

KERNEL_TIP = ("Each tile is one filter of the chosen convolution layer: its K x K kernel, "
              "the pattern it slides over the image (or over the maps of the layer below).\n"
              "Red weights push the filter on, blue ones hold it back, white ones do not "
              "matter. Hover a tile for its filter number and range; scroll to zoom, drag to "
              "pan, right-click > View All to reset.")


#: Why there are no weight pictures, for each reason the engine gives.
NO_PICTURES = {
    analysis.NOT_AN_IMAGE: "The input is {shape} values, not an image: there are no weight "
                           "pictures to show.",
    analysis.NO_DENSE: "The network has no Dense layer: there are no weights to show.",
    analysis.NOT_FLATTENED: "The first Dense layer does not see the flattened image (add "
                            "Flatten before it), so its weights are not pictures of the input.",
}


class WeightsView(QWidget):
    """Live mosaic of the first Dense layer's weights (updates about 5 times a second)."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("weightsView")
        self.session = session
        self.tiles: np.ndarray | None = None  # (units, 28, 28) weights shown
        self.first = 0  # the unit of the first tile shown (the page)
        self.total = 0  # the first Dense layer's units
        self.image: np.ndarray | None = None  # the mosaic on screen
        self.columns = 1
        self.updates = 0  # how many times the mosaic was redrawn (for tests / benchmarks)
        self._bias: np.ndarray | None = None
        self._hover: int | None = None

        self.title = QLabel()
        self.title.setObjectName("weightsTitle")
        self.title.setToolTip(TIP)
        self.title.setWordWrap(True)
        self.scale = QComboBox()
        self.scale.setObjectName("weightsScale")
        self.scale.addItem("Colour per tile", True)
        self.scale.addItem("Colour shared by all", False)
        self.scale.setToolTip(
            "Per tile: each tile uses the full colour range for its own largest weight, so "
            "every unit's (filter's) pattern shows.\nShared: one scale (+- the largest "
            "weight of all), so strong and weak units can be compared.")
        self.scale.currentIndexChanged.connect(lambda _: self.refresh())
        self.kernels = KernelPicker()
        self.kernels.changed.connect(self._on_kernel_choice)
        self.kernels.hide()
        self.kind = "unit"  # what a tile is: a Dense "unit", or a Conv2D "filter"
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        scale_label = QLabel("&Scale:")
        scale_label.setBuddy(self.scale)
        scale_label.setToolTip(self.scale.toolTip())
        top.addWidget(scale_label)
        top.addWidget(self.scale)

        # wide layers: one page of MAX_TILES units at a time
        self.prev_page = QPushButton("\u25c0")
        self.prev_page.setObjectName("weightsPrevious")
        self.prev_page.setToolTip(f"The previous {MAX_TILES:,} units")
        self.next_page = QPushButton("\u25b6")
        self.next_page.setObjectName("weightsNext")
        self.next_page.setToolTip(f"The next {MAX_TILES:,} units")
        self.page_label = QLabel()
        self.page_label.setObjectName("weightsPage")
        for button, step in ((self.prev_page, -1), (self.next_page, 1)):
            button.setAutoDefault(False)
            button.setMaximumWidth(36)
            button.clicked.connect(
                lambda _=False, d=step: self.show_page(self.first + d * MAX_TILES))
        self.pager = QWidget()
        pager = QHBoxLayout(self.pager)
        pager.setContentsMargins(0, 0, 0, 0)
        pager.addWidget(self.prev_page)
        pager.addWidget(self.page_label)
        pager.addWidget(self.next_page)
        self.pager.hide()

        self.plot = pg.GraphicsLayoutWidget()
        self.plot.setObjectName("weightsPlot")
        self.plot.setBackground(BACKGROUND)
        self.plot.setToolTip(TIP)
        self.plot.ci.setContentsMargins(2, 2, 2, 2)
        self.box = self.plot.addViewBox()
        self.box.setAspectLocked(True)
        self.box.invertY(True)
        self.box.setMenuEnabled(True)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.item.setLookupTable(pg.colormap.get(COLORMAP).getLookupTable(nPts=256))
        self.box.addItem(self.item)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse)
        self.box.sigResized.connect(self._on_resized)

        self.readout = QLabel(" ")
        self.readout.setObjectName("weightsReadout")
        self.readout.setToolTip("The tile under the mouse pointer")
        self.readout.setMinimumWidth(40)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        legend = QLabel(f"<span style='color:{theme.NEGATIVE}'>&#9632;</span> negative &nbsp; "
                        f"<span style='color:{theme.ZERO}'>&#9633;</span> zero &nbsp; "
                        f"<span style='color:{theme.POSITIVE}'>&#9632;</span> positive weight")
        legend.setToolTip("The colour scale: blue for negative weights, white for zero, red "
                          "for positive ones")
        bottom = QHBoxLayout()
        bottom.addWidget(self.readout, 1)
        bottom.addWidget(self.pager)
        bottom.addWidget(legend)

        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.kernels, 0, Qt.AlignmentFlag.AlignLeft)  # its own row: the
        # title keeps the width
        lay.addWidget(self.plot, 1)
        lay.addLayout(bottom)
        self.stack = EmptyState(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)

        self.throttle = Throttle(self, self.refresh)
        listen(session.weightsChanged, self.throttle.request, self)
        listen(session.modelChanged, lambda: self.throttle.request(now=True), self)
        listen(session.epochFinished, lambda _: self.throttle.request(now=True), self)
        listen(session.trainingStateChanged, lambda _: self.throttle.request(now=True), self)
        self.refresh()

    # -- drawing ------------------------------------------------------------------
    def refresh(self) -> None:
        net = self.session.predictor()
        if net is None:
            self._clear("The network is not valid yet: fix it in the builder to see its "
                        "weights.")
            return
        if conv_analysis.first_weighted_is_conv(net):
            self._refresh_kernels(net)
            return
        self.kernels.hide()
        self._set_kind("unit")
        dense = next((layer for layer in net.layers if getattr(layer, "trainable", False)),
                     None)
        total = 0 if dense is None else int(dense.b.size)
        self.total = total
        self.first = min(self.first, max(0, total - 1)) // MAX_TILES * MAX_TILES
        shown = range(self.first, min(total, self.first + MAX_TILES))
        # only the units on this page are copied and drawn
        tiles, reason = analysis.first_layer_weights(net, shown)
        if tiles is None:
            self._clear(NO_PICTURES[reason].format(
                shape=" x ".join(map(str, net.input_shape))))
            return
        self._bias = np.array(dense.b.ravel()[shown.start:shown.stop], copy=True)
        self.tiles = tiles
        self._show_pager(shown)
        trained = self.session.trained
        state = "" if trained else ("<br><i>Random starting weights: train to see them take "
                                    "shape.</i>")
        h, w = net.input_shape
        about = f"{dense!r}: {total:,} units, one {h} x {w} tile each"
        self.title.setText(f"<b>First layer</b> &mdash; {about}{state}")
        self._draw()
        self.stack.show_content()

    def _refresh_kernels(self, net) -> None:
        """A convolutional network: the chosen Conv2D layer's kernels, one tile a filter."""
        self._set_kind("filter")
        self.kernels.set_layers(net, conv_analysis.conv_layers(net))
        self.kernels.show()
        index, channel = self.kernels.layer(), self.kernels.channel()
        layer = net.layers[index]
        self.tiles = conv_analysis.kernel_tiles(net, index, channel)
        self._bias = np.array(layer.b, copy=True)
        self.total, self.first = len(self.tiles), 0
        self.pager.hide()
        k, c = layer.size, self.kernels.channels()
        if c == 1:
            seen = "the image" if index == conv_analysis.conv_layers(net)[0] else "1 map"
            shows = f"one {k} x {k} kernel each, over {seen}"
        elif channel == conv_analysis.MEAN:
            shows = f"each {k} x {k} kernel's mean over its {c} input channels"
        else:
            shows = f"each {k} x {k} kernel's weights on input channel {channel} of {c}"
        where = "First layer" if index == conv_analysis.conv_layers(net)[0] else (
            f"Layer {index + 1}")
        state = "" if self.session.trained else ("<br><i>Random starting weights: train to "
                                                 "see them take shape.</i>")
        self.title.setText(f"<b>{where}</b> &mdash; {conv_analysis.layer_label(layer)}: "
                           f"{len(self.tiles):,} filters, {shows}{state}")
        self._draw()
        self.stack.show_content()

    def _on_kernel_choice(self) -> None:
        self._hover = None
        self.refresh()

    def _set_kind(self, kind: str) -> None:
        if kind != self.kind:
            self.kind = kind
            tip = KERNEL_TIP if kind == "filter" else TIP
            self.title.setToolTip(tip)
            self.plot.setToolTip(tip)

    def _draw(self) -> None:
        """Draw ``tiles`` as a mosaic; a new shape (first draw, other columns) re-fits the view."""
        tiles = self.tiles
        columns = analysis.mosaic_columns(len(tiles), self._aspect())
        per_unit = bool(self.scale.currentData())
        image = analysis.weight_mosaic(tiles, columns, gap=GAP, normalise=per_unit)
        if per_unit:
            levels = (-1.0, 1.0)
        else:
            m = float(np.abs(tiles).max()) or 1.0
            levels = (-m, m)
        reshaped = self.image is None or image.shape != self.image.shape
        self.columns = columns
        self.image = image
        self.item.setImage(image, levels=levels, autoLevels=False)
        self.updates += 1
        if reshaped:
            self.box.autoRange(padding=0.01)
        self._show_hover()

    def show_page(self, first: int) -> None:
        """Show the units from ``first`` on (a page of at most MAX_TILES)."""
        self.first = max(0, min(first, max(0, self.total - 1)))
        self._hover = None
        self.refresh()

    def _show_pager(self, shown: range) -> None:
        paged = self.total > MAX_TILES
        self.pager.setVisible(paged)
        if paged:
            self.page_label.setText(f"units {shown.start:,}-{shown.stop - 1:,} "
                                    f"of {self.total:,}")
            self.prev_page.setEnabled(shown.start > 0)
            self.next_page.setEnabled(shown.stop < self.total)

    def _clear(self, message: str) -> None:
        self.tiles = None
        self.image = None
        self._bias = None
        self.item.clear()
        self.stack.show_message(message)

    def _aspect(self) -> float:
        rect = self.box.sceneBoundingRect()
        if rect.height() < 10 or rect.width() < 10:
            return 1.6
        return rect.width() / rect.height()

    # -- interaction ----------------------------------------------------------------
    def unit_at(self, row: float, col: float) -> int | None:
        """The unit whose tile covers mosaic pixel (row, col), or None."""
        if self.tiles is None:
            return None
        index = analysis.tile_at(row, col, self.columns, len(self.tiles),
                                 self.tiles.shape[1:], GAP)
        return None if index is None else self.first + index

    def describe(self, unit: int) -> str:
        k = unit - self.first  # its tile on this page
        w = self.tiles[k]
        text = f"{self.kind} {unit}: weights {float(w.min()):.2f} .. {float(w.max()):.2f}"
        if self._bias is not None and 0 <= k < len(self._bias):
            text += f", bias {float(self._bias[k]):.2f}"
        return text

    def _on_mouse(self, pos) -> None:
        if self.tiles is None:
            return
        p = self.item.mapFromScene(pos)
        unit = self.unit_at(p.y(), p.x())
        if unit != self._hover:
            self._hover = unit
            self._show_hover(tooltip=True)

    def _show_hover(self, tooltip: bool = False) -> None:
        unit = self._hover
        if (unit is None or self.tiles is None
                or not 0 <= unit - self.first < len(self.tiles)):
            self.readout.setText(f"Hover a tile to see its {self.kind} and weight range.")
            return
        text = self.describe(unit)
        self.readout.setText(text)
        if tooltip:
            QToolTip.showText(QCursor.pos(), text, self.plot)

    # -- Qt events ----------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.throttle.shown()

    def _on_resized(self, *_) -> None:
        """Re-wrap the tiles when the view's shape changes (wide view: more columns)."""
        if self.tiles is not None and self.isVisible():
            columns = analysis.mosaic_columns(len(self.tiles), self._aspect())
            if columns != self.columns:
                self._draw()
