"""argparse's own words (usage, headings, its error messages) in Chinese, by gettext.

argparse looks every message up with ``gettext.gettext`` and ``gettext.ngettext``, bound at
import as its module's ``_`` and ``ngettext``, in the process-wide default domain. Two ways to
give it Chinese were weighed:

- binding a compiled catalogue (.mo) to that default domain: it needs a binary file in the
  package, and it changes the default domain of the whole process, so every other library
  using gettext's default would read this catalogue too;
- this one: a small catalogue keyed by argparse's own message ids (a `gettext.NullTranslations`,
  which is what a .mo file is loaded into), put in place of argparse's two lookup functions for
  the length of one `with` block and restored after it.

The second keeps the change to argparse and to the time the command line is parsed, needs no
binary file, and is still a lookup by message id rather than a rewrite of finished text: a
message the catalogue does not know is argparse's English, unchanged (the test of bad inputs
notices it). The ids are those of Python 3.10 to 3.13.
"""

from __future__ import annotations

import argparse
import gettext
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

_MESSAGES: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示帮助并退出",
    "show program's version number and exit": "显示版本并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "one of the arguments %s is required": "必须给出参数 %s 之一",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "需要至少一个值",
    "ambiguous option: %(option)s could match %(matches)s": (
        "选项 %(option)s 有歧义，可能是：%(matches)s"
    ),
    "ignored explicit argument %r": "此选项不接受值：%r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "无效的选择：%(value)r（可选：%(choices)s）"
    ),
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "未知的子命令 %(parser_name)r（可选：%(choices)s）"
    ),
    "can't open '%(filename)s': %(error)s": "无法打开 '%(filename)s'：%(error)s",
    # Ours, not argparse's: the closest choice to a mistyped one (`suggestion`).
    "; did you mean %s?": "；您是否要写 %s？",
}

_PLURALS: dict[str, str] = {
    "expected %s argument": "需要 %s 个值",
}


class _Catalogue(gettext.NullTranslations):
    """A gettext catalogue held in a dict: ids it does not know come back unchanged."""

    def __init__(self, messages: dict[str, str], plurals: dict[str, str]) -> None:
        super().__init__()
        self._messages = messages
        self._plurals = plurals

    def gettext(self, message: str) -> str:
        return self._messages.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        # Chinese has one form for every number.
        return self._plurals.get(msgid1, msgid1 if n == 1 else msgid2)


ZH = _Catalogue(_MESSAGES, _PLURALS)


def suggestion(value: object, choices: object) -> str | None:
    """``; did you mean CHOICE?`` for the choice closest to ``value``, in the language argparse
    speaks at the moment (its lookup function, which `argparse_language` sets); None if no
    choice is close."""
    from difflib import get_close_matches

    if not isinstance(value, str) or not isinstance(choices, Iterable):
        return None
    close = get_close_matches(value, [str(c) for c in choices], n=1)
    if not close:
        return None
    return str(vars(argparse)["_"]("; did you mean %s?")) % close[0]


@contextmanager
def argparse_language(lang: str) -> Iterator[None]:
    """argparse speaks ``lang`` inside the block (English is argparse's own)."""
    if lang == "en":
        yield
        return
    module = vars(argparse)
    saved = module["_"], module["ngettext"]
    module["_"], module["ngettext"] = ZH.gettext, ZH.ngettext
    try:
        yield
    finally:
        module["_"], module["ngettext"] = saved
