"""The gap between training and validation, and the overfitting rule (no Qt)."""

from __future__ import annotations

import math

import pytest

from playground.nn.history import EpochRecord
from playground.state import overfit
from playground.state.overfit import STALL_EPOCHS, gap


def history(train, val, train_loss=None, val_loss=None, start=1):
    """Records from lists of training-sample and validation accuracies (percent)."""
    n = len(train)
    train_loss = train_loss or [None] * n
    val_loss = val_loss or [None] * n
    return [EpochRecord(epoch=start + i, loss=0.5, accuracy=0.5,
                        train_sample_accuracy=None if t is None else t / 100,
                        val_accuracy=None if v is None else v / 100,
                        train_sample_loss=tl, val_loss=vl)
            for i, (t, v, tl, vl) in enumerate(zip(train, val, train_loss, val_loss,
                                                  strict=True))]


def test_the_gap_of_the_latest_epoch():
    g = gap(history([90, 95], [89, 91], [0.3, 0.2], [0.31, 0.29]))
    assert g.accuracy_pt == pytest.approx(4.0)
    assert g.loss == pytest.approx(0.09)
    assert overfit.accuracy_text(g) == "gap 4.0 pt"
    assert overfit.loss_text(g) == "gap 0.09"
    assert not g.overfitting


def test_no_records_no_gap():
    assert gap([]) is None
    assert overfit.accuracy_text(None) == overfit.loss_text(None) == ""


def test_no_warning_while_validation_improves():
    # training races ahead and the gap grows, but validation still improves every epoch
    train = [90, 94, 97, 99, 99.5, 99.8, 99.9, 100]
    val = [89, 91, 92, 92.5, 92.8, 93.0, 93.2, 93.4]
    for n in range(1, len(train) + 1):
        assert not gap(history(train[:n], val[:n])).overfitting, n


def test_warning_when_training_improves_and_validation_stalls():
    train = [80, 90, 95, 97, 98, 99]
    val = [78, 85, 88, 87.9, 88.0, 87.5]  # best at epoch 3, then no new best
    verdicts = [gap(history(train[:n], val[:n])).overfitting for n in range(1, 7)]
    # epoch 3 is the best; the warning comes once STALL_EPOCHS have passed without a new one
    assert verdicts == [False] * (3 + STALL_EPOCHS - 1) + [True] * (6 - 3 - STALL_EPOCHS + 1)
    g = gap(history(train, val))
    assert g.overfitting and g.best == 2 and g.best_epoch == 3
    assert g.best_val_pt == pytest.approx(88.0)
    assert "epoch 3" in overfit.explanation(g) and "Overfitting" in overfit.explanation(g)


def test_warning_when_validation_falls():
    g = gap(history([80, 90, 95, 97, 98], [78, 85, 84, 82, 80]))
    assert g.overfitting and g.best_epoch == 2


def test_a_noise_sized_new_best_does_not_end_the_stall():
    val = [78, 85, 88, 88.05, 87.9, 88.08]  # "new bests" of 0.05 and 0.08 pt: noise
    assert gap(history([80, 90, 95, 97, 98, 99], val)).overfitting
    val[-1] = 88.5  # a real new best
    assert not gap(history([80, 90, 95, 97, 98, 99], val)).overfitting


def test_memorised_training_set_counts_through_the_training_loss():
    # at 100% training accuracy only the training loss can still fall
    train = [100] * 6
    val = [82, 82.5, 82.4, 82.3, 82.4, 82.2]
    flat = [0.01] * 6
    falling = [0.02, 0.015, 0.01, 0.007, 0.005, 0.004]
    assert not gap(history(train, val, flat)).overfitting
    assert gap(history(train, val, falling)).overfitting


def test_training_that_gets_worse_is_not_overfitting():
    # both fall: a run going wrong (a learning rate too high), not memorising
    assert not gap(history([90, 92, 91, 89, 88], [89, 91, 88, 86, 84])).overfitting


