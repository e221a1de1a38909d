"""Benchmarks of dlsh_rules (issue 4): check time by record size, pack and record loading, CLI cold
start, batch throughput and peak memory, with the performance targets computed in the same run.

    python bench/run.py            # the full run (10-15 minutes on 2 CPUs)
    python bench/run.py --quick    # a smoke run: fewer repetitions, 200 batch records

Prints a table and writes bench/results/latest.json (bench/results/ is not committed). These are
measurements, not tests: nothing here fails the test suite, and the numbers depend on the machine
and on what else it runs; the script records the load average before and after.

The benchmark uses its own user cache directory (XDG_CACHE_HOME) under bench/results/, and
subprocesses their own bytecode cache (PYTHONPYCACHEPREFIX), both warmed by one untimed run, so
that cold start is measured as an installed tool sees it: modules compiled, pack cache written
by an earlier run. `--no-warm-cache` measures with DLSH_NO_CACHE=1 instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
EXAMPLE = "docs/examples/bureau-2024.yaml"
SIZES = (5, 20, 80, 200)

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- measuring --------------------------------------------------------------------------------


def median_time(fn: Callable[[], Any], runs: int, budget: float | None = None) -> float:
    """Median wall time of ``fn`` over ``runs`` calls (fewer if ``budget`` seconds run out)."""
    times: list[float] = []
    start = time.perf_counter()
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if budget is not None and len(times) >= 3 and time.perf_counter() - start > budget:
            break
    return statistics.median(times)


def peak_traced(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated by Python while ``fn`` runs (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# Runs the measured commands. Linux counts the memory of the process that forks a child in the
# child's peak RSS (ru_maxrss), so they are started from this small process, launched before the
# benchmark itself grows: a child's peak then includes at most the launcher's few MiB.
_LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    req = json.loads(line)
    t0 = time.perf_counter()
    proc = subprocess.Popen(req["argv"], cwd=req["cwd"], env=req["env"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    proc.stderr.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    print(json.dumps({"wall": wall, "maxrss": usage.ru_maxrss,
                      "cpu": usage.ru_utime + usage.ru_stime,
                      "status": os.waitstatus_to_exitcode(status),
                      "stderr": err.decode(errors="replace")[-2000:]}), flush=True)
"""


class Launcher:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-S", "-c", _LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, argv: Sequence[str], env: dict[str, str], cwd: Path = ROOT) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = {"argv": list(argv), "cwd": str(cwd), "env": env}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        result: dict[str, Any] = json.loads(self.proc.stdout.readline())
        if result["status"] not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} exited {result['status']}:\n{result['stderr']}")
        return result

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait()


LAUNCHER: Launcher | None = None


def run_child(
    argv: Sequence[str], env: dict[str, str], cwd: Path = ROOT
) -> tuple[float, int, int, float]:
    """(wall seconds, peak RSS in KiB, exit status, CPU seconds) of one command.

    CPU time includes the command's own child processes (batch workers) that it waited for.
    """
    assert LAUNCHER is not None
    r = LAUNCHER.run(argv, env, cwd)
    return r["wall"], r["maxrss"], r["status"], r["cpu"]


def child_env(cache_dir: Path, pycache: Path, use_cache: bool, root: Path = ROOT) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["XDG_CACHE_HOME"] = str(cache_dir)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    env.pop("DLSH_NO_CACHE", None)
    if not use_cache:
        env["DLSH_NO_CACHE"] = "1"
    return env


# --- the sections -----------------------------------------------------------------------------


def bench_records(sizes: Sequence[int], quick: bool) -> list[dict[str, Any]]:
    """Per size: bytes, talks, criticisms, load + validation time, check time, peak memory."""
    from dlsh_rules import load_pack

    pack = load_pack()
    rows = []
    for members in sizes:
        row = bench_record(members, pack, quick)
        rows.append(row)
        print(
            f"  {members:>4} members: {row['bytes'] / 1e6:7.2f} MB  "
            f"parse {row['parse_s'] * 1e3:8.1f} ms  validate {row['validate_s'] * 1e3:8.1f} ms  "
            f"check {row['check_s'] * 1e3:8.1f} ms",
            flush=True,
        )
    return rows


