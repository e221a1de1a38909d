"""Checking many records in one run: input expansion, a process pool, input order, and the batch
views (the text table and the combined JSON object of docs/report-format.md).

    from dlsh_rules.batch import check_many
    results = check_many(["records/", "archive/**/*.json"], "provincial-bureau-2024", jobs=2)
    for r in results:
        print(r.source, r.report.summary.compliant if r.report else r.error)

Arguments are files, directories (searched recursively for *.json, *.yaml and *.yml, hidden
files and directories skipped) and glob patterns (expanded here, so that a quoted pattern works
on every shell, Windows' included). Each directory and pattern expands sorted; the arguments keep
the order given; a file named twice is checked once. An argument that names no file, and a
record that cannot be read or is invalid, becomes a result with problems instead of a report:
it never stops the other records.

Results come back in input order whatever the number of workers, so a run's output is the
same bytes with `--jobs 1` and `--jobs 8`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from ..errors import DeclaredValue, FrozenValue, InputError, Problem, Text
from ..render import RenderContext

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ..evaluate.engine import Waiver
    from ..evaluate.results import Organisations, Report, Summary
    from ..pack.loader import Pack
    from ..render.batch_view import RunEntry
    from .ignore import Ignored

RECORD_SUFFIXES = (".json", ".yaml", ".yml")
# Below this many records per worker, starting workers costs more than it saves.
MIN_RECORDS_PER_WORKER = 4
# Records per task sent to a worker: large enough that pickling and queueing are negligible next
# to checking (~10 ms a small record), small enough that both workers finish close together and
# the progress bar moves.
MAX_CHUNK = 16


# --- results ---------------------------------------------------------------------------------


class BatchResult(FrozenValue):
    """One input of a batch: its report, or the problems that kept it from being checked.

    Problems travel as a tuple of `Problem` (plain frozen data) rather than as the `InputError`,
    which does not survive pickling on its way back from a worker process.
    """

    source: str
    report: Report | None
    problems: tuple[Problem, ...]
    # The report's object in the batch JSON, (lang, UTF-8 text, or the text if it is not
    # UTF-8), when the run asked for it (`Options.json_lang`): written where the record was
    # checked, so that a worker process does it rather than the parent after all the workers
    # (`render/batch_view.batch_json_utf8`).
    # Not an argument: `replace` with another report must not carry it over.
    json_entry: tuple[str, bytes | str] | None
    # The report's summary and worst failed level, worked out where the record was checked:
    # the parent reads them for the run's totals and exit code after all the workers are done,
    # where working them out from every report's 78 results was a serial part of the run.
    # Derived like `json_entry`: `replace` with another report drops them.
    digest: tuple[Summary, str | None] | None
    _hidden = ("json_entry", "digest")
    _uncompared = ("json_entry", "digest")
    _derived = ("json_entry", "digest")

    def __init__(
        self, source: str, report: Report | None = None, problems: tuple[Problem, ...] = ()
    ) -> None:
        self.__dict__.update(
            source=source, report=report, problems=problems, json_entry=None, digest=None
        )

    @property
    def error(self) -> InputError | None:
        return InputError(list(self.problems)) if self.report is None else None

    def exit_code(self, fail_on: str = "error") -> int:
        if self.report is None:
            return 2
        if self.digest is not None:
            from ..evaluate.results import exit_code_of

            return exit_code_of(self.digest[1], fail_on)
        return self.report.exit_code(fail_on)


def exit_code(results: Sequence[BatchResult], fail_on: str = "error") -> int:
    """The worst status over all records: 2 if one could not be checked, else 1 if one failed
    at or above ``fail_on``, else 0 — whatever format the results are shown in."""
    return max((r.exit_code(fail_on) for r in results), default=0)


class Options(DeclaredValue):
    """Everything a worker needs besides the pack; plain data, so it pickles for any start method.
    Made once a batch: the generic ``__init__`` of its declared fields (errors.DeclaredValue)."""

    as_of: dt.date | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    today: dt.date | None = None  # the day waivers are judged at without as_of
    json_lang: str | None = None  # write each report's batch JSON object in this language


class RecordCrash(Exception):
    """A record made the checker fail (a bug); carries the record's name out of the worker."""


def check_path(path: str, pack: Pack, options: Options) -> BatchResult:
    """Load and check one record file."""
    from ..load.perf import gc_paused

    # The collector paused for the whole record, not only inside reading, validation and the
    # check (each pauses it itself): on every resumption between them it walked the young
    # record just built, and promoted it to be walked again by older collections, a tenth of
    # a batch's CPU (cProfile's gc callbacks: 0.65 of 5.2 s for 300 records). What a record
    # leaves behind is freed by reference counting; its report is all that stays.
    with gc_paused():
        return _check_path(path, pack, options)


