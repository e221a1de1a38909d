"""The record format's rules that need no pydantic: id pattern, year bounds, the `Ref` marker and
what a record date is.

The record models (models.py) are built on them, and so will be a record validator that does not
import pydantic: importing pydantic and pydantic-core alone costs a `check` run about 75 ms.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .dates import parse_date

# Ids are written by hand and appear in finding subjects such as "p2~p3" and "p2>p3", so they
# may not contain white space, "~", ">" or "/"; letters of any script are allowed.
ID_PATTERN = r"^[^\s~>/]{1,64}$"
ID_RE = re.compile(ID_PATTERN)
GROUP = "group"

# Deadlines are computed months and days away from record dates; a year far outside any
# meeting's would overflow the calendar, so it is refused as input.
MIN_YEAR, MAX_YEAR = 1900, 2999


class Ref:
    """Marks a field whose value is the id of an object of one of ``kinds``."""

    def __init__(self, *kinds: str, group: bool = False) -> None:
        self.kinds = kinds
        self.group = group  # the string "group" (the party group) is allowed too

    def __repr__(self) -> str:
        return f"Ref({', '.join(map(repr, self.kinds))}{', group=True' if self.group else ''})"


class DateRefused(ValueError):
    """A value that is not a record date; ``code`` and ``message`` become pydantic's error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def to_date(value: Any) -> dt.date:
    """A record date from a ``YYYY-MM-DD`` string or a date (not a datetime) of years 1900–2999.

    The one definition of what a record date is: the model's validator (`models._date`) turns
    `DateRefused` into pydantic's error, the fast path declines the record.
    """
    if isinstance(value, dt.datetime):
        raise DateRefused("date_type", "a date without time, YYYY-MM-DD")
    if isinstance(value, str):
        try:
            value = parse_date(value)
        except ValueError:
            raise DateRefused("date_format", "a real calendar date written YYYY-MM-DD") from None
    if isinstance(value, dt.date):
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise DateRefused("date_range", "a date in the years 1900 to 2999")
        return value
    raise DateRefused("date_type", "a date string YYYY-MM-DD")
