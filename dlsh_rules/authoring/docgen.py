"""Regenerate the generated files: schemas/*.schema.json, docs/rules/<pack>.md and the column
table of docs/workbook.md.

python -m dlsh_rules.docgen          # write them
python -m dlsh_rules.docgen --check  # exit 1 if any is stale (what the tests do)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..pack.loader import available_packs, load_pack
from .explain import reference_markdown
from .schemas import generated

ROOT = Path(__file__).resolve().parent.parent.parent


def outputs() -> dict[Path, str]:
    files = {
        ROOT / "schemas" / f"{name}.schema.json": json.dumps(schema, ensure_ascii=False, indent=2)
        + "\n"
        for name, schema in generated().items()
    }
    for name in available_packs(include_abstract=True):
        files[ROOT / "docs" / "rules" / f"{name}.md"] = reference_markdown(load_pack(name))
    workbook = ROOT / "docs" / "workbook.md"
    if workbook.exists():
        files[workbook] = _with_workbook_table(workbook.read_text(encoding="utf-8"))
    return files


def _with_workbook_table(text: str) -> str:
    """docs/workbook.md with its generated column table (between two markers) made current."""
    from ..record.validate import record_plan
    from ..record.workbook import reference_table

    begin = "<!-- workbook-columns:begin -->\n"
    head, rest = text.split(begin, 1)
    tail = rest[rest.index("<!-- workbook-") :]
    return head + begin + reference_table(record_plan()) + tail


def main(argv: list[str]) -> int:
    stale = []
    for path, text in outputs().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if "--check" not in argv:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for path in stale:
        print(("stale: " if "--check" in argv else "wrote: ") + str(path.relative_to(ROOT)))
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
