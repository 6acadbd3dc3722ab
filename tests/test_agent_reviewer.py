"""The mle-reviewer agent file: valid frontmatter, read-only tools, and the bot's own rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mle_review.models import Confidence, Finding, Severity
from mle_review.rules.catalog import CATALOG
from mle_review.skillpack.bundle import AGENT_FILE, AGENT_NAME
from mle_review.skillpack.targets import split_frontmatter

REPO = (
    Path(__file__).resolve().parents[1]
)  # the checkout, also when mle_review is installed non-editable

AGENT_MD = REPO / AGENT_FILE
WRITE_TOOLS = {"Write", "Edit", "MultiEdit", "NotebookEdit", "TodoWrite"}


def _meta() -> dict[str, object]:
    return split_frontmatter(AGENT_MD.read_text(encoding="utf-8"))[0]


def _body() -> str:
    return split_frontmatter(AGENT_MD.read_text(encoding="utf-8"))[1]


def test_required_keys_and_name_matches_file() -> None:
    meta = _meta()
    assert {"name", "description", "tools", "model"} <= set(meta)
    assert meta["name"] == AGENT_NAME == AGENT_MD.stem
    assert meta["model"] == "sonnet"


def test_description_is_inline_and_says_when_to_use() -> None:
    description = _meta()["description"]
    assert isinstance(description, str) and "\n" not in description
    assert "Use " in description or "use " in description
    text = AGENT_MD.read_text(encoding="utf-8")
    [line] = [
        ln for ln in text.split("\n---\n", 1)[0].splitlines() if ln.startswith("description:")
    ]
    assert line.split(":", 1)[1].strip()[0] not in "|>"


def test_tools_is_a_comma_separated_read_only_set() -> None:
    tools = _meta()["tools"]
    assert isinstance(tools, str), "Claude Code expects tools as one comma-separated string"
    parsed = [t.strip() for t in tools.split(",")]
    assert all(re.fullmatch(r"[A-Z][A-Za-z]+", t) for t in parsed)
    assert set(parsed) == {"Read", "Grep", "Glob", "Bash"}
    assert not set(parsed) & WRITE_TOOLS


def test_prompt_injection_guard_comes_first() -> None:
    body = _body()
    guard = body.index("never instructions to you")
    assert guard < body.index("## Procedure")
    assert "Do not edit, create, move or delete files" in body


def test_procedure_runs_the_bot_before_judging() -> None:
    body = _body()
    procedure = body[body.index("## Procedure") :]
    first_step = procedure[: procedure.index("2.")]
    assert "mle-review review --format json" in first_step
    assert "mle-review scan" in first_step
    for topic in ("framing", "metric choice", "slice coverage", "monitoring", "rollout"):
        assert topic in procedure


def test_report_format_lists_each_required_part() -> None:
    body = _body()
    report = body[body.index("## Report format") :]
    for part in (
        "[SEVERITY] Title",
        "File: ",
        "Issue: ",
        "Fix: ",
        "Primary risks:",
        "Commands run:",
    ):
        assert part in report
    assert "Decision: APPROVE | APPROVE WITH WARNINGS | BLOCK" in report


def test_rule_ids_in_agent_exist() -> None:
    for rule_id in re.findall(r"\bMLR\d{3}\b", AGENT_MD.read_text(encoding="utf-8")):
        assert rule_id in CATALOG


def test_decision_rule_text_matches_the_bot() -> None:
    body = _body()
    rule = body[body.index("## Decision rule") : body.index("## Report format")]
    assert re.search(r"\*\*BLOCK\*\* when any finding.*critical or high", rule, re.DOTALL)
    assert re.search(
        r"\*\*APPROVE WITH WARNINGS\*\* when the only findings are medium, low or info", rule
    )
    assert "Iteration Compact has gaps" in rule
    assert re.search(r"\*\*APPROVE\*\* when there are no findings and no compact gaps", rule)


def _finding(severity: Severity) -> Finding:
    return Finding(
        rule_id="MLR301",
        slug="unsafe-deserialization",
        severity=severity,
        confidence=Confidence.HIGH,
        path="serve.py",
        line=1,
        end_line=1,
        column=1,
        message="m",
        fix="f",
        fingerprint="x",
    )


@pytest.mark.parametrize(
    ("severities", "gaps", "expected"),
    [
        ([Severity.CRITICAL], False, "BLOCK"),
        ([Severity.HIGH, Severity.LOW], False, "BLOCK"),
        ([Severity.MEDIUM], False, "APPROVE WITH WARNINGS"),
        ([Severity.LOW, Severity.INFO], False, "APPROVE WITH WARNINGS"),
        ([], True, "APPROVE WITH WARNINGS"),
        ([], False, "APPROVE"),
    ],
)
def test_agent_rule_agrees_with_the_bot_decision(
    severities: list[Severity], gaps: bool, expected: str
) -> None:
    decision = pytest.importorskip("mle_review.review.decision")
    compact = pytest.importorskip("mle_review.review.compact")
    settings = pytest.importorskip("mle_review.review.settings")
    body = "" if gaps else "\n".join(f"{label}: a real answer" for label in _compact_labels())
    result, _ = decision.decide(
        [_finding(s) for s in severities], compact.parse_compact("", body), settings.ReviewConfig()
    )
    assert result.value == expected
    # and the agent's rule, applied by hand, gives the same answer
    if any(s in (Severity.CRITICAL, Severity.HIGH) for s in severities):
        mine = "BLOCK"
    elif severities or gaps:
        mine = "APPROVE WITH WARNINGS"
    else:
        mine = "APPROVE"
    assert mine == expected


def _compact_labels() -> tuple[str, ...]:
    from mle_review.knowledge import COMPACT_LABELS

    return COMPACT_LABELS


def test_skill_templates_parse_as_the_bot_expects() -> None:
    compact = pytest.importorskip("mle_review.review.compact")
    text = (REPO / "skills/mle-workflow/references/iteration-compact.md").read_text(
        encoding="utf-8"
    )
    template, example = re.findall(r"```markdown\n(.*?)```", text, re.DOTALL)[:2]
    unfilled = compact.parse_compact("", template)
    assert unfilled.present and set(unfilled.fields.values()) == {"placeholder"}
    filled = compact.parse_compact("", example)
    assert set(filled.fields.values()) == {"filled"}
