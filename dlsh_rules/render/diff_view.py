"""`diff OLD.json NEW.json` as text (zh, en), JSON and Markdown (report/compare.py pairs them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `check` reads FORMATS to build its options: it should not import these
    from ..report.compare import Diff, Item

FORMATS = ("text", "json", "markdown")

# (heading zh, heading en, marker, the Diff attribute)
_SECTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("新增的不符合项", "New failures", "+", "new_items"),
    ("已修复", "Fixed", "-", "fixed"),
    ("仍不符合", "Still failing", "=", "still"),
    ("新报告未再检查", "No longer checked", "?", "unchecked"),
)

_NOTE_UNCHECKED = (
    "旧报告中不符合、而新报告没有检查其规则或记录的项（如 --select 不同、记录无法读取）",
    "open in the older report, but the newer one did not check their rule or record "
    "(another --select, an unreadable record)",
)


def _where(i: Item) -> str:
    place = i.record
    if i.line is not None and place and not place.startswith("organisation:"):
        place = f"{place}:{i.line}"
    return place


def _subject(i: Item) -> str:
    return i.subject or i.path or ""


def _pack_note(d: Diff, en: bool) -> str | None:
    old, new = d.packs
    if old == new or old is None or new is None:
        return None
    a, b = f"{old[0]} {old[1]}", f"{new[0]} {new[1]}"
    return (
        f"note: the reports come from different packs ({a} → {b})"
        if en
        else f"注意：两份报告的规则包不同（{a} → {b}）"
    )


def render_text(d: Diff, lang: str) -> str:
    en = lang == "en"
    lines = [f"{d.old} → {d.new}"]
    note = _pack_note(d, en)
    if note:
        lines.append(note)
    for zh, eng, mark, attr in _SECTIONS:
        items: Sequence[Item] = getattr(d, attr)
        if not items:
            continue
        lines.append("")
        lines.append(f"{eng if en else zh} ({len(items)})" if en else f"{zh}（{len(items)} 项）")
        if attr == "unchecked":
            lines.append(f"  {_NOTE_UNCHECKED[1 if en else 0]}")
        for i in items:
            head = " ".join(x for x in (i.rule, _subject(i)) if x)
            where = _where(i)
            tail = f" ({where})" if where else ""
            lines.append(f"  {mark} [{i.severity}] {head}: {i.message}{tail}")
    lines.append("")
    counts = (len(d.new_items), len(d.fixed), len(d.still), len(d.unchecked))
    lines.append(
        "{} new, {} fixed, {} still failing, {} no longer checked".format(*counts)
        if en
        else "新增 {} 项，已修复 {} 项，仍不符合 {} 项，未再检查 {} 项".format(*counts)
    )
    return "\n".join(lines) + "\n"


def render_json(d: Diff, lang: str) -> str:
    out = d.to_dict()
    out["lang"] = lang
    import json

    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(d: Diff, lang: str) -> str:
    en = lang == "en"
    lines = [f"# {'Report comparison' if en else '报告比较'}", "", f"`{d.old}` → `{d.new}`", ""]
    note = _pack_note(d, en)
    if note:
        lines += [f"> {note}", ""]
    head = ("新增", "已修复", "仍不符合", "未再检查")
    if en:
        head = ("new", "fixed", "still failing", "no longer checked")
    counts = (len(d.new_items), len(d.fixed), len(d.still), len(d.unchecked))
    lines += ["| " + " | ".join(head) + " |", "|---:|---:|---:|---:|"]
    lines += ["| " + " | ".join(str(c) for c in counts) + " |"]
    cols = ("规则", "对象", "级别", "说明", "位置")
    if en:
        cols = ("rule", "subject", "level", "message", "where")
    for zh, eng, _, attr in _SECTIONS:
        items: Sequence[Item] = getattr(d, attr)
        if not items:
            continue
        lines += [
            "",
            f"## {eng if en else zh}（{len(items)}）" if not en else f"## {eng} ({len(items)})",
        ]
        if attr == "unchecked":
            lines += ["", _NOTE_UNCHECKED[1 if en else 0]]
        lines += ["", "| " + " | ".join(cols) + " |", "|---|---|---|---|---|"]
        for i in items:
            cells = (f"`{i.rule}`", _md(_subject(i)), i.severity, _md(i.message), _md(_where(i)))
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[Diff, str], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
