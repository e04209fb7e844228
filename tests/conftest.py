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
