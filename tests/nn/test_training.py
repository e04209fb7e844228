"""The trainer: progress reports, pause/resume/stop from another thread, learning-rate
changes, divergence, determinism, continuing, BLAS threads, and learning itself."""

from __future__ import annotations

import math
import threading
import types

import numpy as np
import pytest

import playground.nn as nn
from playground.nn import run
from playground.nn.training import MEASURE_REPORT_IMAGES, Measuring

RECORD_KEYS = {"epoch", "seconds", "loss", "accuracy", "val_accuracy", "test_accuracy", "lr",
               "val_loss", "train_sample_loss", "train_sample_accuracy"}


def seed_model(**hyper):
    p = nn.preset("seed")
    return nn.Model.create(p["spec"], {**p["hyper"], **hyper})


def weights_equal(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


# ---------------------------------------------------------------- progress reports

def test_progress_and_epoch_records(small_split):
    model = seed_model()
    trainer = nn.Trainer(model, small_split)
    assert trainer.status == "idle"
    events = [e for e in trainer.steps(2, reports_per_epoch=10)
              if not isinstance(e, Measuring)]
    assert trainer.status == "finished"
    progress = [e for e in events if isinstance(e, nn.Progress)]
    ends = [e for e in events if isinstance(e, nn.EpochEnd)]
    # 2,000 images in batches of 10: 200 batches, a report every 20
    assert len(progress) == 20 and len(ends) == 2
    assert isinstance(events[10], nn.EpochEnd) and isinstance(events[-1], nn.EpochEnd)
    assert [p.epoch for p in progress] == [1] * 10 + [2] * 10
    assert all(p.last_epoch == 2 and p.batches == 200 for p in progress)
    assert [p.batch for p in progress] == list(range(20, 201, 20)) * 2
    positions = [p.position for p in progress]
    assert all(b > a for a, b in zip(positions, positions[1:], strict=False))
    assert positions[0] == pytest.approx(0.1) and positions[-1] == pytest.approx(2.0)
    assert [p.samples for p in progress] == list(range(200, 4001, 200))
    assert all(p.total_samples == 4000 for p in progress)
    assert progress[-1].fraction == 1.0 and progress[0].fraction == pytest.approx(0.05)
    times = [p.train_seconds for p in progress]
    assert times[0] > 0 and all(b >= a for a, b in zip(times, times[1:], strict=False))
    for p in progress:
        assert p.lr == 3.0
        assert math.isfinite(p.loss) and p.loss > 0
        assert 0 <= p.accuracy <= 1
        assert p.val_accuracy is None
        assert p.samples_per_second == pytest.approx(p.samples / p.train_seconds)
        assert p.eta_seconds == pytest.approx((4000 - p.samples) / p.samples_per_second)
    assert progress[-1].eta_seconds == 0
    # training makes progress: the loss falls from the first reports to the last
    assert np.mean([p.loss for p in progress[-3:]]) < np.mean([p.loss for p in progress[:3]])

    assert model.history == [e.record for e in ends]
    chunks = (progress[:10], progress[10:])
    for i, (end, chunk) in enumerate(zip(ends, chunks, strict=True), start=1):
        r = end.record
        assert isinstance(r, nn.EpochRecord) and set(r.to_dict()) == RECORD_KEYS
        assert r.epoch == i
        assert r.seconds > 0
        assert r.lr == 3.0
        # equal windows: the epoch's loss and accuracy are the reports' means
        assert r.loss == pytest.approx(np.mean([p.loss for p in chunk]))
        assert r.accuracy == pytest.approx(np.mean([p.accuracy for p in chunk]))
        assert 0 < r.val_accuracy <= 1 and 0 < r.test_accuracy <= 1
        assert r.val_loss > 0 and r.train_sample_loss > 0 and 0 < r.train_sample_accuracy <= 1
    net = model.network
    assert ends[-1].record.test_accuracy == net.accuracy(small_split.test_x,
                                                            small_split.test_y) / 1000
    assert ends[-1].record.val_accuracy == net.accuracy(small_split.val_x,
                                                           small_split.val_y) / 500
    assert model.samples_seen == 4000 and model.trained
    # no pause: the run's training time is the sum of its epochs' times
    assert progress[-1].train_seconds == pytest.approx(sum(r.seconds for r in model.history))


def test_run_calls_back_and_returns_the_epochs(small_split):
    model = seed_model()
    seen, records = [], []
    result = nn.Trainer(model, small_split).run(2, on_progress=seen.append,
                                                on_epoch=records.append, reports_per_epoch=4)
    assert isinstance(result, nn.RunResult)
    assert result.status == "finished"
    assert len(seen) == 8 and all(isinstance(p, nn.Progress) for p in seen)
    assert records == result.epochs == model.history
    assert result.test_accuracy == records[-1].test_accuracy
    assert nn.RunResult("stopped").test_accuracy is None


def test_epochs_default_to_the_models_setting(small_split):
    model = seed_model(epochs=2, batch_size=100)
    result = nn.Trainer(model, small_split).run()
    assert [r.epoch for r in result.epochs] == [1, 2]


@pytest.mark.parametrize("batch_size,reports", [(100, 10), (32, 10), (150, 10), (7, 10),
                                                (10, 1), (500, 10), (2000, 3)])
def test_reports_per_epoch_is_respected(small_split, batch_size, reports):
    """reports_per_epoch reports per epoch (or one per batch when there are fewer
    batches), the last one at the end of the epoch, also when the batches do not
    divide evenly."""
    model = seed_model(batch_size=batch_size)
    progress = [e for e in nn.Trainer(model, small_split).steps(1, reports_per_epoch=reports)
                if isinstance(e, nn.Progress)]
    batches = math.ceil(2000 / batch_size)
    assert progress[0].batches == batches
    assert progress[-1].batch == batches
    assert len(progress) == min(reports, batches), [p.batch for p in progress]


def test_validation_during_reports(small_split):
    model = seed_model()
    trainer = nn.Trainer(model, small_split)
    count = 0
    for event in trainer.steps(1, reports_per_epoch=5, validate_reports=True, val_sample=100):
        if isinstance(event, nn.Progress):
            count += 1
            # the generator is suspended: the network is consistent right now
            net = model.network
            expected = net.accuracy(small_split.val_x[:100], small_split.val_y[:100]) / 100
            assert event.val_accuracy == expected
    assert count == 5


def test_progress_properties():
    common = dict(epoch=1, last_epoch=1, batches=10, total_samples=1000, loss=0.3,
                  accuracy=0.9, val_accuracy=None, lr=0.1)
    p = nn.Progress(batch=5, position=0.5, samples=500, train_seconds=2.0, **common)
    assert p.samples_per_second == 250
    assert p.eta_seconds == 2.0
    assert p.fraction == 0.5
    q = nn.Progress(batch=0, position=0.0, samples=0, train_seconds=0.0, **common)
    assert q.samples_per_second == 0 and q.eta_seconds == math.inf and q.fraction == 0


# ---------------------------------------------------------------- pause, resume, stop

class Runner:
    """Runs trainer.run() in a thread, counting progress reports."""

    def __init__(self, trainer, epochs=1000, **options):
        self.trainer = trainer
        self.reports = []
        self.arrived = threading.Event()
        self.result = None
        self.error = None
        self.thread = threading.Thread(target=self._work, args=(epochs, options), daemon=True)

    def _work(self, epochs, options):
        try:
            self.result = self.trainer.run(epochs, on_progress=self._on_progress, **options)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.error = e

    def _on_progress(self, p):
        self.reports.append(p)
        self.arrived.set()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.trainer.stop()
        self.thread.join(10)
        assert not self.thread.is_alive()
        assert self.error is None


def test_pause_resume_and_stop_from_another_thread(small_split):
    model = seed_model()
    trainer = nn.Trainer(model, small_split)
    with Runner(trainer) as run:
        assert run.arrived.wait(10)
        trainer.pause()
        assert trainer.paused
        run.arrived.clear()
        run.arrived.wait(0.3)  # a batch under way may still finish and report, once
        run.arrived.clear()
        n, seen = len(run.reports), model.samples_seen
        assert not run.arrived.wait(0.2), "progress while paused"
        assert len(run.reports) == n and model.samples_seen == seen
        assert run.thread.is_alive() and trainer.status == "running"

        trainer.resume()
        assert not trainer.paused
        assert run.arrived.wait(10)
        assert len(run.reports) > n
        assert run.reports[-1].position > run.reports[n - 1].position

        trainer.stop()
        run.thread.join(10)
        assert not run.thread.is_alive()
    assert run.result.status == "stopped" and trainer.status == "stopped"
    assert len(model.history) < 1000
    assert model.samples_seen >= run.reports[-1].samples


def test_stop_while_paused_ends_the_run(small_split):
    model = seed_model()
    trainer = nn.Trainer(model, small_split)
    with Runner(trainer) as run:
        assert run.arrived.wait(10)
        trainer.pause()
        run.arrived.clear()
        run.arrived.wait(0.1)
        assert run.thread.is_alive()
        trainer.stop()
        run.thread.join(10)
        assert not run.thread.is_alive()
    assert run.result.status == "stopped"
    assert not trainer.paused  # stop releases the pause


def test_stop_from_a_callback(small_split):
    model = seed_model()
    trainer = nn.Trainer(model, small_split)
    before = model.network.get_weights()
    result = trainer.run(3, on_progress=lambda p: trainer.stop())
    assert result.status == "stopped" and result.epochs == []
    assert model.history == []  # no record for an epoch stopped part-way
    assert model.samples_seen == 200  # ... but the samples it trained on count
    assert not weights_equal(before, model.network.get_weights())
    # the trainer can run again afterwards
    again = trainer.run(1, reports_per_epoch=2)
    assert again.status == "finished" and [r.epoch for r in again.epochs] == [1]


def test_training_time_excludes_pauses_but_counts_all_training(small_split, monkeypatch):
    """With a pause part-way through a report window, the run's train_seconds still
    adds up every stretch of training: it equals the epoch's seconds."""
    clock = {"t": 0.0}

    def fake_perf_counter():
        clock["t"] += 1.0
        return clock["t"]

    monkeypatch.setattr(run, "time", types.SimpleNamespace(perf_counter=fake_perf_counter))
    model = seed_model()
    trainer = nn.Trainer(model, small_split)
    net = model.network
    real_train_batch = net.train_batch
    calls = {"n": 0}

    def train_batch(*args):
        calls["n"] += 1
        if calls["n"] == 5:  # in the middle of the first window of 20 batches
            trainer.pause()
            threading.Timer(0.01, trainer.resume).start()
        return real_train_batch(*args)

    monkeypatch.setattr(net, "train_batch", train_batch)
    progress = []
    result = trainer.run(1, on_progress=progress.append)
    assert result.status == "finished" and calls["n"] == 200
    assert progress[-1].train_seconds == pytest.approx(result.epochs[0].seconds)


# ---------------------------------------------------------------- learning rate

def test_learning_rate_change_mid_run(small_split):
    model = seed_model()
    trainer = nn.Trainer(model, small_split)
    assert trainer.lr == 3.0
    state = {}

    def on_progress(p):
        if "weights" not in state:
            state["weights"] = model.network.get_weights()
            trainer.lr = 1e-9  # too small to move float32 weights noticeably
        state.setdefault("lrs", []).append(p.lr)

    result = trainer.run(1, on_progress=on_progress)
    assert state["lrs"][0] == 3.0 and set(state["lrs"][1:]) == {1e-9}
    assert result.epochs[0].lr == 1e-9
    assert trainer.lr == 1e-9 and model.hyper["lr"] == 1e-9
    for before, after in zip(state["weights"], model.network.get_weights(), strict=True):
        np.testing.assert_allclose(after, before, atol=1e-6)
    # a control run without the change moves the weights a lot
    control = seed_model()
    nn.Trainer(control, small_split).run(1)
    assert np.abs(control.network.get_weights()[0] - state["weights"][0]).max() > 0.01


@pytest.mark.parametrize("lr", [0, -1, math.nan, math.inf])
def test_bad_learning_rate_is_refused(small_split, lr):
    trainer = nn.Trainer(seed_model(), small_split)
    with pytest.raises(ValueError, match="positive finite"):
        trainer.lr = lr
    assert trainer.lr == 3.0


# ---------------------------------------------------------------- divergence

RELU_SE = {"input": [28, 28], "layers": [
    {"type": "Flatten"}, {"type": "Dense", "units": 32}, {"type": "ReLU"},
    {"type": "Dense", "units": 10}, {"type": "ReLU"}]}
LINEAR = {"input": [28, 28], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10}]}


