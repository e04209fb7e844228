"""The visual network builder: palette, cards, validation, undo/redo, presets, locking."""

import json

import pytest
from PySide6.QtCore import QByteArray, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

from playground.nn import LAYER_TYPES, PRESETS, check_spec, preset
from playground.state.session import Session
from playground.ui.builder.cards import ERROR_COLOR, MIME_INDEX, MIME_TYPE
from playground.ui.builder.layer_help import LAYER_HELP

SEED_TYPES = ["Flatten", "Dense", "Sigmoid", "Dense", "Sigmoid"]


def kinds(panel):
    return [card.type_label.text() for card in panel.cards]


def shapes(panel):
    return [card.shape_label.text() for card in panel.cards]


def params(panel):
    return [card.params_label.text() for card in panel.cards]


def stack_types(session):
    return [layer["type"] for layer in session.stack.layers]


def _type_mime(kind):
    mime = QMimeData()
    mime.setData(MIME_TYPE, QByteArray(kind.encode()))
    return mime


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


# -- what is shown -----------------------------------------------------------------------
def test_seed_network_is_shown_on_start(panel, session):
    assert kinds(panel) == SEED_TYPES
    assert shapes(panel) == ["784", "128", "128", "10", "10"]
    assert params(panel) == ["0 params", "100,480 params", "0 params", "1,290 params",
                             "0 params"]
    assert [c.params for c in panel.cards] == [0, 100480, 0, 1290, 0]
    assert panel.card(1).units_spin.value() == 128
    assert panel.card(0).units_spin is None
    assert panel.stack_view.input_card.shape_label.text() == "28 x 28"
    assert panel.banner.text() == "Ready to train: 101,770 parameters"
    assert not any(card.has_error for card in panel.cards)
    for name in ("layerPalette", "layerStack", "specBanner", "networkDiagram"):
        assert panel.findChild(QWidget, name) is not None, name


def test_palette_buttons_have_icons_and_help(panel):
    # the layers, then the activations two by two; every type the engine has, once
    assert list(panel.palette_buttons) == ["Flatten", "Dense", "Dropout", "Conv2D",
                                           "MaxPool2D", "AvgPool2D", "Sigmoid", "Tanh",
                                           "ReLU", "Softmax"]
    from playground.ui.builder.cards import WITHOUT_CARDS

    assert sorted(panel.palette_buttons) == sorted(set(LAYER_TYPES) - set(WITHOUT_CARDS))
    for kind, button in panel.palette_buttons.items():
        assert not button.icon().isNull()
        assert LAYER_HELP[kind] in button.toolTip()
        assert button.parent() is panel.layer_palette
    rows = panel.layer_palette.layout()
    placed = []
    for r in range(rows.count()):  # each row fills the width, its buttons side by side
        row = rows.itemAt(r).layout()
        buttons = [row.itemAt(i).widget() for i in range(row.count())]
        placed += [b.kind for b in buttons]
        assert all(row.stretch(i) == 1 for i in range(row.count()))
        assert buttons[0].geometry().left() == 0
        assert buttons[-1].geometry().right() == panel.layer_palette.width() - 1
    assert placed == list(panel.palette_buttons)


def test_cards_fit_the_panel_and_are_compact(panel):
    for card in panel.cards:
        assert 36 <= card.height() <= 64, card.height()
        assert card.geometry().right() <= panel.stack_view.viewport().width()
        assert card.remove_button.isVisible()
        assert card.remove_button.toolTip()


# -- adding ----------------------------------------------------------------------------------
def test_palette_click_adds_after_the_selected_layer(qtbot, panel, session):
    panel.select(1)
    click(qtbot, panel.palette_buttons["ReLU"])
    assert stack_types(session) == ["Flatten", "Dense", "ReLU", "Sigmoid", "Dense", "Sigmoid"]
    assert kinds(panel) == stack_types(session)
    assert panel.selected_index() == 2
    assert panel.card(2).selected and not panel.card(1).selected
    assert shapes(panel)[2] == "128"

    panel.undo()
    assert stack_types(session) == SEED_TYPES
    assert kinds(panel) == SEED_TYPES
    panel.redo()
    assert stack_types(session)[2] == "ReLU"


