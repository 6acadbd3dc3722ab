"""The README and docs/rules.md are generated from, or must agree with, the registry."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_rule_table_and_rule_docs_are_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "readme_rules_table.py"), "--check"]
    )
    assert proc.returncode == 0, "run `python scripts/readme_rules_table.py --write`"


def test_every_rule_has_a_readme_row() -> None:
    from mle_review.rules import load_all

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for rule in load_all():
        assert re.search(rf"^\| {rule.id} \| `{rule.slug}` \|", readme, re.M), rule.id


def test_readme_has_exactly_two_setup_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    commands = [line for line in blocks[0].splitlines() if line.strip()]
    assert commands == [
        "pip install . && mle-review scan examples",
        "pip install '.[test]' && pytest",
    ]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
