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
    """Keep QSettings of GUI tests out of the user's real settings."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    from PySide6.QtCore import QCoreApplication, QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QCoreApplication.setOrganizationName("nn-playground-tests")
    QCoreApplication.setApplicationName("tests")
    yield
