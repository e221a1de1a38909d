"""The report's one stylesheet, inline: screen and print, system fonts, no external resources."""

from __future__ import annotations

# The engine's own pair generator: the grids must show exactly the pairs the pack's rules check.


# --- styles: screen and print, no external resources -----------------------------------------

CSS = """
:root { --ok:#1a7f37; --ok-bg:#dafbe1; --bad:#cf222e; --bad-bg:#ffebe9; --warn:#9a6700;
  --warn-bg:#fff8c5; --wv:#0550ae; --wv-bg:#ddf4ff; --na:#6e7781; --na-bg:#f6f8fa;
  --line:#d0d7de; --ink:#1f2328; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5; font-size: 15px;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
  "WenQuanYi Micro Hei", system-ui, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6em; margin: 0 0 .3em; }
h2 { font-size: 1.25em; margin: 2em 0 .6em; padding-bottom: .25em; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.08em; margin: 1.4em 0 .5em; }
h4 { font-size: 1em; margin: 1em 0 .3em; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .88em; }
table { border-collapse: collapse; margin: .4em 0 1em; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; text-align: left; }
thead th { background: var(--na-bg); }
nav.sections { margin: .6em 0 0; font-size: .92em; }
nav.sections a { margin-right: 1.2em; }
.verdict { display: inline-block; font-weight: 700; font-size: 1.15em; padding: 2px 14px;
  border-radius: 4px; border: 2px solid; margin: .2em 0 .6em; }
.verdict.ok { color: var(--ok); background: var(--ok-bg); }
.verdict.bad { color: var(--bad); background: var(--bad-bg); }
.verdict.broken { color: var(--warn); background: var(--warn-bg); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: .4em 0 1em; }
dl.facts dt { font-weight: 600; color: #57606a; }
dl.facts dd { margin: 0; }
table.counts td, table.counts th { text-align: center; min-width: 4.2em; }
.st { white-space: nowrap; font-weight: 600; }
.st-passed { color: var(--ok); } .st-failed { color: var(--bad); } .st-pending { color: var(--warn); }
.st-waived { color: var(--wv); } .st-not_applicable { color: var(--na); } .st-error { color: #8250df; }
.st-warn { color: var(--warn); }
tr.deadline td { background: #fbfbfc; }
tr.meeting td { background: #eef2ff; font-weight: 700; }
tr.asof td { background: var(--warn-bg); }
td.date, td.rel { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.rel { color: #57606a; }
table.timeline { width: 100%; }
.small { font-size: .85em; color: #57606a; }
table.matrix { font-size: .92em; }
table.matrix th, table.matrix td { text-align: center; vertical-align: middle; padding: 2px; }
table.matrix tbody th { text-align: left; white-space: nowrap; padding: 3px 8px; background: var(--na-bg); }
table.matrix thead th.col { writing-mode: vertical-rl; white-space: nowrap; padding: 6px 2px;
  min-width: 2.4em; font-weight: 600; }
table.matrix thead th.col .small { font-weight: 400; }
table.matrix td { width: 2.4em; height: 2.1em; font-weight: 700; font-size: 1.05em; }
.ok { color: var(--ok); background: var(--ok-bg); }
.missing { color: #fff; background: var(--bad); }
.flag { color: var(--warn); background: var(--warn-bg); outline: 2px solid var(--warn); outline-offset: -3px; }
.waived { color: var(--wv); background: var(--wv-bg); }
.pending { color: var(--warn); background: var(--warn-bg); }
td.self { background: repeating-linear-gradient(45deg, #eaeef2 0 4px, #f6f8fa 4px 8px); }
.na { background: #fff; color: #afb8c1; font-weight: 400; }
.tag { display: inline-block; font-size: .8em; padding: 0 6px; border-radius: 3px;
  background: #57606a; color: #fff; }
th.group { background: #eaeef2; font-weight: 600; }
.legend { font-size: .88em; color: #57606a; margin: 0 0 .6em; }
.legend span.key { display: inline-block; min-width: 1.8em; text-align: center; font-weight: 700;
  border: 1px solid var(--line); margin: 0 .25em 0 .9em; }
ul.gaps { margin: .2em 0 1em; padding-left: 1.4em; }
article.rule { border: 1px solid var(--line); border-left: 5px solid var(--line); padding: 6px 12px;
  margin: .7em 0; break-inside: avoid; }
article.rule.failed { border-left-color: var(--bad); }
article.rule.warn { border-left-color: var(--warn); }
article.rule.pending { border-left-color: var(--warn); }
article.rule.waived { border-left-color: var(--wv); }
article.rule.error { border-left-color: #8250df; }
article.rule.not_applicable { border-left-color: var(--na); }
article.rule h4 { margin: .2em 0; }
blockquote { margin: .3em 0 .5em; padding: 2px 10px; border-left: 3px solid var(--line); color: #57606a; }
table.findings { width: 100%; font-size: .92em; }
tr.waived td { color: var(--wv); background: var(--wv-bg); }
table.findings td:first-child { white-space: nowrap; }
table.findings td:nth-child(2) { width: 38%; }
table.rules { width: 100%; font-size: .92em; }
section.record + section.record { border-top: 4px double var(--ink); margin-top: 3em; padding-top: 1em; }
table.index { width: 100%; }
table.index .verdict { margin: 0; padding: 0 8px; font-size: .95em; border-width: 1px; }
section#index + section.record { border-top: 4px double var(--ink); margin-top: 2em; padding-top: 1em; }
footer { margin-top: 3em; font-size: .85em; color: #57606a; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  nav.sections, .noprint { display: none; }
  a { color: inherit; text-decoration: none; }
  h2, h3, h4 { break-after: avoid; }
  tr, article.rule, table.matrix { break-inside: avoid; }
  section.record + section.record { break-before: page; border-top: none; margin-top: 0; }
  section.matrix-block { break-inside: avoid; }
  section#index { break-after: page; }
  section#index + section.record { border-top: none; margin-top: 0; }
}
"""