def test_palette_click_without_selection_appends(qtbot, panel, session):
    panel.select(None)
    click(qtbot, panel.palette_buttons["Tanh"])
    assert stack_types(session)[-1] == "Tanh"
    assert panel.selected_index() == 5
    assert "Tanh" in panel.undo_stack.undoText()


def test_build_the_seed_network_by_clicking(qtbot, panel, session):
    assert panel.apply_spec({"input": [28, 28], "layers": []}, "Clear")
    assert panel.cards == []
    assert panel.stack_view.empty_label.isVisible()
    for kind in ("Flatten", "Dense"):
        click(qtbot, panel.palette_buttons[kind])
    assert session.stack[1] == {"type": "Dense", "units": 64}  # a hidden layer
    panel.card(1).units_spin.setValue(128)
    for kind in ("Sigmoid", "Dense", "Sigmoid"):
        click(qtbot, panel.palette_buttons[kind])
    assert session.stack[3] == {"type": "Dense", "units": 10}  # the output layer
    assert session.spec == preset("seed")["spec"]
    assert shapes(panel) == ["784", "128", "128", "10", "10"]
    assert panel.banner.text() == "Ready to train: 101,770 parameters"


def test_build_the_modern_network_by_clicking(qtbot, panel, session):
    panel.apply_spec({"input": [28, 28], "layers": []})
    click(qtbot, panel.palette_buttons["Flatten"])
    click(qtbot, panel.palette_buttons["Dense"])
    spin = panel.card(1).units_spin
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "512")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    for kind in ("ReLU", "Dense", "Softmax"):
        click(qtbot, panel.palette_buttons[kind])
    assert session.spec == preset("modern")["spec"]
    assert params(panel) == ["0 params", "401,920 params", "0 params", "5,130 params",
                             "0 params"]


def test_drop_from_palette_and_reorder_by_drop(panel, session):
    mime = QMimeData()
    mime.setData(MIME_TYPE, QByteArray(b"ReLU"))
    assert panel.stack_view.drop(mime, 2)
    assert stack_types(session)[2] == "ReLU"
    move = QMimeData()
    move.setData(MIME_INDEX, QByteArray(b"2"))
    assert panel.stack_view.drop(move, 6)  # below the last card
    assert stack_types(session)[-1] == "ReLU"
    assert stack_types(session)[:5] == SEED_TYPES
    bad = QMimeData()
    bad.setData(MIME_TYPE, QByteArray(b"Capsule"))
    assert not panel.stack_view.drop(bad, 0)
    panel.undo()
    panel.undo()
    assert stack_types(session) == SEED_TYPES


