"""Rule documentation generated from the rule files: `rules`, `explain RULE` and the Markdown rule
reference under docs/ are all built here, so nothing about a rule is written twice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from ..errors import Text
from ..pack.loader import PHASES, Pack

if TYPE_CHECKING:
    from ..language.models import Rule

_SEV = {
    "error": Text("错误", "error"),
    "warning": Text("警告", "warning"),
    "info": Text("提示", "info"),
}
_L = {
    "clause": Text("条款", "Clause"),
    "severity": Text("级别", "Severity"),
    "phase": Text("阶段", "Phase"),
    "quote": Text("方案原文", "The plan's words"),
    "why": Text("说明", "Rationale"),
    "checks": Text("检查内容（已代入参数）", "What it checks (parameters filled in)"),
    "params": Text("所用参数", "Parameters used"),
    "due": Text("到期", "Due"),
    "scope_org": Text(
        "范围：按党组织，统计一次检查给出的该组织全部记录",
        "Scope: the organisation, over all its records that one check run is given",
    ),
    "fail": Text("违反示例", "Violating example"),
    "pass": Text("合规示例", "Compliant example"),
    "file": Text("规则文件", "Rule file"),
    "findings": Text("检查结果", "Findings"),
    "origin": Text("来源", "from"),
}


def _dump(value: Any) -> str:
    if not isinstance(value, (dict, list)):
        return f"{value}\n"  # safe_dump would end a bare scalar with a "..." document marker
    return yaml.safe_dump(
        value, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
    )


def _from(pack: Pack, origin: str, lang: str) -> str:
    """`来源: base-2024` for what a pack inherits; nothing for its own."""
    return "" if origin == pack.id else f"{_L['origin'].get(lang)}: {origin}"


def list_rules(pack: Pack, lang: str, quotes: bool = True) -> str:
    """Every rule by phase: id, clause, severity, title, and (unless ``quotes`` is false) the
    plan's own words on the line below, so that the list can be read against the plan."""
    rows = [
        (
            r.id,
            r.clause,
            _SEV[r.severity].get(lang),
            Text.of(r.title).get(lang)
            + (
                f"\t({_from(pack, pack.origin(r.id), lang)})"
                if pack.origin(r.id) != pack.id
                else ""
            ),
        )
        for r in pack.rules
    ]
    width = max((len(r[0]) for r in rows), default=0)
    head = f"{Text.of(pack.manifest.title).get(lang)} ({pack.id} v{pack.version}) — {len(rows)}"
    lines = [head + (" rules" if lang == "en" else " 条规则"), ""]
    for phase, label in PHASES.items():
        mine = [row for row, rule in zip(rows, pack.rules, strict=False) if rule.phase == phase]
        if mine:
            lines.append(label.get(lang))
            for (rid, clause, sev, title), rule in zip(
                mine, [r for r in pack.rules if r.phase == phase], strict=True
            ):
                lines.append(f"  {rid:<{width}}  {clause}\t{sev}\t{title}")
                if quotes:
                    lines.append(" " * (width + 4) + "「" + " ".join(rule.quote.split()) + "」")
            lines.append("")
    return "\n".join(lines)


def _params(pack: Pack, rule: Rule, lang: str) -> list[str]:
    out = []
    for name in pack.rule_params.get(rule.id, []):
        param = pack.manifest.params[name]
        desc = Text.of(param.description).get(lang) if param.description else ""
        value = param.value
        shown = _dump(value).strip() if isinstance(value, (list, dict)) else str(value)
        shown = shown.replace("\n", "; ")
        origin = _from(pack, pack.param_origin(name), lang)
        out.append(
            f"{name} = {shown}"
            + (f"  — {desc}" if desc else "")
            + (f" [{param.clause}]" if param.clause else "")
            + (f" ({origin})" if origin else "")
        )
    return out


def _examples(pack: Pack, rule: Rule) -> tuple[Any, Any]:
    """The first violating and the first compliant case of a rule, when the pack has cases."""
    try:
        from .testing import load_cases
    except ImportError:  # pragma: no cover
        return None, None
    cases = [c for c in load_cases(pack) if c.model.rule == rule.id]
    bad = next((c for c in cases if c.model.expect.get(rule.id) == "failed"), None)
    good = next(
        (
            c
            for c in cases
            if c.model.expect.get(rule.id) == "passed" and (c.model.patch or c.model.records)
        ),
        None,
    )
    return bad, good


def _case_findings(pack: Pack, case: Any, rule: Rule, lang: str) -> list[str]:
    from ..evaluate.engine import check
    from ..evaluate.organisations import evaluate_organisations
    from ..record.validate import validate_record
    from .patch import apply_patch
    from .testing import example_data

    patches = case.model.records if case.model.records is not None else [case.model.patch]
    reports = [
        check(
            validate_record(apply_patch(example_data(pack), patch), "example", pack.enums),
            pack,
            select=[rule.id],
        )
        for patch in patches
    ]
    orgs = evaluate_organisations(reports, pack, select=[rule.id])
    results = [r for report in reports for r in report.results]
    results += [r for org in orgs.entries for r in org.results]
    return [f.message.get(lang) for r in results for f in r.findings]


