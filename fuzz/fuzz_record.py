"""Fuzz the record loader and the check path: whatever the bytes, only `InputError` may escape.

Each input is fed to ``dlsh_rules.source.load_bytes`` as JSON and as YAML; whatever loads is
validated (``validate_record``) and checked (``check``, default pack loaded once), and the report
is turned into JSON. Any other exception is a crash, and so are two quieter signs of a bug:

* an `InputError` whose problem has code ``internal`` (the loader's catch-all for an exception
  it did not expect), and
* a rule with status ``error`` (the engine caught an exception inside a rule).

Two engines drive it (see fuzz/README.md):

* **atheris** (coverage-guided, libFuzzer), when it is importable::

      python fuzz/fuzz_record.py -max_total_time=3600 corpus/

  An empty or missing corpus directory is first filled with the seed inputs.

* **a deterministic mutation loop** otherwise, or with ``--fallback``::

      python fuzz/fuzz_record.py --fallback --seconds 600 [--seed 0] [--crashes DIR]

  It mutates seed records (the shipped example and small synthetic records, as JSON and YAML)
  with byte flips, truncations, insertions of syntax fragments, splices, and value-level edits
  of the parsed record, keeps inputs that reach a new outcome as further seeds, and stops at
  the time budget. tests/test_fuzz.py runs it for ``DLSH_FUZZ_SECONDS`` (default 45).
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from dlsh_rules.authoring.synth import compliant_record  # noqa: E402
from dlsh_rules.errors import InputError  # noqa: E402
from dlsh_rules.evaluate.engine import check  # noqa: E402
from dlsh_rules.load.source import load_bytes  # noqa: E402
from dlsh_rules.pack.loader import Pack, load_pack  # noqa: E402
from dlsh_rules.record.validate import validate_record  # noqa: E402

# What no view may carry raw, whatever the record says (dlsh_rules.render.visible); HTML may keep
# line breaks and tabs, which its syntax makes harmless.
_RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
# One input may take this much CPU time through load, validate, check and the views, as JSON
# and as YAML. CPU time, not wall clock: CI machines are shared, and a wall-clock bound failed
# once at 179 s for an input that takes 7 s of CPU (300 extra members). The largest record the
# limits allow costs about 6 s to check (docs/security.md) and twice that here (two formats and
# four views); 60 s leaves a slow machine room while still catching a quadratic regression.
SLOW_SECONDS = 60.0

EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"
FORMATS = ("json", "yaml")

_pack: Pack | None = None


def pack() -> Pack:
    """The default pack, loaded once."""
    global _pack
    if _pack is None:
        _pack = load_pack()
    return _pack


class Crash(AssertionError):
    """An input made the tool misbehave in a way bad input never may."""


def run_one(data: bytes) -> tuple[str, ...]:
    """Feed ``data`` through load, validate and check as JSON and as YAML.

    Returns a short signature of what happened (the stage reached, problem codes, failed
    rules), which the mutation loop uses to tell new behaviour from old. Raises `Crash` (or
    whatever escaped) when the input finds a bug.
    """
    signature: list[str] = []
    started = time.process_time()
    for fmt in FORMATS:
        try:
            doc = load_bytes(data, f"fuzz.{fmt}", fmt)
        except InputError as exc:
            signature.append(_refusal(fmt, "load", exc))
            continue
        try:
            record = validate_record(doc.data, doc.name, pack().enums, doc.positions)
        except InputError as exc:
            signature.append(_refusal(fmt, "validate", exc))
            continue
        report = check(record, pack())
        errors = [f"{r.rule}: {r.error}" for r in report.results if r.status == "error"]
        if errors:
            raise Crash(f"rules raised inside the engine ({fmt}): {errors}")
        report.to_json("zh")
        report.to_json("en")
        _views(report, record)
        failed = sorted(r.rule for r in report.results if r.status == "failed")
        signature.append(f"{fmt}:checked:{','.join(failed)}")
    spent = time.process_time() - started
    if spent > SLOW_SECONDS:
        raise Crash(f"took {spent:.0f} s of CPU time (bounded time, security.md)")
    return tuple(signature)


def _views(report: Any, record: Any) -> None:
    """Every line-based view, and HTML: no raw control character, no line the record began."""
    from dlsh_rules.render import RenderContext, renderer

    for name in ("text", "github", "markdown", "html"):
        out = renderer(name)(RenderContext(report, "zh", False, record, pack()))
        found = _RAW_CONTROL.search(out)
        if found is not None:
            raise Crash(f"the {name} view carries U+{ord(found.group()):04X} raw")
        if name == "github" and any(not line.startswith("::") for line in out.splitlines()):
            raise Crash("a github view line is not a workflow command: record text broke a line")


def _refusal(fmt: str, stage: str, exc: InputError) -> str:
    if not exc.problems:
        raise Crash(f"InputError without problems ({fmt}, {stage})")
    for problem in exc.problems:
        if problem.code == "internal":
            raise Crash(f"internal error reported as bad input ({fmt}): {problem.found}")
        problem.render("zh")
        problem.render("en")
    return f"{fmt}:{stage}:{','.join(sorted({p.code for p in exc.problems}))}"


def one_input(data: bytes) -> None:
    """The atheris entry point."""
    run_one(data)


# --------------------------------------------------------------------------------------------
# Seeds


def _minimal_record() -> dict[str, Any]:
    """The smallest valid record: most rules fail on it, which exercises the failure paths."""
    return {
        "format": "dlsh-record/1",
        "unit": {"name": "单位"},
        "meeting": {"date": "2024-01-30"},
        "people": [{"id": "p1", "name": "甲", "role": "secretary"}],
    }


def seeds() -> list[bytes]:
    """Valid records of several sizes, as JSON and YAML, block and flow style."""
    return list(_seeds())


@cache
def _seeds() -> tuple[bytes, ...]:
    example = EXAMPLE.read_bytes()
    records = [
        load_bytes(example, "example.yaml").data,
        compliant_record(2),
        _minimal_record(),
    ]
    out = [example]
    for data in records:
        out.append(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        out.append(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
        out.append(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200).encode("utf-8")
        )
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Mutations

# fmt: off
FRAGMENTS = [
    b"[", b"]", b"{", b"}", b'"', b"'", b":", b",", b"-", b"- ", b"\n", b"\t", b" ", b"#",
    b"&a ", b"*a", b"&a [*a]", b"<<: *a", b"!!python/object/apply:os.system [x]", b"!foo ",
    b"!!binary ", b"!!timestamp ", b"---\n", b"...\n", b"%YAML 1.1\n", b"? ", b"|", b">",
    b"null", b"true", b"yes", b"~", b"NaN", b"Infinity", b"-Infinity", b".nan", b".inf",
    b"1e999", b"-0", b"9" * 5000, b"0x1F", b"0o17", b"1_000", b"2024-02-30", b"2024-01-30T10:00",
    b"\\u0000", b"\\ud800", b"\\uDFFF", b"\\x1b", b"\\e", b"\xff", b"\xc3", b"\xef\xbb\xbf",
    b"\x00", b"\r", b"\x1b[2J", "面对面".encode(), "\u3000".encode(), b"[" * 80, b"{" * 80,
    # issue 12: control characters as YAML/JSON escapes and raw, aliases of long text
    b"\\u202e", b"\\u0085", b"\\ufffe", b"\\a", b"\\x9b", "\u202e".encode(), "\x85".encode(),
    b"&a " + b"x" * 50_000 + b"\n", b"[*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
    b"\n::error::x\n", b"{days: -99999999999}", b"{months: 99999999}",
]

INTERESTING_VALUES: list[Any] = [
    None, "", 0, -1, 1, 2, 2**63, -(2**63), 1.5, 1e308, True, False, [], {}, [[]], {"": {}},
    "2024-02-30", "2024-13-01", "0001-01-01", "9999-12-31", "2024-01-30", "2024-01-20",
    "group", "p1", "t1", "a~b", "a>b", "a/b", "t" * 65, "面对面", "座谈会", "phone", "in_person",
    "secretary", "member", "x" * 10_000, "\u0000", "\ud800", "\x1b[2J", "é", "e\u0301",
    10**6, 10**9, 10**12,
    # issue 12: what could break a view's lines or a terminal; what pydantic once coerced
    "a\n::error::x", "合规\n共 53 条规则", "\u202e", "\x85", "\x9b[2J", "\u2028", "a%0Ab", 1.0, "1",
]
# fmt: on
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EDGE_DATES = [
    "0001-01-01", "0001-01-31", "9999-12-31", "9999-12-01", "2024-02-29", "2023-02-28",
    "2024-01-31", "2024-12-31", "1970-01-01", "2024-02-30",
]  # fmt: skip
EDGE_INTS = [0, -1, 1, 2, 31, 366, 10**6, 10**9, 2**31, 2**63, -(2**63)]


def _byte_mutation(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return rng.choice(FRAGMENTS)
    at = rng.randrange(len(data) + 1)
    op = rng.randrange(8)
    if op == 0:  # flip bits of one byte
        i = min(at, len(data) - 1)
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]
    if op == 1:  # replace a byte
        i = min(at, len(data) - 1)
        return data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :]
    if op == 2:  # truncate
        return data[:at]
    if op == 3:  # insert a syntax fragment
        return data[:at] + rng.choice(FRAGMENTS) + data[at:]
    if op == 4:  # delete a range
        return data[:at] + data[at + rng.randrange(1, 64) :]
    if op == 5:  # duplicate a chunk elsewhere (splice)
        start = rng.randrange(len(data))
        chunk = data[start : start + rng.randrange(1, 256)]
        return data[:at] + chunk + data[at:]
    if op == 6:  # swap two lines
        lines = data.split(b"\n")
        if len(lines) > 2:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines)
    # insert random bytes
    return data[:at] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8))) + data[at:]


def _slots(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside plain data."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _slots(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _slots(item, (*path, i))


def _strings(value: Any) -> list[str]:
    found: list[str] = []
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return found


def _value_mutation(data: Any, rng: random.Random) -> Any:
    """Edit parsed data: replace, delete, duplicate, move or retype one value."""
    data = copy.deepcopy(data)
    paths = [p for p in _slots(data) if p]
    if not paths:
        return rng.choice(INTERESTING_VALUES)
    path = rng.choice(paths)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    op = rng.randrange(9)
    if op == 8:  # fan-out: many members (pair rules grow with their square), or a list × k
        people = data.get("people")
        if isinstance(people, list) and rng.random() < 0.5:
            extra = rng.choice([40, 120, 200, 501])
            people.extend(
                {"id": f"fz{i}", "name": f"成员{i}", "role": "member"} for i in range(extra)
            )
        elif isinstance(parent[key], list) and parent[key]:
            parent[key] = parent[key] * rng.choice([2, 10, 50])
        return data
    if op >= 6:  # a value of the same kind at an edge: dates near the ends of the calendar…
        current = parent[key]
        if isinstance(current, str) and _DATE.fullmatch(current):
            parent[key] = rng.choice(EDGE_DATES)
        elif isinstance(current, int) and not isinstance(current, bool):
            parent[key] = rng.choice(EDGE_INTS)
        else:
            parent[key] = rng.choice(INTERESTING_VALUES)
    elif op == 0:
        parent[key] = rng.choice(INTERESTING_VALUES)
    elif op == 1:  # a string already in the record: references may resolve, ids may clash
        parent[key] = rng.choice(_strings(data) or [""])
    elif op == 2:
        del parent[key]
    elif op == 3 and isinstance(parent, list):  # duplicate a list entry (duplicate ids)
        parent.insert(key, copy.deepcopy(parent[key]))
    elif op == 4 and isinstance(parent, dict):
        parent[rng.choice(["extra", "id", "date", "from", "$schema", "<<"])] = parent[key]
    else:  # wrap in a list or unwrap
        current = parent[key]
        parent[key] = current[0] if isinstance(current, list) and current else [current]
    return data


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One or a few mutations of ``data``, at the byte level or on the parsed record."""
    if rng.random() < 0.4:
        try:  # the tool's own loader: bounded, whatever the corpus has become
            parsed = load_bytes(data, "seed").data
        except InputError:
            parsed = None
        if isinstance(parsed, dict):
            for _ in range(rng.randrange(1, 4)):
                parsed = _value_mutation(parsed, rng)
            return _dump(parsed, rng)
    for _ in range(rng.randrange(1, 5)):
        data = _byte_mutation(data, rng)
    return data


