"""The main window: parts, menus and shortcuts, files, status bar, closing."""

import json

import pytest
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from playground import nn
from playground.state.session import Session
from playground.ui.window.main_window import MainWindow

REQUIRED_NAMES = ["layerPalette", "layerStack", "startButton", "pauseButton", "stopButton",
                  "accuracyPlot", "lossPlot", "drawCanvas", "probabilityBars",
                  "predictionLabel", "weightsView", "confusionMatrix"]


@pytest.fixture
def warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text, *a, **k: shown.append((title, text)))
    return shown


@pytest.fixture
def window(qtbot, small_split, monkeypatch):
    # closing a window with unsaved training asks; tests that care answer themselves
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    w = MainWindow(Session(data=small_split))
    qtbot.addWidget(w)
    w.show()
    yield w
    w.session.dirty = False  # nothing to ask about when the fixture closes it
    w.shutdown()


def trained(window):
    nn.Trainer(window.session.model, window.session.data).run(1)
    window.session.publish(window.session.model.network.snapshot())


def test_title_parts_and_status_bar(window):
    assert window.windowTitle().endswith("Neural Network Playground")
    for name in REQUIRED_NAMES:
        assert window.findChild(QWidget, name) is not None, name
    assert window.data_label.text() == "MNIST: 2,000 train / 500 validation / 1,000 test"
    assert window.params_label.text() == "101,770 parameters"


def test_menus_have_the_standard_shortcuts(window):
    shortcuts = {a.text().replace("&", ""): a.shortcut() for a in window.findChildren(QAction)}
    assert shortcuts["New network"] == QKeySequence(QKeySequence.StandardKey.New)
    assert shortcuts["Open model..."] == QKeySequence("Ctrl+O")
    assert shortcuts["Save model"] == QKeySequence("Ctrl+S")
    assert shortcuts["Save model as..."] == QKeySequence("Ctrl+Shift+S")
    assert shortcuts["Quit"] == QKeySequence("Ctrl+Q")
    assert "Import architecture..." in shortcuts and "Export architecture..." in shortcuts
    assert any(t.startswith("Undo") for t in shortcuts)
    assert any(t.startswith("Redo") for t in shortcuts)


def test_presets_menu_switches_the_network(window):
    window.findChild(QAction, "preset_modern").trigger()
    assert window.session.hyper["optimizer"] == "adam"
    assert window.params_label.text() == "407,050 parameters"
    window.findChild(QAction, "preset_seed").trigger()
    assert window.params_label.text() == "101,770 parameters"


def test_save_and_open_model(window, tmp_path, small_split, qtbot):
    trained(window)
    path = tmp_path / "net.npz"
    assert window.save_model_as(str(path))
    assert path.exists() and window.windowTitle().startswith("net.npz")
    other = MainWindow(Session(data=small_split, preset_name="logistic"))
    qtbot.addWidget(other)
    assert other.open_model(str(path))
    assert other.session.spec == window.session.spec
    assert other.session.trained
    other.shutdown()


def test_a_broken_model_file_is_reported_and_nothing_changes(window, tmp_path, warnings):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"\x93NUMPY garbage")
    before = window.session.spec
    assert not window.open_model(str(bad))
    assert warnings and "broken.npz" in warnings[0][1]
    assert window.session.spec == before
    assert window.isVisible()


def test_saving_into_a_missing_folder_is_reported(window, tmp_path, warnings):
    assert not window.save_model_as(str(tmp_path / "no" / "such" / "m.npz"))
    text = warnings[0][1] if warnings else ""
    assert "m.npz" in text and ("could not save" in text or "cannot save" in text)


def test_export_then_import_architecture(window, tmp_path, warnings):
    path = tmp_path / "arch.json"
    window.findChild(QAction, "preset_deep").trigger()
    assert window.export_architecture(str(path))
    assert json.loads(path.read_text()) == nn.preset("deep")["spec"]
    window.findChild(QAction, "preset_seed").trigger()
    assert window.import_architecture(str(path))
    assert window.session.spec == nn.preset("deep")["spec"]
    assert not warnings


