"""Writing report files so that an interrupted run never leaves a half-written one, and a run
never replaces what it did not create as a regular file.

- A regular file (or nothing yet) at the path: the report is written to a temporary file beside
  it, flushed, synced and renamed into place, keeping the old file's permissions. Interrupted
  before the rename, the old file is left exactly as it was.
- A symbolic link: it is followed and its target is written as above; the link stays a link,
  pointing where it pointed. (The caller refuses a link that resolves to one of its inputs.)
- Anything else that is not a directory — a named pipe, a terminal, a character device such as
  ``/dev/null`` or ``/dev/stdout``: opened for writing in place, never created, truncated or
  replaced; whoever reads the pipe gets the report.
- A directory: ``IsADirectoryError``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from typing import Any


def write_atomic(path: str | os.PathLike[str], text: str | bytes | list[bytes]) -> None:
    """Write UTF-8 text to ``path`` as the module's docstring says; OSError if it cannot.
    ``text`` may be UTF-8 already, whole or in pieces (a batch's JSON): written as it is."""
    target = os.path.realpath(os.fspath(path))
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_in_place(target, text)
        return
    directory = os.path.dirname(target)
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".dlsh-", suffix=".tmp", dir=directory)
    if st is not None:
        mode = stat.S_IMODE(st.st_mode)  # replacing a report must not widen or narrow who reads it
    else:
        # mkstemp makes the file private (0600); a new report is an ordinary file: the umask.
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
    try:
        with _opened(fd, text) as handle:
            _put(handle, text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _opened(fd: int, text: str | bytes | list[bytes]) -> Any:
    # Text is encoded as UTF-8 with "\n" kept as it is: bytes given are written unchanged.
    if isinstance(text, str):
        return os.fdopen(fd, "w", encoding="utf-8", newline="\n")
    return os.fdopen(fd, "wb")


def _put(handle: Any, text: str | bytes | list[bytes]) -> None:
    if isinstance(text, list):
        handle.writelines(text)  # pieces, never joined into one more copy of the whole
    else:
        handle.write(text)


def _write_in_place(target: str, text: str | bytes | list[bytes]) -> None:
    # No O_CREAT: if the pipe or device vanished since the stat, fail rather than make a file;
    # no O_TRUNC: a device or pipe has nothing to truncate, and a regular file never gets here.
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(target, flags)
    with _opened(fd, text) as handle:
        _put(handle, text)
        handle.flush()
