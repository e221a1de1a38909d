"""A disk cache for what every run would otherwise rebuild the same way: compiled rule packs and
the record model's validator.

Loading the default pack parses its YAML files, validates 53 rules and compiles their queries,
and pydantic builds the record model's validator from the model classes; each takes about as
long as the rest of a `check` run. Both are functions of their inputs alone, so they are pickled
once and read back in about a millisecond by later runs.

- **Where**: ``$DLSH_CACHE_DIR`` when set (an absolute path), else the system's user cache
  directory as platformdirs names it: ``$XDG_CACHE_HOME/dlsh_rules`` or ``~/.cache/dlsh_rules``
  on Linux (where it always was), ``~/Library/Caches/dlsh_rules`` on macOS,
  ``%LOCALAPPDATA%\\dlsh_rules\\Cache`` on Windows. ``DLSH_NO_CACHE=1`` turns the cache off
  (nothing is read or written).
- **Keys**: an entry's file name is a SHA-256 of everything it depends on: the versions of this
  package, Python and PyYAML, the installed files of pydantic and pydantic-core (names, sizes and
  times, read without importing them), the name, size and modification time of every module of
  this package and its change time (which every write moves), and for a pack its directory and
  the bytes of its manifest. A change to any of them names another entry, so an entry never
  needs invalidating; old ones are pruned. A pack's entry also holds the size, both times and
  the SHA-256 of each of its files: a file whose size and times are as they were is unchanged,
  any other is hashed again.
- **Trust**: entries are pickles, so they are only ever read from the user's own cache directory
  (owned by the user and writable by nobody else), never from a pack directory, and nothing from
  a pack is executed or imported: a pack only contributes the bytes that are hashed. Each entry
  carries the SHA-256 of its payload, checked before unpickling, so a truncated or corrupt file
  is ignored and rebuilt. Entries are written to a temporary file and renamed into place.
- **Failure**: any problem with the cache (no home directory, a read-only disk, a corrupt entry)
  falls back to building; the cache can make a run faster, never different.
"""

from __future__ import annotations

import contextlib
import os
import sys
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .. import __version__

if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:
        # The built-in SHA-256: `hashlib` loads OpenSSL's libcrypto to get it, a few milliseconds
        # of a cached `check` (issue 13); the digests are the same.
        from _sha256 import sha256
    except ImportError:  # a Python built without it
        from hashlib import sha256

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

_MAGIC = b"dlsh-cache/1\n"
_DIGEST = 32  # SHA-256
# Kept entries; a pack directory edited often, or test suites making packs in temporary
# directories, would otherwise grow the cache without bound.
MAX_ENTRIES = 64


def enabled() -> bool:
    return os.environ.get("DLSH_NO_CACHE", "").strip() in ("", "0")


def directory() -> Path | None:
    """The cache directory, or None when the cache is off or no safe directory can be had."""
    folder = _folder()
    if folder is None:
        return None
    from pathlib import Path

    return Path(folder)


def _folder() -> str | None:
    """`directory` as text: reading an entry needs no `pathlib`."""
    if not enabled():
        return None
    try:
        path = _location()
        os.makedirs(path, mode=0o700, exist_ok=True)
        if hasattr(os, "getuid"):
            st = os.stat(path)
            # Pickles run code when loaded: use only a directory that nobody else can write.
            if st.st_uid != os.getuid() or st.st_mode & 0o022:
                return None
    except (OSError, RuntimeError):  # RuntimeError: no home directory
        return None
    return path


def _location() -> str:
    override = os.environ.get("DLSH_CACHE_DIR", "").strip()
    if override and os.path.isabs(override):
        return override
    if sys.platform.startswith("linux") and not hasattr(sys, "getandroidapilevel"):
        # What platformdirs answers on Linux (the XDG rule), without importing it: platformdirs
        # imports `tempfile`, `random` and more, about 3 ms of a cached `check` (issue 13).
        # tests/test_cache.py compares the two.
        return _xdg_cache()
    try:
        import platformdirs
    except ImportError:  # a core dependency; should it be missing, the XDG rule it follows
        return _xdg_cache()
    return str(platformdirs.user_cache_dir("dlsh_rules", appauthor=False))


