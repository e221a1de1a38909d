"""The HTML report's Jinja2 environment: templates shipped in the package, autoescape on.

Jinja2 (and MarkupSafe) are imported here, the first time an HTML report is rendered; nothing on
the check path imports this module (tests/test_start.py holds it to that).

Every value a template prints is record or report text unless the template says otherwise, so
autoescaping is on for every template and `finalize` also shows control characters as escapes
(render.visible), as the other views do. Templates never mark a value safe.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .. import visible

if TYPE_CHECKING:
    import jinja2


def _finalize(value: Any) -> Any:
    from markupsafe import Markup

    if value is None:
        return ""
    if isinstance(value, Markup):  # the output of a macro or an include: already escaped
        return value
    if isinstance(value, str):
        return visible(value, lines=True)
    return value


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("dlsh_rules.render.html", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def render_template(name: str, **values: Any) -> str:
    return environment().get_template(name).render(**values)