def train_loss(model, split) -> float:
    eye = np.eye(10, dtype=np.float32)
    return model.loss().value(model.network.forward(split.train_x), eye[split.train_y])


def check_diverged(model, split, result, snapshots, initial):
    assert result.status == "diverged"
    assert result.message.startswith("Training diverged")
    assert "try a smaller learning rate" in result.message
    weights = model.network.get_weights()
    assert all(np.isfinite(w).all() for w in weights)
    # restored: the weights at a report (or from before the run), never half-way weights
    assert any(weights_equal(weights, s) for s in [initial, *snapshots])
    assert result.epochs == [] and model.history == []
    assert np.isfinite(model.network.forward(split.val_x)).all()


def test_divergence_stops_and_restores_good_weights(small_split):
    model = nn.Model.create(RELU_SE, {"loss": "se", "lr": 1e4, "batch_size": 10})
    initial = model.network.get_weights()
    trainer = nn.Trainer(model, small_split)
    snapshots = []
    result = trainer.run(3, on_progress=lambda p: snapshots.append(model.network.get_weights()))
    check_diverged(model, small_split, result, snapshots, initial)
    assert trainer.status == "diverged" and trainer.message == result.message
    assert "now 10000" in result.message


def test_divergence_with_overflow_ends_cleanly(small_split):
    """A learning rate so large that the numbers overflow: no RuntimeWarning escapes
    (pytest turns them into errors; the app would print them), the run ends diverged."""
    model = nn.Model.create(RELU_SE, {"loss": "se", "lr": 1e10, "batch_size": 10})
    initial = model.network.get_weights()
    snapshots = []
    result = nn.Trainer(model, small_split).run(
        1, on_progress=lambda p: snapshots.append(model.network.get_weights()))
    check_diverged(model, small_split, result, snapshots, initial)


