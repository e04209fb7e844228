"""The Weights view's choice of convolution layer, and of input channel for its kernels."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from ...nn import conv_analysis

MEAN_TEXT = "mean of all"  # the channel spin's first value: the mean over the channels


class KernelPicker(QWidget):
    """A combo of the network's Conv2D layers (``kernelLayerCombo``) and, for kernels that
    span several input channels, a spin box of the channel shown (``kernelChannelSpin``;
    its lowest value is the mean over the channels). ``changed`` fires on a user's choice.
    """

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._labels: list[str] = []
        self.combo = QComboBox()
        self.combo.setObjectName("kernelLayerCombo")
        self.combo.setToolTip("The convolution layer whose kernels are shown")
        self.combo.currentIndexChanged.connect(self._on_layer)
        self.spin = QSpinBox()
        self.spin.setObjectName("kernelChannelSpin")
        self.spin.setPrefix("channel ")
        self.spin.setSpecialValueText(MEAN_TEXT)
        self.spin.setToolTip(
            "A kernel of this layer has one K x K picture per input channel (the maps of "
            "the layer below).\n'mean of all' shows their mean: the pattern the filter "
            "looks for across all of them; a number shows what it looks for in that one map.")
        self.spin.valueChanged.connect(lambda _: self.changed.emit())
        self.layer_label = QLabel("&Kernels of:")
        self.layer_label.setBuddy(self.combo)
        self.channel_label = QLabel("&Input:")
        self.channel_label.setBuddy(self.spin)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.layer_label)
        lay.addWidget(self.combo)
        lay.addWidget(self.channel_label)
        lay.addWidget(self.spin)
        self._channels: list[int] = []

    def set_layers(self, network, indices: list[int]) -> None:
        """Offer the Conv2D layers ``indices`` of ``network``; the choice stays when the
        layers are the same (new weights), else the first layer is chosen."""
        labels = [f"Layer {i + 1}: {conv_analysis.layer_label(network.layers[i])}"
                  for i in indices]
        self._channels = [conv_analysis.kernel_channels(network, i) for i in indices]
        if labels != self._labels:
            self._labels = labels
            self.combo.blockSignals(True)
            self.combo.clear()
            for label, i in zip(labels, indices, strict=True):
                self.combo.addItem(label, i)
            self.combo.setCurrentIndex(0)
            self.combo.blockSignals(False)
            self._fit_channels()
        self.combo.setEnabled(len(indices) > 1)

    def _on_layer(self, _=None) -> None:
        self._fit_channels()
        self.changed.emit()

    def _fit_channels(self) -> None:
        pos = self.combo.currentIndex()
        channels = self._channels[pos] if 0 <= pos < len(self._channels) else 1
        self.spin.blockSignals(True)
        self.spin.setRange(-1, channels - 1)
        self.spin.setValue(-1)
        self.spin.blockSignals(False)
        for widget in (self.spin, self.channel_label):
            widget.setVisible(channels > 1)

    def layer(self) -> int | None:
        """The chosen layer's index in ``network.layers``."""
        return self.combo.currentData()

    def channels(self) -> int:
        pos = self.combo.currentIndex()
        return self._channels[pos] if 0 <= pos < len(self._channels) else 1

    def channel(self) -> int | str:
        """The input channel shown, or ``conv_analysis.MEAN``."""
        value = self.spin.value()
        return conv_analysis.MEAN if value < 0 or self.channels() == 1 else value

    def choose(self, position: int, channel: int | str = conv_analysis.MEAN) -> None:
        """Pick the ``position``-th conv layer and a channel (as a user would)."""
        self.combo.setCurrentIndex(position)
        self.spin.setValue(-1 if channel == conv_analysis.MEAN else int(channel))
