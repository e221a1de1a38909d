"""The parts of the rule language that parse no selection or condition of their own: the
operator at a path that is a condition's leaf test (`Op`), the keys and written forms of date
bounds and a bound written as a date, and shares (``2/3``).

query.py parses selections, date bounds and conditions together, because they nest (a selection
filters with a condition, a bound counts from a selection's dates, a condition tests against
both), so those classes stay in one module. What is here calls none of them at run time, so it
stands before query.py, which imports it (and re-exports the names tests import from there).
It was moved out of query.py verbatim when that module reached the 800-line limit
(tests/test_layout.py)."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..dates import parse_date
from ..errors import DeclaredValue

if TYPE_CHECKING:
    from fractions import Fraction

    from ..evaluate.context import Context
    from .query import Condition, DateSpec
from .messages import SEGMENT_EN, Failure, zh_path
from .normalise import BOUND_FORMS_ZH, SHARE_ZH, SpecError, normalise
from .operators import FAILURE_TESTS, PASSES
from .paths import Path, follow_id

# --- date bounds ------------------------------------------------------------------------------

BOUND_KEYS = frozenset(
    {"date", "anchor", "pick", "base", "years", "months", "month", "day"}
    | {"start_of", "end_of", "days", "working_days"}
)
BOUND_FORMS = (
    "a date bound: a date YYYY-MM-DD (2024-03-01), a parameter $name, or a mapping such as "
    "{days: -10}, {month: 3, day: 1} or {base: $due, working_days: -3}"
)


def bound_label(bound: DateSpec, lang: str) -> str:
    return bound.describe(lang) or (bound.absolute.isoformat() if bound.absolute else "")


def literal_date(value: Any, where: str) -> dt.date:
    """A date written as a bound: a YAML date (read as its ISO text) or a quoted one."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError:
            pass
    raise SpecError(
        f"{BOUND_FORMS}; not {value!r}", where, zh=f"{BOUND_FORMS_ZH}；实际为 {value!r}"
    )


# --- shares -----------------------------------------------------------------------------------


def share_of(numerator: int, denominator: int, total: int) -> int:
    """ceil(numerator / denominator × total) in integers, exactly (2/3 of 3 is 2, not 3): the
    negated floor of the negated product (`denominator` is positive)."""
    return -((-numerator * total) // denominator)


def parse_fraction(value: Any, where: str = "") -> Fraction:
    """A share greater than 0 and at most 1, written 0.5 or "2/3"."""
    # Only a pack read from its files parses shares; a check from the disk cache never does.
    from fractions import Fraction

    if isinstance(value, bool) or not isinstance(value, (int, float, str, Fraction)):
        raise SpecError('a share such as 0.5 or "2/3"', where, zh=SHARE_ZH)
    try:
        ratio = value if isinstance(value, Fraction) else Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise SpecError('a share such as 0.5 or "2/3"', where, zh=SHARE_ZH) from None
    if not 0 < ratio <= 1:
        raise SpecError(
            "a share greater than 0 and at most 1", where, zh="大于 0 且不超过 1 的比例"
        )
    return ratio


# --- conditions as written -----------------------------------------------------------------


def describe_spec(spec: Any) -> str:
    if isinstance(spec, dict):
        return ", ".join(f"{k}: {describe_spec(v)}" for k, v in spec.items())
    if isinstance(spec, list):
        return "[" + ", ".join(describe_spec(v) for v in spec) + "]"
    return str(spec)


def as_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise SpecError(
            "expected a non-empty list of conditions", where, zh="此处应为非空的条件列表"
        )
    return value


# --- operators --------------------------------------------------------------------------------


class Op(DeclaredValue):
    name: str
    arg: Any
    path: Path
    normalise: str = "exact"
    only: Condition | None = None  # test only the values (objects) that meet this

    def values(self, ctx: Context, obj: Any) -> list[Any]:
        """The values this operator tests: at the path, those meeting `only`, normalised."""
        values = self.path.values(ctx, obj)
        if self.only is not None:
            only = self.only
            values = [v for v in values if only.holds(ctx, follow_id(ctx, v))]
        norm = self.normalise
        if norm != "exact":
            values = [normalise(v, norm) if isinstance(v, str) else v for v in values]
        return values

    def check(self, ctx: Context, obj: Any) -> Failure | None:
        failure = FAILURE_TESTS[self.name](self, ctx, self.values(ctx, obj), obj)
        if failure is not None and failure.field is None:
            return Failure(
                failure.expected, failure.found, self.path.text, failure.due, failure.judged
            )
        return failure

    def holds(self, ctx: Context, obj: Any) -> bool:
        """Whether `check` finds nothing, without writing the messages of a failure.

        Filters (`where`, `when`, `any`) fail most of the objects they see, and a failure's
        texts cost more than the test; the commonest operators have their test on its own.
        """
        return PASSES[self.name](self, ctx, self.values(ctx, obj), obj)

    @property
    def zh_field(self) -> str:
        return zh_path(self.path.text)

    @property
    def en_field(self) -> str:
        text = self.path.text.replace("@end", "end date")
        if "@" in text:
            for segment, name in SEGMENT_EN.items():
                text = text.replace(segment, name)
        return text.replace("_", " ")

    def norm(self, value: Any) -> Any:
        if self.normalise != "exact" and isinstance(value, str):
            return normalise(value, self.normalise)
        return value

    # The list operators' arguments, normalised once rather than at every object tested.

    @cached_property
    def norm_args(self) -> tuple[Any, ...]:
        return tuple(self.norm(a) for a in self.arg)

    @cached_property
    def norm_set(self) -> frozenset[Any]:
        return frozenset(self.norm_args)
