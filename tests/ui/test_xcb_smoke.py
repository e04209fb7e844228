"""The app on a real X server (Xvfb) with Qt's xcb plugin, as a person starts it.

Offscreen tests cannot see what this sees: missing system libraries, a window larger than
the screen. CI installs Xvfb, openbox and xdotool (see .ci/run); elsewhere the test skips
when they are absent.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("Xvfb", "xdotool")
SCREEN = (1024, 600)  # the smallest screen the window must fit
TITLE = "Neural Network Playground"


@pytest.fixture
def x_display(tmp_path):
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"needs {', '.join(missing)} (apt-get install xvfb xdotool openbox)")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-nolisten", "tcp",
         "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=f":{number}", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_RUNTIME_DIR=str(tmp_path))
    manager = None
    if shutil.which("openbox"):  # a real desktop has a window manager: title bars, focus
        manager = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
    try:
        yield env
    finally:
        for proc in (manager, server):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=10)


def xdotool(env, *args, timeout=60):
    return subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=True).stdout


def test_the_window_opens_on_a_real_x_server_fits_the_screen_and_quits(x_display, tmp_path):
    app = subprocess.Popen([sys.executable, str(ROOT / "main.py")], env=x_display,
                           cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    try:
        window = xdotool(x_display, "search", "--sync", "--onlyvisible", "--name",
                         TITLE).split()[0]
        geometry = dict(line.split("=") for line in
                        xdotool(x_display, "getwindowgeometry", "--shell", window).split())
        x, y, w, h = (int(geometry[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
        if shutil.which("xwininfo"):
            # under a window manager xdotool adds the frame's offset to the position a
            # second time; xwininfo's absolute position is the window's own
            info = subprocess.run(["xwininfo", "-id", window], env=x_display, text=True,
                                  capture_output=True, timeout=30, check=True).stdout
            x, y = (int(line.split(":")[1]) for line in info.splitlines()
                    if line.strip().startswith(("Absolute upper-left X",
                                                "Absolute upper-left Y")))
        assert x >= 0 and y >= 0 and x + w <= SCREEN[0] and y + h <= SCREEN[1], geometry
        for _ in range(50):  # the window may take a moment to accept the focus
            xdotool(x_display, "windowfocus", "--sync", window, "key", "ctrl+q")
            try:
                app.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                time.sleep(0.1)
        out, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, err
    assert "Traceback" not in err and "QThread" not in err, err