@pytest.mark.parametrize("lr", [0.3, 1.0])
def test_restored_weights_are_really_good(small_split, lr):
    """With a report after every batch, the weights at the last report are the ones the
    blow-up came from: restoring them would restore the divergence. The restored
    weights must not have a loss above 10x the starting loss (the divergence rule)."""
    model = nn.Model.create(LINEAR, {"loss": "se", "lr": lr, "batch_size": 100})
    start = train_loss(model, small_split)
    result = nn.Trainer(model, small_split).run(3, reports_per_epoch=20)
    assert result.status == "diverged"
    assert train_loss(model, small_split) < 10 * start


def test_a_sane_run_does_not_diverge(small_split):
    result = nn.Trainer(seed_model(), small_split).run(3, reports_per_epoch=20)
    assert result.status == "finished"


# ---------------------------------------------------------------- determinism, continuing

def test_same_seed_same_training(small_split):
    runs = []
    for seed in (5, 5, 6):
        model = seed_model(seed=seed)
        result = nn.Trainer(model, small_split).run(2)
        runs.append(([r.loss for r in result.epochs], model.network.get_weights()))
    assert runs[0][0] == runs[1][0]
    assert weights_equal(runs[0][1], runs[1][1])
    assert runs[0][0] != runs[2][0]


