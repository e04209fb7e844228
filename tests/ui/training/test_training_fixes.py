"""The Training tab says nothing misleading: stale figures, changed losses, the bar's
percentage, training time, stops, "more epochs", the log's loss, the plots' legend and
markers, and big networks whose batches are slow.

Driven on the small split (2,000 training images). No wall-clock thresholds: time is a
fake clock where it matters, and slow batches are batches the test lets through.
"""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from playground import nn
from playground.state.session import Session
from playground.ui.training import plots as plots_module
from playground.ui.training import worker as worker_module
from playground.ui.training.panel import ERROR
from playground.ui.training.plots import STALE, TrainingPlots
from playground.ui.training.run_markers import NETWORK, SETTING
from playground.ui.training.status import (
    RunClock,
    RunPlace,
    epoch_line,
    run_duration,
    stopped_test_text,
)
from playground.ui.training.worker import val_sample_for

LONG = 1000


def click(qtbot, button):
    assert button.isEnabled(), f"{button.objectName()} is disabled: {button.toolTip()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_idle(qtbot, panel, timeout=120_000):
    qtbot.waitUntil(lambda: panel.worker is None, timeout=timeout)


def train(qtbot, panel, epochs=1):
    panel.session.set_hyper(epochs=epochs)
    click(qtbot, panel.start_button)
    wait_idle(qtbot, panel)


def choose(combo, key):
    combo.setCurrentIndex(combo.findData(key))
    combo.activated.emit(combo.currentIndex())


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


# -- 7: a change to the network makes its figures out of date ----------------------------

def test_inserting_a_layer_greys_the_figures_measured_before(qtbot, make_panel):
    panel = make_panel()
    session = panel.session
    train(qtbot, panel)
    old = f"{100 * session.model.history[-1].test_accuracy:.1f}%"
    assert old in panel.status_label.text()

    session.stack.insert(3, {"type": "Tanh"})  # weights kept: the same history
    assert session.model.history and session.trained
    status = panel.status_label.text()
    assert old not in status
    assert "measured before the last change to the network" in status
    assert panel.plots.stale
    for curve in panel.plots.curves.values():  # every figure shown is greyed
        assert plots_module.pen_is_stale(curve)
    assert len(panel.plots.markers.lines(NETWORK)) == 2
    assert "before the network changed" in panel.plots.legend.text()
    assert "measured on the network before the change" in panel.log.toPlainText()

    session.stack.remove(3)  # back to the network the figures were measured on
    assert not panel.plots.stale and not panel.plots.markers.lines(NETWORK)
    assert "this network's again" in panel.status_label.text()
    assert not any(plots_module.pen_is_stale(c) for c in panel.plots.curves.values())

    session.stack.insert(3, {"type": "Tanh"})
    train(qtbot, panel)  # measures the new network: coloured again, the old stays grey
    assert not panel.plots.stale
    assert not plots_module.pen_is_stale(panel.plots.curves["test_accuracy"])
    x, _ = panel.plots.curves["test_accuracy"].getData()
    assert list(x) == [pytest.approx(2.0)]  # only the new network's point
    assert any(plots_module.pen_is_stale(item) for _, item in panel.plots._old)
    new = f"{100 * session.model.history[-1].test_accuracy:.1f}%"
    assert new in panel.status_label.text()


# -- 8: a new loss starts a new loss segment, with a marker -------------------------------

