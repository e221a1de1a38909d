"""The disk cache (cache.py): a pack or validator read back from it behaves exactly as a fresh
one, a changed or damaged entry is never used, and DLSH_NO_CACHE=1 turns it off."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dlsh_rules import check, load_pack, load_record
from dlsh_rules.load import cache
from dlsh_rules.pack import loader as pack_module
from dlsh_rules.record import validate as record_module

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "bureau-2024.yaml"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("DLSH_NO_CACHE", raising=False)
    _forget()
    yield tmp_path / "xdg" / "dlsh_rules"
    _forget()


def _forget() -> None:
    """Drop what this process keeps, so that the next use reads the disk cache."""
    pack_module._load_pack_cached.cache_clear()
    record_module._codec.cache_clear()
    record_module._record_plan.cache_clear()


def _copy_pack(tmp_path: Path) -> Path:
    # copytree keeps the files' times, so the copy is old enough to be cached (cache.settled).
    return Path(shutil.copytree(pack_module.packs_dir() / "provincial-bureau-2024", tmp_path / "p"))


def _fresh_load(root: Path) -> pack_module.Pack:
    pack_module._load_pack_cached.cache_clear()
    return load_pack(root)


def _report(pack: pack_module.Pack) -> str:
    return check(load_record(EXAMPLE, pack.enums), pack).to_json("en")


def test_a_cached_pack_gives_the_same_report(cache_home: Path, tmp_path: Path) -> None:
    root = _copy_pack(tmp_path)
    built = _fresh_load(root)
    assert list(cache_home.glob("*.pickle")), "the pack was not cached"
    cached = _fresh_load(root)
    assert cached is not built  # read back from disk, not the in-process cache
    assert [r.id for r in cached.rules] == [r.id for r in built.rules]
    assert _report(cached) == _report(built)


def test_a_changed_rule_file_is_loaded_again(cache_home: Path, tmp_path: Path) -> None:
    root = _copy_pack(tmp_path)
    _fresh_load(root)
    rules = root / "meeting.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("会议主题与方案一致", "会议主题一致", 1), encoding="utf-8")
    old = (rules.stat().st_atime, rules.stat().st_mtime - 3600)
    os.utime(rules, old)  # as if edited long ago: only the bytes tell the change
    changed = _fresh_load(root)
    theme = changed.rule("meeting.theme")
    assert theme is not None and theme.title.zh == "会议主题一致"


def test_a_damaged_entry_is_ignored(cache_home: Path, tmp_path: Path) -> None:
    root = _copy_pack(tmp_path)
    built = _fresh_load(root)
    record_module._codec()
    record_module._record_plan()
    entries = list(cache_home.glob("*.pickle"))
    assert len(entries) == 3
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2])  # truncated: the digest no longer matches
    _forget()
    assert _report(_fresh_load(root)) == _report(built)
    for entry in entries:
        entry.write_bytes(b"not a cache entry")
    _forget()
    assert _report(_fresh_load(root)) == _report(built)


def test_no_cache_writes_nothing(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLSH_NO_CACHE", "1")
    root = _copy_pack(tmp_path)
    _report(_fresh_load(root))
    assert not cache_home.exists() or not list(cache_home.iterdir())


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_directory_others_can_write_is_not_used(cache_home: Path) -> None:
    cache_home.mkdir(parents=True)
    cache_home.chmod(0o777)
    assert cache.directory() is None
    cache_home.chmod(0o700)
    assert cache.directory() == cache_home


def _cli_check_code(argv: list[str], before: str = "", after: str = "") -> str:
    """Python source that runs ``python -m dlsh_rules *argv`` in-process (output dropped),
    asserting exit status 0, with ``before``/``after`` lines around it."""
    return (
        "import contextlib, io, runpy, sys\n" + before + f"sys.argv = ['dlsh_rules', *{argv!r}]\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        runpy.run_module('dlsh_rules', run_name='__main__')\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n" + after
    )


def _modules_after(code: str, env: dict[str, str]) -> set[str]:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return set(out.stdout.split())


def test_a_pack_from_the_cache_needs_no_pydantic(cache_home: Path, tmp_path: Path) -> None:
    # Unpickling a pack of pydantic models would import pydantic, most of a run's start-up time.
    root = _copy_pack(tmp_path)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home.parent)}
    code = f"from dlsh_rules.pack import load_pack\nload_pack({str(root)!r})"
    first = _modules_after(code, env)
    assert "pydantic" in first  # validating the rule files needs the models
    second = _modules_after(code, env)
    assert "pydantic" not in second and "pydantic_core" not in second


def test_a_loaded_pack_holds_no_pydantic_objects(cache_home: Path, tmp_path: Path) -> None:
    from pydantic import BaseModel

    from dlsh_rules.pack.frozen import Frozen

    def walk(value: object) -> Iterator[object]:
        yield value
        if isinstance(value, Frozen):
            for field in value.fields().values():
                yield from walk(field)
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item)

    pack = _fresh_load(_copy_pack(tmp_path))
    seen = list(walk([pack.manifest, pack.rules]))
    assert not [v for v in seen if isinstance(v, BaseModel)]
    assert sum(isinstance(v, Frozen) for v in seen) > 100


@pytest.mark.parametrize("extra", [[], ["--format", "json", "--lang", "en"], ["--format", "sarif"]])
def test_a_cached_check_of_a_valid_record_imports_no_pydantic(
    cache_home: Path, extra: list[str]
) -> None:
    # The start-up target of docs/performance.md rests on this: pydantic and pydantic-core
    # together cost more than the rest of such a run.
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home.parent)}
    code = _cli_check_code(["check", str(EXAMPLE), *extra])
    _modules_after(code, env)  # fills the cache
    loaded = _modules_after(code, env)
    assert "dlsh_rules.evaluate.engine" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("pydantic", "pydantic_core")}


def test_the_cache_directory_follows_the_platform_and_dlsh_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    monkeypatch.delenv("DLSH_NO_CACHE", raising=False)
    monkeypatch.delenv("DLSH_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    expected = Path(platformdirs.user_cache_dir("dlsh_rules", appauthor=False))
    assert cache.directory() == expected
    if sys.platform.startswith("linux"):  # where it always was
        assert expected == tmp_path / "xdg" / "dlsh_rules"
    monkeypatch.setenv("DLSH_CACHE_DIR", str(tmp_path / "own"))
    assert cache.directory() == tmp_path / "own"
    monkeypatch.setenv("DLSH_CACHE_DIR", "relative/dir")  # not absolute: ignored
    assert cache.directory() == expected
    monkeypatch.setenv("DLSH_NO_CACHE", "1")
    assert cache.directory() is None


def test_importing_the_cache_module_does_not_import_platformdirs() -> None:
    modules = _modules_after("import dlsh_rules.load.cache", dict(os.environ))
    assert "platformdirs" not in modules


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is Linux's")
@pytest.mark.parametrize("xdg", [None, "", "relative/cache", "/abs/cache", "/abs/cache/"])
def test_the_cache_directory_on_linux_is_platformdirs_without_importing_it(
    xdg: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # cache._location answers on Linux without importing platformdirs (issue 13): the same path.
    import platformdirs

    monkeypatch.delenv("DLSH_CACHE_DIR", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert cache._location() == platformdirs.user_cache_dir("dlsh_rules", appauthor=False)


def test_a_pack_file_touched_is_unchanged_and_one_edited_in_place_is_not(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"id: a\n")
    stamp = cache.file_stamp(path)
    assert stamp[3] == cache.file_digest(path)
    assert cache.unchanged(str(path), stamp)
    os.utime(path, ns=(stamp[1] + 5_000_000_000, stamp[1] + 5_000_000_000))
    assert cache.unchanged(str(path), stamp)  # touched: the same bytes, hashed again
    path.write_bytes(b"id: b\n")  # the same size
    os.utime(path, ns=(stamp[1] + 9_000_000_000, stamp[1] + 9_000_000_000))
    assert not cache.unchanged(str(path), stamp)
    os.utime(path, ns=(stamp[1], stamp[1]))  # the old time back: the change time still moved
    assert not cache.unchanged(str(path), stamp)
    path.unlink()
    assert not cache.unchanged(str(path), stamp)


def test_the_code_fingerprint_covers_every_module() -> None:
    package = Path(cache.__file__).resolve().parent.parent
    listed = {name for name, *_ in cache._modules(str(package), "")}
    assert listed == {p.relative_to(package).as_posix() for p in package.rglob("*.py")}


def test_reading_the_cache_needs_neither_hashlib_nor_pickle_nor_platformdirs(
    cache_home: Path,
) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home.parent)}
    code = "from dlsh_rules.pack import load_pack\nload_pack()"
    _modules_after(code, env)  # fills the cache
    loaded = _modules_after(code, env)
    if sys.platform.startswith("linux"):
        assert "platformdirs" not in loaded
    assert "pickle" not in loaded and "_hashlib" not in loaded


# What a cached `check FILE.yaml` must not import (issue 13): each was measured on its start-up
# time and moved off its path. Reading the cache needs no hashlib (OpenSSL), pickle module or
# platformdirs (tempfile, random); the parser no shutil; the text report no json; a valid record
# no difflib (suggestions), glob or tomllib (no configuration file here). No dataclasses (with
# inspect, ast, dis and tokenize, about 6 ms): the check path's classes are errors.Value classes.
# No pathlib (with urllib.parse and ipaddress, about 3 ms): an installed pack is found with
# os.path (`loader._installed_root`, compared with `resolve_pack` below). No argparse (with
# gettext, about 3 ms, and 2 ms more to build the parser): `check RECORD` is read without it
# (`cli.main._quick_check`, compared with argparse's namespace in tests/test_cli.py).
NOT_ON_THE_CHECK_PATH = (
    "argparse",
    "gettext",
    "dataclasses",
    "inspect",
    "ast",
    "dis",
    "tokenize",
    "pathlib",
    "urllib",
    "ipaddress",
    "pydantic",
    "pydantic_core",
    "_hashlib",
    "hashlib",
    "pickle",
    "platformdirs",
    "tempfile",
    "random",
    "shutil",
    "json",
    "difflib",
    "glob",
    "tomllib",
    "calendar",
    "locale",
    "jinja2",
    "openpyxl",
)


def test_a_cached_check_imports_a_small_set_of_modules(cache_home: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home.parent)}
    env.pop("DLSH_CACHE_DIR", None)
    code = (
        "import contextlib, io, runpy, sys\n"
        f"sys.argv = ['dlsh_rules', 'check', {str(EXAMPLE)!r}]\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        runpy.run_module('dlsh_rules', run_name='__main__')\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code"
    )
    _modules_after(code, env)  # fills the cache
    loaded = _modules_after(code, env)
    assert "dlsh_rules.evaluate.engine" in loaded
    expected_absent = set(NOT_ON_THE_CHECK_PATH)
    if not sys.platform.startswith("linux"):
        expected_absent.discard("platformdirs")
    assert not {m.split(".")[0] for m in loaded} & expected_absent
    # nor the parser's modules, nor the other commands' (cli.main makes COMMANDS on demand)
    other_commands = {"parsing", "translation", "init", "timeline", "author", "output", "ignore"}
    assert not {f"dlsh_rules.cli.{name}" for name in other_commands} & loaded
    assert "dlsh_rules.render.diff_view" not in loaded
    # 189 modules in all at issue 13 (the interpreter's own start-up included); a new import
    # on this path should be a decision, not an accident.
    assert len(loaded) <= 200, sorted(loaded)


def test_an_installed_pack_is_found_without_pathlib_where_resolve_pack_finds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A folder named as an installed pack in the current directory loses to the installed one.
    (tmp_path / "provincial-bureau-2024").mkdir()
    (tmp_path / "provincial-bureau-2024" / "pack.yaml").write_text("id: local\n")
    (tmp_path / "local-pack").mkdir()
    (tmp_path / "local-pack" / "pack.yaml").write_text("id: local\n")
    monkeypatch.chdir(tmp_path)
    for name in pack_module.available_packs(include_abstract=True):
        found = pack_module._installed_root(name)
        assert found == str(pack_module.resolve_pack(name).resolve()), name
    # Not an installed name: None, and load_pack asks resolve_pack as before.
    for other in ("local-pack", "./provincial-bureau-2024", "no-such-pack", "", "A", "a/b", "."):
        assert pack_module._installed_root(other) is None, other


# --- identical value objects stored once (issue 13) -----------------------------------------------


def test_a_pack_entry_stores_identical_value_objects_once_and_reports_the_same() -> None:
    # The pack's entry is pickled with share=True: value objects identical in every attribute
    # are read back as one object. Every case of both packs (each record, its as-of date, the
    # organisation rules) must be reported the same with the shared pack as with the pack
    # loaded from its files.
    import datetime as dt
    from _pickle import loads

    from dlsh_rules.authoring.patch import PatchError, apply_patch
    from dlsh_rules.authoring.testing import example_data, load_cases
    from dlsh_rules.errors import InputError
    from dlsh_rules.evaluate.organisations import evaluate_organisations
    from dlsh_rules.language.paths import Path as FieldPath
    from dlsh_rules.record.validate import validate_record

    for pack_id in ("provincial-bureau-2024", "enterprise-committee-2024"):
        built = pack_module._load_pack_files(str(pack_module.resolve_pack(pack_id).resolve()))
        shared = loads(cache._pickle(built, share=True))
        plain = loads(cache._pickle(built))
        paths = {id(p): p for p in _objects(shared) if isinstance(p, FieldPath)}
        assert len(paths) < len({id(p) for p in _objects(plain) if isinstance(p, FieldPath)})
        base = example_data(built)
        compared = 0
        for case in load_cases(built):
            as_of = dt.date.fromisoformat(case.model.as_of) if case.model.as_of else None
            patches = case.model.records if case.model.records is not None else [case.model.patch]
            sides: list[list[str]] = [[], []]
            for side, pack in zip(sides, (built, shared), strict=True):
                reports = []
                for patch in patches:
                    try:
                        data = apply_patch(base, patch)
                        record = validate_record(data, "case", pack.enums)
                    except (PatchError, InputError) as exc:
                        side.append(repr(exc))
                        continue
                    reports.append(check(record, pack, as_of=as_of))
                orgs = evaluate_organisations(reports, pack, as_of=as_of)
                side.extend(r.to_json(lang) for r in reports for lang in ("zh", "en"))
                side.append(repr(orgs))
            assert sides[0] == sides[1], case.id
            compared += 1
        assert compared > 50


def _objects(root: object) -> list[object]:
    seen: dict[int, object] = {}
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen[id(obj)] = obj
        if isinstance(obj, dict):
            stack.extend([*obj.keys(), *obj.values()])
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif hasattr(obj, "__dict__"):
            stack.extend(vars(obj).values())
    return list(seen.values())


def test_value_objects_are_shared_only_when_identical_in_every_attribute() -> None:
    from _pickle import loads

    from dlsh_rules.language.paths import Path as FieldPath
    from dlsh_rules.language.query import Condition, _freeze

    def condition(spec: dict[str, object]) -> Condition:
        parsed = Condition.parse(spec)
        return Condition(parsed.ops, parsed.all_of, parsed.any_of, parsed.negated, _freeze(spec))

    a, b = FieldPath.parse("talks.mode"), FieldPath.parse("talks.mode")
    c = FieldPath.parse("talks.date")
    one, two = condition({"a": 1}), condition({"a": 1})
    # equal by the fields equality compares, but not in the spec as written (compare=False)
    other = condition({"a": {"eq": 1}})
    assert other == one and other.spec != one.spec
    # a spec held as a dict (mutable) is matched by identity only
    assert loads(cache._pickle([Condition.parse({"a": 1})] * 1, share=True))[0] == one
    got = loads(cache._pickle([a, b, c, one, two, other, (a, b), 1, True, 1.0], share=True))
    assert got[0] is got[1] and got[0] is not got[2]
    assert got[3] is got[4] and got[5] is not got[3]
    assert got[5].spec == other.spec and got[3].spec == one.spec
    assert got[6][0] is got[0] and got[6][1] is got[0]
    assert [type(v) for v in got[7:]] == [int, bool, float]
    assert [a, b, c, one, two, other] == got[:6]
