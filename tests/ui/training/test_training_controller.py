"""The training controller, the window's shutdown and the global thread check.

The controller owns the run; the worker publishes only its latest report, read on a
timer; the window stops training and its evaluation thread on close and on quit.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox

from playground.state.session import Session
from playground.ui.insight.common import EVALUATION_THREAD
from playground.ui.training.controller import TrainingController
from playground.ui.training.panel import TrainingPanel
from playground.ui.training.worker import running_threads

LONG = 1000  # epochs: "until stopped"
TESTS = next(p for p in Path(__file__).resolve().parents if p.name == "tests")  # conftest.py


def evaluation_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(EVALUATION_THREAD)]


@pytest.fixture
def window(qtbot, small_split, monkeypatch):
    from playground.ui.window.main_window import MainWindow

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    w = MainWindow(Session(data=small_split))
    qtbot.addWidget(w)
    w.show()
    yield w
    w.session.dirty = False
    w.shutdown()


def test_the_controller_runs_without_a_panel(qtbot, small_split):
    session = Session(data=small_split)
    assert session.set_hyper(epochs=2) == []
    controller = TrainingController(session)
    ended = []
    controller.runEnded.connect(lambda *a: ended.append(a))
    assert controller.start() is None
    assert controller.busy and session.training_state == "running"
    assert controller.start() is not None  # one run at a time
    qtbot.waitUntil(lambda: not controller.busy, timeout=20_000)
    assert ended == [("finished", "finished")]
    assert len(session.model.history) == 2 and session.training_state == "idle"
    assert controller.last_worker.latest.take() is None  # every report was read


def test_each_epoch_record_comes_after_its_last_report(qtbot, small_split):
    # the reports come through the timer, the records as signals: still in order
    session = Session(data=small_split)
    assert session.set_hyper(epochs=3) == []
    controller = TrainingController(session)
    events = []
    session.progressed.connect(lambda p: events.append(("report", p)))
    session.epochFinished.connect(lambda r: events.append(("epoch", r)))
    assert controller.start() is None
    qtbot.waitUntil(lambda: not controller.busy, timeout=20_000)
    epochs = [i for i, (kind, _) in enumerate(events) if kind == "epoch"]
    assert len(epochs) == 3
    for i in epochs:
        kind, report = events[i - 1]
        assert kind == "report" and report.batch == report.batches


def test_reports_are_read_on_a_timer_not_queued(qtbot, small_split):
    # batch size 1: thousands of batches a second, reports at the worker's pace; the GUI
    # draws only the latest at each tick, never a backlog
    session = Session(data=small_split)
    assert session.set_hyper(epochs=LONG, batch_size=1) == []
    controller = TrainingController(session)
    drawn = []
    controller.reported.connect(drawn.append)
    switch = sys.getswitchinterval()
    assert controller.start() is None
    try:
        worker = controller.worker
        qtbot.waitUntil(lambda: len(drawn) >= 3, timeout=10_000)
        assert len(drawn) <= worker.latest.count  # never more draws than reports
    finally:
        controller.shutdown()
    assert not controller.busy and not running_threads()
    assert session.training_state == "idle"
    assert sys.getswitchinterval() == switch  # the short GIL interval ends with the run


def test_the_short_switch_interval_is_counted_across_runs(qtbot, small_split):
    from playground.ui.training.controller import _SwitchInterval

    before = sys.getswitchinterval()
    a, b = (TrainingController(Session(data=small_split)) for _ in range(2))
    for c in (a, b):
        assert c.session.set_hyper(epochs=LONG) == []
    assert a.start() is None
    assert sys.getswitchinterval() == _SwitchInterval.INTERVAL
    assert b.start() is None
    a.shutdown()
    assert sys.getswitchinterval() == _SwitchInterval.INTERVAL  # b still trains
    b.shutdown()
    assert sys.getswitchinterval() == before


def test_window_shutdown_stops_training_and_the_evaluation_thread(qtbot, window):
    window.training.controller.start(LONG)
    assert window.training.worker is not None
    confusion = window.findChild(object, "confusionView")
    assert confusion.evaluator.executor is window.evaluations  # the window's, shared
    window.shutdown()
    assert window.training.worker is None and not running_threads()
    assert window.session.training_state == "idle"
    assert not evaluation_threads()
    window.shutdown()  # again: nothing to do
    # evaluating after the shutdown says no, and starts no thread
    assert confusion.evaluator.request() is False and not evaluation_threads()


def test_closing_the_window_stops_training(qtbot, window):
    window.training.controller.start(LONG)
    window.session.dirty = False
    assert window.close()
    assert window.training.worker is None and not running_threads()


def test_quitting_the_application_stops_training(qtbot, window):
    window.training.controller.start(LONG)
    QCoreApplication.instance().aboutToQuit.emit()
    assert window.training.worker is None and not running_threads()


def test_an_evaluation_runs_on_the_windows_thread(qtbot, window):
    from playground import nn

    nn.Trainer(window.session.model, window.session.data).run(1)
    window.session.publish(window.session.model.network.snapshot())
    confusion = window.findChild(object, "confusionView")
    window.tabs.setCurrentWidget(confusion)
    confusion.refresh()
    qtbot.waitUntil(lambda: confusion.result is not None, timeout=10_000)
    assert len(evaluation_threads()) == 1  # one thread, kept for the next evaluation


def test_panel_and_controller_stay_small():
    # the panel shows and forwards; the run lives in the controller (RULES: ~500 lines)
    root = TESTS.parent / "playground" / "ui" / "training"
    for name in ("panel.py", "controller.py", "worker.py", "form.py"):
        assert len((root / name).read_text().splitlines()) < 500, name


@pytest.mark.parametrize("leaves", ["training", "evaluation"])
def test_a_test_that_leaves_a_thread_running_fails(tmp_path, leaves):
    body = {
        "training": """
            from playground.state.session import Session
            from playground.ui.training.panel import TrainingPanel

            def test_leaves(qtbot, small_split):
                panel = TrainingPanel(Session(data=small_split))
                qtbot.addWidget(panel)
                panel.start(1000)
            """,
        "evaluation": """
            import threading
            from playground.ui.insight import common

            def test_leaves(qtbot):
                gate = threading.Event()
                executor = common.evaluation_executor()
                common._jobs.add(executor.submit(gate.wait, 10))
            """,
    }[leaves]
    test = tmp_path / "test_leaves.py"
    test.write_text(textwrap.dedent(body))
    (tmp_path / "conftest.py").write_text((TESTS / "conftest.py").read_text())
    root = TESTS.parent
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
         str(tmp_path), "-c", "/dev/null", str(test)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "left running" in result.stdout


def test_panel_forwards_to_its_controller(qtbot, small_split):
    panel = TrainingPanel(Session(data=small_split))
    qtbot.addWidget(panel)
    assert panel.session.set_hyper(epochs=LONG) == []
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.worker is panel.controller.worker is not None
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert panel.controller.stopping
    qtbot.waitUntil(lambda: panel.worker is None, timeout=10_000)
    assert "Stopped" in panel.status_label.text()
