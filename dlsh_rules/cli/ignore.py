"""What a folder walk leaves out: files that git ignores (.gitignore), and the configuration's
`exclude` patterns (gitignore syntax, relative to the configuration file's directory).

pathspec is imported here only, and this module only when a walk or a pattern has to be
expanded: checking named files never pays for it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec


def _repo_root(start: str) -> str | None:
    here = start
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


class Ignored:
    """Decides, for the files and folders of walks, whether they are left out.

    .gitignore files count from the root of the git repository the walk starts in (or, outside
    a repository, from the walked folder) down to the folder of each file; as in git, a deeper
    file's last matching pattern decides, so `!keep.json` re-includes.
    """

    def __init__(self, exclude: Sequence[str] = (), base: str | None = None) -> None:
        self.base = os.path.abspath(base or os.getcwd())
        self.exclude: GitIgnoreSpec | None = (
            self._pathspec().GitIgnoreSpec.from_lines(exclude) if exclude else None
        )
        self._specs: dict[str, GitIgnoreSpec | None] = {}

    @staticmethod
    def _pathspec() -> Any:
        # Imported only for patterns to match: a walk of folders without any .gitignore and
        # without `exclude` never needs it (about 27 ms of a batch's serial start, issue 13).
        import pathspec

        return pathspec

    def _spec(self, folder: str) -> GitIgnoreSpec | None:
        if folder not in self._specs:
            spec = None
            try:
                with open(os.path.join(folder, ".gitignore"), encoding="utf-8") as f:
                    lines = f.read().splitlines()
                spec = self._pathspec().GitIgnoreSpec.from_lines(lines)
            except (OSError, UnicodeDecodeError):
                spec = None  # no .gitignore (or one git could not use either)
            self._specs[folder] = spec
        return self._specs[folder]

    def excluded(self, path: str, is_dir: bool = False) -> bool:
        """Whether the configuration's `exclude` names the path."""
        if self.exclude is None:
            return False
        rel = os.path.relpath(os.path.abspath(path), self.base)
        if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir:
            return False
        rel = rel.replace(os.sep, "/") + ("/" if is_dir else "")
        return bool(self.exclude.match_file(rel))

    def walk_top(self, root: str) -> str:
        """The highest folder whose .gitignore applies to a walk of ``root``."""
        full = os.path.abspath(root)
        return _repo_root(full) or full

    def git_ignored(self, path: str, top: str, is_dir: bool = False) -> bool:
        full = os.path.abspath(path)
        folder = os.path.dirname(full)
        # deepest .gitignore first: the first that has an opinion decides
        while True:
            spec = self._spec(folder)
            if spec is not None:
                rel = os.path.relpath(full, folder).replace(os.sep, "/") + ("/" if is_dir else "")
                result = spec.check_file(rel)
                if result.include is not None:
                    return bool(result.include)
            if folder == top or os.path.dirname(folder) == folder:
                return False
            folder = os.path.dirname(folder)

    def left_out(self, path: str, top: str, is_dir: bool = False) -> bool:
        return self.excluded(path, is_dir) or self.git_ignored(path, top, is_dir)
