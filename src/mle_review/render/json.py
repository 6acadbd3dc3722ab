"""The JSON report of ``shared/spec/interface.md``: exactly the contract keys, plus additions."""

from __future__ import annotations

import json
from typing import Any

from mle_review.models import Finding, ScanReport


def finding_dict(finding: Finding) -> dict[str, Any]:
    data = finding.model_dump(mode="json")
    if data.get("cell") is None:
        data.pop("cell", None)
    return data


def report_dict(report: ScanReport) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tool": report.tool.model_dump(mode="json"),
        "findings": [finding_dict(f) for f in report.findings],
        "errors": [e.model_dump(mode="json") for e in report.errors],
        "stats": report.stats.model_dump(mode="json"),
    }
    if report.suppressions:
        data["suppressions"] = [s.model_dump(mode="json") for s in report.suppressions]
    return data


def render_json(report: ScanReport) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
