"""The HTML report in a real browser: headless Chromium loads it from a file with every network
name unresolvable, and must build both matrices without a console message or a failed load.
Skips where no Chromium is installed (e.g. CI machines without the Debian package)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import dlsh_rules
from dlsh_rules.record.validate import load_record
from dlsh_rules.render import RenderContext, html

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"

pytestmark = pytest.mark.slow


def _chromium() -> str:
    for name in (
        "chromium",
        "chromium-browser",
        "chromium-headless-shell",
        "google-chrome",
        "google-chrome-stable",
    ):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium binary on PATH")


def _browser(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            # Any attempt to reach the network fails loudly (and would be logged below).
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["talks"] = [t for t in data["talks"] if t["id"] != "t5"]  # p2~p3 never talk
    data["meeting"]["criticisms"][7]["text"] = "希望今后多下基层"  # c8: only a hope
    data["people"][2]["name"] = "<script>alert(1)</script>"
    folder = tmp_path_factory.mktemp("browser")
    record_path = folder / "failing.yaml"
    record_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    pack = dlsh_rules.load_pack("provincial-bureau-2024")
    record = load_record(record_path, pack.enums)
    ctx = RenderContext(
        dlsh_rules.check(record, pack), "zh", False, record, pack, date=dt.date(2024, 3, 5)
    )
    out = folder / "report.html"
    out.write_text(html.render(ctx), encoding="utf-8")
    return out


def _console_trouble(stderr: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if "CONSOLE" in line or "Uncaught" in line or "ERR_NAME_NOT_RESOLVED" in line
    ]


def test_dom_has_both_matrices_and_no_errors(page: Path, tmp_path: Path) -> None:
    binary = _chromium()
    done = _browser(binary, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert '<table class="matrix talks">' in dom
    assert '<table class="matrix criticisms">' in dom
    assert dom.count('class="missing"') == 2  # p2~p3 in both of its rows
    assert 'class="flag"' in dom  # c8
    assert "<script" not in dom  # the evil name stayed text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert not _console_trouble(done.stderr)


def test_screenshot(page: Path, tmp_path: Path) -> None:
    binary = _chromium()
    shot = tmp_path / "report.png"
    done = _browser(
        binary,
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        page.as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert not _console_trouble(done.stderr)


def test_prints_to_a4_pages(page: Path, tmp_path: Path) -> None:
    """Printed as a user prints it: several A4 pages, no error on the way. The page numbers
    are drawn by the page's own @page margin boxes, so the browser's are turned off."""
    binary = _chromium()
    pdf = tmp_path / "report.pdf"
    done = _browser(
        binary,
        tmp_path / "profile",
        f"--print-to-pdf={pdf}",
        "--no-pdf-header-footer",
        page.as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count (\d+)", data)]
    pages = pages or [int(n) for n in re.findall(rb"/Count (\d+)", data)]
    assert pages and max(pages) > 1, pages
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes)
    assert not _console_trouble(done.stderr)


def test_appendix_and_signatures_in_the_dom(page: Path, tmp_path: Path) -> None:
    binary = _chromium()
    done = _browser(binary, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert dom.index('<section class="signature">') < dom.index('<section class="appendix"')
    assert "<dd>2024-03-05</dd>" in dom
    body = dom.split('<section class="appendix"', 1)[0]
    assert "prep.talks.member_pairs" not in re.sub(r"<[^>]+>", "", body)
