"""Review rendering: snapshots of the summary and inline comments, the size cap, JSON and SARIF.

The report is built by hand so snapshots change only when the templates do.
Set MLE_REVIEW_UPDATE_SNAPSHOTS=1 to rewrite ``tests/snapshots/review_*``.
"""

from __future__ import annotations

import json

import pytest
from conftest import check_snapshot

from mle_review.models import Confidence, FileError, Finding, RelatedLocation, Severity, Stats
from mle_review.render.review import (
    GITHUB_COMMENT_LIMIT,
    SUMMARY_MARKER,
    inline_marker,
    parse_inline_marker,
    render_inline,
    render_review_json,
    render_review_sarif,
    render_review_text,
    render_summary,
)
from mle_review.review.compact import parse_compact
from mle_review.review.model import (
    ChangeStats,
    ChecklistEntry,
    Coverage,
    Decision,
    ReviewReport,
    SkippedFile,
    TaskMatch,
    TaskOutput,
)

REPO = "https://github.com/acme/churn"
SHA = "0123456789abcdef0123456789abcdef01234567"


def finding(
    rule_id: str, slug: str, severity: Severity, path: str, line: int, message: str, **extra: object
) -> Finding:
    return Finding(
        rule_id=rule_id,
        slug=slug,
        severity=severity,
        confidence=Confidence.HIGH,
        path=path,
        line=line,
        end_line=line,
        column=5,
        message=message,
        fix=str(extra.pop("fix", "Do the safe thing.")),
        fingerprint=f"fp{rule_id.lower()}{line}",
        **extra,  # type: ignore[arg-type]
    )


def sample_report() -> ReviewReport:
    compact = parse_compact(
        "Churn v2",
        "Goal: cut churn by 2 points\nWho cares: retention team\nDecision owner: TBD\nRollback or fallback: n/a\n"
        "Eval slices: new users | mobile\n",
        ["Goal", "Who cares", "Decision owner", "Rollback or fallback", "Eval slices"],
    )
    findings = [
        finding(
            "MLR301",
            "unsafe-deserialization",
            Severity.HIGH,
            "serve/app.py",
            13,
            "`joblib.load` unpickles its input, which can run arbitrary code from the file",
            fix="Load a non-executing format such as safetensors or ONNX.",
        ),
        finding(
            "MLR104",
            "random-split-temporal",
            Severity.HIGH,
            "churn/train.py",
            28,
            "shuffled split of data with a date column | parsed earlier",
            related=[RelatedLocation(path="churn/train.py", line=12, message="dates parsed here")],
        ),
        finding(
            "MLR603",
            "rollback-plan-missing",
            Severity.HIGH,
            "serve/app.py",
            1,
            "serving change (serve/app.py) with no rollback or fallback note in the description",
        ),
        finding(
            "MLR601",
            "iteration-compact-missing",
            Severity.MEDIUM,
            "serve/app.py",
            1,
            "Iteration Compact framing fields not filled: Decision owner (placeholder)",
        ),
        finding(
            "MLR503",
            "magic-decision-threshold",
            Severity.LOW,
            "churn/evaluate.py",
            17,
            "the probability is compared with the hardcoded cutoff <0.35>",
        ),
    ]
    return ReviewReport(
        findings=findings,
        errors=[
            FileError(path="churn/broken.py", message="could not parse: invalid syntax at line 1")
        ],
        stats=Stats(files_analyzed=4, files_skipped=2, seconds=0.1),
        decision=Decision.BLOCK,
        decision_reasons=["3 finding(s) at or above high (worst: high)"],
        compact=compact,
        checklist=[
            ChecklistEntry(
                id="leakage",
                title="Leakage was checked against what is known at prediction time",
                status="gap",
                evidence=["MLR104 churn/train.py:28"],
                human_check="every feature is available at prediction time",
            ),
            ChecklistEntry(
                id="serving-safety",
                title="Serving validates inputs and has timeout, fallback and rollback",
                status="unknown",
                evidence=["input schema at serve/app.py:20"],
                human_check="bad input is rejected",
            ),
            ChecklistEntry(
                id="baseline-comparison",
                title="Metrics are compared with a baseline and the current production model",
                status="pass",
                evidence=["compact: Baseline filled"],
            ),
            ChecklistEntry(
                id="monitoring",
                title="Monitoring covers system health, feature and prediction drift, delayed labels",
                status="not-applicable",
            ),
        ],
        coverage=Coverage(
            files_in_change=6,
            files_analyzed=4,
            skipped=[
                SkippedFile(path="model.bin", reason="binary"),
                SkippedFile(
                    path="churn/broken.py", reason="could not parse: invalid syntax at line 1"
                ),
            ],
        ),
        lanes=["training", "serving"],
        tasks=[
            TaskMatch(
                id="MLE-08",
                title="Ship online serving or batch scoring with feedback capture",
                reasons=["touches the serving lane"],
                outputs=[
                    TaskOutput(
                        name="timeout and fallback", provided=True, evidence="serve/app.py:30"
                    ),
                    TaskOutput(name="feedback logging", provided=False),
                ],
            )
        ],
        change=ChangeStats(files=6, additions=120, deletions=8, ml_code=True),
        anchors={
            "fpmlr10428": "churn/train.py:12 (dates parsed here) is changed",
            "fpmlr6031": "change-level",
        },
    )


