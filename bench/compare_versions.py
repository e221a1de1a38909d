"""Check and validation time of two checkouts of dlsh_rules, side by side, in CPU time.

    python bench/compare_versions.py OLD_CHECKOUT NEW_CHECKOUT [--rounds 3]

Each round runs one process per checkout (old, then new) that loads the default pack, builds
compliant synthetic records of 5, 20, 80 and 200 members (tests/strategies' generator of that
checkout), and measures the median CPU time (time.process_time) of `check` and of validating the
record. The medians of the rounds are printed. CPU time rather than wall time, so that a machine
shared with other work still gives comparable numbers; they are measurements, not tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

PROBE = r"""
import copy, json, os, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import dlsh_rules
from dlsh_rules import check, load_pack
try:
    from dlsh_rules.authoring.synth import compliant_record
    from dlsh_rules.record.validate import validate_record
except ImportError:  # the flat layout before the reshape
    from dlsh_rules.synth import compliant_record
    from dlsh_rules.record import validate_record
pack = load_pack("provincial-bureau-2024")
out = {}
for n, reps in ((5, 200), (20, 60), (80, 10), (200, 4)):
    data = compliant_record(n)
    record = validate_record(copy.deepcopy(data), "r", pack.enums)
    check(record, pack)
    times = []
    for _ in range(reps):
        t = time.process_time(); check(record, pack); times.append(time.process_time() - t)
    valid = []
    for _ in range(max(2, reps // 4)):
        d = copy.deepcopy(data)
        t = time.process_time(); validate_record(d, "r", pack.enums); valid.append(time.process_time() - t)
    out[n] = (statistics.median(times) * 1000, statistics.median(valid) * 1000)
print(json.dumps(out))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows: dict[str, list[dict[str, list[float]]]] = {"old": [], "new": []}
    for _ in range(args.rounds):
        for side in ("old", "new"):
            done = subprocess.run(
                [sys.executable, "-c", PROBE, getattr(args, side)],
                capture_output=True,
                text=True,
                check=True,
            )
            rows[side].append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(
        f"{'members':>8} {'check old':>10} {'check new':>10} {'valid. old':>11} {'valid. new':>11}  (ms CPU)"
    )
    for n in rows["old"][0]:
        cell = {
            (side, i): statistics.median(r[n][i] for r in rows[side])
            for side in ("old", "new")
            for i in (0, 1)
        }
        print(
            f"{n:>8} {cell['old', 0]:>10.1f} {cell['new', 0]:>10.1f}"
            f" {cell['old', 1]:>11.1f} {cell['new', 1]:>11.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
