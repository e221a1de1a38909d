"""What counts as English in a Chinese message, for the tests that hold input errors to
Chinese (tests/test_chinese.py).

A Chinese message may still show ASCII: what the user wrote (quoted values, keys, file names,
JSON pointers, the command line's options and their placeholders), the record format's own
identifiers (field names, enumeration values, kinds), rule ids, and format names. Everything
else made of three or more ASCII letters is an English word the message should not hold.
"""

from __future__ import annotations

import re
from functools import cache

# Quoted text, in any of the quotes messages use; then paths and pointers; then the command
# line's notation.
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|「[^」]*」|“[^”]*”")
_PATHISH = re.compile(r"(?:[A-Za-z]:)?[\w.~$-]*(?:[/\\][\w.~$@:*?\[\]{}-]*)+|[\w.-]+\.\w+")
_OPTION = re.compile(r"(?<![\w])--?[A-Za-z][\w-]*")
_CHOICES = re.compile(r"\{[\w,.\-]*\}")
_PLACEHOLDER = re.compile(r"\b[A-Z][A-Z_]{1,}\b(?:\[:[A-Z]+\])?")
_WORD = re.compile(r"[A-Za-z]{3,}")
# YAML's own notation the user wrote: tags, anchors and aliases; numbers in hexadecimal and code
# points; encodings.
_WRITTEN = re.compile(
    r"(?<!\w)[!*&]{1,2}[^\s，。；：、（）]+|\btag:\S+|\b0x[0-9a-fA-F]+\b|U\+[0-9A-F]{4,6}|UTF-\d+"
    # the rule language's computed fields and a pack's parameters: @end, $due
    r"|(?<![\w@$])[@$][A-Za-z_]\w*(?:\([^()]*\))?"
    # a Python value given through the API, shown by its repr
    r"|\b[A-Za-z_][\w.]*\([^()]*\)"
)

# Notation a Chinese reader is shown on purpose: the formats' and encodings' names, date
# patterns, literals of JSON and YAML, and the tool's own name.
_NOTATION = frozenset(
    {
        "JSON", "YAML", "UTF", "BOM", "Unicode", "Tab", "ISO", "YYYY", "Python", "true",
        "false", "null", "NaN", "Infinity", "dlsh", "rules", "xlsx", "Excel", "NAME", "PATH", "ICS", "CSV",
    }
)  # fmt: skip


@cache
def vocabulary() -> frozenset[str]:
    """The record format's identifiers, the commands and the output formats."""
    from dlsh_rules.record.enums import BASE
    from dlsh_rules.record.validate import field_names
    from dlsh_rules.render import FORMATS

    words = set(field_names()) | set(FORMATS)
    for values in BASE.values():
        words |= set(values)
    words |= {"check", "rules", "explain", "test", "lint", "new-pack", "init", "export"}
    words |= {"timeline", "schema", "record", "rule", "pack", "report", "group", "todo"}
    return frozenset(words)


@cache
def rule_language() -> frozenset[str]:
    """The rule language's identifiers, which a pack author writes and its errors name: the keys
    and enumerated values of rule files and manifests (from their JSON Schemas), operators,
    date-bound keys, periods and normalisations."""
    from dlsh_rules.dates import PERIODS
    from dlsh_rules.language.json_schemas import manifest_schema, rule_schema
    from dlsh_rules.language.normalise import NORMALISATIONS
    from dlsh_rules.language.operators import OPERATORS
    from dlsh_rules.language.query import BOUND_KEYS

    words = set(OPERATORS) | set(BOUND_KEYS) | set(PERIODS) | set(NORMALISATIONS)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    words.update(value)
                if key in ("enum", "const"):
                    words.update(
                        v
                        for v in (value if isinstance(value, list) else [value])
                        if isinstance(v, str)
                    )
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(rule_schema())
    walk(manifest_schema())
    # Keys that are also the words of English prose must be quoted in a Chinese message, so that
    # the prose ("missing", "not", "value") is still caught.
    return frozenset(words - _PROSE)


_PROSE = frozenset(
    {
        "all", "any", "both", "not", "error", "last", "late", "left", "right", "message",
        "missing", "value", "values", "what", "when", "description", "key", "order", "set",
        "source", "version", "example", "after", "before", "count", "each", "exists", "same",
        "match", "path", "info", "warning", "label", "labels", "min", "max", "omit", "prefix",
    }
)  # fmt: skip


def english_words(message: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The English words left in ``message`` once what may be ASCII is taken out."""
    text = _QUOTED.sub(" ", message)
    text = _WRITTEN.sub(" ", text)
    text = _PATHISH.sub(" ", text)
    text = _OPTION.sub(" ", text)
    text = _CHOICES.sub(" ", text)
    text = _PLACEHOLDER.sub(" ", text)
    known = vocabulary() | rule_language() | _NOTATION | allowed
    out = []
    for match in re.finditer(r"[A-Za-z_][A-Za-z0-9_.-]*", text):
        token = match.group()
        if token in known or token.strip(".") in known:
            continue
        # A snake_case, dotted or kebab-case token is an identifier (a field, a rule id, a pack
        # name), not prose.
        if "_" in token or "." in token.strip(".") or "-" in token:
            continue
        out.extend(_WORD.findall(token))
    return out
