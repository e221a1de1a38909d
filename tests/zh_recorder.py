"""A pytest plugin (tests/test_chinese.py runs the bad-input tests with it): every InputError
made while they run is kept, and its Chinese lines written to $DLSH_ZH_RECORD at the end."""

from __future__ import annotations

import json
import os

from dlsh_rules import errors

_seen: list[errors.InputError] = []
_made = errors.InputError.__post_init__


def _keep(self: errors.InputError) -> None:
    _made(self)
    _seen.append(self)


errors.InputError.__post_init__ = _keep  # type: ignore[method-assign]


def pytest_sessionfinish() -> None:
    lines = []
    for error in _seen:
        names = sorted({p.file for p in error.problems}, key=len, reverse=True)
        for line in error.lines("zh"):
            for name in names:
                line = line.replace(name, "FILE")
            lines.append(line)
    # errors=: a fuzzed input may hold a lone surrogate, which UTF-8 cannot write.
    with open(
        os.environ["DLSH_ZH_RECORD"], "w", encoding="utf-8", errors="backslashreplace"
    ) as out:
        json.dump(sorted(set(lines)), out, ensure_ascii=False, indent=1)