def test_changing_the_loss_marks_the_plots_and_starts_a_new_loss_segment(qtbot, make_panel):
    panel = make_panel()
    session = panel.session
    train(qtbot, panel)
    at = panel.controller.position
    se_trainer = panel.trainer()

    choose(panel.loss_combo, "ce")
    markers = panel.plots.markers.lines(SETTING)
    assert len(markers) == 2 and markers[0].label.format == "loss: cross-entropy"
    assert markers[0].value() == pytest.approx(at)
    choose(panel.loss_combo, "se")  # changed back before training: no marker
    assert not panel.plots.markers.lines(SETTING)
    choose(panel.loss_combo, "ce")
    choose(panel.optimizer_combo, "momentum")
    assert panel.plots.markers.lines(SETTING)[0].label.format == (
        "loss: cross-entropy, optimizer: SGD + momentum")
    choose(panel.optimizer_combo, "sgd")
    assert panel.plots.markers.lines(SETTING)[0].label.format == "loss: cross-entropy"
    assert len(panel.plots.markers.lines(SETTING)) == 2
    assert panel.log.toPlainText().count("Changed at epoch") == 4  # one line per change

    train(qtbot, panel)
    assert session.model.history[-1].epoch == 2
    # the live loss curve holds only the new loss; the old one is a separate segment
    x, _ = panel.plots.curves["train_loss"].getData()
    assert len(x) and x.min() > at - 1e-9
    old = [item for plot, item in panel.plots._old if plot is panel.plots.loss_plot]
    assert len(old) == 3  # the running loss, and the training and validation losses
    assert all(item.xData.max() <= at + 1e-9 for item in old)
    for key in ("epoch_train_loss", "epoch_val_loss"):  # the new loss's own curves
        x, _ = panel.plots.curves[key].getData()
        assert list(x) == [pytest.approx(2.0)]
    # the old loss's gap band stays as it was; the new band starts with the new loss
    bands = [band for band in panel.plots._old_bands if band.plot is panel.plots.loss_plot]
    assert len(bands) == 1 and list(bands[0].x) == [pytest.approx(1.0)]
    assert len(panel.plots.loss_band) == 1 and panel.plots.loss_band.x[0] > at
    # and the run was judged against the new loss, by a trainer made for it
    assert panel.trainer() is not se_trainer
    assert type(panel.trainer().loss).__name__ == type(nn.losses.make_loss(
        "ce", session.model.network.layers[-1])).__name__
    assert session.model.history[-1].test_accuracy > 0.5
    assert "diverged" not in panel.status_label.text().lower()


def test_a_loss_change_is_judged_against_the_new_loss(small_split):
    """The engine measures the start of each run with the run's own loss."""
    p = nn.preset("seed")
    model = nn.Model(nn.Network(p["spec"], seed=0), dict(p["hyper"]), [], 0)
    assert nn.Trainer(model, small_split).run(1).status == "finished"
    model.hyper["loss"] = "ce"  # cross-entropy values are several times larger
    result = nn.Trainer(model, small_split).run(1)
    assert result.status == "finished", result.message


# -- 10: the bar's percentage is its fill ---------------------------------------------------

def test_the_bar_text_shows_the_fill():
    place = RunPlace(first_epoch=1, epochs=10, train_size=100, start_seen=0)
    assert place.bar(100) == (100, "Epoch 1 of 10 - 10% of the run")  # epoch 1 is done
    assert place.bar(150) == (150, "Epoch 2 of 10 - 15% of the run")
    assert place.bar(1000) == (1000, "Epoch 10 of 10 - 100% of the run")
    continued = RunPlace(first_epoch=3, epochs=2, train_size=100, start_seen=250)
    assert continued.bar(290) == (200, "Epoch 3 of 4 - 20% of the run")
    assert continued.text(290) == "in epoch 3 of 4 (40% through it)"
    assert continued.text(290, short=True) == "in epoch 3 - 20% of the run"


def test_the_bar_while_paused_says_what_it_shows(qtbot, make_panel):
    panel = make_panel(epochs=10, batch_size=1)
    session = panel.session
    with qtbot.waitSignal(session.progressed, timeout=60_000):
        click(qtbot, panel.start_button)
    with qtbot.waitSignal(session.trainingStateChanged, timeout=60_000):
        click(qtbot, panel.pause_button)
    bar = re.fullmatch(r"Epoch 1 of 10 - (\d+)% of the run", panel.progress_bar.format())
    assert bar, panel.progress_bar.format()
    assert int(bar.group(1)) == panel.progress_bar.value() // 10
    click(qtbot, panel.stop_button)
    wait_idle(qtbot, panel)


# -- 11: training time, not time since Start ----------------------------------------------

def test_run_clock_leaves_pauses_out():
    clock = FakeClock()
    run = RunClock(clock)
    run.start()
    clock.now += 4
    run.pause()
    clock.now += 19
    assert run.training == pytest.approx(4) and run.paused == pytest.approx(19)
    run.resume()
    clock.now += 6
    assert run.training == pytest.approx(10) and run.paused == pytest.approx(19)
    assert run_duration(run.training, run.paused) == "0:10 of training (paused 0:19)"
    assert run_duration(10, 0) == "0:10 of training"


