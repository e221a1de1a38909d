"""The HTML report as a document to file: the date of the check (never the clock), unit, pack
and version, the signature and stamp block, technical details only in the appendix, record text
escaped by the templates, the same bytes for the same inputs, and the templates in the package.
test_formats.py checks its structure and grids; test_html_browser.py renders it in Chromium."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import dlsh_rules
from dlsh_rules.cli.main import main
from dlsh_rules.pack.loader import Pack
from dlsh_rules.record.validate import load_record
from dlsh_rules.render import BatchEntry, RenderContext, html

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"
APPENDIX = '<section class="appendix"'


@pytest.fixture(scope="module")
def pack() -> Pack:
    return dlsh_rules.load_pack("provincial-bureau-2024")


def _failing(tmp: Path, **changes: Any) -> Path:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["talks"] = [t for t in data["talks"] if t["id"] != "t5"]  # p2~p3 never talk
    next(s for s in data["submissions"] if s["purpose"] == "filing")["date"] = dt.date(2024, 2, 20)
    for key, value in changes.items():
        value(data) if callable(value) else data.__setitem__(key, value)
    path = tmp / "failing.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def failing(pack: Pack, tmp_path_factory: pytest.TempPathFactory) -> RenderContext:
    record = load_record(_failing(tmp_path_factory.mktemp("html")), pack.enums)
    return RenderContext(dlsh_rules.check(record, pack), "zh", False, record, pack)


def _text(page: str) -> str:
    """The page's visible words, tags removed (a rough reading is enough here)."""
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", "", page)


def _facts(page: str) -> dict[str, str]:
    head = page.split("</dl>", 1)[0]
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", head))


# --- the date of the check, unit, pack ----------------------------------------------------------


def test_date_of_the_check(failing: RenderContext) -> None:
    blank = _facts(html.render(failing))
    assert blank["检查日期"] == "＿＿＿＿年＿＿月＿＿日"  # neither given: to fill in by hand
    assert blank["单位"] == "省移民局"
    assert blank["规则包"] == (
        "省移民局党组2024年度民主生活会实施方案（provincial-bureau-2024 v1）".replace(
            "省移民局党组2024年度民主生活会实施方案",
            dlsh_rules.load_pack("provincial-bureau-2024").manifest.title.zh,
        )
    )
    as_of = dataclasses.replace(
        failing, report=dataclasses.replace(failing.report, as_of=dt.date(2024, 3, 1))
    )
    facts = _facts(html.render(as_of))
    assert facts["检查日期"] == "2024-03-01" and "到期判断日" not in facts
    dated = dataclasses.replace(as_of, date=dt.date(2024, 3, 5))
    facts = _facts(html.render(dated))
    assert facts["检查日期"] == "2024-03-05" and facts["到期判断日"] == "2024-03-01"
    en = _facts(html.render(dataclasses.replace(dated, lang="en")))
    assert en["Date of the check"] == "2024-03-05"
    assert en["Deadlines judged as of"] == "2024-03-01"
    assert en["Rule pack"].endswith("(provincial-bureau-2024 v1)")


def test_date_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert main(["check", str(EXAMPLE), "--format", f"html:{out}", "--date", "2024-03-05"]) == 0
    assert _facts(out.read_text(encoding="utf-8"))["检查日期"] == "2024-03-05"
    assert main(["check", str(EXAMPLE), "--format", f"html:{out}", "--as-of", "2024-02-28"]) == 0
    assert _facts(out.read_text(encoding="utf-8"))["检查日期"] == "2024-02-28"
    batch = tmp_path / "b.html"
    other = tmp_path / "copy.yaml"
    other.write_bytes(EXAMPLE.read_bytes())
    args = ["check", str(EXAMPLE), str(other), "-q", "--jobs", "1", "--date", "2024-03-05"]
    assert main([*args, "--format", f"html:{batch}"]) == 0
    assert batch.read_text(encoding="utf-8").count("<dt>检查日期</dt><dd>2024-03-05</dd>") == 2


def test_a_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE), "--format", "html", "--date", "2024-02-30"]) == 2
    err = capsys.readouterr().err
    assert "--date" in err and "2024-02-30" in err and "Traceback" not in err


# --- signatures and the appendix ----------------------------------------------------------------