def explain(pack: Pack, rule: Rule, lang: str, with_examples: bool = True) -> str:

    def t(key: str) -> str:
        return _L[key].get(lang)

    lines = [f"{rule.id} — {Text.of(rule.title).get(lang)}", ""]
    lines.append(
        f"{t('phase')}: {PHASES[rule.phase].get(lang)}    {t('clause')}: {rule.clause}    "
        f"{t('severity')}: {_SEV[rule.severity].get(lang)}"
    )
    if rule.due is not None:
        lines.append(f"{t('due')}: {rule.due.label(lang)}")
    origin = _from(pack, pack.origin(rule.id), lang)
    if origin:
        lines.append(origin)
    if getattr(rule, "scope", "record") == "organisation":
        lines.append(t("scope_org"))
    lines += [
        "",
        f"{t('quote')}:",
        f"  {rule.quote}",
        "",
        f"{t('why')}:",
        f"  {Text.of(rule.rationale).get(lang)}",
    ]
    params = _params(pack, rule, lang)
    if params:
        lines += ["", f"{t('params')}:"] + [f"  {p}" for p in params]
    lines += ["", f"{t('checks')}:"]
    lines += ["  " + ln for ln in _dump(pack.raw_checks.get(rule.id, [])).rstrip().splitlines()]
    if with_examples:
        bad, good = _examples(pack, rule)
        for key, case in (("fail", bad), ("pass", good)):
            if case is None:
                continue
            lines += ["", f"{t(key)}: {case.model.name}"]
            shown = (
                {"records": case.model.records}
                if case.model.records is not None
                else case.model.patch
            )
            lines += ["  " + ln for ln in _dump(shown).rstrip().splitlines()]
            found = _case_findings(pack, case, rule, lang)
            if found:
                lines.append(f"  {t('findings')}:")
                lines += [f"    · {m}" for m in found[:5]]
    return "\n".join(lines) + "\n"


def reference_markdown(pack: Pack) -> str:
    """docs/rules/<pack>.md: every rule with its clause, quote and checks, in both languages."""
    m = pack.manifest
    lines = [
        f"# {m.title.zh} / {m.title.en}",
        "",
        f"<!-- Generated by `python -m dlsh_rules` from rules/{pack.id}/ — do not edit; "
        "tests/test_docs.py fails when this file is stale. Regenerate with "
        "`python -m dlsh_rules.docgen`. -->",
        "",
        f"Pack `{pack.id}` version {m.version}: {len(pack.rules)} rules.",
        "",
    ]
    if m.extends:
        lines += [f"继承 extends: `{m.extends}` ([reference](./{m.extends}.md)).", ""]
    if m.abstract:
        lines += [
            "抽象规则包：仅供其他规则包继承，不直接用于检查。 "
            "An abstract pack: a base for other packs, never checked against a record.",
            "",
        ]
    if m.description:
        lines += [m.description.zh, "", m.description.en, ""]
    if pack.rules:
        lines += ["| id | 条款 clause | 级别 severity | 标题 title |", "|---|---|---|---|"]
        for r in pack.rules:
            lines.append(
                f"| [`{r.id}`](#{r.id.replace('.', '')}) | {r.clause} | {r.severity} | {r.title.zh} / {r.title.en} |"
            )
        lines.append("")
    if m.sets:
        lines += ["## Sets 集合", "", "| name | definition | label |", "|---|---|---|"]
        for name, spec in m.sets.items():
            shown = yaml.safe_dump(
                spec, allow_unicode=True, sort_keys=False, default_flow_style=True, width=10**6
            )
            shown = shown.strip().replace("|", "\\|")
            set_label = m.set_labels.get(name)
            text = f"{set_label.zh} / {set_label.en}" if set_label else ""
            origin = pack.set_origins.get(name, pack.id)
            if origin != pack.id:
                text += f" (来源 origin: {origin})"
            lines.append(f"| `{name}` | `{shown}` | {text.strip()} |")
        lines.append("")
    lines += [
        "## Parameters 参数",
        "",
        "| name | value | clause | description |",
        "|---|---|---|---|",
    ]
    for name, p in m.params.items():
        value = _dump(p.value).strip().replace("\n", "<br>").replace("|", "\\|")
        desc = f"{p.description.zh} / {p.description.en}" if p.description else ""
        origin = pack.param_origin(name)
        if origin != pack.id:
            desc += f" (来源 origin: {origin})"
        lines.append(f"| `{name}` | {value} | {p.clause or ''} | {desc.replace('|', '/')} |")
    lines.append("")
    for phase, label in PHASES.items():
        rules = [r for r in pack.rules if r.phase == phase]
        if not rules:
            continue
        lines += [f"## {label.zh} / {label.en}", ""]
        for r in rules:
            lines += [
                f"### {r.id}",
                "",
                f"**{r.title.zh}** — {r.title.en}",
                "",
                f"- 条款 clause: {r.clause}; 级别 severity: {r.severity}"
                + (f"; 到期 due: {r.due.label('zh')} / {r.due.label('en')}" if r.due else ""),
                f"- 原文 quote: {r.quote}",
                *([f"- 来源 origin: {pack.origin(r.id)}"] if pack.origin(r.id) != pack.id else []),
                f"- 说明: {r.rationale.zh}",
                f"- Rationale: {r.rationale.en}",
            ]
            params = pack.rule_params.get(r.id, [])
            if params:
                lines.append("- 参数 parameters: " + ", ".join(f"`{p}`" for p in params))
            lines += ["", "```yaml", _dump(pack.raw_checks.get(r.id, [])).rstrip(), "```", ""]
    return "\n".join(lines)
