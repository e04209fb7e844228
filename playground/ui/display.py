"""Can a window open here? Checked before Qt loads, because Qt aborts the process when it
cannot: with no display at all, or when its X11 plugin misses system libraries (a stock
Debian desktop lacks several). Plain Python: importing this module loads no Qt.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from collections.abc import Mapping

#: The shared libraries Qt's GUI and its xcb plugin need beyond what an X server brings
#: (found on a fresh Debian with only Xvfb), with the Debian/Ubuntu package of each.
#: README.md's apt-get line installs exactly these.
X11_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}

CLI_HINT = "the command line works without a display: python main.py --help"


def apt_command(packages=None) -> str:
    """The one line that installs the libraries (all of them by default)."""
    return "sudo apt-get install " + " ".join(packages or X11_LIBRARIES.values())


def _loadable(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_x11_packages(loadable=_loadable) -> list[str]:
    """Debian packages of the X11 libraries that cannot be loaded."""
    return [package for soname, package in X11_LIBRARIES.items() if not loadable(soname)]


def _x_server_socket(display: str) -> str | None:
    """The socket of a local display such as ':9' or ':0.0'; None for a remote one."""
    match = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display.strip())
    return f"/tmp/.X11-unix/X{match.group(1)}" if match else None


def display_problem(env: Mapping[str, str] | None = None, platform: str | None = None,
                    loadable=_loadable, exists=os.path.exists) -> str | None:
    """Why the window cannot open here, in one line; None when it can (or when Qt will
    use a platform other than X11, which it then checks itself)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    display = env.get("DISPLAY", "")
    if qpa and qpa != "xcb":
        return None  # offscreen, wayland, vnc ...: Qt's own business
    if not qpa and env.get("WAYLAND_DISPLAY") and not display:
        return None  # Qt picks Wayland
    if not display:
        return f"no display found (DISPLAY is not set), so the window cannot open; {CLI_HINT}"
    socket = _x_server_socket(display)
    if socket is not None and not exists(socket):
        return (f"no X server answers on DISPLAY={display}, so the window cannot open; "
                f"{CLI_HINT}")
    missing = missing_x11_packages(loadable)
    if missing:
        return (f"the window needs system libraries that are missing; install them with "
                f"'{apt_command(missing)}' ({CLI_HINT})")
    return None
