"""The Training tab's second group of settings (issue 11): weight decay, training-set size,
learning-rate schedule, early stopping and data augmentation with its preview.

Each control changes the session's one settings dict, marks the file changed, and gives the
settings back exactly when set back; weight decay and augmentation reach a run under way
and are marked on the plots; the others are locked during a run. On the small split (2,000
training images), so every run takes a fraction of a second.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from playground.data.augment import Augment
from playground.nn import Model, Network, preset, save_model
from playground.ui.training.run_markers import REGULARISE

LONG = 1000  # epochs: "until stopped" on the small split


def click(qtbot, button):
    assert button.isEnabled(), f"{button.objectName()} is disabled: {button.toolTip()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_idle(qtbot, panel, timeout=30_000):
    qtbot.waitUntil(lambda: panel.worker is None, timeout=timeout)
    assert panel.session.training_state == "idle"


def enter(qtbot, edit, text):
    edit.clear()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def choose(combo, value):
    combo.setCurrentIndex(combo.findData(value))
    combo.activated.emit(combo.currentIndex())


def form(panel):
    return panel.form.regularise


def saved(session):
    """The settings and the file as they are now, to compare with after an undo."""
    session.dirty = False
    return dict(session.hyper)


# -- each control sets the settings, and setting it back gives them back -------------------

def test_weight_decay_sets_the_settings_and_setting_it_back_undoes_it(qtbot, make_panel):
    panel = make_panel()
    session, reg = panel.session, form(panel)
    before = saved(session)
    assert reg.wd_edit.objectName() == "weightDecayEdit" and reg.wd_edit.text() == "0"
    enter(qtbot, reg.wd_edit, "5e-4")
    assert session.hyper["weight_decay"] == 5e-4 and session.model.hyper["weight_decay"] == 5e-4
    assert session.dirty
    assert reg.wd_edit.text() == "0.0005"
    enter(qtbot, reg.wd_edit, "0,001")  # a decimal comma, as for the learning rate
    assert session.hyper["weight_decay"] == 0.001
    enter(qtbot, reg.wd_edit, "0")
    assert session.hyper == before  # off: removed, as it was


@pytest.mark.parametrize("text", ["abc", "-1", "2", "nan", "inf", "1e400"])
def test_bad_weight_decay_is_refused_with_a_message_and_never_applied(qtbot, make_panel, text):
    panel = make_panel()
    session, reg = panel.session, form(panel)
    reg.set_folded(False)
    enter(qtbot, reg.wd_edit, "1e-4")
    enter(qtbot, reg.wd_edit, text)
    assert session.hyper["weight_decay"] == 1e-4  # unchanged
    assert reg.wd_problem == "weight decay must be a number from 0 to 1"
    assert reg.wd_error.isVisible()
    assert "Not accepted: weight decay must be a number from 0 to 1" in reg.wd_error.text()
    assert "stays 0.0001" in reg.wd_error.text()
    assert reg.wd_edit.text() == text  # the typing stays to be corrected
    # Start applies what is typed: refused, with the reason, and nothing runs
    assert panel.start() is False and panel.worker is None
    assert panel.status_label.text().startswith("Cannot start: weight decay must be")
    assert session.hyper["weight_decay"] == 1e-4
    enter(qtbot, reg.wd_edit, "2e-4")
    assert reg.wd_problem is None and not reg.wd_error.isVisible()
    assert session.hyper["weight_decay"] == 2e-4


def test_weight_decay_typed_but_not_confirmed_is_applied_by_start(qtbot, make_panel):
    panel = make_panel(epochs=1)
    reg = form(panel)
    reg.wd_edit.selectAll()
    qtbot.keyClicks(reg.wd_edit, "3e-4")  # no Enter
    assert "weight_decay" not in panel.session.hyper
    assert panel.start() is True
    assert panel.session.hyper["weight_decay"] == 3e-4
    assert panel.trainer().weight_decay == 3e-4
    wait_idle(qtbot, panel)


def test_training_set_size(qtbot, make_panel):
    panel = make_panel()
    session, spin = panel.session, form(panel).train_size_spin
    before = saved(session)
    assert spin.objectName() == "trainSizeSpin"
    assert spin.text() == "All (2,000)" and spin.maximum() == 2000
    assert "validation and test images stay the same" in spin.toolTip()
    spin.setValue(1000)
    assert session.hyper["train_size"] == 1000 and session.dirty
    assert panel.form.train_size() == 1000 and panel.batch_spin.maximum() == 1000
    spin.setValue(5)  # smaller than a batch: the batch shrinks with it
    assert session.hyper["train_size"] == 5 and session.hyper["batch_size"] == 5
    spin.setValue(1000)
    session.set_hyper(batch_size=before["batch_size"])
    spin.setValue(0)
    assert spin.text() == "All (2,000)"
    assert session.hyper == before


def test_schedule(qtbot, make_panel):
    panel = make_panel()
    session, combo = panel.session, form(panel).schedule_combo
    before = saved(session)
    assert combo.objectName() == "scheduleCombo"
    assert [combo.itemData(i) for i in range(combo.count())] == ["constant", "step", "cosine"]
    step_tip = combo.itemData(1, Qt.ItemDataRole.ToolTipRole)
    assert "divided by 10 after 50% of the run and again after 75%" in step_tip
    assert "Cosine" in combo.toolTip() and "Constant" in combo.toolTip()
    choose(combo, "cosine")
    assert session.hyper["schedule"] == "cosine" and session.dirty
    choose(combo, "constant")
    assert session.hyper == before


def test_early_stopping(qtbot, make_panel):
    panel = make_panel()
    session, spin = panel.session, form(panel).patience_spin
    before = saved(session)
    assert spin.objectName() == "patienceSpin" and spin.text() == "Off"
    assert "keep the weights of the best epoch" in spin.toolTip()
    spin.setValue(3)
    assert session.hyper["patience"] == 3 and session.dirty
    assert spin.text() == "3 epochs"
    spin.setValue(0)
    assert spin.text() == "Off" and session.hyper == before


def test_augmentation_controls(qtbot, make_panel):
    panel = make_panel()
    session, aug = panel.session, form(panel).augment
    before = saved(session)
    names = {w.objectName() for w in (aug.shift_spin, aug.rotate_spin, aug.zoom_spin,
                                      aug.elastic_check, aug.noise_spin)}
    assert names == {"augmentShift", "augmentRotate", "augmentZoom", "augmentElastic",
                     "augmentNoise"}
    assert (aug.shift_spin.maximum(), aug.rotate_spin.maximum(), aug.zoom_spin.maximum(),
            aug.noise_spin.maximum()) == (8, 90, 50, 1.0)  # the engine's LIMITS
    aug.shift_spin.setValue(2)
    assert session.hyper["augment"] == {"shift": 2.0} and session.dirty
    aug.rotate_spin.setValue(10)
    aug.zoom_spin.setValue(10)  # percent
    aug.noise_spin.setValue(0.1)
    aug.elastic_check.setChecked(True)
    assert session.hyper["augment"] == {"shift": 2.0, "rotate": 10.0, "zoom": 0.1,
                                        "noise": 0.1, "elastic": 1.0}
    assert session.model.hyper is session.hyper  # the one dict the trainer reads
    for box in (aug.shift_spin, aug.rotate_spin, aug.zoom_spin, aug.noise_spin):
        box.setValue(0)
    aug.elastic_check.setChecked(False)
    assert session.hyper == before


def test_every_new_control_has_a_tooltip(make_panel):
    reg = form(make_panel())
    aug = reg.augment
    for widget in (reg.wd_edit, reg.train_size_spin, reg.schedule_combo, reg.patience_spin,
                   aug.shift_spin, aug.rotate_spin, aug.zoom_spin, aug.elastic_check,
                   aug.noise_spin, aug.preview, reg.toggle):
        assert len(widget.toolTip()) > 40, widget.objectName()


def test_a_refused_change_says_why_and_changes_nothing(make_panel):
    panel = make_panel()
    reg = form(panel)
    before = dict(panel.session.hyper)
    assert reg._apply(augment={"shift": 99.0}) is False
    assert panel.session.hyper == before
    assert reg.message.text().startswith("Not changed: data augmentation: shift must be")


# -- folded, the header says what is on; a model trained with augmentation shows it ---------

def test_a_loaded_model_with_augmentation_shows_it(qtbot, make_panel, tmp_path):
    p = preset("seed")
    hyper = {**p["hyper"], "augment": {"shift": 2.0, "rotate": 15.0, "elastic": 1.0},
             "weight_decay": 1e-4, "train_size": 1000, "schedule": "step", "patience": 2}
    path = tmp_path / "cli.npz"  # as `train --shift 2 --rotate 15 --elastic ...` saves it
    save_model(path, Model(Network(p["spec"], seed=0), hyper, [], 0))
    panel = make_panel()
    reg = form(panel)
    assert reg.folded and reg.summary.full == "all off"
    panel.session.open(path)
    aug = reg.augment
    assert (aug.shift_spin.value(), aug.rotate_spin.value()) == (2, 15)
    assert aug.elastic_check.isChecked() and aug.zoom_spin.text() == "Off"
    assert reg.wd_edit.text() == "0.0001"
    assert reg.train_size_spin.value() == 1000
    assert reg.schedule_combo.currentData() == "step" and reg.patience_spin.value() == 2
    # folded, the header still says so
    assert reg.folded and reg.summary.isVisible()
    assert reg.summary.full == ("weight decay 0.0001, 1,000 images, step decay schedule, "
                                "early stop 2, augment: shift 2 px, rotate 15°, elastic")
    assert "augment: shift 2 px" in reg.summary.toolTip()
    # and the preview augments as the model trains
    assert not np.array_equal(aug.preview.images, aug.preview._digits / 255.0)


def test_a_preset_updates_the_controls(make_panel):
    panel = make_panel()
    session, aug = panel.session, form(panel).augment
    session.set_hyper(augment={"shift": 3.0})
    assert aug.shift_spin.value() == 3
    session.load_preset("modern")  # no augmentation
    assert aug.shift_spin.text() == "Off" and "augment" not in session.hyper


# -- the preview ---------------------------------------------------------------------------

def test_the_preview_shows_eight_training_digits_and_follows_the_settings(qtbot, make_panel,
                                                                           small_split):
    panel = make_panel()
    reg = form(panel)
    reg.set_folded(False)
    preview = reg.augment.preview
    assert preview.objectName() == "augmentPreview" and preview.isVisible()
    assert preview.images.shape == (8, 28, 28)
    plain = preview.images.copy()
    np.testing.assert_allclose(plain, small_split.train_x[:8] / 255.0, atol=1e-6)
    reg.augment.shift_spin.setValue(2)
    shifted = preview.images.copy()
    assert shifted.shape == (8, 28, 28) and not np.array_equal(shifted, plain)
    # the same draw: the same digits moved the same way when shown again
    reg.augment.shift_spin.setValue(0)
    np.testing.assert_array_equal(preview.images, plain)
    reg.augment.shift_spin.setValue(2)
    np.testing.assert_array_equal(preview.images, shifted)
    # a click: other digits, other random changes
    with qtbot.waitSignal(preview.resampled, timeout=2000):
        qtbot.mouseClick(preview, Qt.MouseButton.LeftButton)
    assert preview.images.shape == (8, 28, 28)
    assert not np.array_equal(preview.images, shifted)
    # it is painted (not only computed)
    image = preview.grab().toImage()
    assert image.width() >= 8 * 24


def test_the_preview_picks_from_the_training_set_in_use(make_panel, small_split):
    panel = make_panel()
    preview = form(panel).augment.preview
    assert panel.session.set_hyper(train_size=5, batch_size=5) == []  # fewer than 8
    assert len(preview.images) == 5
    np.testing.assert_allclose(preview.images, small_split.train_x[:5] / 255.0, atol=1e-6)


# -- while training ------------------------------------------------------------------------

def test_weight_decay_and_augmentation_change_mid_run_and_are_marked(qtbot, make_panel):
    panel = make_panel(epochs=LONG)
    session, reg = panel.session, form(panel)
    reg.set_folded(False)
    with qtbot.waitSignal(session.progressed, timeout=10_000):
        click(qtbot, panel.start_button)
    trainer = panel.trainer()
    assert trainer.weight_decay == 0.0 and not trainer.augment.active
    # locked during the run, with the reason; the live settings stay open
    for widget in (reg.train_size_spin, reg.schedule_combo, reg.patience_spin):
        assert not widget.isEnabled()
        assert widget.toolTip().startswith("Locked while training")
    for widget in (reg.wd_edit, reg.augment.shift_spin, reg.augment.elastic_check):
        assert widget.isEnabled()

    enter(qtbot, reg.wd_edit, "1e-3")
    qtbot.waitUntil(lambda: trainer.weight_decay == 1e-3, timeout=5000)
    assert trainer.optimizer.weight_decay == 1e-3
    lines = panel.plots.markers.lines(REGULARISE)
    assert len(lines) == 2  # one in each plot
    assert lines[0].label.format == "weight decay 0.001"
    assert lines[0].value() == pytest.approx(panel.controller.position)
    assert "weight decay 0.001 (from the next batch on)" in panel.log.toPlainText()

    # once the run has moved on, an augmentation change is a marker of its own
    position = panel.controller.position
    qtbot.waitUntil(lambda: panel.controller.position > position, timeout=10_000)
    reg.augment.shift_spin.setValue(2)
    qtbot.waitUntil(lambda: trainer.augment == Augment(shift=2), timeout=5000)
    lines = panel.plots.markers.lines(REGULARISE)
    assert len(lines) == 4
    assert lines[-1].label.format == "augment: shift 2 px"
    # the run goes on with them: reports keep coming after the change
    with qtbot.waitSignal(session.progressed, timeout=10_000):
        pass
    click(qtbot, panel.stop_button)
    wait_idle(qtbot, panel)
    assert session.model.hyper["weight_decay"] == 1e-3
    assert session.model.hyper["augment"] == {"shift": 2.0}
    for widget in (reg.schedule_combo, reg.patience_spin):
        assert widget.isEnabled() and not widget.toolTip().startswith("Locked")
    # trained: the training-set size stays until Reset weights (the plots count epochs)
    assert not reg.train_size_spin.isEnabled()
    assert reg.train_size_spin.toolTip().startswith("Locked: these weights were trained")
    session.reset_weights()
    assert reg.train_size_spin.isEnabled()
    assert reg.train_size_spin.toolTip().startswith("How many training images")


def test_two_changes_at_one_place_share_a_marker_and_a_change_back_removes_it(qtbot,
                                                                                make_panel):
    panel = make_panel(epochs=1)
    session, reg = panel.session, form(panel)
    click(qtbot, panel.start_button)
    wait_idle(qtbot, panel)
    enter(qtbot, reg.wd_edit, "1e-4")  # after training: for the next run
    reg.augment.noise_spin.setValue(0.2)
    lines = panel.plots.markers.lines(REGULARISE)
    assert len(lines) == 2
    assert lines[0].label.format == "weight decay 0.0001, augment: noise 0.2"
    assert "(for the next run)" in panel.log.toPlainText()
    enter(qtbot, reg.wd_edit, "0")
    reg.augment.noise_spin.setValue(0)
    assert panel.plots.markers.lines(REGULARISE) == []
    assert "Changed back at epoch" in panel.log.toPlainText()
    assert "weight_decay" not in session.hyper and "augment" not in session.hyper


def test_no_marker_before_training(make_panel):
    panel = make_panel()
    form(panel).augment.shift_spin.setValue(2)
    assert panel.plots.markers.lines(REGULARISE) == []


def test_the_training_set_size_limits_the_run(qtbot, make_panel):
    panel = make_panel(epochs=2, batch_size=50)
    form(panel).train_size_spin.setValue(500)
    runs = []
    panel.controller.runStarted.connect(lambda: runs.append(panel.status_label.text()))
    click(qtbot, panel.start_button)
    assert panel.controller.place.train_size == 500
    assert panel.controller.place.total == 1000
    assert "2 epochs of 500 images" in runs[0]
    wait_idle(qtbot, panel)
    model = panel.session.model
    assert model.samples_seen == 1000 and len(model.history) == 2
    assert panel.controller.position == pytest.approx(2.0)
    assert panel.progress_bar.value() == 1000
    assert panel.progress_bar.format() == "Done: epoch 2"


def test_early_stopping_says_which_weights_were_kept(qtbot, make_panel):
    panel = make_panel(epochs=60, train_size=100, batch_size=10, patience=1)
    click(qtbot, panel.start_button)
    wait_idle(qtbot, panel, timeout=60_000)
    best = panel.controller.best
    assert best is not None
    history = panel.session.model.history
    assert len(history) < 60, "the run did not stop early: pick a setting that does"
    status = panel.status_label.text()
    assert status.startswith(f"Stopped early after epoch {len(history)}: no better "
                             f"validation accuracy in 1 epoch; kept the weights of epoch "
                             f"{best[0]} (validation {100 * best[1]:.2f}%)")
    kept = next(r for r in history if r.epoch == best[0])
    assert f"test accuracy {100 * kept.test_accuracy:.1f}% with these weights" in status
    assert f"kept the weights of epoch {best[0]}" in panel.log.toPlainText()
    assert panel.progress_bar.format() == (f"Stopped early: epoch {len(history)}, "
                                           f"kept epoch {best[0]}")


def test_the_status_tells_the_training_set_size_before_training(make_panel):
    panel = make_panel()
    assert panel.status_label.text() == "Ready to train on 2,000 images."
    form(panel).train_size_spin.setValue(500)
    assert panel.status_label.text() == "Ready to train on 500 images."
    form(panel).train_size_spin.setValue(0)
    assert panel.status_label.text() == "Ready to train on 2,000 images."


def test_a_run_with_early_stopping_that_trains_every_epoch_says_which_it_kept():
    from types import SimpleNamespace

    from playground.nn.history import EpochRecord
    from playground.ui.training.status import RunPlace, run_end_text

    history = [EpochRecord(epoch=e, seconds=1.0, loss=0.1, accuracy=0.9, val_accuracy=v,
                           test_accuracy=t, lr=0.1)
               for e, v, t in ((1, 0.90, 0.89), (2, 0.93, 0.925), (3, 0.92, 0.91))]
    run = SimpleNamespace(stuck=None, place=RunPlace(1, 3, 1000, 0), best=(2, 0.93),
                          run_model=SimpleNamespace(history=history), epochs_seen=3,
                          run_test=0.91, run_test_epoch=3)
    text, kind, bar, line = run_end_text(
        "finished", "finished; kept the weights of epoch 2 (validation 93.00%)", run,
        "0:03 of training", 1000)
    assert text == ("Finished 3 epochs in 0:03 of training; kept the weights of epoch 2 "
                    "(validation 93.00%), the best: test accuracy 92.5% with these weights.")
    assert kind == "ok" and bar == "Done: epoch 3, kept epoch 2"
    assert "kept the weights of epoch 2" in line


def test_switching_weight_decay_and_augmentation_off_mid_run_leaves_them_out(qtbot,
                                                                             make_panel):
    panel = make_panel(epochs=LONG)
    session, reg = panel.session, form(panel)
    before = dict(session.hyper)
    enter(qtbot, reg.wd_edit, "1e-3")
    reg.augment.rotate_spin.setValue(10)
    with qtbot.waitSignal(session.progressed, timeout=10_000):
        click(qtbot, panel.start_button)
    trainer = panel.trainer()
    assert trainer.weight_decay == 1e-3 and trainer.augment == Augment(rotate=10)
    enter(qtbot, reg.wd_edit, "0")
    reg.augment.rotate_spin.setValue(0)
    qtbot.waitUntil(lambda: trainer.weight_decay == 0 and not trainer.augment.active,
                    timeout=5000)
    assert session.hyper == {**before, "lr": session.hyper["lr"]}
    click(qtbot, panel.stop_button)
    wait_idle(qtbot, panel)


def test_each_setting_has_its_own_alt_key(make_panel):
    from PySide6.QtWidgets import QAbstractButton, QLabel

    panel = make_panel()
    texts = [w.text() for w in panel.form.findChildren(QLabel) if w.buddy() is not None]
    texts += [w.text() for w in panel.form.findChildren(QAbstractButton)]
    keys = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert len(keys) >= 14
    assert len(keys) == len(set(keys)), sorted(keys)
    assert not set(keys) & set("fentvh")  # File, Edit, Network, Training, View, Help
