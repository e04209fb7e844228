"""The shared session: architecture changes, settings, weights snapshots, files."""

import contextlib

import numpy as np
import pytest

from playground import nn
from playground.state.layer_stack import LayerStack
from playground.state.session import Session


@contextlib.contextmanager
def emitted(event):
    """Fails unless ``event`` is emitted inside the block (events are synchronous)."""
    calls = []
    event.connect(lambda *args: calls.append(args))
    yield calls
    assert calls, f"{event.name} was not emitted"


@pytest.fixture
def session(small_split):
    return Session(data=small_split)


def train_one_epoch(session):
    nn.Trainer(session.model, session.data).run(1)
    session.publish(session.model.network.snapshot())


def test_layer_stack_events_and_spec():
    events = []
    stack = LayerStack([{"type": "Flatten"}])
    stack.connect(lambda event, args: events.append((event, args)))
    stack.append({"type": "Dense", "units": 10})
    stack.insert(1, {"type": "Sigmoid"})
    stack.move(2, 1)
    stack.update(1, units=12)
    assert stack.remove(2) == {"type": "Sigmoid"}
    stack.reset([])
    assert [e for e, _ in events] == ["inserted", "inserted", "moved", "changed", "removed",
                                      "reset"]
    assert events[2] == ("moved", (2, 1))
    assert stack.spec() == {"input": [28, 28], "layers": []}


def test_starts_with_the_seed_network(session):
    assert session.report.ok
    assert [s["type"] for s in session.spec["layers"]] == [
        "Flatten", "Dense", "Sigmoid", "Dense", "Sigmoid"]
    assert session.report.total_params == 101_770
    assert session.model is not None and not session.trained
    assert session.predictor() is not session.model.network


def test_invalid_stack_has_no_model_and_valid_again_rebuilds(session):
    with emitted(session.specChanged):
        session.stack.remove(0)  # Dense without Flatten
    assert not session.report.ok
    assert session.report.errors[0].layer == 0
    assert session.model is None and session.predictor() is None
    session.stack.insert(0, {"type": "Flatten"})
    assert session.report.ok and session.model is not None


def test_trained_weights_survive_an_unrelated_change(session):
    train_one_epoch(session)
    w_first = session.model.network.layers[1].w.copy()
    # a wider hidden layer: the first Dense changes shape, nothing can be kept
    assert session.would_discard_training(
        {"input": [28, 28], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 64},
                                       {"type": "Sigmoid"}, {"type": "Dense", "units": 10},
                                       {"type": "Sigmoid"}]})
    # swapping the output activation keeps every weight
    spec = session.spec
    spec["layers"][4] = {"type": "Softmax"}
    assert not session.would_discard_training(spec)
    session.stack.update(4, type="Softmax")
    assert np.array_equal(session.model.network.layers[1].w, w_first)
    assert session.trained  # every weight was kept, so the network still counts as trained


def test_set_hyper_refuses_bad_values_and_rechecks_the_loss(session):
    assert session.set_hyper(lr=0) == ["learning rate must be a positive finite number"]
    assert session.hyper["lr"] == 3.0
    session.stack.update(4, type="ReLU")
    with emitted(session.specChanged):
        assert session.set_hyper(loss="ce") == []
    assert not session.report.ok
    assert "cross-entropy needs probabilities" in str(session.report.errors[0])


def test_a_new_seed_or_initialisation_redraws_untrained_weights_only(session):
    first = session.model.network.layers[1].w.copy()
    assert first.std() < 0.1  # "scaled": N(0, 1/784)
    assert session.set_hyper(init="normal") == []
    assert session.model.network.layers[1].w.std() > 0.9  # N(0, 1) now
    drawn = session.model.network.layers[1].w.copy()
    assert session.set_hyper(seed=7) == []
    assert not np.array_equal(session.model.network.layers[1].w, drawn)
    assert session.set_hyper(seed=7, lr=1.0) == []  # the same seed: nothing redrawn
    assert session.model.network.layers[1].w.std() > 0.9
    train_one_epoch(session)
    trained = session.model.network.layers[1].w.copy()
    assert session.set_hyper(seed=8) == []  # trained weights stay until Reset weights
    assert np.array_equal(session.model.network.layers[1].w, trained)