def test_continuing_training_appends_epochs(small_split):
    model = seed_model(batch_size=50)
    nn.Trainer(model, small_split).run(1)
    first = model.network.get_weights()
    progress = []
    result = nn.Trainer(model, small_split).run(2, on_progress=progress.append,
                                                reports_per_epoch=4)
    assert [r.epoch for r in result.epochs] == [2, 3]
    assert [r.epoch for r in model.history] == [1, 2, 3]
    assert [p.epoch for p in progress] == [2] * 4 + [3] * 4
    assert all(p.last_epoch == 3 for p in progress)
    assert progress[0].position == pytest.approx(1.25)
    assert progress[-1].position == pytest.approx(3.0)
    assert progress[0].samples == 500 and progress[-1].total_samples == 4000
    assert model.samples_seen == 6000
    assert not weights_equal(first, model.network.get_weights())


def test_every_optimizer_and_loss_trains(small_split):
    for name in ("logistic", "modern", "deep"):
        p = nn.preset(name)
        model = nn.Model.create(p["spec"], {**p["hyper"], "batch_size": 32})
        result = nn.Trainer(model, small_split).run(1, reports_per_epoch=2)
        assert result.status == "finished", name
        assert result.test_accuracy > 0.6, name
    for loss in ("se", "ce"):
        p = nn.preset("modern")
        model = nn.Model.create(p["spec"], {**p["hyper"], "optimizer": "momentum", "lr": 0.1,
                                            "loss": loss, "batch_size": 32})
        assert nn.Trainer(model, small_split).run(1).test_accuracy > 0.7, loss


