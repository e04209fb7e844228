"""Dropout in the builder: the palette button, the rate box on its card, undo and redo,
trained weights kept, the diagram's slice with gaps, and its hints."""

import numpy as np
import pytest
from PySide6.QtCore import QByteArray, QMimeData, QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDoubleSpinBox

from playground.nn.layers import MAX_DROPOUT
from playground.state.hints import HIDDEN_RATE, MAX_INPUT_RATE
from playground.ui import theme
from playground.ui.builder.cards import MIME_TYPE, RATE_STEP
from playground.ui.builder.layer_help import LAYER_HELP

SEED_TYPES = ["Flatten", "Dense", "Sigmoid", "Dense", "Sigmoid"]
WITH_DROPOUT = ["Flatten", "Dense", "Sigmoid", "Dropout", "Dense", "Sigmoid"]


def stack_types(session):
    return [layer["type"] for layer in session.stack.layers]


def with_dropout(panel, rate=None):
    """The seed network with a Dropout on its hidden units (layer 4)."""
    panel.select(2)
    assert panel.add_layer("Dropout")
    if rate is not None:
        assert panel.set_rate(3, rate)
    return panel.card(3)


def dense_weights(session):
    return [[p.copy() for p in layer.params()] for layer in session.model.network.layers
            if layer.trainable]


def same_weights(a, b) -> bool:
    return len(a) == len(b) and all(
        len(x) == len(y) and all(np.array_equal(p, q) for p, q in zip(x, y, strict=True))
        for x, y in zip(a, b, strict=True))


# -- the palette ---------------------------------------------------------------------------
def test_the_palette_button_adds_a_dropout_card(qtbot, panel, session):
    button = panel.palette_buttons["Dropout"]
    assert button.objectName() == "palette_Dropout" and not button.icon().isNull()
    tip = button.toolTip()
    assert LAYER_HELP["Dropout"] in tip and "change it on the card" in tip
    for words in ("While training", "when predicting it is off", "overfitting", "0.5", "0.2"):
        assert words in LAYER_HELP["Dropout"], words
    panel.select(2)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert stack_types(session) == WITH_DROPOUT
    assert session.stack[3] == {"type": "Dropout", "rate": HIDDEN_RATE}
    card = panel.card(3)
    assert card.type_label.text() == "Dropout" and panel.selected_index() == 3
    assert card.units_spin is None and card.spins == [card.rate_spin]
    assert card.findChild(QDoubleSpinBox, "rateSpin") is card.rate_spin
    assert card.shape_label.text() == "128" and card.params_label.text() == "0 params"
    assert panel.banner.text() == "Ready to train: 101,770 parameters"  # no new ones
    assert 36 <= card.height() <= 64
    assert panel.undo_stack.undoText() == "Add Dropout"
    panel.undo()
    assert stack_types(session) == SEED_TYPES
    panel.redo()
    assert stack_types(session) == WITH_DROPOUT


def test_a_new_dropout_on_the_pixels_gets_the_input_rate(panel, session):
    panel.add_layer("Dropout", 1)  # right after Flatten
    assert session.stack[1] == {"type": "Dropout", "rate": MAX_INPUT_RATE}
    panel.add_layer("Dropout", 0)  # before Flatten: still the pixels
    assert session.stack[0]["rate"] == MAX_INPUT_RATE
    assert panel.card(0).shape_label.text() == "28 x 28"
    assert panel.card(1).shape_label.text() == "784"
    assert panel.card(2).shape_label.text() == "784"


def test_the_keyboard_presses_the_palette_button_and_types_the_rate(qtbot, panel, session):
    panel.select(2)
    button = panel.palette_buttons["Dropout"]
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert stack_types(session) == WITH_DROPOUT
    spin = panel.card(3).rate_spin
    assert spin.hasFocus()  # as for Dense's units: type the setting right away
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert session.stack[3]["rate"] == pytest.approx(HIDDEN_RATE + RATE_STEP)


def test_a_dropout_can_be_dropped_between_cards(panel, session):
    mime = QMimeData()
    mime.setData(MIME_TYPE, QByteArray(b"Dropout"))
    assert panel.stack_view.drop(mime, 3)
    assert stack_types(session) == WITH_DROPOUT
    assert session.stack[3]["rate"] == HIDDEN_RATE
    assert panel.move_layer(3, 1)
    assert stack_types(session)[1] == "Dropout"