def test_a_paused_run_reports_its_training_time(qtbot, make_panel):
    panel = make_panel(epochs=LONG, batch_size=1)
    session = panel.session
    clock = FakeClock()
    panel.controller.clock = RunClock(clock)
    with qtbot.waitSignal(session.progressed, timeout=60_000):
        click(qtbot, panel.start_button)
    clock.now += 4
    with qtbot.waitSignal(session.trainingStateChanged, timeout=60_000):
        click(qtbot, panel.pause_button)
    clock.now += 19  # paused
    click(qtbot, panel.pause_button)  # resume
    clock.now += 6
    click(qtbot, panel.stop_button)
    wait_idle(qtbot, panel)
    assert "after 0:10 of training (paused 0:19)" in panel.status_label.text()
    assert "0:10 of training (paused 0:19)" in panel.stats_label.text()


# -- 12: a stop without a test accuracy says why, and what to do --------------------------

def test_a_stop_in_the_first_epoch_says_why_it_has_no_test_accuracy(qtbot, make_panel,
                                                                     monkeypatch):
    panel = make_panel()
    session = panel.session
    session.load_preset("modern")
    session.set_hyper(epochs=LONG, batch_size=1)  # 2,000 steps: the pause comes in epoch 1
    monkeypatch.setattr(worker_module, "STOP_EVAL_BUDGET", 0)  # "too big to measure"
    with qtbot.waitSignal(session.progressed, timeout=60_000):
        click(qtbot, panel.start_button)
    with qtbot.waitSignal(session.trainingStateChanged, timeout=60_000):
        click(qtbot, panel.pause_button)
    click(qtbot, panel.stop_button)
    wait_idle(qtbot, panel)
    status = panel.status_label.text()
    assert "no test accuracy measured in this run" in status
    assert "it stopped before its first epoch ended" in status
    assert "too big to measure right after a stop" in status
    assert "Continue or +1 epoch measures it" in status


def test_a_big_network_stop_measures_part_of_the_test_set(qtbot, make_panel, monkeypatch):
    panel = make_panel()
    session = panel.session
    session.load_preset("modern")
    session.set_hyper(epochs=LONG, batch_size=1)  # 2,000 steps: the pause comes in epoch 1
    params = session.model.network.param_count
    monkeypatch.setattr(worker_module, "STOP_EVAL_BUDGET", params * 500)
    monkeypatch.setattr(worker_module, "STOP_EVAL_MIN_IMAGES", 100)
    with qtbot.waitSignal(session.progressed, timeout=60_000):
        click(qtbot, panel.start_button)
    with qtbot.waitSignal(session.trainingStateChanged, timeout=60_000):
        click(qtbot, panel.pause_button)
    click(qtbot, panel.stop_button)
    wait_idle(qtbot, panel)
    net, data = session.model.network, session.data
    measured = net.accuracy(data.test_x[:500], data.test_y[:500]) / 500
    assert (f"test accuracy {100 * measured:.1f}% with these weights (on 500 of the "
            f"1,000 test images)") in panel.status_label.text()


def test_stopped_test_text_always_gives_a_reason():
    text = stopped_test_text(None, 0, 10_000, None, None, before_first_epoch=True,
                             too_big=False)
    assert "before its first epoch ended" in text and "Continue" in text


# -- 13: "Epochs" means more epochs once trained ------------------------------------------

def test_epochs_says_more_epochs_once_trained(qtbot, make_panel):
    panel = make_panel()
    session = panel.session
    label = panel.form._form_cells[4][0]
    assert label.buddy() is panel.epochs_spin and label.text() == "E&pochs"
    train(qtbot, panel)
    session.set_hyper(epochs=5)
    assert label.text() == "More e&pochs"
    assert "epochs 2-6" in panel.epochs_spin.toolTip()
    assert panel.status_label.text().endswith("Continue will train epochs 2-6.")
    click(qtbot, panel.start_button)
    wait_idle(qtbot, panel)
    assert [r.epoch for r in session.model.history] == [1, 2, 3, 4, 5, 6]
    assert panel.status_label.text().endswith("Continue will train epochs 7-11.")
    panel.session.reset_weights()
    assert label.text() == "E&pochs" and "Continue will" not in panel.status_label.text()


