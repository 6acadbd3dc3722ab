"""Review renderers: the PR summary comment, one inline comment per finding, JSON, SARIF, text.

Stable signatures (the GitHub Action and the LLM pass call these)::

    render_summary(report, repo_url=None, marker=SUMMARY_MARKER, *, head_sha=None,
                   max_chars=GITHUB_COMMENT_LIMIT, docs_url=None) -> str
    render_inline(finding, repo_url=None, *, head_sha=None, docs_url=None,
                  anchor=None, marker=True, why=None) -> str
    inline_marker(fingerprint) -> str   # the hidden line that identifies an inline comment
    render_review_json(report) -> str   # the contract's JSON with the review additions
    render_review_sarif(report) -> str
    render_review_text(report) -> str

``docs_url`` is a rule-documentation URL template with ``{id}`` and ``{slug}``
placeholders; without it comments point at ``mle-review rules <ID>``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from mle_review.models import Finding, Severity
from mle_review.render.json import finding_dict, report_dict
from mle_review.render.markdown import environment, md_cell
from mle_review.review.model import Decision, ReviewReport
from mle_review.rules.catalog import CATALOG

SUMMARY_MARKER = "<!-- mle-review:summary -->"
INLINE_MARKER_PREFIX = "<!-- mle-review:finding "
GITHUB_COMMENT_LIMIT = 65_536
OPEN_ROWS = 10  # findings shown before the rest fold into <details>

_BANNER = {
    Decision.APPROVE: ("✅", "APPROVE"),
    Decision.APPROVE_WITH_WARNINGS: ("⚠️", "APPROVE WITH WARNINGS"),
    Decision.BLOCK: ("⛔", "BLOCK"),
}
_STATE_ICON = {"filled": "✅", "placeholder": "🟡", "empty": "⬜", "missing": "❌"}
_STATUS_ICON = {"pass": "✅", "gap": "❌", "unknown": "❔", "not-applicable": "\u2796"}
_SEVERITY_ICON = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦", "info": "⬜"}


def inline_marker(fingerprint: str) -> str:
    return f"{INLINE_MARKER_PREFIX}{fingerprint} -->"


_INLINE_MARKER_RE = re.compile(re.escape(INLINE_MARKER_PREFIX) + r"([0-9a-zA-Z_-]+) -->")


def parse_inline_marker(body: str) -> str | None:
    """The fingerprint hidden in an inline comment body, if it is one of ours."""
    m = _INLINE_MARKER_RE.search(body or "")
    return m.group(1) if m else None


def file_link(path: str, line: int | None, repo_url: str | None, head_sha: str | None) -> str:
    label = f"{path}:{line}" if line else path
    if not repo_url:
        return f"`{md_cell(label)}`"
    ref = head_sha or "HEAD"
    anchor = f"#L{line}" if line else ""
    return f"[`{md_cell(label)}`]({repo_url.rstrip('/')}/blob/{ref}/{path}{anchor})"


def rule_link(rule_id: str, docs_url: str | None) -> str:
    entry = CATALOG.get(rule_id)
    if docs_url and entry is not None:
        return (
            f"[{rule_id}]({docs_url.format(id=rule_id, slug=entry.slug, id_lower=rule_id.lower())})"
        )
    return rule_id


def _title(rule_id: str) -> str:
    entry = CATALOG.get(rule_id)
    return entry.title if entry else rule_id


def _why(rule_id: str) -> str:
    """The rule's 'why it matters' paragraph, for inline comments."""
    from mle_review.rules import load_all

    rule = load_all().get(rule_id)
    if rule is None:
        return ""
    text = " ".join(rule.doc.why_it_matters.split())
    return text


def _globals(repo_url: str | None, head_sha: str | None, docs_url: str | None) -> dict[str, Any]:
    return {
        "link": lambda path, line=None: file_link(path, line, repo_url, head_sha),
        "rule": lambda rid: rule_link(rid, docs_url),
        "rule_title": _title,
        "state_icon": _STATE_ICON,
        "status_icon": _STATUS_ICON,
        "severity_icon": _SEVERITY_ICON,
        "docs_url": docs_url,
    }


def render_inline(
    finding: Finding,
    repo_url: str | None = None,
    *,
    head_sha: str | None = None,
    docs_url: str | None = None,
    anchor: str | None = None,
    marker: bool = True,
    why: str | None = None,
) -> str:
    """The review comment for one finding, ending in its hidden fingerprint marker.

    ``anchor`` (from ``ReviewReport.anchors``) explains why an untouched line
    is reported: a related line was changed. ``why`` overrides the rule's
    "why it matters" text (default: from the rule's documentation).
    """
    template = environment().get_template("review_inline.md.j2")
    return (
        template.render(
            f=finding,
            why=_why(finding.rule_id) if why is None else why,
            anchor=anchor
            if anchor
            and anchor != "change-level"
            and not anchor.startswith(f"{finding.path}:{finding.line} ")
            else None,
            change_level=finding.rule_id.startswith("MLR6"),
            marker=inline_marker(finding.fingerprint) if marker else "",
            **_globals(repo_url, head_sha, docs_url),
        ).strip()
        + "\n"
    )


