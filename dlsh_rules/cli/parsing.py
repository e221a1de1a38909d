"""The command line's parser classes: argparse's, with a suggestion for a mistyped choice, and
built for one command line (issue 13): only the commands it names in full, and no `shutil` for
the terminal's width until help is shown."""

from __future__ import annotations

import argparse
from typing import Any

from .translation import suggestion


class Parser(argparse.ArgumentParser):
    """argparse's parser; its own words come from `translation.py` while the command line is
    parsed (`main`)."""

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # A value that is not one of the choices gets the closest choice, as Python 3.14's
        # argparse offers (suggest_on_error): `chek` is a typo of `check`.
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            guess = suggestion(value, action.choices)
            if guess is None:
                raise
            raise argparse.ArgumentError(action, f"{exc.message}{guess}") from None

    # While the parser is being built, argparse makes a help formatter for every argument only to
    # test its metavar; a formatter asks the terminal its width through `shutil` (whose import
    # brings bz2, lzma and fnmatch: about 2 ms of a `check`, issue 13). That test does not
    # depend on the width, so it gets a fixed one; help, usage and errors get the terminal's.
    _building = False

    def _get_formatter(self) -> argparse.HelpFormatter:
        if Parser._building and self.formatter_class is argparse.HelpFormatter:
            return argparse.HelpFormatter(prog=self.prog, width=80)
        return super()._get_formatter()


class Unfilled(Parser):
    """A command's parser left without its arguments: one the command line does not name, so
    argparse never parses with it (it only lists its name and help in the help)."""

    def add_argument(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def set_defaults(self, **kwargs: Any) -> None:
        return None

    def add_argument_group(self, *args: Any, **kwargs: Any) -> Any:
        return self

    def add_mutually_exclusive_group(self, **kwargs: Any) -> Any:
        return self


class Commands:
    """The subparsers action, adding in full only the commands in ``wanted`` (None: all).

    argparse picks a command by exact name (Python 3.11 has no abbreviated commands), so the
    command a command line runs is always one of its words; building only those saves building
    some 60 arguments of the other commands on every run (issue 13)."""

    def __init__(self, action: Any, wanted: set[str] | None) -> None:
        self.action = action
        self.wanted = wanted

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if self.wanted is None or name in self.wanted:
            parser: argparse.ArgumentParser = self.action.add_parser(name, **kwargs)
            return parser
        self.action._parser_class = Unfilled
        try:
            parser = self.action.add_parser(name, **kwargs)
        finally:
            self.action._parser_class = Parser
        return parser
