"""The gap between training and validation on the plots: a shaded band between the two
curves measured at each epoch's end, and a readout beside each plot's title.

What counts as overfitting is decided in one place, :mod:`playground.state.overfit`;
here it only changes colours and words: the band turns to the overfitting colour from
the epoch of the best validation accuracy on, and the readout says "overfitting".
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSizePolicy

from ...state import overfit
from .. import theme

BAND_Z = -2  # under every curve
OLD_BAND_Z = -3  # an earlier segment's band: under that too
NOT_RECORDED = "gap not recorded"  # a history saved without the figures the gap needs
STALE_NOTE = ("\nThese figures were measured on the network before its last change.")


def blend_on_plot(colour: str) -> tuple[int, int, int]:
    """A translucent ``#aarrggbb`` colour as it shows on the plots' background (for a
    swatch in text, which has no transparency)."""
    c, under = QColor(colour), QColor(theme.PLOT_BACKGROUND)
    a = c.alphaF()
    return tuple(round(a * x + (1 - a) * y) for x, y in
                 ((c.red(), under.red()), (c.green(), under.green()),
                  (c.blue(), under.blue())))


def percent(value) -> float | None:
    """An accuracy (a fraction) in percent, or None when it is missing."""
    return 100.0 * float(value) if _finite(value) else None


def positive(value) -> float | None:
    """A loss the log-scale plot can show (finite and above 0), or None."""
    return float(value) if _finite(value) and float(value) > 0 else None


def _finite(value) -> bool:
    if value is None or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def band_points(points: Sequence[tuple[float, dict]], first: int, since: int | None,
                train: str, val: str):
    """The band's points from ``points[first:]`` ((x, values by curve) per record): x,
    the values of curves ``train`` and ``val`` (records lacking either are left out),
    and the index of the first point at or after record ``since`` (None: no
    overfitting part)."""
    xs, a, b, cut = [], [], [], None
    for i in range(first, len(points)):
        x, values = points[i]
        ta, va = values[train], values[val]
        if ta is None or va is None:
            continue
        if since is not None and cut is None and i >= since:
            cut = len(xs)
        xs.append(x)
        a.append(ta)
        b.append(va)
    return np.array(xs, float), np.array(a, float), np.array(b, float), cut


class GapBand:
    """The shaded band between two curves of one plot: in the gap colour up to point
    ``cut``, in the overfitting colour from there on; grey when stale. ``x``, ``train``
    and ``val`` hold its points as plotted (before the log scale of the loss plot)."""

    def __init__(self, plot: pg.PlotWidget, log: bool = False, z: float = BAND_Z):
        self.plot = plot
        self.log = log
        self.z = z
        self.stale = False
        self.own_stale = False  # an earlier segment measured on an earlier network
        self.fills = [self._fill(), self._fill()]  # the gap part, the overfitting part
        self.set_data([], [], [], None)
        self._color()

    def _fill(self) -> pg.FillBetweenItem:
        # the curves are never shown: they only give the fill its outline
        fill = pg.FillBetweenItem(pg.PlotCurveItem(), pg.PlotCurveItem(),
                                  pen=pg.mkPen(None))
        fill.setZValue(self.z)
        self.plot.addItem(fill, ignoreBounds=True)
        return fill

    @property
    def overfit_points(self) -> int:
        """How many of the points the overfitting colour spans."""
        return 0 if self.cut is None else len(self.x) - self.cut

    def set_data(self, x, train, val, cut: int | None) -> None:
        self.x, self.train, self.val = (np.asarray(v, float) for v in (x, train, val))
        self.cut = cut if cut is not None and 0 <= cut < len(self.x) else None
        a, b = ((np.log10(self.train), np.log10(self.val)) if self.log
                else (self.train, self.val))
        end = len(self.x) if self.cut is None else self.cut + 1
        parts = (slice(0, end), slice(self.cut, None) if self.cut is not None else slice(0, 0))
        for fill, part in zip(self.fills, parts, strict=True):
            first, second = fill.curves
            if not len(first.xData if first.xData is not None else ()) and not len(
                    self.x[part]):
                continue  # empty, and stays so
            first.blockSignals(True)  # the fill redraws its outline once, after both
            first.setData(self.x[part], a[part])
            first.blockSignals(False)
            second.setData(self.x[part], b[part])

    def clear(self) -> None:
        self.set_data([], [], [], None)

    def __len__(self) -> int:
        return len(self.x)

    def set_stale(self, stale: bool) -> None:
        self.stale = stale
        self._color()

    def _color(self) -> None:
        gap, over = ((theme.STALE_FILL, theme.STALE_FILL) if self.stale or self.own_stale
                     else (theme.GAP_FILL, theme.OVERFIT_FILL))
        self.fills[0].setBrush(pg.mkBrush(QColor(gap)))
        self.fills[1].setBrush(pg.mkBrush(QColor(over)))

    def freeze(self) -> GapBand:
        """A copy that stays as an earlier segment (grey if this one is stale)."""
        old = GapBand(self.plot, self.log, OLD_BAND_Z)
        old.own_stale = self.stale
        old.set_data(self.x, self.train, self.val, self.cut)
        old._color()
        return old

    def remove(self) -> None:
        for fill in self.fills:
            self.plot.removeItem(fill)


class GapHeading(QLabel):
    """A plot's title and its gap at the latest epoch: "Accuracy  gap 4.1 pt"; in the
    warning colour and with ": overfitting" when the rule says so; muted when measured
    on an earlier network. ``gap_text`` is what it says after the title, ``warning``
    whether it warns."""

    def __init__(self, title: str, name: str, text_of: Callable):
        super().__init__()
        self.setObjectName(name)
        self.title = title
        self._text_of = text_of
        self.gap_text = ""
        self.warning = False
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.show_gap(None, False)

    def show_gap(self, gap: overfit.Gap | None, stale: bool) -> None:
        text = self._text_of(gap)
        if gap is not None and not gap.measured:
            text = NOT_RECORDED
        self.warning = bool(text) and gap is not None and gap.overfitting and not stale
        if self.warning:
            text += f": {overfit.WARNING}"
        self.gap_text = text
        body = f"<b>{html.escape(self.title)}</b>"
        if text:
            colour = (theme.WARN if self.warning else
                      theme.muted(self.palette()) if stale or text == NOT_RECORDED
                      else theme.INFO)
            body += f'&nbsp;&nbsp;<span style="color:{colour}">{html.escape(text)}</span>'
        self.setText(body)
        self.setToolTip(overfit.explanation(gap) + (STALE_NOTE if stale and text else ""))
