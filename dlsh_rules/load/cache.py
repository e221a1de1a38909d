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
  times, read without importing them), the bytes of every module of this package, and for a pack
  its directory and the bytes of its files. A change to any of them names another
  entry, so an entry never needs invalidating; old ones are pruned.
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
import hashlib
import io
import os
import pickle
import sys
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .. import __version__

if TYPE_CHECKING:
    from collections.abc import Iterable

_MAGIC = b"dlsh-cache/1\n"
_DIGEST = hashlib.sha256().digest_size
# Kept entries; a pack directory edited often, or test suites making packs in temporary
# directories, would otherwise grow the cache without bound.
MAX_ENTRIES = 64


def enabled() -> bool:
    return os.environ.get("DLSH_NO_CACHE", "").strip() in ("", "0")


def directory() -> Path | None:
    """The cache directory, or None when the cache is off or no safe directory can be had."""
    if not enabled():
        return None
    try:
        path = _location()
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if hasattr(os, "getuid"):
            st = path.stat()
            # Pickles run code when loaded: use only a directory that nobody else can write.
            if st.st_uid != os.getuid() or st.st_mode & 0o022:
                return None
    except (OSError, RuntimeError):  # RuntimeError: Path.home() without a home directory
        return None
    return path


def _location() -> Path:
    override = os.environ.get("DLSH_CACHE_DIR", "").strip()
    if override and os.path.isabs(override):
        return Path(override)
    try:
        # Imported here, not at the top: a run with DLSH_NO_CACHE or DLSH_CACHE_DIR never needs
        # it, and importing this module costs nothing until a cache entry is wanted.
        import platformdirs
    except ImportError:  # a core dependency; should it be missing, the XDG rule it follows
        base = os.environ.get("XDG_CACHE_HOME", "").strip()
        root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
        return root / "dlsh_rules"
    return Path(platformdirs.user_cache_dir("dlsh_rules", appauthor=False))


@cache
def code_fingerprint() -> bytes:
    """A digest of the code and library versions that cached objects depend on.

    Hashing the package's own modules (about 300 KB, well under a millisecond) rather than
    trusting the version number keeps a developer's edited checkout from reading entries
    pickled by the code before the edit.
    """
    import yaml

    digest = hashlib.sha256()
    for part in (
        __version__,
        sys.version,
        _installed("pydantic"),
        _installed("pydantic_core"),
        yaml.__version__,
        str(getattr(yaml, "__with_libyaml__", False)),
    ):
        digest.update(part.encode() + b"\0")
    package = Path(__file__).resolve().parent.parent
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(module.read_bytes()).digest())
    return digest.digest()


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
    digest = hashlib.sha256(code_fingerprint())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read(name: str) -> Any:
    """The object stored under ``name``, or None when there is none that can be trusted."""
    folder = directory()
    if folder is None:
        return None
    try:
        blob = (folder / f"{name}.pickle").read_bytes()
    except OSError:
        return None
    header = len(_MAGIC) + _DIGEST
    if len(blob) <= header or not blob.startswith(_MAGIC):
        return None
    payload = memoryview(blob)[header:]
    if hashlib.sha256(payload).digest() != blob[len(_MAGIC) : header]:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # an entry of code that is gone, or damage the digest did not catch
        return None


class _Pickler(pickle.Pickler):
    """Pickles read-only mappings (as `EnumTable` holds) as what they wrap."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is MappingProxyType:
            return _mappingproxy, (dict(obj),)
        return NotImplemented


def _mappingproxy(data: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(data)


def write(name: str, value: Any) -> None:
    """Store ``value`` under ``name``, atomically; silently do nothing if it cannot be done."""
    folder = directory()
    if folder is None:
        return
    import tempfile

    buffer = io.BytesIO()
    try:
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    except Exception:  # something unpicklable: not worth failing a run over
        return
    payload = buffer.getvalue()
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
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
