"""The main window: builder on the left, training in the centre, drawing on the right."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QMargins, QSettings, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from ... import safeio
from ...data import DataError
from ...nn import PRESETS, ModelFileError
from ...nn.spec import read_spec_file, structural_problem
from ...state.session import Session
from .. import theme
from ..actions import REDO_KEYS, UNDO_KEYS, create_action, set_keys
from ..bind import listen
from ..builder.panel import BuilderPanel
from ..draw.panel import DrawPanel
from ..insight import insight_views
from ..insight.common import evaluation_executor
from ..training.panel import TrainingPanel
from . import layout as wl
from .file_drop import ModelDrops

TITLE = "Neural Network Playground"
MODEL_FILTER = "Playground models (*.npz);;All files (*)"
SPEC_FILTER = "Network architecture (*.json);;All files (*)"

ABOUT = f"""<h3>{TITLE}</h3>
<p>Build a neural network by clicking, watch it learn to read handwritten digits,
then test it on your own handwriting.</p>
<p>The engine is plain NumPy: every layer has a forward and a backward pass you can read.</p>
<p><b>Data:</b> the MNIST database of handwritten digits, by Yann LeCun, Corinna Cortes and
Christopher J.C. Burges, licensed
<a href="https://creativecommons.org/licenses/by-sa/3.0/">CC BY-SA 3.0</a>;
bundled unchanged.</p>"""


class MainWindow(QMainWindow):
    def __init__(self, session: Session | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session if session is not None else Session()
        self.setObjectName("mainWindow")
        self.setMinimumSize(wl.MINIMUM_SIZE)
        self._settings_warned = False  # the settings could not be written: said once
        self._fitted = False  # fitted to the screen with the real window frame

        self.builder = BuilderPanel(self.session)
        self.training = TrainingPanel(self.session)
        app = QCoreApplication.instance()
        if app is not None:  # quitting stops training too, not only closing the window
            app.aboutToQuit.connect(self.shutdown)
        self.draw = DrawPanel(self.session)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("centreTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.training, "Training")
        self.tabs.setTabToolTip(0, "Train the network and watch accuracy and loss (Ctrl+1)")
        # the test-set evaluations of the insight views: one thread, shut down on close
        self.evaluations = evaluation_executor()
        for title, widget, tip in insight_views(self.session, self.evaluations):
            index = self.tabs.addTab(widget, title)
            self.tabs.setTabToolTip(index, f"{tip} (Ctrl+{index + 1})")

        # builder | tabs | drawing on a wide window; on a narrow one builder and drawing
        # share a side column as tabs (see window_layout)
        self.splitter = wl.Columns(self.builder, self.tabs, self.draw)
        self.setCentralWidget(self.splitter)
        self.tabs.tabBar().setChangeCurrentOnDrag(True)
        # an image sent to the canvas (a gallery click) brings the drawing into view
        listen(self.session.showImageRequested,
               lambda *_: self.splitter.show_side(self.draw), self)

        # a model file dropped anywhere (the canvas too) opens as a model
        self.drops = ModelDrops(self)
        self.drops.watch(self)
        canvas = self.draw.findChild(QWidget, "drawCanvas")
        if canvas is not None:
            self.drops.watch(canvas)
        self.drops.modelDropped.connect(self.open_dropped)

        self._make_menus()
        self._make_status_bar()
        listen(self.session.fileChanged, self._update_title, self)
        listen(self.session.modelChanged, self._update_status, self)
        listen(self.session.specChanged, self._update_status, self)
        listen(self.session.trainingStateChanged, self._update_actions, self)
        self._update_title()
        self._update_status()
        self._update_actions()
        theme.apply(self)
        self._restore_layout()

    # -- menus ----------------------------------------------------------------------
    def _action(self, menu, text, slot, shortcut=None, tip=None) -> QAction:
        return create_action(self, text, slot, shortcut, tip, menu=menu)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self.new_action = self._action(file, "&New network", self.new_network,
                                       QKeySequence.StandardKey.New,
                                       "Start again with the seed network")
        self.open_action = self._action(file, "&Open model...", self.open_model,
                                        QKeySequence.StandardKey.Open,
                                        "Open a trained model (.npz); you can also drop one "
                                        "on the window")
        self.save_action = self._action(file, "&Save model", self.save_model,
                                        QKeySequence.StandardKey.Save,
                                        "Save the network, its weights and its history")
        self.save_as_action = self._action(file, "Save model &as...", self.save_model_as,
                                           "Ctrl+Shift+S")
        file.addSeparator()
        self.import_action = self._action(file, "&Import architecture...",
                                          self.import_architecture, None,
                                          "Load a layer stack from a JSON file")
        self.export_action = self._action(file, "&Export architecture...",
                                          self.export_architecture, None,
                                          "Write the layer stack as JSON")
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q")

        edit = bar.addMenu("&Edit")
        undo_stack = self.builder.undo_stack
        # the only actions bound to these keys (see actions.REDO_KEYS)
        self.undo_action = set_keys(undo_stack.createUndoAction(self, "&Undo"), *UNDO_KEYS)
        self.redo_action = set_keys(undo_stack.createRedoAction(self, "&Redo"), *REDO_KEYS)
        undo_stack.update_actions()  # the tooltips name the keys
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        for action in (self.builder.delete_action, self.builder.move_up_action,
                       self.builder.move_down_action):
            edit.addAction(action)

        network = bar.addMenu("&Network")
        presets = network.addMenu("&Presets")
        for name, p in PRESETS.items():
            action = self._action(presets, p["title"],
                                  lambda _=False, n=name: self.apply_preset(n),
                                  tip=p["description"])
            action.setObjectName(f"preset_{name}")
        train_menu = bar.addMenu("&Training")
        for action in self.training.actions_for_menu():
            train_menu.addAction(action)

        view = bar.addMenu("&View")
        for index in range(self.tabs.count()):
            self._action(view, self.tabs.tabText(index),
                         lambda _=False, i=index: self.tabs.setCurrentIndex(i),
                         f"Ctrl+{index + 1}", self.tabs.tabToolTip(index))

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About", self.show_about)

    def _make_status_bar(self) -> None:
        self.data_label = QLabel()
        self.params_label = QLabel()
        self.data_label.setObjectName("dataStatus")
        self.params_label.setObjectName("paramsStatus")
        self.settings_warning = QLabel("Settings not saved")
        self.settings_warning.setObjectName("settingsWarning")
        theme.set_state(self.settings_warning, "warn")
        self.settings_warning.hide()  # shown once the settings file cannot be written
        self.statusBar().addWidget(self.data_label)
        self.statusBar().addPermanentWidget(self.settings_warning)
        self.statusBar().addPermanentWidget(self.params_label)
        try:
            self.data_label.setText(f"MNIST: {self.session.data.summary()}")
        except Exception as e:  # noqa: BLE001 - shown, never fatal
            self.data_label.setText(f"No dataset: {e}")

    # -- updates --------------------------------------------------------------------
    def _update_title(self) -> None:
        name = self.session.path.name if self.session.path else "untitled"
        self.setWindowTitle(f"{name}[*] - {TITLE}")
        self.setWindowModified(self.session.dirty)

    def _update_status(self) -> None:
        report = self.session.report
        if report.ok:
            self.params_label.setText(f"{report.total_params:,} parameters")
        else:
            self.params_label.setText("Network not valid")

    def _update_actions(self, *_) -> None:
        busy = self.session.busy
        for action in (self.new_action, self.open_action, self.import_action):
            action.setEnabled(not busy)
        for action in self.findChildren(QAction):
            if action.objectName().startswith("preset_"):
                action.setEnabled(not busy)

    def message(self, text: str, ms: int = 5000) -> None:
        self.statusBar().showMessage(text, ms)

    def error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    # -- file actions -----------------------------------------------------------------
    def _confirm_discard(self) -> bool:
        """Ask before any unsaved change is lost (trained or not); True means go ahead."""
        if not self.session.dirty:
            return True
        name = self.session.path.name if self.session.path else "untitled"
        what = "The trained network" if self.session.trained else "The network"
        running = (" Training is still running; it stops when you go on."
                   if self.session.busy else "")
        answer = QMessageBox.question(
            self, TITLE, f"{what} ({name}) has unsaved changes. Save it first?{running}",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save_model()
        return answer == QMessageBox.StandardButton.Discard

    def new_network(self) -> None:
        if self.session.busy or not self._confirm_discard():
            return
        self.session.new("seed")
        self._clear_undo()
        self.message("New network: the seed preset")

    def open_model(self, path: str | None = None) -> bool:
        if self.session.busy:
            self.message("Stop training before opening another model")
            return False
        if not self._confirm_discard():
            return False
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Open model", self._last_dir(),
                                                  MODEL_FILTER)
            if not path:
                return False
        try:
            self.session.open(path)
        except (ModelFileError, DataError) as e:
            self.error("Cannot open model", str(e))
            return False
        self._remember_dir(path)
        self._clear_undo()
        self.message(f"Opened {path}")
        return True

    def open_dropped(self, path: str) -> bool:
        """A model file dropped on the window (or the canvas): open it as a model."""
        self.activateWindow()
        return self.open_model(path)

    def save_model(self) -> bool:
        if self.session.path is None:
            return self.save_model_as()
        return self._save_to(self.session.path)

    def save_model_as(self, path: str | None = None) -> bool:
        if not path:
            start = str(Path(self._last_dir()) / "model.npz")
            path, _ = QFileDialog.getSaveFileName(self, "Save model", start, MODEL_FILTER)
            if not path:
                return False
            if not Path(path).suffix:
                path += ".npz"
        return self._save_to(path)

    def _save_to(self, path) -> bool:
        try:
            self.session.save(path)
        except (ModelFileError, ValueError) as e:
            self.error("Cannot save model", str(e))
            return False
        self._remember_dir(path)
        self.message(f"Saved {path}")
        return True

    def import_architecture(self, path: str | None = None) -> bool:
        if self.session.busy:
            return False
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Import architecture",
                                                  self._last_dir(), SPEC_FILTER)
            if not path:
                return False
        try:
            spec = read_spec_file(path)
        except ValueError as e:
            self.error("Cannot import architecture", str(e))
            return False
        problem = structural_problem(spec)
        if problem:
            self.error("Cannot import architecture", f"{path}: {problem}")
            return False
        self._remember_dir(path)
        if not self.builder.apply_spec(spec, "Import architecture"):
            return False  # refused (e.g. the person kept the trained weights)
        report = self.session.report
        if report.ok:
            self.message(f"Imported {path}")
        else:
            self.message(f"Imported {path}; the network is not valid yet: {report.errors[0]}")
        return True

    def export_architecture(self, path: str | None = None) -> bool:
        if not path:
            start = str(Path(self._last_dir()) / "network.json")
            path, _ = QFileDialog.getSaveFileName(self, "Export architecture", start,
                                                  SPEC_FILTER)
            if not path:
                return False
        text = json.dumps(self.session.spec, indent=2) + "\n"
        try:  # atomic, and never onto a FIFO or device (writing one could block forever)
            safeio.atomic_write(path, lambda f: f.write(text.encode("utf-8")),
                                "an architecture file")
        except safeio.FileProblem as e:
            self.error("Cannot export architecture", str(e))
            return False
        self._remember_dir(path)
        self.message(f"Exported the architecture to {path}")
        return True

    def apply_preset(self, name: str) -> None:
        if self.session.busy:
            return
        if self.builder.apply_preset(name):
            self.message(f"Preset: {PRESETS[name]['title']}")

    def show_about(self) -> None:
        QMessageBox.about(self, f"About {TITLE}", ABOUT)

    def _clear_undo(self) -> None:
        self.builder.undo_stack.clear()

    # -- settings -----------------------------------------------------------------------
    def _settings(self) -> QSettings:
        return QSettings()

    def _last_dir(self) -> str:
        return str(self._settings().value("lastDir", str(Path.home())))

    def _remember_dir(self, path) -> None:
        s = self._settings()
        try:
            s.setValue("lastDir", str(Path(path).resolve().parent))
        except OSError:
            return
        self._check_settings(s)

    def _check_settings(self, s: QSettings) -> bool:
        """Write the settings now; if they cannot be written (a read-only home folder),
        say so once in the status bar instead of forgetting silently."""
        s.sync()
        if s.status() == QSettings.Status.NoError:
            return True
        self._warn_settings(s)
        return False

    def _warn_settings(self, s: QSettings) -> None:
        if self._settings_warned:
            return
        self._settings_warned = True
        text = "Settings cannot be saved: folders and the window layout will not be remembered"
        self.settings_warning.setToolTip(f"{text}.\n{s.fileName()} cannot be written "
                                         "(is the home folder read-only?)")
        self.settings_warning.show()
        # after the message of the action that tried to remember something
        QTimer.singleShot(0, lambda: self.message(text, 15000))

    def _restore_layout(self) -> None:
        s = self._settings()
        if not s.isWritable():  # e.g. a read-only home folder: say so from the start
            self._warn_settings(s)
        geometry = s.value("window/geometry")
        restored = geometry is not None and self.restoreGeometry(geometry)
        if not restored:
            self.resize(wl.PREFERRED_SIZE)
        self.fit_to_screen(keep_position=restored)
        self.splitter.restore_shares({name: s.value(f"window/shares/{name}")
                                      for name in wl.DEFAULT_SHARES})

    def fit_to_screen(self, keep_position: bool = True, frame: QMargins | None = None) -> None:
        """Keep the window, with its frame, inside the screen's available area."""
        if self.isMaximized() or self.isFullScreen():
            return
        # the screen the window is on (a restored position may be on a second monitor)
        screen = QGuiApplication.screenAt(self.geometry().center()) or self.screen()
        if screen is None:
            return
        if frame is None:
            frame = wl.DEFAULT_FRAME
        position = self.geometry().topLeft() if keep_position else None
        rect = wl.fit_window(screen.availableGeometry(), self.size(), frame, position)
        if rect != self.geometry():
            self.setGeometry(rect)
        self.splitter.fit(rect.width())

    def _refit_with_frame(self) -> None:
        """Once shown, the window manager has drawn the frame: fit with its real size."""
        outer, inner = self.frameGeometry(), self.geometry()
        frame = QMargins(inner.left() - outer.left(), inner.top() - outer.top(),
                         outer.right() - inner.right(), outer.bottom() - inner.bottom())
        screen = QGuiApplication.screenAt(inner.center()) or self.screen()
        if screen is not None and not screen.availableGeometry().contains(outer):
            self.fit_to_screen(keep_position=True, frame=frame)

    def _save_layout(self) -> None:
        s = self._settings()
        s.setValue("window/geometry", self.saveGeometry())
        self.splitter.shares[self.splitter.arrangement] = self.splitter.current_shares()
        for name, shares in self.splitter.shares.items():
            s.setValue(f"window/shares/{name}", ",".join(f"{v:.4f}" for v in shares))
        s.remove("window/splitter")  # absolute widths of earlier versions
        self._check_settings(s)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.splitter.fit(event.size().width())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            QTimer.singleShot(0, self._refit_with_frame)
            QTimer.singleShot(500, self._refit_with_frame)  # some window managers are late

    def shutdown(self) -> None:
        """Stop background work (training, evaluations) and wait for its threads; safe to
        call more than once. The window calls it on close and when the application quits."""
        self.training.shutdown()
        self.evaluations.shutdown(wait=True, cancel_futures=True)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # e.g. the system turned dark
            theme.apply(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._confirm_discard():
            event.ignore()
            return
        self.shutdown()
        self._save_layout()
        event.accept()