def test_drag_events_show_the_gap_and_drop_adds_after_the_drag(qtbot, panel, session):
    canvas = panel.stack_view.canvas
    y = panel.card(2).geometry().bottom() + 3  # between cards 3 and 4
    mime = _type_mime("Tanh")
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(40, y), *args)
    QApplication.sendEvent(canvas, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(QPoint(40, y), *args)
    QApplication.sendEvent(canvas, move)
    assert move.isAccepted() and canvas.drop_gap == 3
    drop = QDropEvent(QPointF(40, y), *args)
    QApplication.sendEvent(canvas, drop)
    assert canvas.drop_gap is None
    qtbot.waitUntil(lambda: len(session.stack) == 6)
    assert stack_types(session)[3] == "Tanh"
    other = QMimeData()
    other.setText("hello")
    refused = QDragEnterEvent(QPoint(40, y), Qt.DropAction.CopyAction, other,
                              Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas, refused)
    assert not refused.isAccepted()


# -- removing --------------------------------------------------------------------------------
def test_remove_button_and_undo(qtbot, panel, session):
    click(qtbot, panel.card(1).remove_button)
    assert stack_types(session) == ["Flatten", "Sigmoid", "Dense", "Sigmoid"]
    assert kinds(panel) == stack_types(session)
    assert panel.undo_stack.undoText() == "Remove Dense"
    panel.undo()
    assert session.stack[1] == {"type": "Dense", "units": 128}
    assert shapes(panel) == ["784", "128", "128", "10", "10"]
    panel.redo()
    assert len(session.stack) == 4


def test_delete_key_removes_the_selected_card(qtbot, panel, session):
    panel.select(None)
    assert not panel.delete_action.isEnabled()
    qtbot.mouseClick(panel.card(2), Qt.MouseButton.LeftButton, pos=QPoint(3, 20))
    assert panel.selected_index() == 2
    assert panel.delete_action.isEnabled()
    panel.stack_view.setFocus()
    qtbot.keyClick(panel.stack_view, Qt.Key.Key_Delete)
    assert stack_types(session) == ["Flatten", "Dense", "Dense", "Sigmoid"]
    assert panel.selected_index() == 2  # the next layer is selected
    qtbot.keyClick(panel.stack_view, Qt.Key.Key_Escape)  # clears the selection
    assert panel.selected_index() is None
    qtbot.keyClick(panel.stack_view, Qt.Key.Key_Delete)  # nothing selected: nothing removed
    assert len(session.stack) == 4
    qtbot.keyClick(panel.stack_view, Qt.Key.Key_Down)  # selects the first card
    assert panel.selected_index() == 0
    panel.select(2)
    panel.delete_action.trigger()
    assert stack_types(session) == ["Flatten", "Dense", "Sigmoid"]
    panel.undo()
    panel.undo()
    assert stack_types(session) == SEED_TYPES


# -- reordering ---------------------------------------------------------------------
def test_alt_up_and_down_move_the_selected_card(qtbot, panel, session):
    panel.select(2)
    panel.stack_view.setFocus()
    qtbot.keyClick(panel.stack_view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert stack_types(session) == ["Flatten", "Sigmoid", "Dense", "Dense", "Sigmoid"]
    assert panel.selected_index() == 1
    qtbot.keyClick(panel.stack_view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(panel.stack_view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert stack_types(session) == ["Flatten", "Dense", "Dense", "Sigmoid", "Sigmoid"]
    assert panel.selected_index() == 3
    assert panel.undo_stack.count() == 3
    for _ in range(3):
        panel.undo()
    assert stack_types(session) == SEED_TYPES


def test_move_api_and_limits(panel, session):
    assert panel.move_layer(4, 0)
    assert stack_types(session) == ["Sigmoid", "Flatten", "Dense", "Sigmoid", "Dense"]
    assert shapes(panel) == ["28 x 28", "784", "128", "128", "10"]  # still valid
    assert kinds(panel) == stack_types(session)
    assert not panel.move_layer(0, 5)
    assert not panel.move_layer(1, 1)
    panel.select(0)
    assert not panel.move_up_action.isEnabled()
    assert not panel.move_selected(-1)
    panel.undo()
    assert stack_types(session) == SEED_TYPES


# -- editing units --------------------------------------------------------------------------------
def test_units_spin_box_edits_merge_into_one_step(panel, session):
    spin = panel.card(1).units_spin
    count = panel.undo_stack.count()
    spin.setValue(64)
    spin.setValue(32)
    assert session.stack[1]["units"] == 32
    assert shapes(panel)[1:3] == ["32", "32"]
    assert params(panel)[1] == "25,120 params"
    assert params(panel)[3] == "330 params"
    assert panel.undo_stack.count() == count + 1
    assert panel.undo_stack.undoText() == "Set layer 2 to 32 units"
    panel.undo()
    assert session.stack[1]["units"] == 128
    assert spin.value() == 128
    assert shapes(panel)[1] == "128"
    panel.redo()
    assert spin.value() == 32


def test_edits_of_different_cards_are_separate_steps(panel, session):
    count = panel.undo_stack.count()
    panel.card(1).units_spin.setValue(100)
    panel.card(3).units_spin.setValue(20)
    assert panel.undo_stack.count() == count + 2
    panel.undo()
    assert session.stack[3]["units"] == 10
    assert session.stack[1]["units"] == 100


def test_editing_back_to_the_start_leaves_nothing_to_undo(panel):
    spin = panel.card(1).units_spin
    spin.setValue(200)
    spin.setValue(128)
    assert panel.undo_stack.count() == 0


def test_a_units_edit_rebuilds_once_and_does_not_loop(panel, session):
    seen = []
    session.specChanged.connect(lambda: seen.append(session.stack[1]["units"]))
    panel.card(1).units_spin.setValue(100)
    assert seen == [100]
    panel.undo()
    assert seen == [100, 128]
    assert panel.card(1).units_spin.value() == 128


# -- presets and import/export ------------------------------------------------------------------
def test_seed_and_modern_presets(panel, session):
    old_hyper = dict(session.hyper)
    assert panel.apply_preset("modern")
    assert kinds(panel) == ["Flatten", "Dense", "ReLU", "Dense", "Softmax"]
    assert shapes(panel) == ["784", "512", "512", "10", "10"]
    assert params(panel) == ["0 params", "401,920 params", "0 params", "5,130 params",
                             "0 params"]
    assert session.hyper == preset("modern")["hyper"]
    panel.undo()
    assert session.spec == preset("seed")["spec"]
    assert session.hyper == old_hyper
    panel.redo()
    assert session.hyper["optimizer"] == "adam"
    assert panel.apply_preset("seed")
    assert shapes(panel) == ["784", "128", "128", "10", "10"]
    assert [c.params for c in panel.cards] == [0, 100480, 0, 1290, 0]


def test_undoing_a_preset_takes_away_the_settings_it_added(panel, session):
    """The overfit preset sets a training-set size the seed preset does not have."""
    old_hyper = dict(session.hyper)
    assert "train_size" not in old_hyper
    assert panel.apply_preset("overfit")
    assert session.hyper["train_size"] == 1000
    panel.undo()
    assert session.hyper == old_hyper
    panel.redo()
    assert session.hyper == preset("overfit")["hyper"]


def test_presets_menu_button_applies_a_preset(panel, session):
    actions = panel.presets_button.menu().actions()
    assert [a.text() for a in actions] == [p["title"] for p in PRESETS.values()]
    next(a for a in actions if a.text().startswith("Deep")).trigger()
    assert session.spec == preset("deep")["spec"]
    assert panel.undo_stack.undoText().startswith("Preset: Deep")


def test_unknown_preset_is_reported(panel, session, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    assert not panel.apply_preset("nope")
    assert "unknown preset" in shown[0]
    assert session.spec == preset("seed")["spec"]


def test_import_export_round_trip(panel, session):
    spec = {"input": [28, 28], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 300},
                                          {"type": "Tanh"}, {"type": "Dense", "units": 10},
                                          {"type": "Softmax"}]}
    text = json.dumps(spec)
    assert panel.apply_spec(json.loads(text), "Import architecture")
    exported = json.loads(json.dumps(session.spec))
    assert exported == spec
    assert kinds(panel) == ["Flatten", "Dense", "Tanh", "Dense", "Softmax"]
    assert panel.card(1).units_spin.value() == 300
    assert panel.undo_stack.undoText() == "Import architecture"
    panel.undo()
    assert session.spec == preset("seed")["spec"]
    panel.redo()
    assert session.spec == spec


def test_a_bad_spec_is_refused_with_a_message(panel, session, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    assert not panel.apply_spec(["not", "a", "spec"])
    assert not panel.apply_spec({"input": "big", "layers": []})
    assert not panel.apply_spec({"layers": [3]})
    assert len(shown) == 3 and all(shown)
    assert session.spec == preset("seed")["spec"]
    assert panel.undo_stack.count() == 0


def test_an_unknown_layer_type_is_shown_on_its_card(panel):
    panel.apply_spec({"input": [28, 28], "layers": [{"type": "Flatten"},
                                                    {"type": "Capsule"}]})
    card = panel.card(1)
    assert card.type_label.text() == "Capsule"
    assert "unknown layer type 'Capsule'" in card.error_label.text()
    assert card.shape_label.text() == "?"


# -- validation ---------------------------------------------------------------------------------
def _expect_problem(panel, session, layer, fragment):
    report = check_spec(session.spec, session.hyper["loss"])
    assert not report.ok
    message = str(report.errors[0])
    assert fragment in message
    assert panel.banner.text().startswith("Cannot train yet: " + message)
    if layer is None:
        assert not any(card.has_error for card in panel.cards)
        return
    card = panel.card(layer)
    assert card.error_label.isVisible()
    assert card.error_label.text() == message
    assert ERROR_COLOR in card.styleSheet()  # the red outline
    others = [c for c in panel.cards if c is not card]
    assert not any(c.has_error for c in others)
    assert not any(c.error_label.isVisible() for c in others)


def test_dense_without_flatten(panel, session):
    panel.remove_layer(0)
    _expect_problem(panel, session, 0, "Dense needs a flat input: add Flatten before layer 1")
    panel.undo()
    assert panel.banner.text().startswith("Ready to train")
    assert not panel.card(1).error_label.isVisible()
    assert ERROR_COLOR not in panel.card(1).styleSheet()


def test_last_layer_with_64_values(panel, session):
    panel.card(3).units_spin.setValue(64)
    _expect_problem(panel, session, 4, "the last layer gives 64 values; the 10 digits need 10")


def test_no_layers(panel, session):
    panel.apply_spec({"input": [28, 28], "layers": []})
    _expect_problem(panel, session, None, "the network has no layers")
    assert panel.stack_view.empty_label.isVisible()
    assert len(panel.diagram.blocks) == 1  # just the input
    panel.stack_view.drop(_type_mime("Flatten"), 0)
    assert stack_types(session) == ["Flatten"]
    assert not panel.stack_view.empty_label.isVisible()


def test_cross_entropy_needs_probabilities(panel, session):
    panel.remove_layer(4)
    assert panel.banner.text().startswith("Ready to train")
    assert session.set_hyper(loss="ce") == []
    _expect_problem(panel, session, 3, "cross-entropy needs probabilities")
    session.set_hyper(loss="se")
    assert panel.banner.text().startswith("Ready to train")


def test_bad_units_from_a_file_are_shown(panel):
    panel.apply_spec({"input": [28, 28], "layers": [{"type": "Flatten"},
                                                    {"type": "Dense", "units": 0}]})
    assert "Dense units must be 1 to 100,000" in panel.card(1).error_label.text()


# -- the diagram ------------------------------------------------------------------------------
def test_diagram_blocks_follow_the_sizes_and_select(qtbot, panel):
    diagram = panel.diagram
    diagram.grab()  # lays the blocks out
    blocks = diagram.blocks
    assert [b.kind for b in blocks] == ["Input"] + SEED_TYPES
    flat, hidden, out = blocks[1].rect, blocks[2].rect, blocks[4].rect
    assert flat.height() > hidden.height() > out.height()
    assert blocks[3].rect.width() < hidden.width()  # activations are thin
    qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=out.center().toPoint())
    assert panel.selected_index() == 3
    panel.apply_preset("deep")
    assert len(diagram.blocks) == 10


# -- training locks the builder ----------------------------------------------------------------
def test_read_only_while_training(qtbot, panel, session):
    panel.select(1)
    session.set_training_state("running")
    assert not panel.layer_palette.isEnabled()
    assert not panel.card(1).isEnabled()
    assert not panel.card(1).units_spin.isEnabled()
    assert panel.lock_note.isVisible()
    assert "locked" in panel.lock_note.text()
    assert not panel.banner.isVisible()
    assert not panel.delete_action.isEnabled()
    click(qtbot, panel.palette_buttons["ReLU"])
    assert not panel.add_layer("ReLU")
    assert not panel.remove_layer(1)
    assert not panel.apply_preset("modern")
    assert not panel.set_units(1, 5)
    assert stack_types(session) == SEED_TYPES
    assert session.stack[1]["units"] == 128

    session.set_training_state("paused")
    assert not panel.layer_palette.isEnabled()
    assert "paused" in panel.lock_note.text()

    session.set_training_state("idle")
    assert panel.layer_palette.isEnabled() and panel.card(1).isEnabled()
    assert not panel.lock_note.isVisible()
    assert panel.banner.isVisible()
    click(qtbot, panel.palette_buttons["ReLU"])
    assert stack_types(session)[2] == "ReLU"


def test_undo_is_refused_while_training(panel, session):
    panel.add_layer("ReLU")
    undo = panel.undo_stack.createUndoAction(panel, "&Undo")
    assert undo.isEnabled() and undo.text() == "&Undo Add ReLU"
    session.set_training_state("running")
    assert not undo.isEnabled()
    assert not panel.undo()
    undo.trigger()
    assert "ReLU" in stack_types(session)
    session.set_training_state("idle")
    assert undo.isEnabled()
    undo.trigger()
    assert "ReLU" not in stack_types(session)
    assert undo.text() == "&Undo"


# -- trained weights ------------------------------------------------------------------------------
@pytest.fixture
def trained(session):
    session.model.samples_seen = 100
    assert session.trained
    return session


def test_discard_question_is_asked_and_no_is_respected(panel, trained, monkeypatch):
    asked = []

    def answer_no(spec):
        asked.append(spec)
        return False

    monkeypatch.setattr(panel, "_confirm_discard", answer_no)
    assert not panel.set_units(1, 64)
    assert len(asked) == 1 and asked[0]["layers"][1]["units"] == 64
    assert trained.stack[1]["units"] == 128
    assert panel.card(1).units_spin.value() == 128
    panel.card(1).units_spin.setValue(50)  # through the spin box: shown back as 128
    assert panel.card(1).units_spin.value() == 128
    assert not panel.remove_layer(1)
    assert not panel.apply_preset("modern")
    assert len(asked) == 4
    assert trained.spec == preset("seed")["spec"] and trained.trained
    assert panel.undo_stack.count() == 0

    # Adding an activation keeps every trained weight: no question.
    assert panel.add_layer("ReLU", 2)
    assert len(asked) == 4


def test_discard_question_yes_goes_ahead(panel, trained, monkeypatch):
    questions = []

    def question(parent, title, text, *args):
        questions.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    assert panel.set_units(1, 64)
    assert "will be lost. Continue?" in questions[0]
    assert trained.stack[1]["units"] == 64
    assert not trained.trained


def test_undo_asks_before_discarding_training(panel, session, monkeypatch):
    panel.set_units(1, 64)
    session.model.samples_seen = 100  # trained with 64 units
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a: QMessageBox.StandardButton.No)
    assert not panel.undo()
    assert session.stack[1]["units"] == 64
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a: QMessageBox.StandardButton.Yes)
    assert panel.undo()
    assert session.stack[1]["units"] == 128


# -- in the main window ---------------------------------------------------------------------
def test_main_window_uses_the_builder(qtbot, small_split):
    from playground.ui.window.main_window import MainWindow

    window = MainWindow(Session(data=small_split))
    qtbot.addWidget(window)
    builder = window.builder
    assert window.findChild(QWidget, "layerPalette") is builder.layer_palette
    assert window.findChild(QWidget, "layerStack") is builder.stack_view
    window.apply_preset("modern")
    assert [c.type_label.text() for c in builder.cards][-1] == "Softmax"
    assert window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert window.session.spec == preset("seed")["spec"]
    assert builder.delete_action in window.menuBar().actions()[1].menu().actions()
    assert isinstance(window.findChild(QLabel, "specBanner"), QLabel)
    window.shutdown()


def test_every_layer_type_has_help():
    assert set(LAYER_HELP) == set(LAYER_TYPES)
    assert all(text.strip().endswith(".") for text in LAYER_HELP.values())