# -- the rate box --------------------------------------------------------------------------
def test_the_rate_box_covers_the_engines_rates(panel):
    spin = with_dropout(panel).rate_spin
    assert (spin.minimum(), spin.maximum()) == (0.0, MAX_DROPOUT)
    assert spin.singleStep() == RATE_STEP and spin.decimals() == 2
    assert spin.value() == HIDDEN_RATE
    assert not spin.keyboardTracking()  # like the units box: applies on Enter


def test_rate_edits_change_the_spec_and_merge_into_one_undo_step(panel, session):
    spin = with_dropout(panel).rate_spin
    count = panel.undo_stack.count()
    spin.setValue(0.4)
    spin.setValue(0.3)
    assert session.stack[3] == {"type": "Dropout", "rate": 0.3}
    assert session.model.network.layers[3].rate == 0.3
    assert panel.undo_stack.count() == count + 1
    assert panel.undo_stack.undoText() == "Set layer 4 to a dropout rate of 0.3"
    panel.undo()
    assert session.stack[3]["rate"] == HIDDEN_RATE and spin.value() == HIDDEN_RATE
    panel.redo()
    assert session.stack[3]["rate"] == 0.3 and spin.value() == 0.3
    spin.setValue(HIDDEN_RATE)  # back to where the edit started: nothing left to undo
    assert panel.undo_stack.count() == count and panel.undo_stack.undoText() == "Add Dropout"


def test_typing_a_rate_applies_on_enter_only(qtbot, panel, session):
    spin = with_dropout(panel).rate_spin
    seen = []
    session.specChanged.connect(lambda: seen.append(session.stack[3].get("rate")))
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "0.25")
    assert seen == [] and session.stack[3]["rate"] == HIDDEN_RATE  # not while typing
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert seen == [0.25]  # one rebuild
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "0.1")
    assert panel.add_layer("ReLU", 0)  # another edit applies what was typed first
    assert session.stack[4]["rate"] == 0.1


def test_a_missing_rate_shows_the_default_and_comes_back_on_undo(panel, session):
    panel.apply_spec({"input": [28, 28], "layers": [
        {"type": "Flatten"}, {"type": "Dense", "units": 128}, {"type": "ReLU"},
        {"type": "Dropout"}, {"type": "Dense", "units": 10}, {"type": "Softmax"}]})
    spin = panel.card(3).rate_spin
    assert spin.value() == HIDDEN_RATE
    spin.setValue(0.35)
    assert session.stack[3] == {"type": "Dropout", "rate": 0.35}
    panel.undo()
    assert session.stack[3] == {"type": "Dropout"}


def test_a_bad_rate_from_a_file_is_shown_on_its_card(panel):
    panel.apply_spec({"input": [28, 28], "layers": [
        {"type": "Flatten"}, {"type": "Dropout", "rate": 1.5}, {"type": "Dense", "units": 10}]})
    card = panel.card(1)
    assert f"the dropout rate must be 0 to {MAX_DROPOUT:g}" in card.error_label.text()
    assert card.rate_spin.value() == MAX_DROPOUT  # shown as far as it goes


def test_the_rate_box_is_locked_while_training(panel, session):
    spin = with_dropout(panel).rate_spin
    session.set_training_state("running")
    assert not spin.isEnabled()
    assert not panel.set_rate(3, 0.2)
    assert session.stack[3]["rate"] == HIDDEN_RATE and spin.value() == HIDDEN_RATE
    session.set_training_state("idle")
    assert panel.set_rate(3, 0.2)
    assert not panel.set_rate(1, 0.2)  # a Dense layer has no rate
    assert not panel.set_units(3, 20)  # nor a Dropout units


# -- trained weights -----------------------------------------------------------------------
@pytest.fixture
def trained(panel, session, monkeypatch):
    """The seed network with a Dropout, 'trained': any question about losing weights fails."""
    with_dropout(panel)
    for layer in session.model.network.layers:  # weights no fresh draw from the seed has
        for p in layer.params():
            p += 0.25
    session.model.samples_seen = 100
    assert session.trained

    def no_question(spec):
        raise AssertionError("asked to discard trained weights")

    monkeypatch.setattr(panel, "_confirm_discard", no_question)
    return session


