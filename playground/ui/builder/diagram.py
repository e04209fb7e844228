"""A small picture of the network: one block per layer, sized by its output.

Block heights grow with the logarithm of a layer's output size, so 784 inputs,
128 hidden units and 10 outputs read as a funnel at a glance. Activations are thin
coloured slices; a Dense layer's full connections are a translucent band; a Dropout is a
slice with gaps, about its rate's share of it left out. A convolution or pooling layer's
output is a stack of feature maps: a few offset squares, as large as the maps are against
the 28 x 28 input, more of them for more channels (LeNet's "20@24x24").
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ...nn import format_shape
from ...nn.layers import ACTIVATIONS
from ...state.hints import HIDDEN_RATE
from .. import theme
from .cards import ERROR_COLOR, SELECT_COLOR
from .glyphs import layer_color


@dataclass
class _Block:
    index: int  # -1 for the input
    kind: str
    shape: tuple | None
    params: int
    error: str | None
    rect: QRectF = None
    rate: float | None = None  #: a Dropout's rate

    @property
    def thin(self) -> bool:
        return self.kind in ACTIVATIONS or self.kind == "Dropout"

    @property
    def size(self) -> int | None:
        return math.prod(self.shape) if self.shape else None

    @property
    def maps(self) -> tuple[int, int, int] | None:
        """(channels, height, width) of a layer that gives images (a convolution or a
        pool), drawn as a stack of maps; None for the others."""
        if self.index < 0 or self.thin or not self.shape or len(self.shape) not in (2, 3):
            return None
        return (1, *self.shape) if len(self.shape) == 2 else tuple(self.shape)


def map_count(channels: int) -> int:
    """How many squares stand for ``channels`` feature maps: 1 for 1, then one more for
    each doubling (8: 2, 20: 3, 40: 4, 64: 5), at most MAX_MAPS."""
    if channels <= 1:
        return 1
    return max(2, min(MAX_MAPS, round(math.log2(channels)) - 1))


MAX_MAPS = 6
MAP_OFFSET = 3.0  #: how far each square of a stack of maps sits behind the one before


def maps_label(maps: tuple[int, int, int]) -> str:
    """How LeNet's paper writes feature maps: "20@24x24" (channels @ height x width)."""
    c, h, w = maps
    return f"{c}@{h}x{w}"