# ---------------------------------------------------------------- BLAS threads

def blas_threads() -> int | None:
    from threadpoolctl import threadpool_info

    counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    return counts[0] if counts else None


def test_one_blas_thread_for_small_batches(small_split):
    before = blas_threads()
    if before is None:
        pytest.skip("no BLAS library visible to threadpoolctl")
    during = []
    nn.Trainer(seed_model(batch_size=10), small_split).run(
        1, reports_per_epoch=2, on_progress=lambda p: during.append(blas_threads()))
    assert during == [1, 1]
    assert blas_threads() == before
    during.clear()
    nn.Trainer(seed_model(batch_size=500), small_split).run(
        1, reports_per_epoch=2, on_progress=lambda p: during.append(blas_threads()))
    assert during == [before, before]


# ---------------------------------------------------------------- learning

@pytest.mark.slow
def test_modern_preset_learns_from_5000_images(mnist):
    p = nn.preset("modern")
    model = nn.Model.create(p["spec"], p["hyper"])
    result = nn.Trainer(model, mnist.split().limit(5000)).run(1)
    assert result.test_accuracy > 0.85


@pytest.mark.slow
def test_seed_preset_learns_from_10000_images(mnist):
    model = seed_model()
    result = nn.Trainer(model, mnist.split().limit(10_000)).run(2)
    assert result.test_accuracy > 0.90


@pytest.mark.slow
def test_seed_preset_one_epoch_reaches_94_percent(mnist):
    model = seed_model()
    split = mnist.split()
    assert len(split.train_x) == 50_000 and len(split.test_x) == 10_000
    result = nn.Trainer(model, split).run(1)
    assert result.status == "finished"
    record = result.epochs[0]
    assert record.test_accuracy >= 0.94
    assert record.val_accuracy >= 0.94
    assert model.samples_seen == 50_000


def test_stop_before_the_first_batch_is_honoured(small_split):
    model = seed_model()
    trainer = nn.Trainer(model, small_split)
    trainer.stop()  # e.g. Stop pressed before the worker thread got going
    assert trainer.run(1).status == "stopped"
    assert model.samples_seen == 0 and not model.history
    assert trainer.run(1).status == "finished"  # the flag does not linger
    assert len(model.history) == 1


def test_a_split_without_test_images_trains(small_split):
    model = seed_model()
    result = nn.Trainer(model, small_split.limit(500, 100, 0)).run(1)
    assert result.status == "finished"
    assert result.epochs[0].test_accuracy is None


def test_on_wait_tells_when_a_pause_takes_hold(small_split):
    import threading

    trainer = nn.Trainer(seed_model(), small_split)
    calls = []
    held = threading.Event()

    def on_wait(waiting):
        calls.append(waiting)
        if waiting:
            held.set()

    trainer.on_wait = on_wait
    trainer.pause()
    thread = threading.Thread(target=trainer.run, args=(1,))
    thread.start()
    assert held.wait(5), "the paused loop never reported that it waits"
    assert calls == [True]
    trainer.resume()
    thread.join(10)
    assert not thread.is_alive()
    assert calls == [True, False]
    assert trainer.status == "finished"


def test_arm_forgets_a_stop_that_came_after_the_last_run(small_split):
    trainer = nn.Trainer(seed_model(), small_split.limit(500))
    assert trainer.run(1).status == "finished"
    trainer.stop()  # e.g. Stop clicked just as the run ended
    trainer.arm()
    assert trainer.run(1).status == "finished"


def test_data_of_another_shape_is_refused(small_split):
    spec = {"input": [784], "layers": [{"type": "Dense", "units": 10}, {"type": "Sigmoid"}]}
    with pytest.raises(ValueError, match="reads 784 inputs but the images are 28 x 28"):
        nn.Trainer(nn.Model.create(spec), small_split)


# ---------------------------------------------------------------- the loop's parts
@pytest.mark.parametrize("batches, reports", [(10, 10), (10, 3), (7, 1), (5000, 10), (1, 1)])
def test_report_schedule_spreads_reports_evenly_and_ends_the_epoch(batches, reports):
    schedule = run.report_schedule(batches, reports)
    after = [b for b, due in enumerate(schedule) if due]
    assert len(schedule) == batches + 1 and not schedule[0]
    assert len(after) == reports and after[-1] == batches
    gaps = np.diff([0, *after])
    assert gaps.max() - gaps.min() <= 1


