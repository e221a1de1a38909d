"""The check kinds: one module per kind, and the table that names them.

As in python-jsonschema's keyword table, a kind is a function ``(ctx, spec) -> Outcome`` that
returns findings instead of raising, and the engine stamps them with the rule's id, clause,
severity, waivers and as-of status. A kind knows nothing of any particular rule id: every
number, list and text it uses comes from its spec, which comes from a rule file.

A spec is typed as its pydantic model in `language.models`, which validated it; at run time it
is that model's frozen form (`pack.frozen`), so that checking needs no pydantic.

Adding a kind = one spec model in `language.models` (and a line in its ``SPECS``), one module
here with its function, one line in ``KINDS`` below, and data-driven tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...language.models import Spec
    from ..context import Context
from .base import Outcome
from .coverage import check_coverage
from .delivered import check_delivered
from .each import check_each
from .exists import check_exists
from .pairs import check_pairs
from .sequence import check_sequence

# --- the table ---------------------------------------------------------------------------------

KINDS: dict[str, Callable[[Context, Any], Outcome]] = {
    "each": check_each,
    "exists": check_exists,
    "coverage": check_coverage,
    "pairs": check_pairs,
    "sequence": check_sequence,
    "delivered": check_delivered,
}


def run(ctx: Context, spec: Spec) -> Outcome:
    if spec.applies_when is not None and not spec.applies_when.items(ctx):
        return Outcome()
    kind: str = getattr(spec, "kind")  # noqa: B009 - every concrete spec has a kind literal
    return KINDS[kind](ctx, spec)