def _check_path(path: str, pack: Pack, options: Options) -> BatchResult:
    from ..record.validate import load_record
    from ..report.waivers import check_record

    try:
        record = load_record(path, pack.enums)
        report = check_record(
            record,
            pack,
            as_of=options.as_of,
            select=options.select,
            ignore=options.ignore,
            waivers=options.waivers,
            today=options.today,
        )
    except InputError as exc:
        return BatchResult(path, problems=tuple(exc.problems))
    except Exception as exc:
        raise RecordCrash(f"{path}: {type(exc).__name__}: {exc}") from exc
    result = BatchResult(path, report)
    summary = report.summary
    object.__setattr__(result, "digest", (summary, report.worst_level()))
    if options.json_lang is not None:
        from ..render.batch_view import record_json, record_utf8

        lang = options.json_lang
        try:
            # UTF-8 already: the parent writes the batch JSON from these bytes as they are
            text: bytes | str = record_utf8(report, lang, summary)
        except UnicodeEncodeError:  # a file name that is not UTF-8: the parent fails as before
            text = record_json(report, lang)
        object.__setattr__(result, "json_entry", (lang, text))  # frozen, and not an argument
    return result


def check_organisations(
    results: Sequence[BatchResult],
    pack: Pack,
    *,
    as_of: dt.date | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    waivers: Iterable[Waiver] = (),
    today: dt.date | None = None,
) -> Organisations:
    """The pack's organisation rules judged over the checked records of a run (those that could
    not be checked count for no organisation). Give the options given to `check_many`."""
    from ..evaluate.organisations import evaluate_organisations

    return evaluate_organisations(
        [r.report for r in results if r.report is not None],
        pack,
        as_of=as_of,
        select=select,
        ignore=ignore,
        waivers=waivers,
        today=today,
    )


# --- expanding the arguments -----------------------------------------------------------------

_NO_RECORDS = Text(
    "至少一个记录文件（*.json、*.yaml、*.yml）", "at least one record file (*.json, *.yaml, *.yml)"
)


def _is_pattern(arg: str) -> bool:
    return any(c in arg for c in "*?[")


def is_single(args: Sequence[str]) -> bool:
    """Whether the arguments name exactly one record file, so the run shows one full report.

    Decided from the arguments, not from what a directory or pattern happens to hold today: a
    CI job that checks `records/` gets the batch form even while the directory has one file.
    """
    if len(args) != 1:
        return False
    arg = os.fspath(args[0])
    if os.path.isdir(arg):
        return False
    return os.path.lexists(arg) or not _is_pattern(arg)


def _sort_key(path: str) -> tuple[str, ...]:
    # by path components, so that "a/b.json" and "a.json" order the same on every platform
    from pathlib import PurePath  # not at import: `check FILE` never sorts (issue 13)

    return PurePath(path).parts