def test_progress_is_built_with_keywords():
    with pytest.raises(TypeError):
        nn.Progress(1, 1, 5, 10, 0.5, 500, 1000, 0.3, 0.9, None, 0.1, 2.0)


def test_the_run_clock_counts_only_what_lies_between_start_and_stop(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(run.time, "perf_counter", lambda: now[0])
    clock = run.RunClock()
    now[0] += 2.0
    clock.stop()  # 2 s of training
    now[0] += 50.0  # a pause, or an evaluation
    clock.start()
    now[0] += 1.0
    clock.stop()
    assert clock.run == clock.epoch == 3.0
    now[0] += 7.0
    clock.new_epoch()
    now[0] += 0.5
    clock.stop()
    assert clock.epoch == 0.5 and clock.run == 3.5


# ---------------------------------------------------------------- the epoch-end measurement

def _old_record_figures(model, data, loss):
    """The epoch-end figures as they were measured before the measurement came in chunks."""
    net, k = model.network, min(nn.history.TRAIN_SAMPLE, len(data.train_x))
    eye = np.eye(10, dtype=net.dtype)

    def measure(x, labels):
        outputs = net.predict_proba(x)
        value = loss.value(outputs, eye[labels])
        return int(np.count_nonzero(outputs.argmax(axis=1) == labels)) / len(x), value

    val_accuracy, val_loss = measure(data.val_x, data.val_y)
    sample_accuracy, sample_loss = measure(data.train_x[:k], data.train_y[:k])
    return {"val_accuracy": val_accuracy, "val_loss": val_loss,
            "test_accuracy": net.accuracy(data.test_x, data.test_y) / len(data.test_x),
            "train_sample_accuracy": sample_accuracy, "train_sample_loss": sample_loss}


def test_the_epoch_end_measurement_reports_growing_counts_and_the_same_record(
        small_split, monkeypatch):
    monkeypatch.setattr(nn.training, "MEASURE_REPORT_IMAGES", 500)
    model = seed_model()
    model.network.eval_rows = 100  # many chunks: 500 validation, 1,000 test, 2,000 sample
    trainer = nn.Trainer(model, small_split)
    events = list(trainer.steps(1, reports_per_epoch=4))
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["Progress"] * 4 + ["Measuring"] * 7 + ["EpochEnd"]
    measuring = [e for e in events if isinstance(e, Measuring)]
    assert [m.done for m in measuring] == list(range(0, 3001, 500))
    assert all(m.total == 3500 and m.epoch == 1 for m in measuring)
    assert measuring[0].fraction == 0 and measuring[-1].fraction == pytest.approx(3000 / 3500)
    assert all(m.train_seconds == events[3].train_seconds for m in measuring)
    record = events[-1].record
    old = _old_record_figures(model, small_split, trainer.loss)
    assert {key: getattr(record, key) for key in old} == old  # the very same figures


def test_a_measurement_in_one_chunk_reports_only_its_start(small_split):
    model = seed_model()
    assert model.network.eval_rows >= 2000  # a small network measures a set at once
    events = list(nn.Trainer(model, small_split).steps(1, reports_per_epoch=2))
    assert [m.done for m in events if isinstance(m, Measuring)] == [0]
    assert 100 <= MEASURE_REPORT_IMAGES <= 2000


def test_run_hands_progress_and_measuring_to_their_own_callbacks(small_split, monkeypatch):
    monkeypatch.setattr(nn.training, "MEASURE_REPORT_IMAGES", 1000)
    model = seed_model()
    model.network.eval_rows = 250
    progress, measuring, epochs = [], [], []
    result = nn.Trainer(model, small_split).run(
        2, on_progress=progress.append, on_measuring=measuring.append,
        on_epoch=epochs.append, reports_per_epoch=5)
    assert result.status == "finished" and len(epochs) == 2
    assert len(progress) == 10 and all(type(p) is nn.Progress for p in progress)
    assert [(m.epoch, m.done) for m in measuring] == [(e, d) for e in (1, 2)
                                                      for d in (0, 1000, 2000, 3000)]
    # without on_measuring nothing else reaches on_progress
    progress.clear()
    nn.Trainer(seed_model(), small_split).run(1, on_progress=progress.append,
                                              reports_per_epoch=5)
    assert len(progress) == 5 and all(type(p) is nn.Progress for p in progress)
