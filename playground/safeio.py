"""Files at the edges of the app: read only regular files, and never more than a bound;
write atomically, never over anything that is not a regular file (pure stdlib).

Every problem is a :class:`FileProblem` (a ValueError) whose message names the file and
says what is wrong in plain words ("permission denied", "not a regular file (a FIFO)").
Callers turn it into their own error type; nothing here lets an OSError escape.

Saving writes a temporary file ``.NAME.XXXXXXXX.tmp`` beside the target and renames it
over the target. A symlink is written through to the file it points to, as editors do.
Temporaries of that naming left by a killed save are removed by the next save.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from pathlib import Path

TEMP_SUFFIX = ".tmp"
STALE_SECONDS = 120  # a temporary untouched this long belongs to a save that died
MAX_TEMP_PREFIX_BYTES = 200  # room for the random part and the suffix in a 255-byte name

_KINDS = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]


class FileProblem(ValueError):
    """A file that cannot be read or written as asked; the message names it."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message


def os_reason(error: BaseException) -> str:
    """An OSError in plain lower-case words, e.g. 'permission denied'."""
    if isinstance(error, OSError):
        if error.errno == errno.ENAMETOOLONG:
            return "file name too long"
        if error.errno in (errno.EACCES, errno.EPERM):
            return "permission denied"
        if error.errno == errno.ENOENT:
            return "no such file or folder"
        if error.errno == errno.ELOOP:
            return "too many levels of symbolic links"
        if error.strerror:
            return error.strerror[0].lower() + error.strerror[1:]
    if isinstance(error, ValueError):  # e.g. a NUL byte in the name
        return "not a valid file name"
    return str(error) or type(error).__name__


def problem(path, error: BaseException) -> FileProblem:
    reason = os_reason(error)
    return FileProblem(f"{path}: {reason}", reason)


def stat_path(path, follow: bool = True) -> os.stat_result | None:
    """``os.stat`` (or ``lstat``) or None when there is nothing to stat; never raises."""
    try:
        return os.stat(path) if follow else os.lstat(path)
    except (OSError, ValueError):
        return None


def kind_of(st: os.stat_result) -> str:
    """'a regular file', 'a folder', 'a FIFO', 'a device', 'a socket'."""
    for test, name in _KINDS:
        if test(st.st_mode):
            return name
    return "a regular file" if stat.S_ISREG(st.st_mode) else "not a regular file"


def is_regular_file(path) -> bool:
    st = stat_path(path)
    return st is not None and stat.S_ISREG(st.st_mode)


def is_folder(path) -> bool:
    st = stat_path(path)
    return st is not None and stat.S_ISDIR(st.st_mode)


def _refuse_kind(path, st: os.stat_result, what: str, saving: bool = False) -> None:
    if stat.S_ISDIR(st.st_mode):
        hint = f"; name {what} inside it" if saving else f", not {what}"
        raise FileProblem(f"{path}: is a folder{hint}", "is a folder")
    if not stat.S_ISREG(st.st_mode):
        kind = kind_of(st)
        end = "; it is left as it is" if saving else f", not {what}"
        raise FileProblem(f"{path}: not a regular file ({kind}){end}",
                          "not a regular file")


def open_regular(path, max_bytes: int, what: str = "a file"):
    """A binary file object for ``path`` if it is a regular file of at most ``max_bytes``.

    A FIFO or device is refused without being opened; opening never blocks (should
    one appear in between, it is refused by what the open file is). The caller closes
    the file.
    """
    before = stat_path(path)
    if before is not None:  # a device is never even opened (opening some has effects)
        _refuse_kind(path, before, what)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError) as e:
        if isinstance(e, OSError) and e.errno == errno.EISDIR:
            raise FileProblem(f"{path}: is a folder, not {what}", "is a folder") from None
        raise problem(path, e) from None
    try:
        st = os.fstat(fd)
        _refuse_kind(path, st, what)
        if st.st_size > max_bytes:
            raise FileProblem(f"{path}: too large for {what} ({st.st_size:,} bytes; "
                              f"at most {max_bytes:,})", "too large")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path, max_bytes: int, what: str = "a file") -> bytes:
    """The bytes of a regular file, refused if it holds more than ``max_bytes``
    (checked by its size, then by reading at most ``max_bytes + 1`` bytes)."""
    with open_regular(path, max_bytes, what) as f:
        try:
            data = f.read(max_bytes + 1)
        except OSError as e:
            raise problem(path, e) from None
    if len(data) > max_bytes:
        raise FileProblem(f"{path}: too large for {what} (more than {max_bytes:,} bytes)",
                          "too large")
    return data


# -- writing ------------------------------------------------------------------------------

