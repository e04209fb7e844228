"""The plots show training and validation side by side, the gap between them as a band
and a readout, a warning when the network overfits, and cope with older histories."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

from playground.nn.history import EpochRecord
from playground.state import overfit
from playground.ui import theme
from playground.ui.axes import percent_range
from playground.ui.training import plots_gap
from playground.ui.training.plots import STALE, TrainingPlots, pen_is_stale


def record(epoch, train, val, train_loss=None, val_loss=None, test=None, running=None):
    """A record from percentages (and losses)."""
    return EpochRecord(epoch=epoch, seconds=1.0, loss=0.5 if running is None else running,
                       accuracy=None if train is None else (train - 2) / 100,
                       train_sample_accuracy=None if train is None else train / 100,
                       val_accuracy=None if val is None else val / 100,
                       test_accuracy=None if test is None else test / 100,
                       train_sample_loss=train_loss, val_loss=val_loss, lr=0.1)


#: a network that memorises: training climbs to 100%, validation peaks at epoch 3
OVERFIT = [record(1, 80, 78, 0.40, 0.42, 77), record(2, 90, 85, 0.20, 0.30, 84),
           record(3, 95, 88, 0.10, 0.28, 87), record(4, 97, 87.9, 0.05, 0.30, 87),
           record(5, 99, 88, 0.02, 0.33, 87), record(6, 100, 87.5, 0.01, 0.36, 87)]
#: a network still learning: validation improves every epoch
LEARNING = [record(1, 80, 79, 0.40, 0.41, 79), record(2, 90, 88, 0.20, 0.25, 88),
            record(3, 94, 92, 0.12, 0.16, 92), record(4, 96, 94, 0.08, 0.12, 94)]


@pytest.fixture
def plots(qtbot):
    widget = TrainingPlots()
    qtbot.addWidget(widget)
    widget.resize(600, 320)
    widget.show()
    return widget


def data(plots, key):
    """A curve's points as plotted (the loss plot's y values back from its log scale)."""
    x, y = plots.curves[key].getData()
    if x is None:
        return np.array([]), np.array([])
    y = np.asarray(y)
    return np.asarray(x), (10 ** y if plots.curves[key] in plots.loss_plot.listDataItems()
                           else y)


def painted(plots) -> None:
    """Paint the plots once (the band and every curve go through their paint code)."""
    QApplication.processEvents()
    assert not plots.grab().isNull()


def brush_of(band, part=0) -> QColor:
    return band.fills[part].brush().color()


def test_records_draw_training_and_validation_with_the_band_and_readouts(plots):
    plots.load_history(LEARNING)
    x, train = data(plots, "epoch_train_accuracy")
    _, val = data(plots, "epoch_val_accuracy")
    np.testing.assert_allclose(x, [1, 2, 3, 4])
    np.testing.assert_allclose(train, [80, 90, 94, 96])
    np.testing.assert_allclose(val, [79, 88, 92, 94])
    _, train_loss = data(plots, "epoch_train_loss")
    _, val_loss = data(plots, "epoch_val_loss")
    np.testing.assert_allclose(train_loss, [0.40, 0.20, 0.12, 0.08])
    np.testing.assert_allclose(val_loss, [0.41, 0.25, 0.16, 0.12])
    # the thin curve keeps the running mean, not the end-of-epoch figure
    _, running = data(plots, "train_accuracy")
    np.testing.assert_allclose(running, [78, 88, 92, 94])

    band = plots.accuracy_band
    np.testing.assert_allclose(band.x, [1, 2, 3, 4])
    np.testing.assert_allclose(band.train, train)
    np.testing.assert_allclose(band.val, val)
    assert band.overfit_points == 0
    assert not band.fills[0].path().isEmpty()  # a shaded area between the curves
    loss_band = plots.loss_band
    np.testing.assert_allclose(loss_band.val, val_loss)
    first, second = loss_band.fills[0].curves  # drawn on the log scale
    np.testing.assert_allclose(first.getData()[1], np.log10(train_loss))
    np.testing.assert_allclose(second.getData()[1], np.log10(val_loss))

    assert plots.accuracy_heading.gap_text == "gap 2.0 pt"
    assert plots.loss_heading.gap_text == "gap 0.04"
    assert "Accuracy" in plots.accuracy_heading.text() and not plots.accuracy_heading.warning
    assert "like with like" in plots.accuracy_heading.toolTip()
    painted(plots)


def test_each_line_is_told_apart(plots):
    live, epoch = plots.curves["train_accuracy"], plots.curves["epoch_train_accuracy"]
    assert live.style.color != epoch.style.color and live.style.width < epoch.style.width
    assert plots.curves["epoch_val_accuracy"].style.symbol is not None  # a dot per epoch
    text = plots.legend.text()
    for name in ("training", "validation", "gap", "test", "during an epoch"):
        assert name in text
    for colour in (theme.TRAINING_CURVE, theme.VALIDATION_CURVE,
                   theme.LIVE_TRAINING_CURVE, theme.LIVE_VALIDATION_CURVE):
        assert str(colour) in text


def test_epochs_added_during_a_run_grow_the_curves_and_the_band(plots):
    plots.begin_run(4.0)
    for i, rec in enumerate(LEARNING, 1):
        plots.add_report(i - 0.5, 0.7, 0.3, 0.7)
        plots.add_epoch(float(i), rec)
        assert len(plots.accuracy_band) == i
        assert len(data(plots, "epoch_val_loss")[0]) == i
    plots.end_run()
    assert len(data(plots, "val_accuracy")[0]) == 4  # the thin validation sample curve
    assert plots.accuracy_heading.gap_text == "gap 2.0 pt"
    painted(plots)


def test_overfitting_turns_the_readout_and_the_band_to_a_warning(plots):
    plots.load_history(OVERFIT[:5])  # validation's best was 2 epochs ago: not yet
    assert not plots.accuracy_heading.warning and plots.accuracy_band.overfit_points == 0
    plots.add_epoch(6.0, OVERFIT[5])
    g = overfit.gap(OVERFIT)
    assert g.overfitting and plots.gap == g
    for heading, text in ((plots.accuracy_heading, "gap 12.5 pt"),
                          (plots.loss_heading, "gap 0.35")):
        assert heading.warning
        assert heading.gap_text == f"{text}: overfitting"
        assert str(theme.WARN) in heading.text()
        assert "epoch 3" in heading.toolTip()
    # from the epoch of the best validation accuracy on, the band is the warning's colour
    for band in (plots.accuracy_band, plots.loss_band):
        assert band.cut == 2 and band.overfit_points == 4
        assert brush_of(band, 1) == QColor(theme.OVERFIT_FILL)
        assert brush_of(band, 0) == QColor(theme.GAP_FILL)
        first, _ = band.fills[1].curves
        assert list(first.getData()[0]) == [3, 4, 5, 6]
    assert "overfitting" in plots.legend.text()
    painted(plots)


def test_old_records_without_the_new_fields_draw_without_error(plots):
    old = [EpochRecord(epoch=e, loss=0.3 / e, accuracy=0.9 + e / 100, val_accuracy=0.9,
                       test_accuracy=0.89) for e in (1, 2, 3)]
    plots.load_history(old)
    assert len(data(plots, "epoch_train_accuracy")[0]) == 0  # nothing made up
    assert len(data(plots, "epoch_train_loss")[0]) == 0
    np.testing.assert_allclose(data(plots, "epoch_val_accuracy")[1], [90, 90, 90])
    assert len(data(plots, "test_accuracy")[0]) == 3
    assert len(data(plots, "train_accuracy")[0]) == 3  # the running means it had
    assert len(plots.accuracy_band) == 0 and len(plots.loss_band) == 0
    assert plots.accuracy_heading.gap_text == plots_gap.NOT_RECORDED
    assert plots.loss_heading.gap_text == plots_gap.NOT_RECORDED
    assert "0.0" not in plots.accuracy_heading.text()
    assert not plots.accuracy_heading.warning
    painted(plots)
    # records from a file older still: nothing but an epoch number
    plots.load_history([EpochRecord(epoch=1), EpochRecord()])
    assert plots.empty or all(len(data(plots, k)[0]) == 0 for k in plots.curves)
    painted(plots)


def test_an_old_history_continued_with_new_records(plots):
    old = [EpochRecord(epoch=e, loss=0.3, accuracy=0.9, val_accuracy=0.9) for e in (1, 2)]
    plots.load_history(old)
    plots.add_epoch(3.0, record(3, 95, 91, 0.1, 0.2))
    np.testing.assert_allclose(plots.accuracy_band.x, [3])
    assert plots.accuracy_heading.gap_text == "gap 4.0 pt"
    np.testing.assert_allclose(data(plots, "epoch_val_accuracy")[1], [90, 90, 91])


def test_figures_of_an_earlier_network_turn_grey_band_and_readout_too(plots):
    plots.load_history(OVERFIT)
    assert plots.accuracy_heading.warning
    plots.set_stale(True, 6.0)
    for key, curve in plots.curves.items():
        assert pen_is_stale(curve), key
    assert tuple(plots.curves["epoch_val_accuracy"].opts["pen"].color().getRgb()[:3]) == STALE
    for band in (plots.accuracy_band, plots.loss_band):
        assert brush_of(band, 0) == brush_of(band, 1) == QColor(theme.STALE_FILL)
    assert not plots.accuracy_heading.warning  # no warning about a network that is gone
    assert plots.accuracy_heading.gap_text == "gap 12.5 pt"
    assert "before its last change" in plots.accuracy_heading.toolTip()
    painted(plots)

    plots.set_stale(False, 6.0)  # an undo: the same network again
    assert plots.accuracy_heading.warning
    assert brush_of(plots.accuracy_band, 1) == QColor(theme.OVERFIT_FILL)
    plots.set_stale(True, 6.0)

    plots.add_epoch(7.0, record(7, 70, 69, 0.5, 0.52))  # the new network's first epoch
    assert not any(pen_is_stale(curve) for curve in plots.curves.values())
    np.testing.assert_allclose(data(plots, "epoch_train_accuracy")[0], [7])
    np.testing.assert_allclose(plots.accuracy_band.x, [7])
    assert brush_of(plots.accuracy_band) == QColor(theme.GAP_FILL)
    old_bands = [b for b in plots._old_bands if b.plot is plots.accuracy_plot]
    assert len(old_bands) == 1 and len(old_bands[0]) == 6
    assert brush_of(old_bands[0]) == QColor(theme.STALE_FILL)
    assert plots.accuracy_heading.gap_text == "gap 1.0 pt"  # the new network's only
    assert not plots.accuracy_heading.warning
    assert "before the network changed" in plots.legend.text()
    painted(plots)


def test_the_accuracy_axis_frames_high_accuracies_up_to_100(plots):
    plots.load_history(OVERFIT)
    (_, _), (y0, y1) = plots.accuracy_plot.getViewBox().viewRange()
    assert 100 < y1 <= 100 + 0.06 * (100 - 70)  # 100% at the top, with its label
    assert 68 < y0 < 70  # from 70, not from 0: the gap is a third of the height
    plots.load_history([record(e, 100, 97.5 + e / 10, 0.001, 0.1, 97) for e in range(1, 6)])
    (_, _), (y0, y1) = plots.accuracy_plot.getViewBox().viewRange()
    assert 89 < y0 < 90 and 100 < y1 <= 100.6
    plots.fit_view()
    assert plots.accuracy_plot.getViewBox().viewRange()[1] == pytest.approx([y0, y1])


@pytest.mark.parametrize("height", [220, 400])
def test_the_100_percent_tick_is_labelled(plots, height):
    plots.resize(440, height)
    plots.load_history(OVERFIT)
    QApplication.processEvents()
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = plots.accuracy_plot.getAxis("left").generateDrawSpecs(painter)
    finally:
        painter.end()
    labels = [text for _, _, text in texts]
    assert "100" in labels and "70" in labels


def test_the_first_epochs_climb_shows_until_two_epochs_are_done(plots):
    plots.begin_run(3.0)
    plots.add_report(0.2, 0.2, 1.0, 0.2)
    plots.add_report(1.0, 0.9, 0.3, 0.9)
    plots.add_epoch(1.0, record(1, 91, 90, 0.3, 0.3))
    assert plots.accuracy_plot.getViewBox().viewRange()[1][0] <= 20  # the climb from 20%
    plots.add_report(2.0, 0.95, 0.2, 0.94)
    plots.add_epoch(2.0, record(2, 96, 94, 0.1, 0.2))
    assert plots.accuracy_plot.getViewBox().viewRange()[1][0] > 80  # now: the gap


def test_percent_range():
    assert percent_range(None) == (0.0, 100.0)
    assert percent_range(float("nan")) == (0.0, 100.0)
    assert percent_range(97.3) == (90.0, 100.0)
    assert percent_range(90.0) == (90.0, 100.0)
    assert percent_range(100.0) == (90.0, 100.0)  # never an empty axis
    assert percent_range(9.9) == (0.0, 100.0)
    assert percent_range(-5.0) == (0.0, 100.0)
    assert percent_range(55.0, step=5) == (55.0, 100.0)


def test_a_real_run_shows_the_gap(qtbot, make_panel):
    panel = make_panel(epochs=3)
    with qtbot.waitSignal(panel.session.epochFinished, timeout=20_000):
        panel.start()
    qtbot.waitUntil(lambda: panel.worker is None, timeout=20_000)
    history = panel.session.model.history
    assert len(history) == 3
    plots = panel.plots
    last = history[-1]
    np.testing.assert_allclose(data(plots, "epoch_train_accuracy")[1][-1],
                               100 * last.train_sample_accuracy)
    np.testing.assert_allclose(data(plots, "epoch_val_loss")[1][-1], last.val_loss)
    assert len(plots.accuracy_band) == 3
    assert plots.accuracy_heading.gap_text.startswith(
        overfit.accuracy_text(overfit.gap(history)))
    assert plots.accuracy_heading.gap_text


def test_the_band_turns_from_where_the_warning_began(plots):
    # validation creeps up by noise-sized steps: the warning holds, and so does its start
    train = [80, 90, 95, 97, 98, 99, 99.5, 99.7, 99.8, 99.9]
    val = [78, 85, 88, 88.03, 88.06, 88.09, 88.12, 88.15, 88.18, 88.21]
    plots.load_history([record(e, t, v, 0.1, 0.2) for e, (t, v) in
                        enumerate(zip(train, val, strict=True), 1)])
    assert plots.gap.overfitting and plots.gap.best == 6
    assert plots.accuracy_band.cut == 2 and plots.accuracy_band.overfit_points == 8


def test_many_epochs_are_lines_without_dots(plots):
    from playground.ui.training.plot_items import MAX_DOTS
    plots.load_history([record(e, 90, 89, 0.1, 0.2) for e in range(1, MAX_DOTS + 1)])
    assert plots.curves["epoch_val_accuracy"].opts["symbol"] == "o"
    plots.add_epoch(MAX_DOTS + 1.0, record(MAX_DOTS + 1, 90, 89, 0.1, 0.2))
    for key in ("epoch_train_accuracy", "epoch_val_accuracy", "epoch_val_loss"):
        assert plots.curves[key].opts["symbol"] is None, key
    assert plots.curves["test_accuracy"].opts["symbol"] == "o"  # dots are all it has
    painted(plots)
