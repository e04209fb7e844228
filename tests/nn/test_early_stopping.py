"""Early stopping (``patience``), the training-set size (``train_size``) and the
like-with-like figures each epoch record gains."""

from __future__ import annotations

import numpy as np
import pytest

from playground import nn
from playground.nn.history import TRAIN_SAMPLE

LOGISTIC = {"input": [28, 28], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10},
                                          {"type": "Softmax"}]}
# far too high a rate for 1,000 images: the validation accuracy wanders from epoch to epoch
WANDERING = {"loss": "ce", "optimizer": "sgd", "lr": 5.0, "batch_size": 32, "seed": 0}


def test_patience_stops_after_so_many_epochs_without_a_better_one_and_keeps_the_best(
        small_split):
    model = nn.Model.create(LOGISTIC, {**WANDERING, "epochs": 40, "patience": 2})
    outputs = {}

    def on_epoch(record):
        outputs[record.epoch] = model.network.predict_proba(small_split.test_x[:50])

    trainer = nn.Trainer(model, small_split.limit(1000))
    result = trainer.run(on_epoch=on_epoch)
    vals = [r.val_accuracy for r in result.epochs]
    best = int(np.argmax(vals)) + 1
    assert result.status == "finished" and len(vals) < 40
    assert len(vals) - best == 2  # two epochs without improvement ended it
    assert max(vals[:best - 1], default=0) < vals[best - 1]  # and it was a new best
    assert result.best_epoch == best == trainer.best[0]
    assert trainer.best[1] == vals[best - 1]
    assert result.message.startswith(f"stopped early after epoch {len(vals)}")
    assert f"kept the weights of epoch {best}" in result.message
    # the weights are the best epoch's, not the last one's
    assert np.array_equal(model.network.predict_proba(small_split.test_x[:50]), outputs[best])
    assert not np.array_equal(outputs[len(vals)], outputs[best])


def test_with_patience_a_full_run_still_ends_on_the_best_weights(small_split):
    model = nn.Model.create(LOGISTIC, {**WANDERING, "epochs": 3, "patience": 50})
    result = nn.Trainer(model, small_split.limit(1000)).run()
    vals = [r.val_accuracy for r in result.epochs]
    assert len(vals) == 3 and result.message.startswith("finished; kept the weights of epoch")
    assert result.best_epoch == int(np.argmax(vals)) + 1


def test_without_patience_every_epoch_runs_and_the_last_weights_stay(small_split):
    model = nn.Model.create(LOGISTIC, {**WANDERING, "epochs": 6})
    result = nn.Trainer(model, small_split.limit(1000)).run()
    assert len(result.epochs) == 6 and result.best_epoch is None
    assert result.message == "finished"


def test_without_validation_images_patience_never_stops_a_run(small_split):
    data = small_split.limit(500, 0)
    model = nn.Model.create(LOGISTIC, {**WANDERING, "epochs": 4, "patience": 1})
    result = nn.Trainer(model, data).run()
    assert len(result.epochs) == 4 and result.best_epoch is None


def test_train_size_trains_on_the_first_images_and_leaves_validation_and_test_whole(
        small_split):
    model = nn.Model.create(LOGISTIC, {**WANDERING, "lr": 0.5, "epochs": 2, "train_size": 300})
    seen = []
    result = nn.Trainer(model, small_split).run(on_progress=lambda p: seen.append(p))
    assert model.samples_seen == 600 and seen[-1].total_samples == 600
    assert len(result.epochs) == 2
    # a size beyond the images there are is all of them
    model = nn.Model.create(LOGISTIC, {**WANDERING, "lr": 0.5, "epochs": 1,
                                       "train_size": 10**6})
    nn.Trainer(model, small_split).run()
    assert model.samples_seen == len(small_split.train_x)


@pytest.mark.parametrize(("hyper", "message"), [
    ({"train_size": 0}, "training-set size must be 1 to"),
    ({"train_size": True}, "training-set size must be 1 to"),
    ({"patience": -1}, "early-stopping patience must be 0"),
    ({"patience": 1.5}, "early-stopping patience must be 0"),
    ({"train_size": 100, "batch_size": 200}, "batch size must be 1 to 100"),
])
def test_settings_are_checked(hyper, message):
    problems = nn.check_hyper({**nn.DEFAULT_HYPER, **hyper})
    assert any(p.startswith(message) for p in problems), problems


def test_the_train_sample_figures_are_the_current_weights_on_the_first_images(small_split):
    """Not the running mean over the epoch: the epoch-end weights, dropout off."""
    spec = {"input": [28, 28], "layers": [
        {"type": "Flatten"}, {"type": "Dense", "units": 32}, {"type": "ReLU"},
        {"type": "Dropout", "rate": 0.5}, {"type": "Dense", "units": 10},
        {"type": "Softmax"}]}
    model = nn.Model.create(spec, {"loss": "ce", "lr": 0.1, "batch_size": 20, "epochs": 1})
    result = nn.Trainer(model, small_split).run()
    r = result.epochs[0]
    k = min(TRAIN_SAMPLE, len(small_split.train_x))
    net = model.network
    assert r.train_sample_accuracy == net.accuracy(small_split.train_x[:k],
                                                   small_split.train_y[:k]) / k
    outputs = net.predict_proba(small_split.val_x)
    assert r.val_loss == pytest.approx(model.loss().value(
        outputs, nn.one_hot(small_split.val_y)), rel=1e-5)
    assert r.train_sample_accuracy != r.accuracy  # unlike the running mean under dropout


def test_weight_decay_and_augmentation_change_mid_run_from_the_next_batch(small_split):
    model = nn.Model.create(LOGISTIC, {**WANDERING, "lr": 0.1, "epochs": 1})
    trainer = nn.Trainer(model, small_split.limit(640))
    seen = []
    for event in trainer.steps(reports_per_epoch=4):
        if isinstance(event, nn.Progress) and event.batch == 10:
            trainer.weight_decay = 0.01
            trainer.set_augment({"shift": 2})
        seen.append((trainer.optimizer.weight_decay, trainer.augment.active))
    assert seen[0] == (0.0, False) and seen[-1] == (0.01, True)
    assert model.hyper["weight_decay"] == 0.01 and model.hyper["augment"] == {"shift": 2}
    with pytest.raises(ValueError, match="weight decay must be"):
        trainer.weight_decay = -1
    with pytest.raises(ValueError):
        trainer.set_augment({"shift": 99})
    assert trainer.optimizer.weight_decay == 0.01
