"""Data augmentation settings (shift, rotation, zoom, elastic distortion, noise) and the
preview of eight augmented training digits, for the Training tab's second group.

Each control changes one field of ``hyper["augment"]`` and keeps the others as they are
(a model file may hold values the controls round, such as a zoom of 0.125); a setting at
0 is left out, and no augmentation at all removes ``augment`` from the settings.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...data.augment import LIMITS
from .. import theme
from .augment_preview import AugmentPreview

LIVE = ("\nYou can change it while training: it takes effect at the next batch and is "
        "marked on the plots. Only training images change: validation and test images "
        "never do.")
TIPS = {
    "shift": ("Shift: move each training image by up to this many pixels up or down and "
              "left or right, at random, anew for every batch, so the network learns that a "
              "digit a little off-centre is the same digit. 1 or 2 pixels help most."),
    "rotate": ("Rotate: turn each training image by up to this many degrees either way, at "
               "random. About 10 degrees is like the slant of handwriting; much more "
               "makes a 6 look like a 9."),
    "zoom": ("Zoom: make each training image up to this much larger or smaller, at "
             "random (10%: from 0.9 to 1.1 times its size)."),
    "elastic": ("Elastic: bend each training image a little, at random, like another hand "
                "writing the same digit (Simard, Steinkraus and Platt 2003). A strong help "
                "against memorising; it costs some training speed."),
    "noise": ("Noise: add random grey speckles to each training image (the standard "
              "deviation of the noise, pixels being 0 to 1), so the network learns to "
              "ignore specks. 0.1 is faint, 0.3 plain to see."),
}
# mnemonics: none shared with the settings above (L O R B P D W G U Y) or the menus (F E N T V H)
TITLES = {"shift": "&Shift", "rotate": "Rot&ate", "zoom": "&Zoom", "noise": "No&ise"}
CAPTION = "Augmentation of the training images"
CAPTION_TIP = ("Data augmentation: new random changes to the images of every training "
               "batch, so the network sees more varied digits than there are and "
               "memorises them less. The strip of eight digits shows what one batch "
               "looks like (click it for others).")


class AugmentForm(QWidget):
    """The five augmentation controls and the preview. ``apply(**changes)`` is the
    settings form's way of changing the session's settings (it shows refusals)."""

    def __init__(self, session, apply: Callable[..., bool], parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._apply = apply
        self._make_widgets()
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(8)
        self._grid.setVerticalSpacing(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.caption)
        layout.addLayout(self._grid)
        layout.addWidget(self.preview)
        self._narrow: bool | None = None
        self.arrange(narrow=False)

    def _make_widgets(self) -> None:
        self.caption = QLabel(CAPTION)
        self.caption.setObjectName("augmentCaption")
        self.caption.setToolTip(CAPTION_TIP)
        theme.set_state(self.caption, theme.HINT)

        def spin(name, key, high, suffix, scale=1.0, decimals=None, step=1.0):
            box = QDoubleSpinBox() if decimals is not None else QSpinBox()
            box.setObjectName(name)
            if decimals is not None:
                box.setDecimals(decimals)
            box.setRange(0, high)
            box.setSingleStep(step)
            box.setSuffix(suffix)
            box.setSpecialValueText("Off")
            box.setKeyboardTracking(False)
            box.setToolTip(TIPS[key] + LIVE)
            box.valueChanged.connect(lambda v: self._set(key, v / scale))
            return box

        self.shift_spin = spin("augmentShift", "shift", int(LIMITS["shift"]), " px")
        self.rotate_spin = spin("augmentRotate", "rotate", int(LIMITS["rotate"]), "°", step=5)
        self.zoom_spin = spin("augmentZoom", "zoom", int(round(100 * LIMITS["zoom"])), "%",
                              scale=100.0, step=5)
        self.noise_spin = spin("augmentNoise", "noise", LIMITS["noise"], "", decimals=2,
                               step=0.05)
        self.elastic_check = QCheckBox("Elasti&c")
        self.elastic_check.setObjectName("augmentElastic")
        self.elastic_check.setToolTip(TIPS["elastic"] + LIVE)
        self.elastic_check.toggled.connect(
            lambda on: self._set("elastic", self._elastic_on() if on else 0.0))
        self.preview = AugmentPreview()
        self._cells = []
        for key, box in (("shift", self.shift_spin), ("rotate", self.rotate_spin),
                         ("zoom", self.zoom_spin), ("noise", self.noise_spin)):
            label = QLabel(TITLES[key])
            label.setBuddy(box)
            label.setToolTip(box.toolTip())
            box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            box.setMinimumWidth(50)
            self._cells.append((label, box))
        self._cells.append((None, self.elastic_check))
        self._boxes = {"shift": self.shift_spin, "rotate": self.rotate_spin,
                       "zoom": self.zoom_spin, "noise": self.noise_spin}

    def arrange(self, narrow: bool) -> None:
        """Three controls a row, or two when ``narrow`` (as the form above)."""
        if narrow == self._narrow:
            return
        self._narrow = narrow
        per_row = 2 if narrow else 3
        grid = self._grid
        for label, widget in self._cells:
            for w in (label, widget):
                if w is not None:
                    grid.removeWidget(w)
        for column in range(6):
            grid.setColumnStretch(column, 0)
        for i, (label, widget) in enumerate(self._cells):
            row, col = divmod(i, per_row)
            if label is not None:
                grid.addWidget(label, row, 2 * col)
                grid.addWidget(widget, row, 2 * col + 1)
            else:
                grid.addWidget(widget, row, 2 * col, 1, 2)
            grid.setColumnStretch(2 * col + 1, 1)

    # -- showing ---------------------------------------------------------------------------
    def settings(self) -> dict:
        augment = self.session.hyper.get("augment")
        return dict(augment) if isinstance(augment, dict) else {}

    def set_source(self, images, count: int) -> None:
        self.preview.set_source(images, count)

    def show_hyper(self) -> None:
        """Echo ``hyper["augment"]`` in the controls and the preview (no signals back)."""
        s = self.settings()
        widgets = [*self._boxes.values(), self.elastic_check]
        blockers = [QSignalBlocker(w) for w in widgets]
        try:
            for key, box in self._boxes.items():
                scale = 100.0 if key == "zoom" else 1.0
                value = _number(s.get(key)) * scale
                box.setValue(value if isinstance(box, QDoubleSpinBox) else int(round(value)))
            self.elastic_check.setChecked(bool(_number(s.get("elastic"))))
        finally:
            del blockers
        self.preview.show_settings(s)

    def preview_shown(self) -> None:
        self.preview.show_settings(self.settings())

    # -- changing ---------------------------------------------------------------------------
    def _elastic_on(self) -> float:
        """The strength to switch elastic distortion on with: a model's own, else 1."""
        return _number(self.settings().get("elastic")) or 1.0

    def _set(self, key: str, value: float) -> None:
        settings = self.settings()
        if _number(settings.get(key)) == float(value):
            return
        settings[key] = float(value)
        settings = {k: v for k, v in settings.items() if v}
        self._apply(augment=settings or None)


def _number(value) -> float:
    """A setting's number (0 for anything else: the session has checked them)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value) if math.isfinite(value) else 0.0
