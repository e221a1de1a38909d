"""The batch's serial start against the code it stands in for (issue 13, session 6): the entries
a report must not overwrite, worked out a directory at a time, and folder walks that need no
pattern matching without pathspec."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlsh_rules.cli.batch import expand, read_entries
from dlsh_rules.cli.main import _entry


def _reference(sources: list[str]) -> set[tuple[str, str]]:
    """What cli/main.py worked out before: each source's entry and its real path's."""
    out = {_entry(s) for s in sources}
    out |= {_entry(os.path.realpath(s)) for s in sources}
    return out


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_read_entries_is_the_entry_of_each_path_and_its_real_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    for name in ("a.yaml", "b.json", "c.yml"):
        (real / name).write_text("x")
        (real / "sub" / name).write_text("x")
    (tmp_path / "linkdir").symlink_to(real)
    (real / "link.yaml").symlink_to(real / "sub" / "a.yaml")
    (real / "rel.yaml").symlink_to(Path("sub") / "b.json")
    (real / "dangling.yaml").symlink_to(tmp_path / "nowhere" / "x.yaml")
    (real / "loop.yaml").symlink_to(real / "loop.yaml")
    (real / "up").symlink_to(real / "sub")
    monkeypatch.chdir(real)
    sources = [
        "a.yaml",
        "./b.json",
        "sub/../c.yml",
        "up/../a.yaml",  # a link and then "..": the link first, as the system resolves it
        "sub//a.yaml",
        "link.yaml",
        "rel.yaml",
        "dangling.yaml",
        "loop.yaml",
        "missing.yaml",
        "nowhere/missing.yaml",
        str(real / "sub" / "c.yml"),
        str(tmp_path / "linkdir" / "a.yaml"),
        str(tmp_path / "linkdir" / "link.yaml"),
        str(tmp_path / "linkdir" / "sub" / "b.json"),
        "../linkdir/up/c.yml",
        ".",
        "..",
        "sub/.",
        "",
    ]
    for source in sources:
        assert read_entries([source]) == _reference([source]), source
    assert read_entries(sources) == _reference(sources)
    walked = [path for path, problem in expand([str(tmp_path)]) if problem is None]
    assert len(walked) > 8
    assert read_entries(walked) == _reference(walked)


def _imports_pathspec(argv: list[str], cwd: Path) -> bool:
    code = (
        "import sys\n"
        "from dlsh_rules.cli.batch import expand\n"
        f"expand({argv!r})\n"
        "print('pathspec' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip() == "True"


def test_a_walk_without_gitignore_never_imports_pathspec(tmp_path: Path) -> None:
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "a.yaml").write_text("x")
    (tmp_path / "records" / "b.yaml").write_text("x")
    assert not _imports_pathspec(["records"], tmp_path)
    (tmp_path / "records" / ".gitignore").write_text("b.yaml\n")
    assert _imports_pathspec(["records"], tmp_path)
    assert [Path(p).name for p, _ in expand([str(tmp_path / "records")])] == ["a.yaml"]


@pytest.mark.parametrize("workers", [2, 3, 8])
def test_chunks_hold_every_record_once_in_order_with_a_finer_end(workers: int) -> None:
    from dlsh_rules.cli.batch import MAX_CHUNK, _chunks

    for n in (*range(0, 70), 999, 1000, 1001, 4096):
        todo = [(i, f"r{i}.yaml") for i in range(n)]
        chunks = _chunks(todo, workers)
        assert [item for chunk in chunks for item in chunk] == todo
        assert all(0 < len(chunk) <= MAX_CHUNK for chunk in chunks)
        sizes = [len(chunk) for chunk in chunks]
        assert sizes == sorted(sizes, reverse=True) or sizes[-1] < sizes[-2]
        if n >= workers * 4 * MAX_CHUNK:
            assert max(sizes[-workers:]) <= MAX_CHUNK // 4


def test_results_kept_until_exit_are_frozen_and_the_same(tmp_path: Path) -> None:
    """`until_exit` (the command line) freezes what the workers sent back; the results are
    those of a run without it, and the collector is on again afterwards."""
    import gc

    import yaml

    from dlsh_rules.authoring.synth import compliant_record
    from dlsh_rules.cli.batch import check_inputs
    from dlsh_rules.pack.loader import DEFAULT_PACK, load_pack

    for i in range(10):
        text = yaml.safe_dump(compliant_record(2, shift_days=i), allow_unicode=True)
        (tmp_path / f"r{i}.yaml").write_text(text, encoding="utf-8")
    pack = load_pack(DEFAULT_PACK)
    inputs = expand([str(tmp_path)])
    plain = check_inputs(inputs, pack, jobs=2, start_method="fork")
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        kept = check_inputs(inputs, pack, jobs=2, start_method="fork", until_exit=True)
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert kept == plain
    assert [r.digest for r in kept] == [r.digest for r in plain]


def test_one_scan_for_odd_characters_covers_both_scans_it_stands_for() -> None:
    """Every code point that YAML's reader refuses, or that the raw-control scan finds, or
    U+0085, is found by `_ODD_FOR_YAML`; and the characters it finds beyond those are only
    U+0085 and the bidirectional controls (which the raw scan finds anyway)."""
    from dlsh_rules.load import source, yaml_direct

    odd = source._ODD_FOR_YAML
    yaml_refuses = yaml_direct._NON_PRINTABLE
    raw = source._MAYBE_CONTROL_RAW
    for code in range(0x110000):
        c = chr(code)
        found = odd.match(c) is not None
        either = yaml_refuses.match(c) is not None or raw.match(c) is not None or c == "\x85"
        assert found == either, hex(code)


def test_a_plain_yaml_text_reads_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan's answer handed to the reader and the control check: the same documents and
    the same refusals as with each scanning for itself (the scan made to find something in
    every text)."""
    import re

    from dlsh_rules.errors import InputError
    from dlsh_rules.load import source

    texts = [
        "a: b\nc: [1, 2]\n",
        "a: 'x\\u202ey'\n",  # a backslash, but no escape in single quotes
        'a: "x\\u202ey"\n',  # an escaped control
        'a: "x\\x85y"\n',
        "a: x\x85y\n",
        "a: x\u202ey\n",
        "a: x\x07y\n",
        "a: x\ufeffy\n",
        "a: x\ud800y\n",
        "a: 中文\n",
    ]

    def read(data: bytes) -> object:
        try:
            return source.load_bytes(data, "x.yaml").data
        except InputError as exc:
            return [p.render("en") for p in exc.problems]

    plain = [read(text.encode("utf-8", "surrogatepass")) for text in texts]
    monkeypatch.setattr(source, "_ODD_FOR_YAML", re.compile("[\\s\\S]"))
    scanned = [read(text.encode("utf-8", "surrogatepass")) for text in texts]
    assert plain == scanned
    assert plain[0] == {"a": "b", "c": [1, 2]}
    assert sum(isinstance(x, list) for x in plain) >= 5