def save_target(path, what: str = "a file") -> Path:
    """The file a save to ``path`` really writes: ``path`` itself, or for a symlink the
    file it points to. Refuses folders, FIFOs, devices and names that end with a slash."""
    text = os.fspath(path)
    if not text:
        raise FileProblem("no file name given", "no file name")
    if text.endswith(os.sep) or (os.altsep and text.endswith(os.altsep)):
        raise FileProblem(f"{text}: names a folder (it ends with '{text[-1]}'); "
                          f"name a file", "is a folder")
    try:
        target = Path(os.path.realpath(text))
    except (OSError, ValueError) as e:
        raise problem(text, e) from None
    st = stat_path(target)
    if st is not None:
        _refuse_kind(text, st, what, saving=True)
        if not os.access(target, os.W_OK):  # read-only: the rename would get round that
            raise FileProblem(f"{text}: cannot save there (permission denied: the file "
                              f"is read-only)", "read-only")
    else:
        _check_name(text, target)
    try:
        folder = os.stat(target.parent)
    except (OSError, ValueError) as e:
        reason = os_reason(e)
        if reason == "no such file or folder":
            reason = f"the folder {target.parent} does not exist"
        raise FileProblem(f"{text}: cannot save there ({reason})", "no such folder") from None
    if not stat.S_ISDIR(folder.st_mode):
        raise FileProblem(f"{text}: cannot save there ({target.parent} is not a folder)",
                          "no such folder")
    return target


def _check_name(text: str, target: Path) -> None:
    """``target`` cannot be stat'ed: fine if nothing is there, else say why."""
    try:
        os.stat(target)
    except FileNotFoundError:
        if stat_path(target, follow=False) is None:
            return  # a new file
        raise FileProblem(f"{text}: a symbolic link that leads nowhere it can be saved",
                          "not a regular file") from None
    except (OSError, ValueError) as e:
        raise problem(text, e) from None
    raise FileProblem(f"{text}: cannot save there", "cannot save")  # pragma: no cover


def temp_prefix(target: Path) -> str:
    """The start of our temporary files' names beside ``target``: ``.NAME.``."""
    name = os.fsencode(target.name)[:MAX_TEMP_PREFIX_BYTES]
    return "." + os.fsdecode(name) + "."


def check_writable(path, need_bytes: int = 0, what: str = "a file") -> Path:
    """Refuse a save target that cannot be written: create and remove a trial temporary
    file beside it, and check the disk has ``need_bytes`` free. Returns the real target."""
    target = save_target(path, what)
    try:
        fd, trial = tempfile.mkstemp(dir=target.parent, prefix=temp_prefix(target),
                                     suffix=TEMP_SUFFIX)
    except (OSError, ValueError) as e:
        raise FileProblem(f"{path}: cannot save there ({os_reason(e)})", os_reason(e)) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(trial)
    if need_bytes:
        free = free_bytes(target.parent)
        if free is not None and free < need_bytes:
            raise FileProblem(f"{path}: cannot save there (the disk has {free:,} bytes free; "
                              f"the file needs about {need_bytes:,})", "no space left")
    return target


def free_bytes(folder) -> int | None:
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError, ValueError):
        return None
    return st.f_bavail * st.f_frsize


def remove_stale_temporaries(target: Path, older_than: float = STALE_SECONDS) -> int:
    """Remove our own temporaries beside ``target`` (``.NAME.*.tmp``, regular files only)
    untouched for ``older_than`` seconds; returns how many were removed."""
    prefix = temp_prefix(target)
    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        if len(entry.name) <= len(prefix) + len(TEMP_SUFFIX):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime >= older_than:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def atomic_write(path, write, what: str = "a file") -> Path:
    """Write a file atomically: ``write(f)`` fills a temporary beside the target, which
    then replaces it. On any failure the old file stays as it was and the temporary is
    removed. Returns the file written (a symlink's target). Raises FileProblem."""
    target = save_target(path, what)
    remove_stale_temporaries(target)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=temp_prefix(target),
                                   suffix=TEMP_SUFFIX)
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), _new_file_mode(target))  # mkstemp's file is private (0600)
            write(f)
            f.flush()
            os.fsync(f.fileno())
        st = stat_path(target)  # it may have been replaced meanwhile
        if st is not None:
            _refuse_kind(path, st, what, saving=True)
        os.replace(tmp, target)
        tmp = None
    except (OSError, ValueError) as e:
        if isinstance(e, FileProblem):
            raise
        reason = os_reason(e)
        raise FileProblem(f"{path}: could not save ({reason})", reason) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return target


def _new_file_mode(path: Path) -> int:
    """An existing file's permissions, else what a new file gets (0666 less the umask)."""
    st = stat_path(path)
    if st is not None:
        return st.st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
