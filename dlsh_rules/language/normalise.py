"""Errors in a rule's query, and text normalisation (how texts are compared)."""

from __future__ import annotations

import re
import unicodedata

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
