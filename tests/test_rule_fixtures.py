"""Semgrep-style rule tests.

Each rule has a folder ``tests/fixtures/rules/<ID>/``. In any file there, a
comment ``# ruleid: <ID>`` marks the next line as one that must be reported
(the finding's ``line``), and ``# ok: <ID>`` marks one that must not. The
folder is scanned with only that rule selected and the set of reported lines
must equal the set of ``ruleid`` lines exactly. A folder that expects no
finding fails: a fixture that cannot fail tests nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mle_review.config import Config
from mle_review.engine.runner import scan_paths
from mle_review.rules import load_all

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
_ANNOTATION = re.compile(r"#\s*(ruleid|ok)\s*:\s*([A-Za-z0-9_,\s-]+?)\s*(?:\\n)?\"?,?\s*$")

# Minimum annotated cases per rule, by the issue that introduced the rule family.
MIN_CASES = {"MLR1": 12, "MLR20": 6, "MLR30": 6, "MLR4": 8, "MLR5": 8}
_ISSUE3 = {"MLR202", "MLR204", "MLR205", "MLR206", "MLR207", "MLR304", "MLR305"}


def _min_cases(rule_id: str) -> int:
    if rule_id in _ISSUE3:
        return 8
    for prefix, n in MIN_CASES.items():
        if rule_id.startswith(prefix):
            return n
    return 6


def annotations(folder: Path, rule_id: str) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    expected: set[tuple[str, int]] = set()
    ok: set[tuple[str, int]] = set()
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        for i, line in enumerate(lines, start=1):
            m = _ANNOTATION.search(line)
            if not m:
                continue
            ids = {x.strip() for x in m.group(2).split(",")}
            if rule_id not in ids:
                continue
            (expected if m.group(1) == "ruleid" else ok).add((rel, i + 1))
    return expected, ok


def fixture_rules() -> list[str]:
    registry = load_all()
    return registry.ids()


@pytest.mark.parametrize("rule_id", fixture_rules())
def test_rule_fixtures(rule_id: str) -> None:
    folder = FIXTURES / rule_id
    if rule_id.startswith("MLR6") or rule_id == "MLR900":
        pytest.skip("change-level rules are tested by review scenarios")
    assert folder.is_dir(), f"{rule_id} has no fixture folder {folder}"
    expected, ok = annotations(folder, rule_id)
    assert expected, (
        f"{rule_id} fixtures expect no finding; a fixture that cannot fail tests nothing"
    )
    minimum = _min_cases(rule_id)
    assert len(expected) >= minimum, f"{rule_id}: {len(expected)} ruleid cases, need {minimum}"
    assert len(ok) >= minimum, f"{rule_id}: {len(ok)} ok cases, need {minimum}"
    config = Config.model_validate({"select": [rule_id]})
    report = scan_paths([folder], folder, config)
    assert not [e for e in report.errors if "internal error" in e.message], report.errors
    actual = {(f.path, f.line) for f in report.findings if f.rule_id == rule_id}
    missing = sorted(expected - actual)
    unexpected = sorted(actual - expected)
    wrongly_fired = sorted(actual & ok)
    assert not wrongly_fired, f"{rule_id} fired on ok lines: {wrongly_fired}"
    assert not missing and not unexpected, f"{rule_id}: missing {missing}, unexpected {unexpected}"
    for f in report.findings:
        assert f.message and f.fix, f"{rule_id} finding at {f.path}:{f.line} lacks message or fix"