def _walk(root: str, problems: list[tuple[str, Problem]], ignored: Ignored | None) -> list[str]:
    found: list[str] = []

    def unreadable(exc: OSError) -> None:
        name = exc.filename or root
        problems.append(
            (
                name,
                Problem(
                    name,
                    "",
                    Text("可读取的目录", "a readable directory"),
                    exc.strerror or type(exc).__name__,
                    code="io",
                ),
            )
        )

    top = ignored.walk_top(root) if ignored is not None else root
    for here, dirs, files in os.walk(root, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # .git, .venv, editors' folders
        names = [
            name
            for name in files
            if not name.startswith(".") and name.lower().endswith(RECORD_SUFFIXES)
        ]
        if ignored is not None:
            dirs[:] = [
                d for d in dirs if not ignored.left_out(os.path.join(here, d), top, is_dir=True)
            ]
            names = [n for n in names if not ignored.left_out(os.path.join(here, n), top)]
        found.extend(os.path.join(here, name) for name in names)
    return sorted(found, key=_sort_key)


def expand(
    args: Iterable[str | os.PathLike[str]],
    exclude: Sequence[str] = (),
    base: str | None = None,
) -> list[tuple[str, Problem | None]]:
    """The record files the arguments name, in order, each once; or a problem for an argument
    (an empty directory, a pattern matching nothing: code `no_input`) or a directory that
    cannot be read.

    A path that does not exist and is no pattern is kept: reading it reports the problem, as
    for a single record. Walks of directories leave out what .gitignore files ignore; walks
    and patterns leave out what ``exclude`` names (gitignore patterns relative to ``base``,
    default the current directory). A file named as it is is always checked.
    """
    out: list[tuple[str, Problem | None]] = []
    seen: set[str] = set()

    def add(path: str, problem: Problem | None = None) -> None:
        key = os.path.normcase(os.path.abspath(path)) if problem is None else "\0" + path
        if key not in seen:
            seen.add(key)
            out.append((path, problem))

    ignored: Ignored | None = None

    def rules() -> Ignored:
        # pathspec is imported only here: a run on named files never loads it
        nonlocal ignored
        if ignored is None:
            from .ignore import Ignored

            ignored = Ignored(exclude, base)
        return ignored

    for item in args:
        arg = os.fspath(item)
        problems: list[tuple[str, Problem]] = []
        if os.path.isdir(arg):
            paths = _walk(arg, problems, rules())
            found = "an empty directory"
        elif os.path.lexists(arg) or not _is_pattern(arg):
            add(arg)
            continue
        else:
            paths = []
            import glob  # a pattern only; `check FILE` imports this module for is_single

            for match in sorted(glob.glob(arg, recursive=True), key=_sort_key):
                if os.path.isdir(match):
                    paths.extend(_walk(match, problems, rules()))
                elif not (exclude and rules().excluded(match)):
                    paths.append(match)
            found = "no file matches the pattern"
        for path in paths:
            add(path)
        for name, problem in problems:
            add(name, problem)
        if not paths and not problems:
            add(arg, Problem(arg, "", _NO_RECORDS, found, code="no_input"))
    return out


def read_entries(sources: Iterable[str]) -> set[tuple[str, str]]:
    """For each source, the directory entry it names and the one its real path names, as
    `cli.main._entry` gives them (the directory resolved, the last part not): what a report
    must not overwrite.

    The same set as ``{_entry(s)} | {_entry(os.path.realpath(s))}`` for each source, with each
    directory resolved once rather than once or twice a file: resolving a path asks the system
    about each of its parts, and for 1,000 records that was about 50 ms of the batch's serial
    start (issue 13). A file that is itself a symbolic link, or a name that is not a plain file
    name, is resolved in full as before.
    """
    real_dirs: dict[str, str] = {}

    def real_dir(folder: str) -> str:
        found = real_dirs.get(folder)
        if found is None:
            found = real_dirs[folder] = os.path.realpath(folder)
        return found

    out: set[tuple[str, str]] = set()
    for source in sources:
        full = os.path.abspath(source)
        base = os.path.basename(full)
        out.add((os.path.normcase(real_dir(os.path.dirname(full))), os.path.normcase(base)))
        name = os.path.basename(source)
        if name in ("", os.curdir, os.pardir):
            real = os.path.realpath(source)
        else:
            # The real path of a plain name in a resolved directory is that name there,
            # unless the name is a link.
            joined = os.path.join(real_dir(os.path.dirname(source) or os.curdir), name)
            real = os.path.realpath(joined) if os.path.islink(joined) else joined
        out.add(
            (
                os.path.normcase(real_dir(os.path.dirname(real))),
                os.path.normcase(os.path.basename(real)),
            )
        )
    return out


# --- running ---------------------------------------------------------------------------------


def default_jobs() -> int:
    """The CPUs this process may use."""
    count = getattr(os, "process_cpu_count", None)  # Python 3.13+: honours the affinity mask
    if count is not None:
        n: int | None = count()
    elif hasattr(os, "sched_getaffinity"):
        n = len(os.sched_getaffinity(0))
    else:
        n = os.cpu_count()
    return max(1, n or 1)


# The pack of the parent, seen by workers created with fork, so they need not reload it; a
# worker created with spawn finds None and loads the pack from its directory.
_PARENT_PACK: Pack | None = None
_WORKER: tuple[Pack, Options] | None = None


def _init_worker(pack_root: str, options: Options) -> None:
    import signal

    # Ctrl-C goes to the whole process group; the parent alone handles it (and stops the pool),
    # rather than every worker printing a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _WORKER
    pack = _PARENT_PACK
    if pack is None or pack.root != pack_root:
        from ..pack.loader import load_pack

        pack = load_pack(pack_root)
    _WORKER = (pack, options)
    # The pack (and with fork all the parent held) lives as long as the worker: kept out of
    # the collector's walks, which otherwise go over it at every full collection.
    import gc

    gc.freeze()


def _check_chunk(chunk: list[tuple[int, str]]) -> list[tuple[int, BatchResult]]:
    assert _WORKER is not None, "worker not initialised"
    pack, options = _WORKER
    return [(i, check_path(path, pack, options)) for i, path in chunk]


def _start_method(requested: str | None) -> str:
    import multiprocessing
    import threading

    if requested is not None:
        return requested
    # fork: workers start in milliseconds with the pack already loaded. Only on Linux (macOS
    # system libraries are not fork-safe) and only while this process runs no other thread
    # (forking a threaded process can copy a held lock); otherwise spawn, which is always safe.
    if (
        sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    ):
        return "fork"
    return "spawn"


def check_many(
    paths: Sequence[str | os.PathLike[str]],
    pack: Pack | str | os.PathLike[str] | None = None,
    *,
    jobs: int | None = None,
    as_of: dt.date | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    waivers: Iterable[Waiver] = (),
    today: dt.date | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    start_method: str | None = None,
) -> list[BatchResult]:
    """Check every record the arguments name (files, directories, glob patterns); one result per
    record, in input order.

    ``jobs``: worker processes (default: the CPUs available; 1 checks in this process).
    ``waivers``: standing waivers applied to every record (`dlsh_rules.waivers.load_waivers`),
    judged, like the records' own, at ``as_of``, else ``today``, else each record's reference date.
    ``on_progress(done, total)`` is called in this process as records complete.
    A single path (str or os.PathLike) stands for itself; arguments are checked as `check`
    checks them (TypeError, ValueError) before any record is read.
    """
    from ..load import arguments

    return check_inputs(
        expand([os.fspath(p) for p in arguments.paths(paths)]),
        pack,
        jobs=jobs,
        as_of=as_of,
        select=select,
        ignore=ignore,
        waivers=waivers,
        today=today,
        on_progress=on_progress,
        start_method=start_method,
    )


def check_inputs(
    inputs: Sequence[tuple[str, Problem | None]],
    pack: Pack | str | os.PathLike[str] | None = None,
    *,
    jobs: int | None = None,
    as_of: dt.date | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    waivers: Iterable[Waiver] = (),
    today: dt.date | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    start_method: str | None = None,
    json_lang: str | None = None,
    until_exit: bool = False,
) -> list[BatchResult]:
    """`check_many` on arguments already expanded by `expand` (the CLI looks at them first).

    ``json_lang``: also write each report's object of the batch JSON in that language, where
    the record is checked (`BatchResult.json_entry`), for a run that shows the batch JSON.
    ``until_exit``: the process keeps what it holds until it exits (the command line), so
    the results the workers send back are frozen out of the collector's walks (`gc.freeze`)."""
    from ..evaluate.engine import check_selection, waiver_list
    from ..load import arguments
    from ..pack.loader import DEFAULT_PACK, Pack, load_pack

    if pack is not None and not isinstance(pack, Pack):
        arguments.path_like(pack, "pack")
    jobs = arguments.jobs(jobs)
    as_of = arguments.day(as_of, "as_of")
    today = arguments.day(today, "today")
    select = arguments.selectors(select, "select")
    ignore = arguments.selectors(ignore, "ignore")
    waivers = waiver_list(waivers)
    if not isinstance(pack, Pack):
        pack = load_pack(pack if pack is not None else DEFAULT_PACK)
    if select or ignore:
        check_selection(pack, select, ignore)
    options = Options(as_of, tuple(select), tuple(ignore), tuple(waivers), today, json_lang)
    results: list[BatchResult | None] = [
        None if problem is None else BatchResult(source, problems=(problem,))
        for source, problem in inputs
    ]
    todo = [(i, source) for i, (source, problem) in enumerate(inputs) if problem is None]
    total = len(inputs)
    done = total - len(todo)
    progress = on_progress or (lambda done, total: None)
    progress(done, total)

    jobs = default_jobs() if jobs is None else jobs
    workers = min(jobs, len(todo) // MIN_RECORDS_PER_WORKER)
    if workers <= 1:
        for i, source in todo:
            results[i] = check_path(source, pack, options)
            done += 1
            progress(done, total)
    else:
        from ..load.perf import gc_paused

        # The collector paused while results arrive: each chunk unpickled is thousands of
        # objects without cycles, and every collection of the parent walked all those before
        # (about 100 collections, 30 ms of CPU taken from the workers for 1,000 records).
        with gc_paused():
            for chunk in _pool_run(todo, pack, options, workers, start_method):
                for i, result in chunk:
                    results[i] = result
                done += len(chunk)
                progress(done, total)
            if until_exit:
                # Else the first collection after the pause walks every result received, in
                # the serial part after the workers (about 20 ms for 1,000 records).
                import gc

                gc.freeze()
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def _chunks(todo: list[tuple[int, str]], workers: int) -> list[list[tuple[int, str]]]:
    """The records in order, in tasks for the workers: chunks of up to MAX_CHUNK, and the last
    ``workers`` chunks' worth split in four, so that the workers finish close together (a worker
    idle while another checks a last full chunk was about half a chunk, 45 ms, of the run)."""
    size = max(1, min(MAX_CHUNK, len(todo) // (workers * 4)))
    tail = max(0, len(todo) - workers * size) // size * size
    small = max(1, size // 4)
    return [todo[i : i + size] for i in range(0, tail, size)] + [
        todo[i : i + small] for i in range(tail, len(todo), small)
    ]


def _pool_run(
    todo: list[tuple[int, str]],
    pack: Pack,
    options: Options,
    workers: int,
    start_method: str | None,
) -> Iterable[list[tuple[int, BatchResult]]]:
    """Chunks of results as workers finish them (in any order; the caller puts them in place)."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    chunks = _chunks(todo, workers)
    global _PARENT_PACK
    _PARENT_PACK = pack
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(_start_method(start_method)),
        initializer=_init_worker,
        initargs=(pack.root, options),
    )
    try:
        pending: set[Future[list[tuple[int, BatchResult]]]] = {
            pool.submit(_check_chunk, chunk) for chunk in chunks
        }
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
    except BaseException:
        # Interrupted, or a worker failed: drop the queued chunks rather than wait for them.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        _PARENT_PACK = None
    pool.shutdown(wait=True)


# --- progress --------------------------------------------------------------------------------

PROGRESS_MIN_RECORDS = 5  # fewer records finish before a bar would be worth reading


class _Stream(Protocol):
    def write(self, text: str, /) -> int: ...
    def flush(self) -> None: ...
    def isatty(self) -> bool: ...


class Progress:
    """A one-line bar, `[#####     ] 123/1000`, redrawn in place at most ten times a second.

    Use it as ``on_progress`` of `check_many`. It draws nothing for a few records (they are done
    before a bar could be read), and the caller creates it only for a terminal (`wanted`): a log
    file or a CI console would keep every redraw.
    """

    def __init__(
        self,
        stream: _Stream,
        *,
        width: int = 30,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.width = width
        self.interval = interval
        self.clock = clock
        self._last: float | None = None
        self._drawn = 0  # length of the line on screen, to blank it at the end

    @staticmethod
    def wanted(stream: _Stream, quiet: bool = False) -> bool:
        if quiet:
            return False
        try:
            return bool(stream.isatty())
        except (AttributeError, ValueError):  # no isatty, or a closed stream
            return False

    def __call__(self, done: int, total: int) -> None:
        if total <= PROGRESS_MIN_RECORDS:
            return
        now = self.clock()
        final = done >= total
        if not final and self._last is not None and now - self._last < self.interval:
            return
        self._last = now
        filled = self.width * min(done, total) // total
        line = f"[{'#' * filled}{' ' * (self.width - filled)}] {done}/{total}"
        self.stream.write("\r" + line)
        self.stream.flush()
        self._drawn = len(line)

    def close(self) -> None:
        """Blank the bar, so that what follows on the terminal starts on a clean line."""
        if self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0


def entries(
    results: Sequence[BatchResult],
    pack: Pack,
    lang: str = "zh",
    color: bool = False,
    as_of: dt.date | None = None,
    date: dt.date | None = None,
    quiet: bool = False,
    statistics: bool = False,
) -> list[RunEntry]:
    """The render layer's view of batch results (without the records: see RenderContext)."""
    from ..render.batch_view import RunEntry

    return [
        RunEntry(
            r.source,
            RenderContext(
                r.report, lang, color, None, pack, date=date, quiet=quiet, statistics=statistics
            )
            if r.report is not None
            else None,
            r.error,
            lang=lang,
            json=r.json_entry[1] if r.json_entry is not None and r.json_entry[0] == lang else None,
            summary=r.digest[0] if r.digest is not None else None,
            pack_id=pack.id,
            pack_version=pack.version,
            as_of=as_of,
            quiet=quiet,
            statistics=statistics,
        )
        for r in results
    ]
