"""SARIF 2.1.0 output that GitHub code scanning accepts.

The driver lists every registered rule (not only those that fired) so code
scanning can show rule help for alerts and close alerts whose rule stopped
firing. Fingerprints come from the engine's own stable fingerprint, so an
alert survives unrelated edits above its line.
"""

from __future__ import annotations

import json
from typing import Any

from mle_review import __version__
from mle_review.models import Confidence, Finding, ScanReport, Severity
from mle_review.rules import load_all
from mle_review.rules.base import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
# GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9), low (0.1-3.9).
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
_PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}


def _pascal(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("-"))


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    doc = rule.render_doc()
    level = _LEVEL[rule.severity]
    props: dict[str, Any] = {
        "tags": ["ml", rule.family],
        "precision": _PRECISION[rule.confidence],
        "problem.severity": _PROBLEM_SEVERITY[level],
    }
    if rule.family == "security":
        props["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    full = rule.doc.what_it_does.strip().split("\n\n")[0]
    return {
        "id": rule.id,
        "name": _pascal(rule.slug),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": full},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": level},
        "properties": props,
    }


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    region: dict[str, Any] = {
        "startLine": finding.line,
        "endLine": max(finding.end_line, finding.line),
        "startColumn": max(finding.column, 1),
    }
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": _LEVEL[finding.severity],
        "message": {"text": f"{finding.message}. Fix: {finding.fix}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {"primaryLocationLineHash": finding.fingerprint},
        "properties": {
            "severity": finding.severity.value,
            "confidence": finding.confidence.value,
            **({"notebookCell": finding.cell} if finding.cell is not None else {}),
        },
    }
    if finding.rule_id in rule_index:
        result["ruleIndex"] = rule_index[finding.rule_id]
    if finding.related:
        result["relatedLocations"] = [
            {
                "id": i,
                "physicalLocation": {
                    "artifactLocation": {"uri": rel.path, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": rel.line},
                },
                "message": {"text": rel.message},
            }
            for i, rel in enumerate(finding.related, start=1)
        ]
    return result


def sarif_log(
    findings: list[Finding], errors: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """A SARIF log for any list of findings (scan or review)."""
    rules = list(load_all())
    index = {rule.id: i for i, rule in enumerate(rules)}
    notifications = [
        {
            "level": "warning",
            "message": {"text": f"{path}: {message}"},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}}}
            ],
        }
        for path, message in (errors or [])
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mle-review",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [rule_descriptor(r) for r in rules],
                    }
                },
                "automationDetails": {"id": "mle-review/"},
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "repository root"}}},
                "invocations": [
                    {"executionSuccessful": True, "toolExecutionNotifications": notifications}
                ],
                "results": [_result(f, index) for f in findings],
            }
        ],
    }


def render_sarif(report: ScanReport) -> str:
    log = sarif_log(report.findings, [(e.path, e.message) for e in report.errors])
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