def _xdg_cache() -> str:
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            raise RuntimeError("no home directory")
        base = os.path.join(home, ".cache")
    return os.path.join(base, "dlsh_rules")


@cache
def code_fingerprint() -> bytes:
    """A digest of the code and library versions that cached objects depend on.

    The name, size, modification time and change time (`unchanged`) of each of the package's
    own modules, rather than the version number, keep a developer's edited checkout from
    reading entries pickled by the code before the edit. (Their bytes were hashed until issue 13: reading and hashing 130 files was
    about 4 ms of every cached `check`.)
    """
    import yaml

    digest = sha256()
    for part in (
        __version__,
        sys.version,
        _installed("pydantic"),
        _installed("pydantic_core"),
        yaml.__version__,
        str(getattr(yaml, "__with_libyaml__", False)),
    ):
        digest.update(part.encode() + b"\0")
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    for name, size, mtime, ctime in sorted(_modules(package, "")):
        digest.update(f"{name}\0{size}\0{mtime}\0{ctime}\0".encode())
    return digest.digest()


def _modules(folder: str, prefix: str) -> Iterable[tuple[str, int, int, int]]:
    """(path relative to the package, size, modification and change time) of each module."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".py") and entry.is_file():
                st = entry.stat()
                yield prefix + entry.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns
            elif entry.is_dir() and entry.name != "__pycache__":
                yield from _modules(entry.path, f"{prefix}{entry.name}/")


def _installed(name: str) -> str:
    """Which installation of the top-level package ``name`` an import would load, not importing it.

    Importing pydantic to read its version would cost a run whose cache is warm the ~75 ms the
    cache is there to save (`import pydantic` imports pydantic-core). The names, sizes and
    modification times of the files at the top of the package change with every install of
    another version (pydantic's version.py, pydantic-core's compiled module), so they name it.
    """
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
        places = list(spec.submodule_search_locations or []) if spec is not None else []
        files = sorted(
            f"{entry.name}:{entry.stat().st_size}:{entry.stat().st_mtime_ns}"
            for place in places
            for entry in os.scandir(place)
            if entry.is_file()
        )
    except (ImportError, OSError, ValueError):
        return f"{name}: unknown"
    return f"{name}: {places} {files}"


def key(*parts: bytes | str) -> str:
    """An entry name from the code fingerprint and ``parts``."""
    digest = sha256(code_fingerprint())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


def file_digest(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as handle:
        return sha256(handle.read()).hexdigest()


def file_stamp(path: str | os.PathLike[str]) -> tuple[int, int, int, str]:
    """(size, modification time, change time, SHA-256) of a file, for `unchanged`."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, file_digest(path)


def unchanged(path: str, stamp: Any) -> bool:
    """Whether the file at ``path`` still has the bytes it had when ``stamp`` was taken.

    The same size, modification time and change time say so without reading it. The change
    time is the inode's, which every write moves and no tool can set back, so an edit that
    keeps the size and restores the modification time is still seen; any other file is hashed
    again, so one only touched still counts as unchanged."""
    if not (isinstance(stamp, tuple) and len(stamp) == 4):
        return False
    try:
        st = os.stat(path)
        if (st.st_size, st.st_mtime_ns, st.st_ctime_ns) == stamp[:3]:
            return True
        return bool(st.st_size == stamp[0] and file_digest(path) == stamp[3])
    except OSError:
        return False