def _dump(data: Any, rng: random.Random) -> bytes:
    try:
        if rng.random() < 0.5:
            return json.dumps(data, ensure_ascii=rng.random() < 0.3, default=str).encode(
                "utf-8", "surrogatepass"
            )
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode(
            "utf-8", "surrogatepass"
        )
    except (ValueError, yaml.YAMLError):
        return json.dumps(data, ensure_ascii=True, default=str).encode("ascii")


# --------------------------------------------------------------------------------------------
# The fallback engine


@dataclass
class Stats:
    executions: int = 0
    corpus: int = 0
    outcomes: int = 0
    seconds: float = 0.0
    crashes: list[tuple[bytes, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.executions} inputs in {self.seconds:.1f} s, {self.outcomes} distinct "
            f"outcomes, corpus {self.corpus}, {len(self.crashes)} crashes"
        )


def fallback(
    seconds: float,
    seed: int = 0,
    max_corpus: int = 300,
    on_crash: Callable[[bytes, BaseException], None] | None = None,
) -> Stats:
    """Mutate the seeds for ``seconds``; every distinct crash is kept (and passed to on_crash)."""
    rng = random.Random(seed)
    originals = seeds()
    corpus = list(originals)
    seen: set[tuple[str, ...]] = set()
    crash_kinds: set[str] = set()
    stats = Stats()
    start = time.monotonic()
    for data in corpus:  # the seeds themselves must pass
        seen.add(_guarded(data, stats, crash_kinds, on_crash) or ())
    while time.monotonic() - start < seconds:
        # Half the time a seed, so that the small ones (few values, each edit likelier to
        # matter) are not crowded out as the corpus grows.
        base = rng.choice(originals if rng.random() < 0.5 else corpus)
        data = mutate(base, rng)
        signature = _guarded(data, stats, crash_kinds, on_crash)
        if signature is not None and signature not in seen:
            seen.add(signature)
            if len(corpus) < max_corpus and len(data) < 200_000:
                corpus.append(data)
    stats.corpus = len(corpus)
    stats.outcomes = len(seen)
    stats.seconds = time.monotonic() - start
    return stats