# -- 14: the log says which loss ----------------------------------------------------------

def test_the_epoch_line_names_the_mean_training_loss(qtbot, make_panel):
    record = nn.EpochRecord(epoch=3, test_accuracy=0.952, loss=0.0123, seconds=1.25)
    assert epoch_line(record) == "Epoch 3: test accuracy 95.2%, mean training loss 0.0123, 1.2 s"
    panel = make_panel()
    train(qtbot, panel)
    assert re.search(r"Epoch 1: test accuracy [\d.]+%, mean training loss [\d.e-]+, ",
                     panel.log.toPlainText())


# -- 16: legends beside, not over, the curves; labels inside; readable axes ----------------

def test_the_legend_is_outside_the_plots(qtbot):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.resize(440, 300)
    plots.show()
    for plot in (plots.accuracy_plot, plots.loss_plot):
        assert plot.getPlotItem().legend is None  # nothing drawn over the curves
    text = plots.legend.text()
    for name in ("training", "validation", "gap", "test", "during an epoch"):
        assert name in text
    assert plots.legend.geometry().bottom() <= plots.accuracy_plot.geometry().top()


def _inside(plot, item) -> bool:
    view = plot.getViewBox().sceneBoundingRect()
    rect = item.sceneBoundingRect()
    return view.adjusted(-0.5, -0.5, 0.5, 0.5).contains(rect)


@pytest.mark.parametrize("width", [440, 900])
def test_marker_labels_stay_inside_the_view(qtbot, width):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.resize(width, 300)
    plots.show()
    plots.load_history([nn.EpochRecord(epoch=e, accuracy=0.9, loss=0.1, test_accuracy=0.9)
                        for e in (1, 2, 3)])
    plots.mark_lr(0.05, 0.5)  # at the left edge
    plots.mark_lr(2.98, 0.001)  # at the right edge
    plots.mark_setting(2.9, "loss: cross-entropy", "", loss_changed=True)
    QApplication.processEvents()  # the labels take their places
    for i, line in enumerate(plots.lr_markers + plots.markers.lines(SETTING)):
        plot = (plots.accuracy_plot, plots.loss_plot)[i % 2]
        assert _inside(plot, line.label), line.label.format


def test_axes_are_readable_on_a_narrow_plot(qtbot):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.resize(440, 300)  # the centre column of a 1024 px window
    plots.show()
    plots.load_history([nn.EpochRecord(epoch=e, accuracy=0.9, loss=0.3 / e ** 2)
                        for e in range(1, 1201)])  # ticks up to 1000; loss down to 0.0002
    QApplication.processEvents()
    for plot in (plots.accuracy_plot, plots.loss_plot):
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            assert axis.style["tickFont"].pointSizeF() <= plots_module.AXIS_FONT_PT
            image = QImage(10, 10, QImage.Format.Format_ARGB32)
            painter = QPainter(image)
            try:
                _, _, texts = axis.generateDrawSpecs(painter)
            finally:
                painter.end()
            rects = [QRectF(r) for r, _, _ in texts]
            assert len(rects) >= 2, side
            title = axis.mapRectFromScene(axis.label.sceneBoundingRect())
            for rect, text in zip(rects, texts, strict=True):  # the axis title stays clear
                assert not rect.intersects(title), (side, text[2])
            for a in range(len(rects)):  # no label overlaps another or leaves its axis
                assert QRectF(axis.boundingRect()).adjusted(-1, -1, 1, 1).contains(rects[a])
                for b in range(a):
                    assert not rects[a].intersects(rects[b]), (side, texts[a][2], texts[b][2])


def test_stale_curves_are_grey_in_the_legend(qtbot):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.load_history([nn.EpochRecord(epoch=1, accuracy=0.9, loss=0.1, test_accuracy=0.9)])
    plots.set_stale(True, 1.0)
    assert "before the network changed" in plots.legend.text()
    assert tuple(plots.curves["train_accuracy"].opts["pen"].color().getRgb()[:3]) == STALE


# -- 20: big networks: time and progress go on between reports; no big work in the GUI -----

