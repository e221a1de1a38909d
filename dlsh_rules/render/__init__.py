"""Views of one report. Each format is a function ``(report, lang, color) -> str``; they are
imported on demand so a run pays only for the formats it writes."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ..report import Report

Renderer = Callable[[Report, str, bool], str]

# format name -> (module, function)
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("text", "render_text"),
    "json": ("json_view", "render_json"),
}


def renderer(name: str) -> Renderer:
    module, func = FORMATS[name]
    fn: Renderer = getattr(importlib.import_module(f".{module}", __name__), func)
    return fn