def test_summary_snapshot() -> None:
    text = render_summary(sample_report(), repo_url=REPO, head_sha=SHA)
    check_snapshot("review_summary.md", text)
    assert text.rstrip().endswith(SUMMARY_MARKER)
    assert f"{REPO}/blob/{SHA}/serve/app.py#L13" in text
    assert "\\|" in text and "&lt;0.35&gt;" in text  # table cells are escaped


def test_summary_without_repo_url_and_custom_marker() -> None:
    text = render_summary(sample_report(), marker="<!-- custom -->")
    assert "`serve/app.py:13`" in text and "https://" not in text
    assert text.rstrip().endswith("<!-- custom -->")


def test_inline_snapshots() -> None:
    report = sample_report()
    by_rule = {f.rule_id: f for f in report.findings}
    chained = render_inline(
        by_rule["MLR104"],
        repo_url=REPO,
        head_sha=SHA,
        anchor=report.anchors["fpmlr10428"],
        why="A shuffled split lets the model train on the future.",
    )
    check_snapshot("review_inline.md", chained)
    change_level = render_inline(
        by_rule["MLR603"],
        repo_url=REPO,
        head_sha=SHA,
        docs_url="https://docs.example/rules#{id_lower}-{slug}",
    )
    check_snapshot("review_inline_change_level.md", change_level)
    assert (
        "dates parsed here" in chained
        and "Reported on this change because churn/train.py:12" in chained
    )
    assert "[MLR603](https://docs.example/rules#mlr603-rollback-plan-missing)" in change_level
    assert "ignore[MLR603]" not in change_level  # change-level findings cannot be silenced inline
    assert parse_inline_marker(chained) == "fpmlr10428"
    assert chained.rstrip().endswith(inline_marker("fpmlr10428"))
    assert "<!--" not in render_inline(by_rule["MLR301"], marker=False)


def test_text_snapshot() -> None:
    check_snapshot("review_text.txt", render_review_text(sample_report()))


def test_json_contract() -> None:
    data = json.loads(render_review_json(sample_report()))
    assert data["decision"] == "BLOCK"
    assert (
        data["compact"]["present"] is True
        and data["compact"]["fields"]["Decision owner"] == "placeholder"
    )
    assert data["compact"]["fields"]["Rollback or fallback"] == "placeholder"
    assert data["compact"]["fields"]["Baseline"] == "missing"
    assert data["checklist"][0] == {
        "id": "leakage",
        "title": "Leakage was checked against what is known at prediction time",
        "status": "gap",
        "evidence": ["MLR104 churn/train.py:28"],
        "human_check": "every feature is available at prediction time",
    }
    assert data["coverage"] == {
        "files_in_change": 6,
        "files_analyzed": 4,
        "skipped": [
            {"path": "model.bin", "reason": "binary"},
            {"path": "churn/broken.py", "reason": "could not parse: invalid syntax at line 1"},
        ],
    }
    chained = next(f for f in data["findings"] if f["rule_id"] == "MLR104")
    assert chained["in_change"].startswith("churn/train.py:12")
    assert "cell" not in chained


def test_sarif_carries_review_findings() -> None:
    log = json.loads(render_review_sarif(sample_report()))
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["MLR301", "MLR104", "MLR603", "MLR601", "MLR503"]
    assert results[1]["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 12


def _many(n: int) -> ReviewReport:
    report = sample_report()
    long_msg = "a long explanation of the problem " * 8
    many = [
        finding(
            "MLR301",
            "unsafe-deserialization",
            Severity.HIGH,
            f"pkg/mod_{i // 50}/file_{i}.py",
            i + 1,
            long_msg,
        )
        for i in range(n)
    ]
    skipped = [SkippedFile(path=f"assets/blob_{i}.bin", reason="binary") for i in range(3000)]
    return report.model_copy(
        update={
            "findings": many,
            "coverage": Coverage(files_in_change=n + 3000, files_analyzed=n, skipped=skipped),
        }
    )


def test_summary_stays_under_the_github_limit_and_says_what_it_left_out() -> None:
    text = render_summary(_many(5000), repo_url=REPO, head_sha=SHA)
    assert len(text) <= GITHUB_COMMENT_LIMIT
    assert "more findings not shown" in text
    assert text.rstrip().endswith(SUMMARY_MARKER)
    shown = text.count("| 🟧 high |")
    hidden = int(text.split(" more findings not shown")[0].rsplit("_", 1)[-1])
    assert shown + hidden == 5000
    assert "<details><summary>" in text  # the rows beyond the first ten fold


def test_max_findings_and_tiny_limits() -> None:
    text = render_summary(_many(30), max_findings=12)
    assert "18 more findings not shown" in text
    tiny = render_summary(_many(30), max_chars=2000)
    assert len(tiny) <= 2000 and tiny.rstrip().endswith(SUMMARY_MARKER)


@pytest.mark.parametrize("decision", list(Decision))
def test_banner_per_decision(decision: Decision) -> None:
    report = sample_report().model_copy(update={"decision": decision})
    assert f"mle-review: {decision.value}**" in render_summary(report).splitlines()[0]