def read(name: str) -> Any:
    """The object stored under ``name``, or None when there is none that can be trusted."""
    folder = _folder()
    if folder is None:
        return None
    try:
        with open(os.path.join(folder, f"{name}.pickle"), "rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    header = len(_MAGIC) + _DIGEST
    if len(blob) <= header or not blob.startswith(_MAGIC):
        return None
    payload = memoryview(blob)[header:]
    if sha256(payload).digest() != blob[len(_MAGIC) : header]:
        return None
    # `_pickle` itself: the `pickle` module around it is only needed to write (issue 13).
    from _pickle import loads

    try:
        return loads(payload)
    except Exception:  # an entry of code that is gone, or damage the digest did not catch
        return None


def _mappingproxy(data: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(data)


def _same(value: Any) -> Any:
    """What an entry holds where its value had an identical twin: the twin itself (`_pickle`)."""
    return value


# Values a value class's fields may hold that are themselves values: equal and of the same type
# means interchangeable.
_ATOMS = (str, int, float, bool, bytes, type(None))


class _Twins:
    """The key under which `_pickle(share=True)` finds the identical twin of a value object.

    A rule pack repeats the same small values many times (605 field paths, 98 of them distinct,
    in the default pack; conditions, selections and operators alike). Two objects are twins
    only if they are of the same value class (`errors.FrozenValue`, immutable) and every
    attribute they hold is an identical value in turn: the fields their equality leaves out
    (`_uncompared`, such as a condition's spec as written) and anything computed and kept
    (`cached_property`) included. Lists, dicts, `Frozen` rule objects and anything else are
    matched by identity only."""

    def __init__(self) -> None:
        from ..errors import FrozenValue

        self.value_class = FrozenValue
        self.keys: dict[int, Any] = {}
        self.first: dict[Any, Any] = {}

    def key(self, obj: Any) -> Any:
        known = self.keys.get(id(obj))
        if known is not None:
            return known
        kind = type(obj)
        state = getattr(obj, "__dict__", None)
        if kind in _ATOMS:
            made: Any = (kind, obj)
        elif kind is tuple:
            made = (kind, tuple(self.key(item) for item in obj))
        elif isinstance(obj, self.value_class) and state is not None:
            made = (kind, tuple((name, self.key(item)) for name, item in state.items()))
        else:
            made = ("identity", id(obj))
        self.keys[id(obj)] = made  # every object here stays alive while the value is pickled
        return made

    def twin(self, obj: Any) -> Any:
        """An object seen before that is identical to ``obj``, else None."""
        if not isinstance(obj, self.value_class):
            return None
        key = self.key(obj)
        if key[0] == "identity":
            return None
        try:
            first = self.first.setdefault(key, obj)
        except TypeError:  # NaN and the like: no twin
            return None
        return None if first is obj else first


def _pickle(value: Any, share: bool = False) -> bytes:
    import io
    import pickle

    twins = _Twins() if share else None

    class Pickler(pickle.Pickler):
        """Pickles read-only mappings (as `EnumTable` holds) as what they wrap, and with
        ``share``, a value object identical to one already written as a reference to it."""

        def reducer_override(self, obj: Any) -> Any:
            if type(obj) is MappingProxyType:
                return _mappingproxy, (dict(obj),)
            if twins is not None:
                first = twins.twin(obj)
                if first is not None:
                    return _same, (first,)
            return NotImplemented

    buffer = io.BytesIO()
    Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def write(name: str, value: Any, share: bool = False) -> None:
    """Store ``value`` under ``name``, atomically; silently do nothing if it cannot be done.

    With ``share``, identical value objects are stored once, and read back as one object (a
    rule pack: about a fifth of its entry, a quarter of its unpickling time, and what is compiled
    on first use once per distinct condition instead of once per copy; issue 13)."""
    folder = directory()
    if folder is None:
        return
    import tempfile

    try:
        payload = _pickle(value, share)
    except Exception:  # something unpicklable: not worth failing a run over
        return
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC + sha256(payload).digest() + payload)
        os.replace(tmp, folder / f"{name}.pickle")
        tmp = None
        _prune(folder)
    except OSError:
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _prune(folder: Path) -> None:
    entries = []
    for path in folder.glob("*.pickle"):
        with contextlib.suppress(OSError):
            entries.append((path.stat().st_mtime_ns, path))
    entries.sort(reverse=True)
    for _, path in entries[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            path.unlink()


def settled(paths: Iterable[Path], since_ns: int) -> bool:
    """Whether none of ``paths`` was modified after ``since_ns`` (less two seconds' slack).

    A file saved while it was being loaded could be hashed in its new state but loaded in its
    old one; such an entry is not written (as git treats "racily clean" files).
    """
    limit = since_ns - 2_000_000_000
    try:
        return all(path.stat().st_mtime_ns < limit for path in paths)
    except OSError:
        return False
