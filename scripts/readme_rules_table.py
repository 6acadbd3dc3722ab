"""Regenerate the README rule table and docs/rules.md from the rule registry (the one source of truth).

python scripts/readme_rules_table.py          # print the table
python scripts/readme_rules_table.py --write  # rewrite README.md's table and docs/rules.md
python scripts/readme_rules_table.py --check  # exit 1 when either is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from mle_review.rules import load_all

README = Path(__file__).resolve().parent.parent / "README.md"
RULE_DOCS = README.parent / "docs" / "rules.md"
BEGIN, END = "<!-- section:rules-table -->", "<!-- /section:rules-table -->"


def table() -> str:
    rows = ["| ID | Slug | Severity | What it catches |", "|---|---|---|---|"]
    for rule in load_all():
        rows.append(f"| {rule.id} | `{rule.slug}` | {rule.severity.value} | {rule.title} |")
    return "\n".join(rows)


def render(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + table() + "\n" + text[end:]


def rule_docs() -> str:
    parts = [
        "# Rule reference",
        "",
        "Generated from the rule registry by `python scripts/readme_rules_table.py --write`; "
        "`mle-review rules ID` prints the same text.",
        "",
        table(),
        "",
    ]
    for rule in load_all():
        doc = rule.render_doc().replace("\n## ", "\n### ")
        parts.append(doc.replace(f"# {rule.id} {rule.slug}", f"## {rule.id} {rule.slug}", 1))
    return "\n".join(parts).rstrip() + "\n"


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    updated = render(current)
    docs_current = RULE_DOCS.read_text(encoding="utf-8") if RULE_DOCS.exists() else ""
    docs_updated = rule_docs()
    if "--write" in argv:
        README.write_text(updated, encoding="utf-8")
        RULE_DOCS.write_text(docs_updated, encoding="utf-8")
        return 0
    if "--check" in argv:
        return 0 if updated == current and docs_updated == docs_current else 1
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