def test_a_rate_change_keeps_every_trained_weight(panel, trained):
    before = dense_weights(trained)
    old_network = trained.model.network
    panel.card(3).rate_spin.setValue(0.2)
    assert trained.stack[3]["rate"] == 0.2
    network = trained.model.network
    assert network is not old_network and network.layers[3].rate == 0.2
    assert network.kept == 2
    assert len(before) == 2 and same_weights(before, dense_weights(trained))
    assert trained.trained and trained.model.samples_seen == 100  # still trained
    panel.undo()
    assert trained.stack[3]["rate"] == HIDDEN_RATE and trained.model.samples_seen == 100
    assert same_weights(before, dense_weights(trained))


def test_adding_moving_and_removing_a_dropout_keep_the_trained_weights(panel, trained):
    before = dense_weights(trained)
    assert panel.add_layer("Dropout", 1)
    assert panel.move_layer(1, 0)
    assert panel.remove_layer(4)
    assert trained.model.samples_seen == 100
    assert same_weights(before, dense_weights(trained))


# -- the diagram -----------------------------------------------------------------------------
def _dropout_column(panel, rate):
    """Of the pixels down the middle of the Dropout's slice: the share in its colour."""
    panel.set_rate(3, rate)
    diagram = panel.diagram
    image = diagram.grab().toImage()
    block = next(b for b in diagram.blocks if b.kind == "Dropout")
    r = block.rect
    colour = QColor(theme.LAYER["Dropout"])
    x = int(r.center().x())
    ys = range(int(r.top()) + 1, int(r.bottom()))
    ratio = image.devicePixelRatio()

    def near(c):
        return max(abs(c.red() - colour.red()), abs(c.green() - colour.green()),
                   abs(c.blue() - colour.blue())) < 40

    return sum(near(image.pixelColor(int(x * ratio), int(y * ratio))) for y in ys) / len(ys)


def test_the_diagram_draws_dropout_as_a_slice_with_gaps(panel):
    with_dropout(panel)
    diagram = panel.diagram
    diagram.grab()
    blocks = diagram.blocks
    assert [b.kind for b in blocks] == ["Input"] + WITH_DROPOUT
    hidden, act, dropout = blocks[2], blocks[3], blocks[4]
    assert dropout.thin and dropout.rate == HIDDEN_RATE
    assert dropout.rect.width() < hidden.rect.width()
    assert dropout.rect.height() == pytest.approx(act.rect.height())  # as many values
    assert "Dropout 0.5" in diagram._describe(dropout)
    assert "50% dropped while training" in diagram._describe(dropout)
    full, half, most = (_dropout_column(panel, r) for r in (0.0, 0.5, 0.9))
    assert full > 0.8 and most < 0.3 and most < half < full


def test_the_diagram_selects_a_dropout_by_a_click(qtbot, panel):
    with_dropout(panel)
    panel.select(None)
    diagram = panel.diagram
    diagram.grab()
    block = next(b for b in diagram.blocks if b.kind == "Dropout")
    qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=QPoint(
        int(block.rect.center().x()), int(block.rect.center().y())))
    assert panel.selected_index() == 3


# -- hints -----------------------------------------------------------------------------------
def test_a_dropout_on_the_outputs_is_hinted_on_its_card(panel, session):
    panel.select(None)
    panel.add_layer("Dropout")  # after the output Sigmoid
    card = panel.card(5)
    assert [(h.key, h.layer) for h in panel.hints] == [("dropout-at-output", 5)]
    assert card.hint_label.isVisible() and "last layer" in card.hint_label.text()
    assert "Layer 6" in panel.hint_banner.text()
    assert session.report.ok  # squared error: allowed, only unwise
    panel.move_layer(5, 3)  # onto the hidden units: nothing to say
    assert panel.hints == [] and not panel.hint_banner.isVisible()
    panel.set_rate(3, 0.9)
    assert [(h.key, h.layer) for h in panel.hints] == [("dropout-rate-high", 3)]
    assert "0.9" in panel.card(3).hint_label.text()


def test_every_engine_layer_gets_a_palette_row(monkeypatch):
    from playground.ui.builder import cards

    monkeypatch.setattr(cards, "PALETTE_TYPES", (*cards.PALETTE_TYPES, "A", "B", "C", "D"))
    rows = cards.palette_rows()
    assert rows[:4] == [("Flatten", "Dense", "Dropout"), ("Conv2D", "MaxPool2D", "AvgPool2D"),
                        ("Sigmoid", "Tanh"), ("ReLU", "Softmax")]
    assert rows[4:] == [("A", "B", "C"), ("D",)]
    monkeypatch.setattr(cards, "PALETTE_TYPES", ("Flatten", "Dense", "ReLU"))
    assert cards.palette_rows() == [("Flatten", "Dense"), ("ReLU",)]