def _guarded(
    data: bytes,
    stats: Stats,
    crash_kinds: set[str],
    on_crash: Callable[[bytes, BaseException], None] | None,
) -> tuple[str, ...] | None:
    stats.executions += 1
    try:
        return run_one(data)
    except Exception as exc:
        kind = f"{type(exc).__name__}: {str(exc)[:200]}"
        if kind not in crash_kinds:
            crash_kinds.add(kind)
            stats.crashes.append((data, kind))
            if on_crash is not None:
                on_crash(data, exc)
        return None


# --------------------------------------------------------------------------------------------
# Command line


def _fill_corpus(args: list[str]) -> None:
    """Give libFuzzer the seeds when its corpus directory is missing or empty."""
    for arg in args:
        if arg.startswith("-"):
            continue
        directory = Path(arg)
        if directory.suffix or (directory.exists() and not directory.is_dir()):
            continue
        directory.mkdir(parents=True, exist_ok=True)
        if not any(directory.iterdir()):
            for i, data in enumerate(seeds()):
                (directory / f"seed-{i:02d}").write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--fallback", action="store_true", help="the mutation loop, not atheris")
    parser.add_argument("--seconds", type=float, default=60.0, help="fallback time budget")
    parser.add_argument("--seed", type=int, default=0, help="fallback random seed")
    parser.add_argument("--crashes", type=Path, default=None, help="write crashing inputs here")
    known, rest = parser.parse_known_args(argv)
    try:
        atheris = importlib.import_module("atheris")
    except ImportError:
        atheris = None
    if atheris is not None and not known.fallback:
        _fill_corpus(rest)
        pack()  # loaded once, before fuzzing starts
        # Coverage feedback from every Python function loaded so far: dlsh_rules, PyYAML's
        # pure-Python parser, pydantic's Python layer (json and pydantic-core are compiled).
        atheris.instrument_all()

        def custom_mutator(data: bytes, max_size: int, seed: int) -> bytes:
            # Half libFuzzer's own byte-level mutations, half this file's, which also edit
            # the parsed record (dates near the ends of the calendar, duplicated ids…).
            if seed % 2:
                mutated: bytes = atheris.Mutate(data, max_size)
                return mutated
            return mutate(data, random.Random(seed))[:max_size]

        atheris.Setup([sys.argv[0], *rest], one_input, custom_mutator=custom_mutator)
        atheris.Fuzz()
        return 0

    def save(data: bytes, exc: BaseException) -> None:
        print(f"CRASH {type(exc).__name__}: {exc}\n  input: {data[:300]!r}", file=sys.stderr)
        if known.crashes is not None:
            known.crashes.mkdir(parents=True, exist_ok=True)
            (known.crashes / f"crash-{abs(hash(data)):016x}").write_bytes(data)

    stats = fallback(known.seconds, known.seed, on_crash=save)
    print(stats)
    return 1 if stats.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