@pytest.mark.parametrize("content", ["{broken", "[1, 2]", '{"layers": 5}',
                                     '{"input": [28, 28], "layers": [7]}'])
def test_importing_a_bad_architecture_is_reported(window, tmp_path, warnings, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    before = window.session.spec
    assert not window.import_architecture(str(path))
    assert warnings and "bad.json" in warnings[0][1]
    assert window.session.spec == before


def test_closing_with_unsaved_training_asks_first(window, monkeypatch):
    trained(window)
    asked = []

    def answer(*args, **kwargs):
        asked.append(args)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    window.close()
    assert asked and window.isVisible()  # cancelled: still open
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    window.close()
    assert not window.isVisible()


def test_layout_is_remembered(window, qtbot, small_split, monkeypatch):
    from PySide6.QtCore import QRect, QSettings
    from PySide6.QtGui import QScreen

    monkeypatch.setattr(QScreen, "availableGeometry", lambda self: QRect(0, 0, 1920, 1080))
    window.resize(1280, 800)
    assert window.splitter.arrangement == "wide"
    window.splitter.setSizes([0, 280, 560, 440])
    window.splitter._remember_shares()  # what dragging a handle does
    window.close()
    saved = [float(v) for v in QSettings().value("window/shares/wide").split(",")]
    assert saved == pytest.approx([280 / 1280, 560 / 1280, 440 / 1280], abs=0.01)
    again = MainWindow(Session(data=small_split))
    qtbot.addWidget(again)
    again.resize(1280, 800)
    again.show()
    qtbot.waitExposed(again)
    _, builder, _, draw = again.splitter.sizes()
    # the default split gives the drawing a little more than the builder; the saved one more
    assert draw - builder > 100
    again.shutdown()


def test_tabs_have_tooltips_and_ctrl_number_shortcuts(window):
    tabs = window.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "Training", "Weights", "Confusion", "Mistakes", "Robustness", "Inside", "Dataset"]
    for i in range(tabs.count()):
        assert tabs.tabToolTip(i).endswith(f"(Ctrl+{i + 1})")
    actions = {a.shortcut().toString(): a for a in window.findChildren(QAction)}
    actions["Ctrl+3"].trigger()
    assert tabs.currentIndex() == 2
    actions["Ctrl+1"].trigger()
    assert tabs.currentIndex() == 0


def test_import_explains_folders_binaries_and_broken_json(window, tmp_path, warnings):
    binary = tmp_path / "model.json"
    binary.write_bytes(b"PK\x03\x04\xa3\xff binary")
    broken = tmp_path / "broken.json"
    broken.write_text('{"layers": [}')
    assert not window.import_architecture(str(tmp_path))
    assert not window.import_architecture(str(binary))
    assert not window.import_architecture(str(broken))
    texts = [text for _, text in warnings]
    assert "is a folder" in texts[0]
    assert "not a text file" in texts[1]
    assert "not valid JSON" in texts[2] and "line 1" in texts[2]
    assert not any("codec" in t or "Errno" in t for t in texts)


def test_declining_to_discard_training_keeps_the_network(window, tmp_path, monkeypatch):
    trained(window)
    path = tmp_path / "logistic.json"
    path.write_text(json.dumps(nn.preset("logistic")["spec"]))
    before = window.session.spec
    monkeypatch.setattr(window.builder, "_confirm_discard", lambda spec: False)
    assert not window.import_architecture(str(path))
    assert window.session.spec == before and window.session.trained
    assert "Imported" not in window.statusBar().currentMessage()


def test_new_network_after_training_really_starts_again(window, monkeypatch):
    trained(window)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    window.new_network()
    assert not window.session.trained
    assert not window.isWindowModified()