def _via(report: ReviewReport, finding: Finding) -> str:
    """For a finding kept because a *related* line changed: that line, else ""."""
    why = report.anchors.get(finding.fingerprint, "")
    if not why or why == "change-level" or why.startswith(f"{finding.path}:{finding.line} "):
        return ""
    return why.split(" ", 1)[0]


def _summary_context(report: ReviewReport) -> dict[str, Any]:
    counts = report.count_by_severity()
    reasons = Counter(s.reason.split(":")[0] for s in report.coverage.skipped)
    return {
        "report": report,
        "banner": _BANNER[report.decision],
        "counts": counts,
        "compact_gaps": report.compact.gaps,
        "compact_filled": sum(1 for d in report.compact.details if d.state == "filled"),
        "checklist_counts": Counter(c.status for c in report.checklist),
        "skip_reasons": sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])),
        "via": lambda f: _via(report, f),
    }


def render_summary(
    report: ReviewReport,
    repo_url: str | None = None,
    marker: str = SUMMARY_MARKER,
    *,
    head_sha: str | None = None,
    max_chars: int = GITHUB_COMMENT_LIMIT,
    docs_url: str | None = None,
    max_findings: int = 200,
) -> str:
    """The PR summary comment.

    Findings beyond the first ``OPEN_ROWS`` fold into ``<details>``; beyond
    ``max_findings`` (or whatever fits in ``max_chars``) they are counted in an
    explicit "N more findings not shown" line rather than cut mid-text.
    """
    template = environment().get_template("review_summary.md.j2")
    ordered = sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
    limit = min(len(ordered), max_findings)
    ctx = {**_summary_context(report), **_globals(repo_url, head_sha, docs_url), "marker": marker}

    def render(n: int, skipped_paths: int) -> str:
        return (
            template.render(
                findings=ordered[:n],
                open_rows=OPEN_ROWS,
                hidden=len(ordered) - n,
                max_skipped=skipped_paths,
                **ctx,
            ).strip()
            + "\n"
        )

    skipped_paths = 50
    text = render(limit, skipped_paths)
    if len(text) <= max_chars:
        return text
    skipped_paths = 0
    lo, hi = 0, limit
    if len(render(0, 0)) > max_chars:
        return _hard_cap(render(0, 0), max_chars, marker)
    while lo < hi:  # the most findings that fit
        mid = (lo + hi + 1) // 2
        if len(render(mid, 0)) <= max_chars:
            lo = mid
        else:
            hi = mid - 1
    return render(lo, skipped_paths)


def _hard_cap(text: str, max_chars: int, marker: str) -> str:
    note = "\n\n_(summary truncated to fit the comment size limit)_\n" + marker + "\n"
    return text[: max_chars - len(note)] + note


def review_dict(report: ReviewReport) -> dict[str, Any]:
    """The JSON contract: scan keys, then the review additions, then classification extras."""
    data = report_dict(report)
    data["decision"] = report.decision.value
    data["decision_reasons"] = report.decision_reasons
    data["compact"] = {
        "present": report.compact.present,
        "fields": report.compact.fields,
        "required": report.compact.required,
    }
    data["checklist"] = [c.model_dump(mode="json") for c in report.checklist]
    data["coverage"] = report.coverage.model_dump(mode="json")
    data["lanes"] = report.lanes
    data["tasks"] = [t.model_dump(mode="json") for t in report.tasks]
    data["change"] = report.change.model_dump(mode="json")
    if report.llm is not None:
        data["llm"] = report.llm.report_dict()
    data["findings"] = [
        {
            **finding_dict(f),
            **(
                {"in_change": report.anchors[f.fingerprint]}
                if f.fingerprint in report.anchors
                else {}
            ),
        }
        for f in report.findings
    ]
    return data


def render_review_json(report: ReviewReport) -> str:
    return json.dumps(review_dict(report), indent=2, ensure_ascii=False) + "\n"


def render_review_sarif(report: ReviewReport) -> str:
    from mle_review.render.sarif import render_sarif

    return render_sarif(report)


def render_review_text(report: ReviewReport, color: bool = False) -> str:
    template = environment().get_template("review_text.txt.j2")
    ordered = sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
    return (
        template.render(
            findings=ordered, severities=[s.value for s in Severity], **_summary_context(report)
        ).rstrip()
        + "\n"
    )


__all__ = [
    "GITHUB_COMMENT_LIMIT",
    "SUMMARY_MARKER",
    "inline_marker",
    "parse_inline_marker",
    "render_inline",
    "render_review_json",
    "render_review_sarif",
    "render_review_text",
    "render_summary",
    "review_dict",
]
