"""Drawn pictures for the builder: layer colours, layer glyphs and small icons.

Drawn with QPainter at 1x and 2x, so they stay crisp on high-dpi screens.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from .. import theme
from ..theme import is_dark  # noqa: F401 - the builder's modules import it here

LAYER_COLORS = theme.LAYER
UNKNOWN_COLOR = theme.UNKNOWN_LAYER


def layer_color(kind: str) -> QColor:
    return QColor(LAYER_COLORS.get(kind, UNKNOWN_COLOR))


# -- glyphs ----------------------------------------------------------------------------
DROPPED_CELLS = {(1, 0), (0, 1), (2, 2), (1, 2)}  #: the Dropout glyph's dropped units (of 3 x 3)


def _draw_glyph(p: QPainter, kind: str, r: QRectF, color: QColor) -> None:
    """A line drawing of ``kind`` inside ``r`` (the curve of an activation, etc.)."""
    pen = QPen(color, max(1.2, r.width() / 11))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    x0, y0, w, h = r.x(), r.y(), r.width(), r.height()

    def curve(f, lo, hi):
        path = QPainterPath()
        for i in range(33):
            t = i / 32
            v = (f(lo + (hi - lo) * t) - f(lo)) / (f(hi) - f(lo))
            pt = QPointF(x0 + t * w, y0 + (1 - v) * h)
            path.moveTo(pt) if i == 0 else path.lineTo(pt)
        p.drawPath(path)

    if kind == "Sigmoid":
        curve(lambda x: 1 / (1 + math.exp(-x)), -6, 6)
    elif kind == "Tanh":
        faint = QPen(color.lighter(150), pen.widthF() * 0.6)
        p.setPen(faint)
        p.drawLine(QPointF(x0, y0 + h / 2), QPointF(x0 + w, y0 + h / 2))
        p.setPen(pen)
        curve(math.tanh, -2.6, 2.6)
    elif kind == "ReLU":
        path = QPainterPath(QPointF(x0, y0 + h * 0.85))
        path.lineTo(QPointF(x0 + w * 0.45, y0 + h * 0.85))
        path.lineTo(QPointF(x0 + w, y0 + h * 0.05))
        p.drawPath(path)
    elif kind == "Softmax":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        heights = (0.35, 1.0, 0.55)
        bw = w / 4.2
        for i, f in enumerate(heights):
            p.drawRoundedRect(QRectF(x0 + i * (bw * 1.6), y0 + h * (1 - f), bw, h * f), 1, 1)
    elif kind == "Dense":
        left = [y0 + h * f for f in (0.1, 0.5, 0.9)]
        right = [y0 + h * f for f in (0.28, 0.72)]
        thin = QPen(color.lighter(130), pen.widthF() * 0.55)
        p.setPen(thin)
        for a in left:
            for b in right:
                p.drawLine(QPointF(x0 + w * 0.15, a), QPointF(x0 + w * 0.85, b))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        rad = w * 0.13
        for a in left:
            p.drawEllipse(QPointF(x0 + w * 0.15, a), rad, rad)
        for b in right:
            p.drawEllipse(QPointF(x0 + w * 0.85, b), rad, rad)
    elif kind == "Input":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        cell = w / 4
        for i in range(4):
            for j in range(4):
                p.drawRect(QRectF(x0 + i * cell + 0.5, y0 + j * cell + 0.5,
                                  cell - 1.0, cell - 1.0))
    elif kind == "Flatten":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        cell = w / 7
        for i in range(3):
            for j in range(3):
                p.drawRect(QRectF(x0 + i * cell * 1.2, y0 + h * 0.08 + j * cell * 1.2,
                                  cell, cell))
        for i in range(4):
            p.drawRect(QRectF(x0 + w * 0.72, y0 + i * h / 4 + h * 0.03, cell, cell * 0.9))
    elif kind == "Dropout":
        # a grid of units, some of them dropped: hollow rings where the filled dots were
        rad = w * 0.13
        ring = QPen(color, max(0.9, pen.widthF() * 0.6))
        for i in range(3):
            for j in range(3):
                c = QPointF(x0 + w * (0.15 + 0.35 * i), y0 + h * (0.15 + 0.35 * j))
                if (i, j) in DROPPED_CELLS:
                    p.setPen(ring)
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawEllipse(c, rad * 0.85, rad * 0.85)
                else:
                    p.setPen(Qt.PenStyle.NoPen)
                    p.setBrush(color)
                    p.drawEllipse(c, rad, rad)
    elif kind == "Conv2D":
        _draw_conv_glyph(p, r, color, pen.widthF())
    elif kind in ("MaxPool2D", "AvgPool2D"):
        _draw_pool_glyph(p, r, color, kind == "MaxPool2D")
    else:
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, "?")


def _draw_conv_glyph(p: QPainter, r: QRectF, color: QColor, width: float) -> None:
    """Feature maps: three squares one behind the other, the front one with a kernel in
    its corner."""
    side = r.width() * 0.64
    step = (r.width() - side) / 2
    p.setPen(QPen(color, max(0.9, width * 0.6)))
    for k, tint in ((2, 185), (1, 160), (0, 135)):
        p.setBrush(color.lighter(tint))
        p.drawRect(QRectF(r.x() + k * step, r.y() + (2 - k) * step, side, side))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    kernel = side * 0.45
    p.drawRect(QRectF(r.x() + side * 0.12, r.y() + 2 * step + side * 0.12, kernel, kernel))


def _draw_pool_glyph(p: QPainter, r: QRectF, color: QColor, maximum: bool) -> None:
    """A 2 x 2 square of cells becomes one: max pooling keeps the strongest (one dark cell
    of four, kept), average pooling blends them (four mid cells, a mid result)."""
    cell = r.width() * 0.27
    light = QColor(color.red(), color.green(), color.blue(), 80)
    mid = QColor(color.red(), color.green(), color.blue(), 165)
    p.setPen(Qt.PenStyle.NoPen)
    top = r.y() + r.height() / 2 - cell
    for i in range(2):
        for j in range(2):
            strong = (i, j) == (1, 0)
            p.setBrush((color if strong else light) if maximum else mid)
            p.drawRect(QRectF(r.x() + i * cell * 1.08, top + j * cell * 1.08, cell, cell))
    p.setBrush(color if maximum else mid)
    out = cell * 1.2
    p.drawRect(QRectF(r.right() - out, r.y() + r.height() / 2 - out / 2, out, out))
    arrow = QPen(color, max(0.9, r.width() / 16))
    p.setPen(arrow)
    x0, x1 = r.x() + cell * 2.25, r.right() - out - r.width() * 0.06
    y = r.y() + r.height() / 2
    if x1 > x0:
        p.drawLine(QPointF(x0, y), QPointF(x1, y))


def drawn_icon(size: int, paint, modes=((QIcon.Mode.Normal, None),)) -> QIcon:
    """An icon drawn by ``paint(painter, colour)`` once per (mode, colour), at 1x and 2x
    so it stays crisp on high-dpi screens."""
    icon = QIcon()
    for mode, color in modes:
        for scale in (1, 2):
            pix = QPixmap(size * scale, size * scale)
            pix.setDevicePixelRatio(scale)
            pix.fill(Qt.GlobalColor.transparent)
            p = QPainter(pix)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            paint(p, color)
            p.end()
            icon.addPixmap(pix, mode)
    return icon


def layer_icon(kind: str, size: int = 18) -> QIcon:
    """A small drawn icon for a layer type."""
    return drawn_icon(size, lambda p, _: _draw_glyph(
        p, kind, QRectF(2, 2, size - 4, size - 4), layer_color(kind)))


def close_icon(size: int = 12) -> QIcon:
    def paint(p: QPainter, color: str) -> None:
        pen = QPen(QColor(color), 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        m = size * 0.25
        p.drawLine(QPointF(m, m), QPointF(size - m, size - m))
        p.drawLine(QPointF(size - m, m), QPointF(m, size - m))

    return drawn_icon(size, paint, ((QIcon.Mode.Normal, theme.pick(theme.REMOVE_ICON)),
                                    (QIcon.Mode.Active, theme.pick(theme.REMOVE_ICON_HOVER)),
                                    (QIcon.Mode.Disabled,
                                     theme.pick(theme.REMOVE_ICON_DISABLED))))