def test_a_small_gap_is_not_worth_a_warning():
    records = history([90, 91, 91.3, 91.5, 91.7], [90, 90.9, 90.8, 90.85, 90.9])
    g = gap(records)
    assert g.accuracy_pt < overfit.MIN_GAP_PT and not g.overfitting
    records[-1].train_sample_accuracy = 0.925  # the same trend with a gap of 1.6 pt
    assert gap(records).overfitting


def test_old_records_without_the_new_fields():
    old = [EpochRecord(epoch=e, loss=0.3, accuracy=0.9, val_accuracy=0.9, test_accuracy=0.9)
           for e in (1, 2, 3, 4, 5)]
    g = gap(old)
    assert g is not None and not g.measured and not g.overfitting
    assert g.accuracy_pt is None and g.loss is None  # no made-up zero
    assert overfit.accuracy_text(g) == overfit.loss_text(g) == ""
    assert "no gap" in overfit.explanation(g)


def test_only_the_newest_unbroken_run_of_measured_records_counts():
    old = [EpochRecord(epoch=e, accuracy=0.99, val_accuracy=0.99) for e in (1, 2, 3)]
    # an old file's records (validation 99%) then new ones: the old best does not count
    new = history([80, 85, 90], [79, 83, 86], start=4)
    g = gap(old + new)
    assert g.accuracy_pt == pytest.approx(4.0) and not g.overfitting
    # a record without the figures at the end: no gap to show for the latest epoch
    g = gap(new + [EpochRecord(epoch=7, accuracy=0.9, val_accuracy=0.85)])
    assert g.accuracy_pt is None and not g.overfitting


def test_missing_or_odd_values_are_not_figures():
    partial = history([90, 92], [None, 90])
    assert gap(partial).accuracy_pt == pytest.approx(2.0)
    nan = history([90, 92], [89, 90], [0.2, math.nan], [0.3, 0.4])
    g = gap(nan)
    assert g.loss is None and g.accuracy_pt == pytest.approx(2.0)
    weird = [EpochRecord(epoch=1, train_sample_accuracy="x", val_accuracy=0.9),
             EpochRecord(epoch=2, train_sample_accuracy=0.95, val_accuracy=math.inf)]
    assert not gap(weird).measured and gap(weird[:1]).accuracy_pt is None


def test_loss_text_is_short():
    assert overfit.loss_text(overfit.Gap(None, 0.04123)) == "gap 0.041"
    assert overfit.loss_text(overfit.Gap(None, 12.34)) == "gap 12"
    assert overfit.loss_text(overfit.Gap(None, -0.004)) == "gap -0.004"


def test_overfitting_since_the_start_of_the_newest_warning():
    # validation creeps up by noise-sized steps while training races ahead: the latest
    # verdict's "best" moves on, but the network has overfitted since the first verdict's
    train = [80, 90, 95, 97, 98, 99, 99.5, 99.7, 99.8, 99.9]
    val = [78, 85, 88, 88.03, 88.06, 88.09, 88.12, 88.15, 88.18, 88.21]
    verdicts = [gap(history(train[:n], val[:n])) for n in range(1, 11)]
    assert [v.overfitting for v in verdicts] == [False] * 5 + [True] * 5
    assert verdicts[-1].best == 6
    assert overfit.overfitting_since(verdicts) == 2  # the best of the first warning
    # a real new best ends the warning; the next one starts from its own best
    val2 = [78, 85, 88, 87.9, 88.0, 87.9, 88.5, 88.4, 88.3, 88.2, 88.1]
    train2 = [*train, 100]
    verdicts = [gap(history(train2[:n], val2[:n])) for n in range(1, 12)]
    flags = [v.overfitting for v in verdicts]
    assert flags == [False] * 5 + [True] + [False] * 3 + [True] * 2
    assert overfit.overfitting_since(verdicts) == 6
    assert overfit.overfitting_since(verdicts[:6]) == 2
    assert overfit.overfitting_since(verdicts[:8]) is None  # the newest says no
    assert overfit.overfitting_since([]) is None
