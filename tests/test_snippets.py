"""Every ```python block of the README and the docs runs (issue 11, item 9).

A block fenced as Python is a promise that it can be pasted and run: each is run on its own, in
a fresh namespace, from the project's root (where `docs/examples/` is). Signatures and other
text that only looks like Python are fenced ```text. Blocks of one page do not share names, so
each shows everything it needs.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def _blocks() -> list[tuple[str, int, str]]:
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            out.append((str(page.relative_to(ROOT)), line, match.group(1)))
    return out


BLOCKS = _blocks()


def test_the_docs_have_python_blocks_to_run() -> None:
    pages = {page for page, _, _ in BLOCKS}
    assert {"README.md", "docs/api.md", "docs/security.md"} <= pages


@pytest.mark.parametrize(
    "code", [b[2] for b in BLOCKS], ids=[f"{page}:{line}" for page, line, _ in BLOCKS]
)
def test_python_block_runs(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<doc>", "exec"), {"__name__": "__doc_snippet__"})
    # A `print(x)  # value` line whose comment is a plain value says what it prints.
    printed = out.getvalue().splitlines()
    promised = [m.group(1) for m in re.finditer(r"^print\(.*\)  # ([\w.\- ]+)$", code, re.M)]
    for value in promised:
        if re.fullmatch(r"True|False|None|\d+( \d+)*|True \d+|[\d-]+", value):
            assert value in printed, (value, printed)
