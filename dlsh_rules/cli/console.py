"""What every command shares: exit codes, and writing to standard output as an output error
(exit 2), never a crash, when the output refuses it."""

from __future__ import annotations

import errno
import sys

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class _StdoutError(Exception):
    """Standard output refused the report (a full disk, /dev/full, a closed terminal): an output
    error of the run, exit 2, not a bug of the tool."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


def _out(text: str) -> None:
    """Write to standard output; a broken pipe is the reader's choice, other errors are ours."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _StdoutError(exc) from None


# How the system's error texts read in Chinese, for the errors a report file or standard output
# meets most; others keep the system's own words.
_STRERROR_ZH = {
    errno.ENOSPC: "设备上没有空间",
    errno.EIO: "输入/输出错误",
    errno.EACCES: "权限不足",
    errno.EPERM: "不允许的操作",
    errno.EISDIR: "是一个目录",
    errno.ENOENT: "没有那个文件或目录",
    errno.EROFS: "只读文件系统",
    errno.EFBIG: "文件过大",
    errno.ENXIO: "没有那个设备或地址",
}


def _strerror(exc: OSError, lang: str) -> str:
    if lang != "en" and exc.errno in _STRERROR_ZH:
        return _STRERROR_ZH[exc.errno]
    return exc.strerror or type(exc).__name__