def test_signature_block(failing: RenderContext) -> None:
    page = html.render(failing)
    block = page.split('<section class="signature">', 1)[1].split("</section>", 1)[0]
    for word in (
        "检查人：",
        "审核人：",
        "日期：",
        "盖章：",
        "（单位盖章）",
        "＿＿＿＿年＿＿月＿＿日",
    ):
        assert word in block
    # at the end of the report: after the findings, before the appendix only
    assert page.index('<section class="signature">') > page.index('id="findings"')
    assert page.index('<section class="signature">') < page.index(APPENDIX)
    en = html.render(dataclasses.replace(failing, lang="en"))
    for word in ("Checked by: ", "Reviewed by: ", "Date: ", "Seal: "):
        assert word in en


def test_technical_details_only_in_the_appendix(failing: RenderContext) -> None:
    page = html.render(failing)
    body, appendix = page.split(APPENDIX, 1)
    body_text = _text(body)
    ids = [r.rule for r in failing.report.results]
    pointers = [f.path for r in failing.report.results for f in r.findings if f.path]
    assert pointers and ids
    for rule in ids:
        assert rule not in body_text, rule
        assert f' class="mono">{rule}</td>' in appendix
    for pointer in pointers:
        assert pointer not in body_text, pointer
    assert "failing.yaml" not in body_text  # the file and file:line
    located = [f for r in failing.report.results for f in r.findings if f.line is not None]
    assert located
    assert f"failing.yaml:{located[0].line}:{located[0].column}" in appendix
    assert "技术附录" in _text(appendix)
    # the body says the failing pair in names and points at the appendix by number
    assert "张建国 — 刘秀芳" in body_text
    refs = re.findall(r'<a class="see" href="#(tech-\d+)">技术附录 (\d+)</a>', body)
    assert refs and all(f'<tr id="{ref}">' in appendix for ref, _ in refs)
    assert {n for ref, n in refs} == {ref[5:] for ref, _ in refs}


def test_batch_has_one_appendix_and_signature_per_record(failing: RenderContext) -> None:
    page = html.render_batch([BatchEntry("a.yaml", failing), BatchEntry("b.yaml", failing)])
    assert page.count(APPENDIX) == 2 and page.count('<section class="signature">') == 2
    assert 'id="r1-tech-1"' in page and 'id="r2-tech-1"' in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))


# --- escaping -----------------------------------------------------------------------------------


EVIL = '<img src=x onerror="alert(1)">{{ 7*7 }}{% raw %}'


def test_record_text_is_escaped(pack: Pack, tmp_path: Path) -> None:
    data: dict[str, Any] = yaml.safe_load(_failing(tmp_path).read_text(encoding="utf-8"))
    data["people"][2]["name"] = EVIL  # p3: in the grids, the lists, the findings
    data["meeting"]["theme"] = EVIL + " & </style>"
    data["meeting"]["criticisms"][0]["text"] = EVIL
    # A mapping is not read from text, so nothing refused the escape character before the view.
    data["unit"]["party_org"] = "\x1b[31m红"
    record = load_record(data, pack.enums)
    page = html.render(RenderContext(dlsh_rules.check(record, pack), "zh", False, record, pack))
    assert "<img" not in page and "</style> " not in page
    # escaped, and a template expression in the record is text, never evaluated
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;{{ 7*7 }}{% raw %}" in page
    assert "{{ 7*7 }}" in _text(page) and "&amp; &lt;/style&gt;" in page
    assert "\x1b" not in page and "\\x1b[31m红" in page
    assert page.count("</style>") == 1


# --- determinism and packaging ------------------------------------------------------------------


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    """Two runs of the command, as a user runs it: the same bytes, and no day but the given."""
    pages = []
    for n in (1, 2):
        out = tmp_path / f"{n}.html"
        assert (
            main(["check", str(EXAMPLE), "--format", f"html:{out}", "--as-of", "2024-03-01"]) == 0
        )
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]
    today = dt.date.today().isoformat()
    assert today not in pages[0].decode("utf-8")


def test_templates_ship_in_the_package() -> None:
    from importlib import resources

    folder = resources.files("dlsh_rules.render.html") / "templates"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".j2"))
    assert names == [
        "batch.html.j2",
        "organisations.html.j2",
        "page.html.j2",
        "record.html.j2",
        "report.css.j2",
        "report.html.j2",
    ]
    from dlsh_rules.render.html.templating import environment

    env = environment()
    assert env.autoescape is True
    for name in names:
        env.get_template(name)  # every template compiles