class NetworkDiagram(QWidget):
    """Draws a SpecReport; ``show_report(report, selected)`` updates it."""

    layerClicked = Signal(int)

    BIG, THIN = 16.0, 5.0
    MARGIN_X, TOP, BOTTOM = 10.0, 8.0, 18.0

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("networkDiagram")
        self.setMinimumHeight(84)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("The network's shape: one block per layer, taller for more values "
                        "(log scale). Click a block to select its layer.")
        self.setMouseTracking(True)
        self.blocks: list[_Block] = []
        self.selected: int | None = None
        self._layout_width = -1

    def sizeHint(self) -> QSize:
        return QSize(300, 92)

    def show_report(self, report, selected: int | None = None, layers=None) -> None:
        """Show ``report`` (a SpecReport); ``layers``, the specs it checked, give each
        Dropout's rate."""
        blocks = [_Block(-1, "Input", report.input_shape, 0, None)]
        for info in report.layers:
            blocks.append(_Block(info.index, info.type, info.output_shape, info.params,
                                 info.error))
            spec = layers[info.index] if layers and info.index < len(layers) else None
            rate = spec.get("rate", HIDDEN_RATE) if isinstance(spec, dict) else None
            if info.type == "Dropout" and isinstance(rate, (int, float)):
                blocks[-1].rate = min(1.0, max(0.0, float(rate)))
        self.blocks = blocks
        self.selected = selected
        self._layout_width = -1
        self.update()

    def set_selected(self, selected: int | None) -> None:
        if selected != self.selected:
            self.selected = selected
            self.update()

    # -- geometry -------------------------------------------------------------------------
    def _layout(self) -> None:
        if self._layout_width == self.width():
            return
        self._layout_width = self.width()
        blocks = self.blocks
        if not blocks:
            return
        top, bottom = self.TOP, self.height() - self.BOTTOM
        avail_h = max(8.0, bottom - top)
        h_min = min(6.0, avail_h)
        sizes = [b.size for b in blocks if b.size]
        ref = math.log(max(sizes + [784]))

        def height(block: _Block, prev_h: float) -> float:
            if block.size is None:
                return prev_h if block.thin else h_min * 2
            return h_min + (avail_h - h_min) * (math.log(block.size) / ref if ref else 1.0)

        widths = [self.THIN if b.thin else self.BIG for b in blocks]
        input_side = min(avail_h, 34.0)
        if blocks[0].shape is not None and len(blocks[0].shape) == 2:
            widths[0] = input_side  # an image: drawn as a square
        # stacks of maps: squares as large against the input's square as the maps are
        # against the image, with room for the squares behind
        image_side = max(blocks[0].shape) if blocks[0].shape else 28
        sides: dict[int, float] = {}
        for i, block in enumerate(blocks):
            if block.maps is not None:
                c, mh, mw = block.maps
                depth = (map_count(c) - 1) * MAP_OFFSET
                side = max(6.0, min(input_side, avail_h - depth) * max(mh, mw) / image_side)
                sides[i] = side
                widths[i] = side + depth
        n_thin_gaps = sum(1 for b in blocks[1:] if b.thin)
        n_wide_gaps = len(blocks) - 1 - n_thin_gaps
        room = self.width() - 2 * self.MARGIN_X
        fixed = sum(widths) + 2.0 * n_thin_gaps
        gap = (room - fixed) / n_wide_gaps if n_wide_gaps else 0.0
        gap = max(4.0, min(gap, 46.0))
        scale = 1.0
        total = fixed + gap * n_wide_gaps
        if total > room:  # very deep networks: shrink everything to fit
            scale = room / total
            total = room
        x = self.MARGIN_X + (room - total) / 2
        mid = top + avail_h / 2
        prev_h = h_min
        front = None  # (centre, side) of the front square of the maps just before
        for i, (block, w) in enumerate(zip(blocks, widths, strict=True)):
            if i:
                x += (2.0 if block.thin else gap) * scale
            centre = mid
            if i in sides:  # a stack of maps: squares stay square when shrunk
                side = sides[i] * scale
                h = side + (map_count(block.maps[0]) - 1) * MAP_OFFSET
                front = (mid + h / 2 - side / 2, side)
            elif i == 0 and w == input_side:
                h = input_side
            elif block.thin and front is not None and block.shape is not None:
                centre, h = front  # an activation of the maps: beside the front one
            else:
                h = height(block, prev_h)
                front = None
            block.rect = QRectF(x, centre - h / 2, w * scale, h)
            x += w * scale
            prev_h = h

    def resizeEvent(self, event):
        self._layout_width = -1
        super().resizeEvent(event)

    def block_at(self, x: float, y: float) -> _Block | None:
        self._layout()
        best, best_d = None, 1e9
        for block in self.blocks:
            if block.rect is None:
                continue
            r = block.rect
            d = 0 if r.left() - 3 <= x <= r.right() + 3 else min(abs(x - r.left()),
                                                                 abs(x - r.right()))
            if d < best_d and d < 6:
                best, best_d = block, d
        return best

    # -- painting -------------------------------------------------------------------------
    def paintEvent(self, event):
        self._layout()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        enabled = self.isEnabled()
        p.fillRect(self.rect(), self.palette().base())
        p.setPen(QPen(QColor(theme.pick(theme.DIAGRAM_LINE, self)), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5)
        if not self.blocks:
            p.end()
            return
        # Bands: the connections flowing into each non-activation block.
        prev = self.blocks[0]
        disabled_band = QColor(theme.pick(theme.DISABLED_BLOCK, self))
        for block in self.blocks[1:]:
            if block.thin:
                prev = block
                continue
            a, b = prev.rect, block.rect
            color = QColor(layer_color(block.kind) if enabled else disabled_band)
            color.setAlpha(46 if block.kind == "Dense" else 28)
            band = QPolygonF([a.topRight(), b.topLeft(), b.bottomLeft(), a.bottomRight()])
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawPolygon(band)
            prev = block

        small = QFont(self.font())
        small.setPointSizeF(max(6.5, self.font().pointSizeF() * 0.8))
        p.setFont(small)
        fm = QFontMetrics(small)
        label_right = -1e9
        muted = self.palette().placeholderText().color()
        disabled_text = theme.pick(theme.DISABLED_TEXT, self)
        error = QColor(theme.pick(ERROR_COLOR, self))
        for block in self.blocks:
            r = block.rect
            color = layer_color(block.kind) if enabled else QColor(disabled_text)
            unknown = block.shape is None
            if unknown:
                pen = QPen(QColor(theme.DISABLED_EDGE), 1, Qt.PenStyle.DashLine)
                p.setPen(pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
            else:
                p.setPen(QPen(color.darker(125), 1))
                p.setBrush(color)
            if block.kind == "Dropout" and not unknown:
                self._draw_dropout(p, r, color, block.rate, block.index)
            elif block.maps is not None:
                self._draw_maps(p, r, color, map_count(block.maps[0]))
            else:
                path = QPainterPath()
                path.addRoundedRect(r, 2, 2)
                p.drawPath(path)
            if block.index == -1 and not unknown and r.width() >= 8:
                self._draw_pixels(p, r)
            if block.error:
                p.setPen(QPen(error, 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(r.adjusted(-2.5, -2.5, 2.5, 2.5), 3, 3)
            if self.selected is not None and block.index == self.selected:
                p.setPen(QPen(QColor(theme.pick(SELECT_COLOR, self)), 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(r.adjusted(-3.5, -3.5, 3.5, 3.5), 3, 3)
            if not block.thin:
                text = "input" if block.index == -1 and unknown else (
                    format_shape(block.shape) if block.index == -1 else
                    maps_label(block.maps) if block.maps is not None else
                    (f"{block.size:,}" if block.size else "?"))
                tw = fm.horizontalAdvance(text)
                left = r.center().x() - tw / 2
                left = max(2.0, min(left, self.width() - tw - 2))
                if left > label_right + 8:
                    p.setPen(error if block.error else muted)
                    p.drawText(QRectF(left, self.height() - self.BOTTOM + 2, tw + 1,
                                      fm.height()), Qt.AlignmentFlag.AlignLeft, text)
                    label_right = left + tw
        p.end()

    def _draw_maps(self, p: QPainter, r: QRectF, color: QColor, n: int) -> None:
        """``n`` squares in ``r``, each behind and up to the right of the one before it
        (the front one at the bottom left, in the full colour)."""
        depth = (n - 1) * MAP_OFFSET
        side = min(r.width(), r.height()) - depth
        edge = QPen(color.darker(125), 1)
        for k in range(n - 1, -1, -1):
            square = QRectF(r.left() + k * MAP_OFFSET, r.bottom() - side - k * MAP_OFFSET,
                            side, side)
            fill = QColor(color) if k == 0 else color.lighter(100 + 12 * k)
            p.setPen(edge)
            p.setBrush(fill)
            p.drawRect(square)

    DROP_CELL = 3.5  #: the height of one cell of a Dropout slice

    def _draw_dropout(self, p: QPainter, r: QRectF, color: QColor, rate, index: int) -> None:
        """An outlined slice of cells, ``rate`` of them left empty (dropped), in a pattern
        that looks random and stays the same for the layer at ``index``."""
        n = max(2, int(r.height() // self.DROP_CELL))
        cell = r.height() / n
        dropped = round(n * (rate if rate is not None else HIDDEN_RATE))
        gone = set(random.Random(n * 64 + index).sample(range(n), dropped))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        k = 0
        while k < n:  # each run of kept cells as one dash
            if k in gone:
                k += 1
                continue
            end = k
            while end < n and end not in gone:
                end += 1
            p.drawRect(QRectF(r.left(), r.top() + k * cell + 0.5, r.width(), (end - k) * cell - 1))
            k = end
        p.setPen(QPen(color.darker(125), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(r, 1.5, 1.5)

    def _draw_pixels(self, p: QPainter, r: QRectF) -> None:
        """A faint grid on the input block: it is an image."""
        p.setPen(QPen(QColor(theme.INPUT_PIXELS), 1))
        n = 4
        for i in range(1, n):
            y = r.top() + r.height() * i / n
            p.drawLine(QPointF(r.left() + 1, y), QPointF(r.right() - 1, y))
            x = r.left() + r.width() * i / n
            p.drawLine(QPointF(x, r.top() + 1), QPointF(x, r.bottom() - 1))

    # -- interaction ----------------------------------------------------------------------
    def _describe(self, block: _Block) -> str:
        if block.index == -1:
            return f"Input: {format_shape(block.shape)}"
        kind = block.kind + (f" {block.rate:g}" if block.rate is not None else "")
        text = f"Layer {block.index + 1}: {kind}, output {format_shape(block.shape)}"
        if block.maps is not None:
            c, h, w = block.maps
            text += f" ({c:,} feature map{'s' if c != 1 else ''} of {h} x {w})"
        if block.rate is not None:
            text += f" ({block.rate:.0%} dropped while training)"
        if block.params:
            text += f", {block.params:,} parameters"
        if block.error:
            text += f"\n{block.error}"
        return text

    def event(self, event):
        if event.type() == QEvent.Type.ToolTip:
            block = self.block_at(event.pos().x(), event.pos().y())
            if block is not None:
                QToolTip.showText(event.globalPos(), self._describe(block), self)
            else:
                QToolTip.showText(event.globalPos(), self.toolTip(), self)
            return True
        return super().event(event)

    def mousePressEvent(self, event):
        block = self.block_at(event.position().x(), event.position().y())
        if block is not None and block.index >= 0:
            self.layerClicked.emit(block.index)
        event.accept()
