"""Convolutional layers in the builder: the palette buttons, the Conv2D and pool cards
(filters, kernel size, stride, padding, pool size), undo and redo, trained weights kept,
the diagram's stacks of feature maps, their hints, and the LeNet preset."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QSpinBox

from playground.nn import check_spec, preset
from playground.state.session import Session
from playground.ui import theme
from playground.ui.builder.card_boxes import MAX_SIDE
from playground.ui.builder.cards import PALETTE_LABELS, WITHOUT_CARDS
from playground.ui.builder.diagram import map_count, maps_label
from playground.ui.builder.layer_help import LAYER_HELP
from playground.ui.builder.new_layers import DEFAULT_FILTERS, DEFAULT_KERNEL, new_layer

CONV_KINDS = ("Conv2D", "MaxPool2D", "AvgPool2D")
LENET_TYPES = ["Conv2D", "ReLU", "MaxPool2D", "Conv2D", "ReLU", "MaxPool2D", "Flatten",
               "Dense", "ReLU", "Dense", "Softmax"]
LENET_SHAPES = ["20 x 24 x 24", "20 x 24 x 24", "20 x 12 x 12", "40 x 8 x 8", "40 x 8 x 8",
                "40 x 4 x 4", "640", "100", "100", "10", "10"]
LENET_PARAMS = ["520 params", "0 params", "0 params", "20,040 params", "0 params",
                "0 params", "0 params", "64,100 params", "0 params", "1,010 params",
                "0 params"]


@pytest.fixture
def panel_height():
    return 900


@pytest.fixture
def lenet(panel):
    assert panel.apply_preset("lenet")
    return panel


def stack_types(session):
    return [layer["type"] for layer in session.stack.layers]


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


# -- the palette -----------------------------------------------------------------------------
def test_the_palette_offers_the_convolutional_layers_in_a_row_of_their_own(panel):
    assert WITHOUT_CARDS == ()
    rows = panel.layer_palette.layout()
    rows = [[rows.itemAt(r).layout().itemAt(i).widget().kind
             for i in range(rows.itemAt(r).layout().count())] for r in range(rows.count())]
    assert list(CONV_KINDS) in rows  # the three together, and nothing else on their row
    for kind in CONV_KINDS:
        button = panel.palette_buttons[kind]
        assert button.objectName() == f"palette_{kind}" and not button.icon().isNull()
        assert button.text() == PALETTE_LABELS[kind] and button.accessibleName() == kind
        tip = button.toolTip()
        assert f"<b>{kind}</b>" in tip and LAYER_HELP[kind] in tip and "on the card" in tip
    assert "filters" in LAYER_HELP["Conv2D"] and "largest" in LAYER_HELP["MaxPool2D"]


def test_clicking_builds_a_valid_convolutional_network(qtbot, panel, session):
    assert panel.apply_spec({"input": [28, 28], "layers": []})
    for kind in ("Conv2D", "ReLU", "MaxPool2D", "Flatten", "Dense", "ReLU", "Dense",
                 "Softmax"):
        click(qtbot, panel.palette_buttons[kind])
        # never wrong by itself: at most not yet ending in the ten digits
        assert all("the last layer gives" in str(e) for e in session.report.errors), kind
    layers = session.stack.layers
    assert layers[0] == {"type": "Conv2D", "filters": DEFAULT_FILTERS, "size": DEFAULT_KERNEL,
                         "stride": 1, "padding": "valid"}
    assert layers[2] == {"type": "MaxPool2D", "size": 2}
    assert session.report.ok
    shapes = [card.shape_label.text() for card in panel.cards]
    assert shapes == ["8 x 26 x 26", "8 x 26 x 26", "8 x 13 x 13", "1,352", "64", "64", "10",
                      "10"]
    assert panel.card(0).params_label.text() == "80 params"  # 8 x 3 x 3 + 8
    assert panel.undo_stack.undoText() == "Add Softmax"


def test_a_new_pool_or_kernel_is_never_larger_than_its_maps():
    assert new_layer("Conv2D", [], 0, (28, 28))["size"] == DEFAULT_KERNEL
    assert new_layer("Conv2D", [], 0, (8, 2, 2))["size"] == 2
    assert new_layer("MaxPool2D", [], 0, (8, 1, 1))["size"] == 1
    assert new_layer("AvgPool2D", [], 0, None) == {"type": "AvgPool2D", "size": 2}
    assert new_layer("Conv2D", [], 0, (784,))["size"] == DEFAULT_KERNEL  # after Flatten


def test_a_pool_added_on_small_maps_is_valid(panel, session):
    assert panel.apply_spec({"input": [28, 28], "layers": [
        {"type": "Conv2D", "filters": 4, "size": 27}, {"type": "Flatten"},
        {"type": "Dense", "units": 10}]})
    assert panel.card(0).shape_label.text() == "4 x 2 x 2"
    assert panel.add_layer("MaxPool2D", 1)
    assert session.stack[1] == {"type": "MaxPool2D", "size": 2}
    assert panel.add_layer("Conv2D", 2)  # on 4 x 1 x 1 maps: a 1 x 1 kernel
    assert session.stack[2]["size"] == 1 and not panel.card(2).has_error


# -- the cards -------------------------------------------------------------------------------
def test_the_lenet_cards_show_shapes_and_parameters(lenet):
    assert [c.kind for c in lenet.cards] == LENET_TYPES
    assert [c.shape_label.text() for c in lenet.cards] == LENET_SHAPES
    assert [c.params_label.text() for c in lenet.cards] == LENET_PARAMS
    assert lenet.banner.text() == "Ready to train: 85,670 parameters"
    conv = lenet.card(3)
    assert conv.findChild(QSpinBox, "filtersSpin") is conv.filters_spin
    assert conv.findChild(QSpinBox, "kernelSpin") is conv.kernel_spin
    assert conv.findChild(QSpinBox, "strideSpin") is conv.stride_spin
    assert conv.findChild(QComboBox, "paddingCombo") is conv.padding_combo
    assert conv.filters_spin.value() == 40 and conv.kernel_spin.value() == 5
    assert conv.kernel_spin.text() == "5 x 5" and conv.stride_spin.value() == 1
    assert conv.padding_combo.currentText() == "valid"
    assert conv.units_spin is None and conv.pool_spin is None
    assert conv.spins == [conv.filters_spin, conv.kernel_spin, conv.stride_spin]
    pool = lenet.card(2)
    assert pool.findChild(QSpinBox, "poolSpin") is pool.pool_spin
    assert pool.pool_spin.text() == "2 x 2" and pool.filters_spin is None
    assert list(pool.boxes) == ["size"]


def test_the_cards_stay_compact_and_inside_the_column(qtbot, lenet):
    lenet.resize(280, 700)  # the narrowest the column goes
    qtbot.waitUntil(lambda: lenet.stack_view.verticalScrollBar().isVisible())
    assert lenet.minimumSizeHint().width() <= 280
    room = lenet.stack_view.viewport().width()
    for card in lenet.cards:
        assert card.geometry().right() <= room, card.kind
        assert card.minimumSizeHint().height() <= card.height()
        assert card.height() <= (90 if card.kind == "Conv2D" else 64), card.kind
        for box in card.boxes.values():
            assert box.geometry().right() <= card.width(), box.objectName()
    conv = lenet.card(0)
    assert conv.filters_spin.width() >= conv.filters_spin.minimumWidth()


@pytest.mark.parametrize("box, key, first, second, text", [
    ("filters_spin", "filters", 16, 24, "Set layer 4 to 24 filters"),
    ("kernel_spin", "size", 4, 3, "Set layer 4 to a 3 x 3 kernel"),
    ("stride_spin", "stride", 2, 3, "Set layer 4 to a stride of 3"),
])
def test_conv_edits_change_the_spec_and_merge_into_one_undo_step(lenet, session, box, key,
                                                                 first, second, text):
    spin = getattr(lenet.card(3), box)
    before = session.stack[3]
    count = lenet.undo_stack.count()
    spin.setValue(first)
    spin.setValue(second)
    assert session.stack[3] == {**before, key: second}
    assert getattr(session.model.network.layers[3], key) == second
    assert lenet.undo_stack.count() == count + 1 and lenet.undo_stack.undoText() == text
    lenet.undo()
    assert session.stack[3] == before and spin.value() == before.get(key, 1)
    lenet.redo()
    assert session.stack[3][key] == second and spin.value() == second
    spin.setValue(before.get(key, 1))  # back where it started: nothing left to undo
    assert lenet.undo_stack.count() == count


def test_the_padding_box_changes_the_spec_and_the_shape(qtbot, lenet, session):
    combo = lenet.card(0).padding_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["valid", "same"]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # what a person does: choose the next one
    assert session.stack[0]["padding"] == "same"
    assert lenet.card(0).shape_label.text() == "20 x 28 x 28"
    assert lenet.card(6).shape_label.text() == f"{40 * 5 * 5:,}"  # 28 -> 14 -> 10 -> 5
    assert lenet.undo_stack.undoText() == "Set layer 1 to 'same' padding"
    qtbot.keyClick(combo, Qt.Key.Key_Up)
    assert session.stack[0]["padding"] == "valid"
    assert lenet.undo_stack.undoText() == "Preset: " + preset("lenet")["title"]  # merged away
    lenet.undo()
    assert stack_types(session) != LENET_TYPES  # the preset itself is undone


def test_the_pool_box_changes_the_spec(lenet, session):
    spin = lenet.card(5).pool_spin
    spin.setValue(4)
    assert session.stack[5] == {"type": "MaxPool2D", "size": 4}
    assert lenet.card(5).shape_label.text() == "40 x 2 x 2"
    assert lenet.card(7).params_label.text() == f"{160 * 100 + 100:,} params"
    assert lenet.undo_stack.undoText() == "Set layer 6 to a 4 x 4 pool"
    spin.setValue(9)  # larger than its 8 x 8 input: said on the card
    assert lenet.card(5).has_error and "shrinks to nothing" in lenet.card(5).error_label.text()
    lenet.undo()
    assert session.stack[5]["size"] == 2 and not lenet.card(5).has_error


def test_typing_a_kernel_size_applies_on_enter_only(qtbot, lenet, session):
    spin = lenet.card(0).kernel_spin
    seen = []
    session.specChanged.connect(lambda: seen.append(session.stack[0]["size"]))
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "3")
    assert seen == [] and session.stack[0]["size"] == 5  # not while typing
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert seen == [3] and spin.text() == "3 x 3"
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "7 x 7")
    assert lenet.add_layer("ReLU", 11)  # another edit applies what was typed first
    assert session.stack[0]["size"] == 7
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "99")  # beyond the box: not taken
    assert spin.lineEdit().text() in ("9", "")
    assert spin.maximum() == MAX_SIDE


def test_the_filters_box_takes_the_focus_when_a_conv_is_added(qtbot, panel, session):
    assert panel.apply_spec({"input": [28, 28], "layers": []})
    panel.palette_buttons["Conv2D"].setFocus()
    qtbot.keyClick(panel.palette_buttons["Conv2D"], Qt.Key.Key_Space)
    spin = panel.card(0).filters_spin
    assert spin.hasFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert session.stack[0]["filters"] == DEFAULT_FILTERS + 1


def test_settings_missing_from_a_file_show_the_engines_defaults(panel, session):
    assert panel.apply_spec({"input": [28, 28], "layers": [
        {"type": "Conv2D", "filters": 4, "size": 3}, {"type": "AvgPool2D"}, {"type": "Flatten"},
        {"type": "Dense", "units": 10}]})
    conv, pool = panel.card(0), panel.card(1)
    assert conv.stride_spin.value() == 1 and conv.padding_combo.currentText() == "valid"
    assert pool.pool_spin.value() == 2 and pool.shape_label.text() == "4 x 13 x 13"
    conv.stride_spin.setValue(2)
    assert session.stack[0]["stride"] == 2
    panel.undo()
    assert "stride" not in session.stack[0]  # missing again, as in the file


def test_the_boxes_are_locked_while_training(lenet, session):
    conv = lenet.card(0)
    session.set_training_state("running")
    for box in conv.boxes.values():
        assert not box.isEnabled()
    assert not lenet.set_setting(0, "filters", 6)
    assert not lenet.set_setting(0, "padding", "same")
    assert not lenet.set_setting(2, "size", 3)
    assert session.stack[0]["filters"] == 20 and conv.filters_spin.value() == 20
    session.set_training_state("idle")
    assert lenet.set_setting(0, "filters", 6)
    assert not lenet.set_setting(1, "filters", 6)  # a ReLU has no filters
    assert not lenet.set_setting(2, "stride", 2)  # nor a pool a stride
    assert not lenet.set_setting(0, "filters", 6.5)  # a whole number
    assert not lenet.set_setting(0, "padding", 1)
    assert not lenet.set_setting(0, "colour", "red")


# -- trained weights ---------------------------------------------------------------------------
def conv_weights(session):
    return [[p.copy() for p in layer.params()] for layer in session.model.network.layers
            if layer.trainable]


def same(a, b) -> bool:
    """The same weights and biases, layer by layer."""
    return len(a) == len(b) and all(
        np.array_equal(p, q) for x, y in zip(a, b, strict=True) for p, q in zip(x, y, strict=True))


def fake_training(session):
    for layer in session.model.network.layers:  # weights no fresh draw from the seed has
        for p in layer.params():
            p += 0.25
    session.model.samples_seen = 100
    assert session.trained


def test_a_padding_change_that_keeps_the_shapes_keeps_every_weight(panel, session,
                                                                    monkeypatch):
    assert panel.apply_spec({"input": [28, 28], "layers": [
        {"type": "Conv2D", "filters": 4, "size": 1}, {"type": "ReLU"},
        {"type": "MaxPool2D", "size": 2}, {"type": "Flatten"}, {"type": "Dense", "units": 10},
        {"type": "Softmax"}]})
    fake_training(session)
    before = conv_weights(session)
    monkeypatch.setattr(panel, "_confirm_discard", lambda spec: pytest.fail("asked"))
    assert panel.set_setting(0, "padding", "same")  # a 1 x 1 kernel: the same maps
    assert session.model.network.kept == 2 and session.model.samples_seen == 100
    assert same(before, conv_weights(session))


def test_a_change_keeps_the_convolutions_whose_weights_keep_their_shape(lenet, session,
                                                                         monkeypatch):
    fake_training(session)
    before = conv_weights(session)
    asked = []
    monkeypatch.setattr(lenet, "_confirm_discard", lambda spec: asked.append(spec) or True)
    assert lenet.set_setting(3, "padding", "same")  # 40 x 12 x 12, then 40 x 6 x 6
    assert len(asked) == 1  # the Dense layer after it changes: the question is asked
    after = conv_weights(session)
    network = session.model.network
    assert network.kept == 2  # both convolutions: their kernels are the same shape
    assert same(before[:2], after[:2]) and not np.array_equal(before[2][0].shape,
                                                              after[2][0].shape)
    asked.clear()
    fake_training(session)
    before = conv_weights(session)
    assert lenet.set_setting(0, "filters", 16)  # the first kernels change: none kept
    assert len(asked) == 1 and session.model.network.kept == 0
    assert before[0][0].shape == (20, 1, 5, 5)
    assert conv_weights(session)[0][0].shape == (16, 1, 5, 5)


def test_a_refused_question_changes_nothing(lenet, session, monkeypatch):
    fake_training(session)
    monkeypatch.setattr(lenet, "_confirm_discard", lambda spec: False)
    assert not lenet.set_setting(5, "size", 4)
    assert session.stack[5]["size"] == 2 and lenet.card(5).pool_spin.value() == 2
    assert session.model.samples_seen == 100


# -- the diagram -----------------------------------------------------------------------------
def test_the_diagram_draws_feature_map_stacks(lenet):
    diagram = lenet.diagram
    image = diagram.grab().toImage()
    blocks = diagram.blocks
    assert [b.kind for b in blocks] == ["Input"] + LENET_TYPES
    conv1, pool1, conv2, pool2 = blocks[1], blocks[3], blocks[4], blocks[6]
    assert [b.maps for b in (conv1, pool1, conv2, pool2)] == [
        (20, 24, 24), (20, 12, 12), (40, 8, 8), (40, 4, 4)]
    assert blocks[2].maps is None and blocks[7].maps is None  # the ReLU, the Flatten
    assert map_count(40) > map_count(20) > map_count(8) > map_count(1) == 1
    assert maps_label(conv1.maps) == "20@24x24"
    # squares: larger maps are larger squares, more channels a deeper stack
    assert conv1.rect.height() > pool1.rect.height() > pool2.rect.height()
    assert conv2.rect.width() - conv2.rect.height() == pytest.approx(
        pool2.rect.width() - pool2.rect.height(), abs=0.01)
    # the front square, bottom left, is in the layer's colour
    ratio = image.devicePixelRatio()
    x, y = conv1.rect.left() + 4, conv1.rect.bottom() - 4
    got = image.pixelColor(int(x * ratio), int(y * ratio))
    want = QColor(theme.LAYER["Conv2D"])
    assert max(abs(got.red() - want.red()), abs(got.green() - want.green()),
               abs(got.blue() - want.blue())) < 30
    assert "20 x 24 x 24" in diagram._describe(conv1) and "520 parameters" in \
        diagram._describe(conv1)


def test_the_diagram_selects_a_conv_layer_by_a_click(qtbot, lenet):
    lenet.select(None)
    diagram = lenet.diagram
    diagram.grab()
    block = diagram.blocks[4]
    qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=QPoint(
        int(block.rect.center().x()), int(block.rect.center().y())))
    assert lenet.selected_index() == 3


# -- hints ---------------------------------------------------------------------------------
def test_conv_hints_appear_on_their_cards(lenet, session):
    assert lenet.hints == []
    lenet.set_setting(0, "stride", 6)  # 20 x 4 x 4, then 2 x 2 ... too small: fix the kernel
    assert not session.report.ok
    lenet.undo()
    assert lenet.set_setting(3, "size", 2)
    assert lenet.set_setting(3, "stride", 3)
    assert [(h.key, h.layer) for h in lenet.hints] == [("stride-skips-pixels", 3)]
    card = lenet.card(3)
    assert card.hint_label.isVisible() and "Stride 3 with a 2 x 2 kernel" in \
        card.hint_label.text()
    assert "Layer 4" in lenet.hint_banner.text()
    assert lenet.set_setting(3, "stride", 2)
    assert lenet.hints == [] and not card.hint_label.isVisible()
    assert lenet.add_layer("MaxPool2D", 6)  # right after the second pool
    assert [(h.key, h.layer) for h in lenet.hints] == [("two-pools", 6)]


def test_a_conv_after_flatten_is_an_error_on_its_card(panel, session):
    panel.select(0)  # after the seed network's Flatten
    assert panel.add_layer("Conv2D")
    card = panel.card(1)
    assert card.has_error and "before Flatten" in card.error_label.text()
    assert panel.banner.text().startswith("Cannot train yet")
    assert not [h for h in panel.hints if h.layer == 1]


# -- the preset ------------------------------------------------------------------------------
def test_the_lenet_preset_loads_with_its_settings(lenet, session):
    p = preset("lenet")
    assert stack_types(session) == LENET_TYPES
    assert {k: session.hyper[k] for k in p["hyper"]} == p["hyper"]
    assert p["hyper"]["loss"] == "ce" and p["hyper"]["optimizer"] == "adam"
    assert check_spec(p["spec"], "ce").total_params == 85_670
    assert lenet.undo_stack.undoText() == f"Preset: {p['title']}"
    lenet.undo()
    assert "schedule" not in session.hyper or session.hyper["schedule"] != "cosine"


def test_the_window_offers_lenet_in_its_presets_menu(qtbot, small_split, monkeypatch):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMessageBox

    from playground.ui.window.main_window import MainWindow

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    window = MainWindow(Session(data=small_split))
    qtbot.addWidget(window)
    try:
        action = window.findChild(QAction, "preset_lenet")
        assert action is not None and action.text() == preset("lenet")["title"]
        action.trigger()
        assert stack_types(window.session) == LENET_TYPES
        assert window.params_label.text() == "85,670 parameters"
    finally:
        window.session.dirty = False
        window.shutdown()


def test_a_typed_filter_count_applies_when_the_focus_leaves_the_box(qtbot, lenet, session):
    lenet.activateWindow()
    spin = lenet.card(0).filters_spin
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "12")
    assert session.stack[0]["filters"] == 20  # not while typing
    lenet.card(3).filters_spin.setFocus()  # Tab or a click elsewhere
    qtbot.waitUntil(lambda: session.stack[0]["filters"] == 12)
    assert lenet.card(0).shape_label.text() == "12 x 24 x 24"
    assert lenet.card(3).params_label.text() == f"{40 * 12 * 25 + 40:,} params"
