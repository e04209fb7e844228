"""Shared test set-up: Qt runs offscreen, settings go to a throwaway place."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def mnist():
    from playground.data import load_mnist

    return load_mnist()


@pytest.fixture(scope="session")
def small_split(mnist):
    """A quick split: 2,000 training, 500 validation and 1,000 test images."""
    return mnist.split().limit(2000, 500, 1000)


@pytest.fixture(autouse=True)
def _qt_settings(tmp_path, monkeypatch, request):
    """GUI tests: QSettings go to a throwaway folder, and no modal dialog can block.

    Message boxes and file dialogs answer "Cancel" (or no file) unless a test patches
    its own answer.
    """
    if "qtbot" not in request.fixturenames:
        yield
        return
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QCoreApplication.setOrganizationName("nn-playground-tests")
    QCoreApplication.setApplicationName("tests")

    def answer(result):
        return lambda *args, **kwargs: result

    for name in ("question", "warning", "information", "critical", "about"):
        monkeypatch.setattr(QMessageBox, name, answer(QMessageBox.StandardButton.Cancel))
    for name in ("getOpenFileName", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, answer(("", "")))
    yield


def _threads_left() -> list[str]:
    """Training threads and test-set evaluations still running (only if their modules
    were imported: tests without Qt import nothing here)."""
    import sys

    left = []
    worker = sys.modules.get("playground.ui.training.worker")
    if worker is not None:
        left += [f"training thread {t.objectName()!r}" for t in worker.running_threads()]
    common = sys.modules.get("playground.ui.insight.common")
    if common is not None:
        left += ["test-set evaluation"] * len(common.running_evaluations())
    return left


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Every test fails if it leaves a training thread or an evaluation running: checked
    right after the test, before its fixtures clean up (which shut the threads down)."""
    result = yield
    left = _threads_left()
    assert not left, f"{', '.join(left)} left running"
    return result


@pytest.fixture(autouse=True)
def _no_threads_after(request):
    """After each test: whatever is left is stopped, so it cannot spill into the next."""
    yield
    import sys

    worker = sys.modules.get("playground.ui.training.worker")
    if worker is not None:
        worker.stop_all()  # not a panel's: still never leave one behind
    common = sys.modules.get("playground.ui.insight.common")
    if common is not None:
        common.shutdown_executors()