def test_deciding_whether_an_edit_loses_weights_builds_no_network(qtbot, small_split,
                                                                  monkeypatch):
    session = Session(data=small_split)
    session.model.samples_seen = 1  # trained
    spec = session.spec

    def no_network(*args, **kwargs):
        raise AssertionError("a Network was built")

    import playground.state.session as session_module

    monkeypatch.setattr(session_module, "Network", no_network)
    monkeypatch.setattr(nn.network.Network, "__init__", no_network)
    tanh = {**spec, "layers": spec["layers"][:3] + [{"type": "Tanh"}] + spec["layers"][3:]}
    assert not session.would_discard_training(tanh)
    wider = {**spec, "layers": [dict(layer) for layer in spec["layers"]]}
    wider["layers"][1]["units"] = 129
    assert session.would_discard_training(wider)
    last = {**spec, "layers": [dict(layer) for layer in spec["layers"]]}
    last["layers"][3]["units"] = 10  # unchanged
    assert not session.would_discard_training(last)
    assert session.would_discard_training({**spec, "layers": spec["layers"][:2]})


class Gate:
    """Lets the network's batches through one by one, when the test says so."""

    def __init__(self, network):
        self.permits = threading.Semaphore(0)
        self.passed = 0
        inner = network.train_batch

        def train_batch(*args, **kwargs):
            if not self.permits.acquire(timeout=10):  # never hang a test
                raise RuntimeError("the test let no batch through")
            self.passed += 1
            return inner(*args, **kwargs)

        network.train_batch = train_batch

    def open(self, n: int = 1_000_000) -> None:
        for _ in range(n):
            self.permits.release()


def test_progress_and_time_move_on_between_the_reports(qtbot, make_panel, monkeypatch):
    import playground.ui.training.controller as controller_module

    monkeypatch.setattr(controller_module, "reports_per_epoch", lambda *a, **k: 1)
    panel = make_panel(epochs=2, batch_size=100)  # 20 batches an epoch, one report
    session = panel.session
    gate = Gate(session.model.network)
    clock = FakeClock()
    panel.controller.clock = RunClock(clock)
    reports = []
    session.progressed.connect(reports.append)
    try:
        click(qtbot, panel.start_button)
        gate.open(5)  # a quarter of the first epoch: no report yet
        qtbot.waitUntil(lambda: panel.progress_bar.value() == 125, timeout=60_000)
        assert not reports
        assert panel.progress_bar.format() == "Epoch 1 of 2 - 12% of the run"
        clock.now += 7
        qtbot.waitUntil(lambda: "training 0:07" in panel.stats_label.text(), timeout=60_000)
        assert "images/s" in panel.stats_label.text() and "ETA 0:49" in panel.stats_label.text()
        assert not reports  # all of it without a single report
        gate.open(15)  # the epoch's last batch: its results are measured
        qtbot.waitUntil(lambda: len(reports) == 1, timeout=60_000)
    finally:
        gate.open()
    wait_idle(qtbot, panel)
    assert len(session.model.history) == 2


def test_the_final_weights_are_copied_off_the_gui_thread(qtbot, make_panel, monkeypatch):
    panel = make_panel()
    original = nn.Network.snapshot
    threads = []

    def snapshot(self):
        threads.append(threading.current_thread())
        return original(self)

    monkeypatch.setattr(nn.Network, "snapshot", snapshot)
    train(qtbot, panel)
    assert threads and threading.main_thread() not in threads
    final = panel.session.predictor()
    for a, b in zip(final.get_weights(), panel.session.model.network.get_weights(),
                    strict=True):
        np.testing.assert_array_equal(a, b)


def test_big_networks_measure_fewer_validation_images_per_report():
    assert val_sample_for(100_000, 1000) == 1000
    assert val_sample_for(40_000_000, 1000) == worker_module.VAL_MIN_IMAGES
    assert 100 <= val_sample_for(1_000_000, 1000) < 1000


# -- diverged stays clear -----------------------------------------------------------------

def test_a_diverged_run_says_so_plainly(qtbot, make_panel):
    panel = make_panel()
    session = panel.session
    assert session.set_hyper(lr=1e6, epochs=3) == []
    click(qtbot, panel.start_button)
    wait_idle(qtbot, panel)
    status = panel.status_label.text()
    assert status.startswith("Training diverged: "), status
    assert "were restored" in status and "learning rate" in status
    assert panel.status_label.property("state") == ERROR
    assert panel.progress_bar.format() == "Diverged"
