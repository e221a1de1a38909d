"""Errors in a rule's query, and text normalisation (how texts are compared)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from ..dates import MAX_OFFSET_DAYS, MAX_OFFSET_MONTHS, MAX_OFFSET_YEARS, OFFSET_LIMITS
from ..errors import Text


class SpecError(ValueError):
    """A rule's query is malformed; `where` is a JSON-pointer suffix inside the rule.

    The message is English (``str(exc)``, as --lang en shows it); ``zh`` says the same in
    Chinese, which every raise must give, so that no English reaches a Chinese message."""

    def __init__(self, message: str, where: str = "", *, zh: str) -> None:
        super().__init__(message)
        self.where = where
        self.zh = zh

    def text(self) -> Text:
        return Text(self.zh, str(self))


# The Chinese of the rule language's errors that several of them share.

SHARE_ZH = '比例，如 0.5 或 "2/3"'
BOUND_FORMS_ZH = (
    "日期界限：格式为 YYYY-MM-DD 的日期（如 2024-03-01）、参数 $名称，或如 "
    "{days: -10}、{month: 3, day: 1}、{base: $due, working_days: -3} 的映射"
)


def offset_problem_zh(spec: dict[str, object]) -> str:
    """`offset_range_problem`'s words in Chinese, for the same spec."""
    for key, limit in OFFSET_LIMITS.items():
        value = spec.get(key, 0)
        if type(value) is not int:
            return f"{key} 应为整数，实际为 {value!r}"
        if abs(value) > limit:
            return (
                f"日期偏移至多 100 年（days 和 working_days 在 ±{MAX_OFFSET_DAYS} 以内，"
                f"months 在 ±{MAX_OFFSET_MONTHS} 以内，years 在 ±{MAX_OFFSET_YEARS} 以内），"
                f"实际为 {key} {value}"
            )
    return "日期偏移超出范围"


def keys_zh(keys: Iterable[str], sort: bool = True) -> str:
    """Keys or values of the rule language, quoted, for a Chinese message."""
    return "、".join(repr(k) for k in (sorted(keys) if sort else keys))


def suggest(name: str, known: Iterable[str]) -> str:
    from difflib import get_close_matches  # a misspelt name only; `check` never needs it

    guess = get_close_matches(name, list(known), n=1)
    return f"（您是否要写 {guess[0]!r}？）" if guess else ""


# --- text normalisation -----------------------------------------------------------------------

_SPACE_RE = re.compile(r"\s+")
_TITLE_MARKS = "《》〈〉<>\"'“”‘’「」『』"


def normalise(text: str, mode: str) -> str:
    """Compare-form of a text.

    * ``exact``: as written.
    * ``whitespace``: every white-space character removed (Chinese text wrapped across lines in
      YAML is the same text); nothing else changes.
    * ``title``: NFKC (full-width to half-width), white space and title marks 《》〈〉“” removed
      anywhere, so 《习近平论治国理政》第二卷 matches 习近平论治国理政第二卷.
    * ``text``: NFKC, white space and all punctuation removed.
    """
    if mode == "exact":
        return text
    return _normalised(text, mode)


@lru_cache(maxsize=4096)
def _normalised(text: str, mode: str) -> str:
    # Kept per text and mode: an operator asks for its argument's form at every object, and
    # NFKC with a test per character of a long theme cost tens of microseconds a time.
    if mode == "whitespace":
        return _SPACE_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text)  # folds full-width letters, digits and punctuation
    if mode == "title":
        return "".join(ch for ch in _SPACE_RE.sub("", text) if ch not in _TITLE_MARKS)
    if mode == "text":
        return "".join(
            ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P")
        )
    raise SpecError(f"unknown normalisation {mode!r}", zh=f"未知的比较方式 {mode!r}")


NORMALISATIONS = ("exact", "whitespace", "text", "title")