def test_save_and_open_round_trip(session, tmp_path):
    train_one_epoch(session)
    path = tmp_path / "m.npz"
    session.save(path)
    assert session.path == path and not session.dirty
    other = Session(data=session.data, preset_name="modern")
    with emitted(other.modelChanged):
        other.open(path)
    assert other.spec == session.spec
    assert other.hyper == session.hyper
    assert other.trained
    x = session.data.test_x[:50]
    assert np.array_equal(other.predictor().predict(x), session.predictor().predict(x))


def test_opening_a_broken_file_changes_nothing(session, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    before = session.spec
    with pytest.raises(nn.ModelFileError, match="bad.npz"):
        session.open(bad)
    assert session.spec == before and session.model is not None


def test_saving_while_running_uses_the_published_snapshot(session):
    train_one_epoch(session)
    session.set_training_state("running")
    snap = session.predictor()
    assert session.model_for_saving().network is snap
    session.set_training_state("paused")
    assert session.model_for_saving() is session.model


def test_a_new_session_has_nothing_to_save(session):
    assert not session.dirty


def test_new_network_starts_from_fresh_weights(session):
    train_one_epoch(session)
    trained_w = session.model.network.layers[1].w.copy()
    session.new("seed")
    assert not session.trained and session.model.history == []
    assert not np.array_equal(session.model.network.layers[1].w, trained_w)
    assert not session.dirty and session.path is None


def test_opening_a_model_with_a_batch_larger_than_the_data(session, tmp_path, small_split):
    model = nn.Model.create(nn.preset("seed")["spec"], {"batch_size": 1_000_000})
    path = tmp_path / "big_batch.npz"
    nn.save_model(path, model)
    session.open(path)
    assert session.hyper["batch_size"] == len(small_split.train_x)


def test_saving_while_running_keeps_weights_and_history_together(session, tmp_path):
    """The worker's history and sample count run ahead of the last published weights."""
    trainer = nn.Trainer(session.model, session.data)
    steps = trainer.steps(2, reports_per_epoch=4)
    for event in steps:  # publish the first report of epoch 2, then let training run on
        if isinstance(event, nn.Progress):
            session.publish(session.model.network.snapshot(), event)
            if event.epoch == 2:
                break
        elif isinstance(event, nn.EpochEnd):
            session.finish_epoch(event.record)
    snapshot_seen = session.model.samples_seen
    session.set_training_state("running")
    next(steps)  # the live model moves on past the published copy
    assert session.model.samples_seen > snapshot_seen
    saved = session.model_for_saving()
    assert saved.samples_seen == snapshot_seen
    assert len(saved.history) == 1
    assert saved.network is session.predictor()
    steps.close()


def test_the_session_needs_no_qt():
    """The session and its parts import no Qt (checked in a fresh interpreter)."""
    import subprocess
    import sys

    code = ("import sys; import playground.state.session, playground.state.hints; "
            "print(any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_training_state_is_one_enum_that_reads_as_its_name(session):
    from playground.state.session import TrainingState

    states = []
    session.trainingStateChanged.connect(states.append)
    session.set_training_state("running")
    session.set_training_state(TrainingState.RUNNING)  # no change: no event
    session.set_training_state(TrainingState.PAUSED)
    assert states == [TrainingState.RUNNING, "paused"]
    assert session.training_state is TrainingState.PAUSED and session.busy
    with pytest.raises(ValueError):
        session.set_training_state("sleeping")


def test_a_network_too_big_to_train_is_an_error_until_the_batch_is_smaller(small_split):
    from playground.state.session import Session

    session = Session(data=small_split)
    assert session.set_hyper(batch_size=2000, optimizer="adam") == []
    session.stack.update(1, units=40_000)  # about 2.3 GB at this batch: not built
    assert session.model is None
    assert not session.report.ok and "would need about" in str(session.report.errors[0])
    assert session.set_hyper(batch_size=10) == []
    assert session.report.ok and session.model is not None  # built once it fits
    session.stack.update(1, units=30)  # the stack still rebuilds as usual
    assert session.model is not None and session.model.network.layers[1].units == 30


def test_one_settings_object_for_the_session_its_model_and_the_trainer(session):
    assert session.hyper is session.model.hyper
    assert session.set_hyper(batch_size=20) == []
    assert session.model.hyper is session.hyper and session.model.hyper["batch_size"] == 20
    trainer = nn.Trainer(session.model, session.data)
    trainer.lr = 0.25  # as the window does while training
    assert session.hyper["lr"] == 0.25
    session.stack.update(1, units=64)  # a rebuilt model shares it too
    assert session.model.hyper is session.hyper
