"""The session and the settings of issue 11: a setting given as None is removed (its
default applies), so setting a control back gives the settings they were; a run on part
of the training set saves the samples it has seen."""

from types import SimpleNamespace

from playground.state.session import Session


def test_none_removes_a_setting_and_gives_the_settings_back(small_split):
    session = Session(data=small_split)
    before = dict(session.hyper)
    assert session.set_hyper(train_size=500, weight_decay=1e-4, augment={"shift": 2.0},
                             patience=2, schedule="cosine") == []
    assert session.model.hyper is session.hyper
    assert session.set_hyper(train_size=None, weight_decay=None, augment=None, patience=None,
                             schedule=None) == []
    assert session.hyper == before and session.model.hyper == before


def test_a_refused_setting_changes_nothing(small_split):
    session = Session(data=small_split)
    before = dict(session.hyper)
    problems = session.set_hyper(train_size=5)  # smaller than the batch of 10
    assert problems == ["batch size must be 1 to 5"]
    assert session.hyper == before


def test_published_weights_count_the_images_of_the_training_set_in_use(small_split):
    session = Session(data=small_split)
    assert session.set_hyper(train_size=500) == []
    snapshot = session.model.network.snapshot()
    session.publish(snapshot, SimpleNamespace(position=1.5, epoch=2))
    assert session.model_for_saving() is session.model  # idle: the live model
    session.training_state = "running"
    assert session.model_for_saving().samples_seen == 750  # 1.5 epochs of 500 images
