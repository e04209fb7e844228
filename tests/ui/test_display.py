"""Before Qt loads: a missing display or missing X11 libraries give one clear line."""

import os
import re
import subprocess
import sys
from pathlib import Path

from playground.ui import display

ROOT = Path(__file__).resolve().parents[2]
LINUX = "linux"


def all_there(soname):
    return True


def test_no_display_is_one_line_that_points_to_the_cli():
    message = display.display_problem({}, LINUX, all_there)
    assert "no display found" in message and "python main.py --help" in message


def test_a_local_display_without_an_x_server_is_named():
    message = display.display_problem({"DISPLAY": ":77"}, LINUX, all_there,
                                      exists=lambda path: False)
    assert "DISPLAY=:77" in message


def test_missing_libraries_name_the_packages_to_install():
    missing = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    message = display.display_problem({"DISPLAY": ":0"}, LINUX,
                                      lambda so: so not in missing, exists=lambda p: True)
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1'" in message
    assert "\n" not in message


def test_other_platforms_are_left_to_qt():
    assert display.display_problem({"QT_QPA_PLATFORM": "offscreen"}, LINUX,
                                   lambda so: False) is None
    assert display.display_problem({"WAYLAND_DISPLAY": "wayland-0"}, LINUX,
                                   lambda so: False) is None
    assert display.display_problem({}, "darwin", lambda so: False) is None
    assert display.display_problem({"DISPLAY": ":0"}, LINUX, all_there,
                                   exists=lambda p: True) is None


def test_readme_installs_exactly_the_libraries_the_check_names():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line.strip() for line in readme.splitlines() if "apt-get install" in line]
    assert display.apt_command() in lines


def test_python_main_py_without_a_display_says_so_and_exits(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert re.fullmatch(r"nn-playground: no display found[^\n]*\n", result.stderr)
