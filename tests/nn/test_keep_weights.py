"""A network rebuilt from an edited spec keeps the weights of the layers that kept their
shape (copies, matched in order like transfer_weights) and draws only the others."""

import numpy as np

from playground import nn
from playground.nn import layers as layers_module


def spec(*middle, hidden=32):
    return {"input": [28, 28], "layers": [{"type": "Flatten"},
                                          {"type": "Dense", "units": hidden}, *middle,
                                          {"type": "Dense", "units": 10}]}


def test_inserting_an_activation_keeps_every_weight_as_copies():
    old = nn.Network(spec(), seed=1)
    new = nn.Network(spec({"type": "Tanh"}), seed=2, keep_from=old)
    assert new.kept == 2
    for a, b in zip(old.get_weights(), new.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert new.layers[1].w is not old.layers[1].w  # copies: the old network is untouched


def test_the_first_changed_layer_ends_the_matching_and_only_it_onward_is_drawn(monkeypatch):
    old = nn.Network(spec(), seed=1)
    draws = []
    real = layers_module.init_weights
    monkeypatch.setattr(layers_module, "init_weights",
                        lambda rng, n_in, n_out, init: draws.append((n_in, n_out))
                        or real(rng, n_in, n_out, init))
    new = nn.Network(spec(hidden=64), seed=1, keep_from=old)
    assert new.kept == 0 and draws == [(784, 64), (64, 10)]
    draws.clear()
    kept_first = nn.Network(spec({"type": "ReLU"}, {"type": "Dense", "units": 10}), seed=1,
                            keep_from=old)
    # Dense 32 and Dense 10 keep their shapes; the new last Dense 10 (10 -> 10) is drawn
    assert kept_first.kept == 2 and draws == [(10, 10)]
    np.testing.assert_array_equal(kept_first.layers[1].w, old.layers[1].w)


def test_the_session_keeps_history_when_every_weight_survives(small_split):
    from playground.state.session import Session

    session = Session(data=small_split)
    nn.Trainer(session.model, session.data).run(1)
    trained = session.model.network.get_weights()
    session.stack.insert(3, {"type": "Tanh"})
    assert len(session.model.history) == 1 and session.model.network.kept == 2
    for a, b in zip(trained, session.model.network.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
