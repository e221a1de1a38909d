"""The fast record validator (recordplan.py) against pydantic's, in process and at start-up.

python bench/record_fastpath.py                       # this checkout
python bench/record_fastpath.py --before /tmp/old     # and start-up of another checkout's code

In process, for synthetic compliant records (`synth.compliant_record`): the fast path alone, the
pydantic path alone (validator + serializer, what the fast path stands in for), and
`validate_record` with and without the fast path (both include `index_record`), each the median
of several runs with the garbage collector paused as `validate_record` pauses it. At start-up,
with a warm disk cache and compiled bytecode: `python -c "import pydantic, yaml"`, validating the
example record after `import dlsh_rules.record`, and `python -m dlsh_rules check` of it,
interleaved, median of ``--runs`` each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dlsh_rules.authoring.synth import compliant_record  # noqa: E402
from dlsh_rules.load.perf import gc_paused  # noqa: E402
from dlsh_rules.record import validate as record  # noqa: E402
from dlsh_rules.record.enums import DEFAULT  # noqa: E402
from dlsh_rules.record.plan import fast_validate  # noqa: E402

VALIDATE = f"""
import dlsh_rules.record
from dlsh_rules.load.source import load_path
doc = load_path({str(EXAMPLE)!r})
dlsh_rules.record.validate_record(doc.data, doc.name, positions=doc.positions)
"""


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        with gc_paused():
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        del result  # freed outside the timing, as the caller would free it
    return statistics.median(times) * 1000


def in_process(sizes: Sequence[int]) -> list[dict[str, Any]]:
    record._record_plan()
    record._codec()
    rows = []
    for members in sizes:
        row = measure(members)
        rows.append(row)
        print(
            f"{members:4d} members: fast {row['fast_ms']:8.2f} ms, pydantic {row['pydantic_ms']:8.2f}"
            f" ms ({row['fast_ms'] / row['pydantic_ms']:.2f}); validate_record"
            f" {row['validate_record_ms']:8.2f} ms, without the fast path"
            f" {row['validate_record_pydantic_ms']:8.2f} ms",
            flush=True,
        )
    return rows


def measure(members: int) -> dict[str, Any]:
    plan = record._record_plan()
    data = json.loads(json.dumps(compliant_record(members)))
    runs = 21 if members <= 20 else 7 if members <= 80 else 5
    fast = fast_validate(plan, data, DEFAULT)
    assert fast is not None and fast == record._pydantic_validate(data, "x", DEFAULT, {})

    def whole() -> Any:
        return record.validate_record(data)

    row = {
        "members": members,
        "fast_ms": median_ms(lambda: fast_validate(plan, data, DEFAULT), runs),
        "pydantic_ms": median_ms(lambda: record._pydantic_validate(data, "x", DEFAULT, {}), runs),
        "validate_record_ms": median_ms(whole, runs),
    }
    with (
        mock.patch.object(record, "fast_validate", lambda *args: None),
        mock.patch.object(record, "_one_pass", lambda plan: None),  # onepass.py
    ):
        row["validate_record_pydantic_ms"] = median_ms(whole, runs)
    return row


def start_up(runs: int, checkouts: dict[str, Path]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        commands: dict[str, tuple[list[str], dict[str, str]]] = {}
        for label, checkout in checkouts.items():
            env = dict(os.environ)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env.pop("DLSH_NO_CACHE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / label / "pycache")
            env["XDG_CACHE_HOME"] = str(Path(scratch) / label / "xdg")
            env["PYTHONPATH"] = str(checkout)
            if not commands:
                commands["import pydantic, yaml"] = (
                    [sys.executable, "-c", "import pydantic, yaml"],
                    env,
                )
            commands[f"{label}: validate the example"] = ([sys.executable, "-c", VALIDATE], env)
            commands[f"{label}: check the example"] = (
                [sys.executable, "-m", "dlsh_rules", "check", str(EXAMPLE)],
                env,
            )
        for argv, env in commands.values():  # compile bytecode, fill the disk cache
            subprocess.run(argv, env=env, cwd=scratch, capture_output=True, check=False)
        times: dict[str, list[float]] = {key: [] for key in commands}
        for _ in range(runs):
            for key, (argv, env) in commands.items():
                start = time.perf_counter()
                subprocess.run(argv, env=env, cwd=scratch, capture_output=True, check=False)
                times[key].append(time.perf_counter() - start)
    result = {key: statistics.median(values) * 1000 for key, values in times.items()}
    for key, value in result.items():
        print(f"{key:40s} {value:8.1f} ms", flush=True)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5,20,80,200", help="members per synthetic record")
    parser.add_argument("--runs", type=int, default=15, help="start-up runs of each command")
    parser.add_argument("--before", type=Path, help="a checkout of older code to compare with")
    parser.add_argument("--skip-start-up", action="store_true")
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    in_process([int(size) for size in args.sizes.split(",")])
    if not args.skip_start_up:
        checkouts = {"after": ROOT}
        if args.before is not None:
            checkouts = {"before": args.before.resolve(), **checkouts}
        start_up(args.runs, checkouts)
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