def bench_record(members: int, pack: Any, quick: bool) -> dict[str, Any]:
    from dlsh_rules import check
    from dlsh_rules.authoring.synth import compliant_record
    from dlsh_rules.load.source import load_bytes
    from dlsh_rules.record.validate import validate_record

    record = compliant_record(members)
    data = json.dumps(record, ensure_ascii=False).encode()
    name = f"synth-{members}.json"

    def load() -> Any:
        doc = load_bytes(data, name)
        return validate_record(doc.data, doc.name, pack.enums, doc.positions)

    doc = load_bytes(data, name)
    repeat = 3 if quick else 7
    parse_s = median_time(lambda: load_bytes(data, name), repeat, budget=20)
    validate_s = median_time(
        lambda: validate_record(doc.data, doc.name, pack.enums, doc.positions), repeat, budget=20
    )
    validated = load()
    report = check(validated, pack)
    if not report.summary.compliant:
        raise SystemExit(f"the synthetic record of {members} members is not compliant")
    runs = 200 if members <= 5 else 50 if members <= 20 else 9 if members <= 80 else 7
    if quick:
        runs = max(3, runs // 5)
    check_s = median_time(lambda: check(validated, pack), runs, budget=30)
    peak = peak_traced(lambda: check(load(), pack))
    return {
        "members": members,
        "bytes": len(data),
        "talks": len(record["talks"]),
        "criticisms": len(record["meeting"]["criticisms"]),
        "rectification_items": len(record["rectification"]["items"]),
        "parse_s": parse_s,
        "validate_s": validate_s,
        "check_s": check_s,
        "check_runs": runs,
        "peak_traced_bytes": peak,
    }


def bench_pack(quick: bool) -> dict[str, Any]:
    """load_pack with the in-process cache cleared: parsing the YAML files, and from the disk cache."""
    from dlsh_rules.pack import loader as pack_module

    def cold(use_disk: bool) -> Callable[[], Any]:
        def load() -> Any:
            pack_module._load_pack_cached.cache_clear()
            if use_disk:
                os.environ.pop("DLSH_NO_CACHE", None)
            else:
                os.environ["DLSH_NO_CACHE"] = "1"
            return pack_module.load_pack()

        return load

    saved = os.environ.get("DLSH_NO_CACHE")
    try:
        parse_s = median_time(cold(False), 5 if quick else 15)
        cold(True)()  # write the disk cache (if the tool has one)
        cached_s = median_time(cold(True), 5 if quick else 15)
    finally:
        if saved is None:
            os.environ.pop("DLSH_NO_CACHE", None)
        else:
            os.environ["DLSH_NO_CACHE"] = saved
        pack_module._load_pack_cached.cache_clear()
    return {"parse_s": parse_s, "disk_cache_s": cached_s}


def bench_cold_start(runs: int, use_cache: bool) -> dict[str, Any]:
    """`python -m dlsh_rules check EXAMPLE` beside `python -c "import pydantic, yaml"`, interleaved."""
    env = child_env(RESULTS / "xdg-cache", RESULTS / "pycache", use_cache)
    commands = {
        "python": [sys.executable, "-c", "pass"],
        "import_pydantic_yaml": [sys.executable, "-c", "import pydantic, yaml"],
        "check_example": [sys.executable, "-m", "dlsh_rules", "check", EXAMPLE],
        "help": [sys.executable, "-m", "dlsh_rules", "--help"],
        "rules": [sys.executable, "-m", "dlsh_rules", "rules"],
    }
    for argv in commands.values():  # compile bytecode, write the pack cache
        run_child(argv, env)
    times: dict[str, list[float]] = {k: [] for k in commands}
    rss: dict[str, list[int]] = {k: [] for k in commands}
    for _ in range(runs):
        for key, argv in commands.items():
            wall, maxrss, _, _ = run_child(argv, env)
            times[key].append(wall)
            rss[key].append(maxrss)
    return {
        key: {"median_s": statistics.median(times[key]), "max_rss_kib": max(rss[key])}
        for key in commands
    }


# The fallback when the CLI has no batch mode: the library's process pool, output as JSON.
_CHECK_MANY = """
import json, sys
from dlsh_rules.batch import check_many
results = check_many([sys.argv[1]], jobs=int(sys.argv[2]))
with open(sys.argv[3], "w", encoding="utf-8") as out:
    json.dump([r.report.to_dict("zh") if r.report else None for r in results], out)
"""


def write_batch(directory: Path, count: int) -> int:
    """``count`` 5-member compliant records as YAML files (dates shifted so they differ)."""
    import yaml

    from dlsh_rules.authoring.synth import compliant_record

    directory.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(count):
        record = compliant_record(5, shift_days=i % 60)
        record["unit"]["name"] = f"{record['unit']['name']} {i:04d}"
        text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
        (directory / f"r{i:04d}.yaml").write_text(text, encoding="utf-8")
        total += len(text.encode())
    return total


def bench_batch(
    count: int,
    jobs_list: Sequence[int],
    use_cache: bool,
    rounds: int,
    base: Path | None = None,
) -> dict[str, Any]:
    """Records per second of `check DIR --jobs N --format json -o out.json`.

    The runs for each N alternate, ``rounds`` times, and the median is kept: on a shared
    machine the load changes from minute to minute, and alternating spreads it evenly.

    With ``base`` (another checkout of dlsh_rules, such as the code an issue was filed
    against), each round also runs that checkout's `--jobs 2` on the same records, so that a
    target of "N times today's speed" is judged against today's code on the same host in the
    same minutes: this host's speed moves by a third within an hour. Every command runs from a
    scratch directory, because `python -m` puts the working directory ahead of PYTHONPATH,
    and each side's import path is asserted before it is timed.
    """
    env = child_env(RESULTS / "xdg-cache", RESULTS / "pycache", use_cache)
    sides: dict[str, tuple[Path, dict[str, str]]] = {"": (ROOT, env)}
    if base is not None:
        base = base.resolve()
        base_env = child_env(
            RESULTS / "xdg-cache-base", RESULTS / "pycache-base", use_cache, root=base
        )
        sides["base"] = (base, base_env)
    work = Path(tempfile.mkdtemp(prefix="dlsh-bench-"))
    try:
        for root, side_env in sides.values():
            _assert_imports_from(root, side_env, work)
        records = work / "records"
        total_bytes = write_batch(records, count)
        out: dict[str, Any] = {"records": count, "record_bytes_total": total_bytes}
        # A warm-up run on a few records: bytecode and pack cache, as for cold start. If the CLI
        # cannot check a directory (no batch support), the library's check_many is timed instead.
        few = work / "few"
        write_batch(few, 8)
        method: dict[str, str] = {}
        for side, (_, side_env) in sides.items():
            method[side] = "cli"
            try:
                run_child(
                    [sys.executable, "-m", "dlsh_rules", "check", str(few), "--jobs", "2", "-q",
                     "--format", "json", "-o", str(work / "few.json")],
                    side_env,
                    work,
                )  # fmt: skip
            except SystemExit as exc:
                print(
                    f"  the CLI cannot check a directory ({exc}); timing batch.check_many",
                    flush=True,
                )
                method[side] = "library"
        outputs: dict[str, dict[int, bytes]] = {side: {} for side in sides}
        plan = [("", jobs) for jobs in jobs_list] + ([("base", 2)] if base is not None else [])
        runs: dict[tuple[str, int], list[tuple[float, int, float]]] = {key: [] for key in plan}
        for _ in range(rounds):
            for side, jobs in plan:
                side_env = sides[side][1]
                target = work / f"out-{side or 'this'}-{jobs}.json"
                argv = [
                    sys.executable, "-m", "dlsh_rules", "check", str(records), "--jobs", str(jobs),
                    "-q", "--format", "json", "-o", str(target),
                ]  # fmt: skip
                if method[side] == "library":
                    argv = [sys.executable, "-c", _CHECK_MANY, str(records), str(jobs), str(target)]
                wall, maxrss, _, cpu = run_child(argv, side_env, work)
                outputs[side][jobs] = target.read_bytes()
                runs[side, jobs].append((wall, maxrss, cpu))
                print(
                    f"  {'base ' if side else ''}--jobs {jobs}: {wall:6.2f} s, "
                    f"{count / wall:7.1f} records/s, CPU {cpu:6.2f} s, "
                    f"load {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
        for (side, jobs), measured in runs.items():
            wall = statistics.median(w for w, _, _ in measured)
            summary = {
                "wall_s": wall,
                "records_per_s": count / wall,
                "cpu_s": statistics.median(c for _, _, c in measured),
                "max_rss_kib": max(r for _, r, _ in measured),
                "walls_s": [w for w, _, _ in measured],
            }
            if side:
                out.setdefault(side, {"root": str(base), "commit": _commit(sides[side][0])})
                out[side][f"jobs_{jobs}"] = summary
            else:
                out[f"jobs_{jobs}"] = summary
        out["same_output"] = len(set(outputs[""].values())) == 1
        out["method"] = method[""]
        if base is not None:
            # Informative only: a base from before a change of the report may write other bytes.
            out["base"]["same_output_as_this"] = outputs["base"][2] == outputs[""].get(2)
            out["base"]["method"] = method["base"]
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _assert_imports_from(root: Path, env: dict[str, str], cwd: Path) -> None:
    """Stop unless ``python -m dlsh_rules`` run with ``env`` from ``cwd`` imports ``root``'s."""
    # Exit status 3, not sys.exit(message): the launcher takes 1 for a run that found problems.
    probe = (
        "import sys, pathlib, dlsh_rules\n"
        "here = pathlib.Path(dlsh_rules.__file__).resolve()\n"
        f"if not here.is_relative_to(pathlib.Path({str(root)!r}).resolve()):\n"
        "    sys.stderr.write(f'dlsh_rules is imported from {here}')\n"
        "    sys.exit(3)\n"
    )
    run_child([sys.executable, "-c", probe], env, cwd)


def _commit(root: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip() or None


# --- report -----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pydantic
    import yaml

    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": cpu,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "pydantic": pydantic.VERSION,
        "pyyaml": yaml.__version__,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
        "platform": platform.platform(),
    }


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = {r["members"]: r for r in results["records"]}
    out = []
    if 20 in rows and 200 in rows:
        time_ratio = rows[200]["check_s"] / rows[20]["check_s"]
        size_ratio = rows[200]["bytes"] / rows[20]["bytes"]
        out.append(
            {
                "target": "check time grows no faster than size: t(200)/t(20) <= 1.3 x size(200)/size(20)",
                "measured": f"t ratio {time_ratio:.1f}, size ratio {size_ratio:.1f}: "
                f"{time_ratio / size_ratio:.2f} x (limit 1.3)",
                "value": time_ratio / size_ratio,
                "pass": time_ratio <= 1.3 * size_ratio,
            }
        )
    cold = results.get("cold_start")
    if cold:
        ratio = cold["check_example"]["median_s"] / cold["import_pydantic_yaml"]["median_s"]
        out.append(
            {
                "target": "CLI cold start <= 1.3 x `python -c 'import pydantic, yaml'`",
                "measured": f"{cold['check_example']['median_s'] * 1e3:.0f} ms vs "
                f"{cold['import_pydantic_yaml']['median_s'] * 1e3:.0f} ms: {ratio:.2f} x",
                "value": ratio,
                "pass": ratio <= 1.3,
            }
        )
    batch = results.get("batch")
    if batch and "jobs_1" in batch and "jobs_2" in batch:
        ratio = batch["jobs_2"]["records_per_s"] / batch["jobs_1"]["records_per_s"]
        out.append(
            {
                "target": "--jobs 2 throughput >= 1.7 x --jobs 1",
                "measured": f"{batch['jobs_2']['records_per_s']:.0f} vs "
                f"{batch['jobs_1']['records_per_s']:.0f} records/s: {ratio:.2f} x",
                "value": ratio,
                "pass": ratio >= 1.7,
            }
        )
    for members, limit in ((5, 0.005), (200, 0.250)):
        if members in rows:
            t = rows[members]["check_s"]
            out.append(
                {
                    "target": f"{members}-member record checked in < {limit * 1e3:.0f} ms",
                    "measured": f"{t * 1e3:.1f} ms",
                    "value": t,
                    "pass": t < limit,
                }
            )
    return out


def print_table(results: dict[str, Any]) -> None:
    print()
    print("In-process, per record (pack loaded; check = engine only, record already validated)")
    print(
        f"{'members':>7} {'bytes':>11} {'talks':>7} {'critic.':>7} {'parse ms':>9} "
        f"{'valid. ms':>9} {'check ms':>9} {'peak MiB':>9}"
    )
    for r in results["records"]:
        print(
            f"{r['members']:>7} {r['bytes']:>11,} {r['talks']:>7} {r['criticisms']:>7} "
            f"{r['parse_s'] * 1e3:>9.1f} {r['validate_s'] * 1e3:>9.1f} {r['check_s'] * 1e3:>9.1f} "
            f"{r['peak_traced_bytes'] / 2**20:>9.1f}"
        )
    pack = results["pack"]
    print(
        f"\nload_pack (in-process cache cleared): parsing {pack['parse_s'] * 1e3:.1f} ms, "
        f"from the disk cache {pack['disk_cache_s'] * 1e3:.1f} ms"
    )
    cold = results.get("cold_start")
    if cold:
        print("\nCold start (median of subprocess runs, interleaved)")
        for key, value in cold.items():
            print(
                f"  {key:<22} {value['median_s'] * 1e3:7.1f} ms   max RSS "
                f"{value['max_rss_kib'] / 1024:6.1f} MiB"
            )
    batch = results.get("batch")
    if batch:
        print(
            f"\nBatch, {batch['records']} records of 5 members (YAML), {batch['method']} "
            f"--format json -o, median of {len(batch['jobs_1']['walls_s'])} alternating runs"
        )
        for key in sorted(k for k in batch if k.startswith("jobs_")):
            b = batch[key]
            print(
                f"  {key:<8} {b['wall_s']:7.2f} s  {b['records_per_s']:7.1f} records/s  "
                f"CPU {b['cpu_s']:6.2f} s  max RSS {b['max_rss_kib'] / 1024:6.1f} MiB"
            )
        print(f"  same output bytes for every --jobs: {batch['same_output']}")
    print("\nTargets")
    for t in results["targets"]:
        print(f"  {'PASS' if t['pass'] else 'FAIL'}  {t['target']}\n        {t['measured']}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="members per synthetic record"
    )
    parser.add_argument("--cold-runs", type=int, default=None, help="subprocess runs (10)")
    parser.add_argument("--batch", type=int, default=None, help="batch records (1000)")
    parser.add_argument(
        "--batch-rounds", type=int, default=None, help="alternating runs of each --jobs (3)"
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=["cold", "batch"])
    parser.add_argument(
        "--no-warm-cache", action="store_true", help="run subprocesses with DLSH_NO_CACHE=1"
    )
    parser.add_argument(
        "-o", "--output", default=None, help="the results file (bench/results/latest.json)"
    )
    args = parser.parse_args(argv)
    global LAUNCHER
    LAUNCHER = Launcher()  # first, while this process is small
    sizes = [int(s) for s in args.sizes.split(",") if s]
    RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ["XDG_CACHE_HOME"] = str(RESULTS / "xdg-cache")  # leave the user's cache alone
    use_cache = not args.no_warm_cache

    results: dict[str, Any] = {
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine(),
        "load_before": os.getloadavg(),
    }
    print(
        f"{results['machine']['cpu']}, {results['machine']['nproc']} CPUs, Python "
        f"{results['machine']['python']}; load average {results['load_before'][0]:.2f}"
    )
    print("Records (in-process)", flush=True)
    results["records"] = bench_records(sizes, args.quick)
    results["pack"] = bench_pack(args.quick)
    if "cold" not in args.skip:
        runs = args.cold_runs or (5 if args.quick else 10)
        print(f"Cold start ({runs} runs each)", flush=True)
        results["cold_start"] = bench_cold_start(runs, use_cache)
    if "batch" not in args.skip:
        count = args.batch or (200 if args.quick else 1000)
        print(f"Batch ({count} records)", flush=True)
        rounds = args.batch_rounds or (1 if args.quick else 3)
        results["batch"] = bench_batch(count, (1, 2), use_cache, rounds)
    LAUNCHER.close()
    results["load_after"] = os.getloadavg()
    results["self_max_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results["targets"] = targets(results)
    print_table(results)
    print(
        f"\nload average {results['load_before'][0]:.2f} before, {results['load_after'][0]:.2f} after"
    )
    output = Path(args.output) if args.output else RESULTS / "latest.json"
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
