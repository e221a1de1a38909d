"""What every command shares: exit codes, and writing to standard output as an output error
(exit 2), never a crash, when the output refuses it."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class _StdoutError(Exception):
    """Standard output refused the report (a full disk, /dev/full, a closed terminal): an output
    error of the run, exit 2, not a bug of the tool."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


def say(command: str, lang: str | None, level: str, message: str) -> None:
    """One line on stderr: ``dlsh-rules check：错误：…``; full-width colons in Chinese, as in
    argparse's own errors (cli/translation.py). ``level`` is "error" or "warning"."""
    if lang == "en":
        sys.stderr.write(f"dlsh-rules {command}: {level}: {message}\n")
    else:
        word = {"error": "错误", "warning": "警告"}[level]
        sys.stderr.write(f"dlsh-rules {command}：{word}：{message}\n")


def _out(text: str) -> None:
    """Write to standard output; a broken pipe is the reader's choice, other errors are ours."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _StdoutError(exc) from None


def _strerror(exc: OSError, lang: str) -> str:
    from ..errors import os_error_text

    return os_error_text(exc).get(lang)
