"""APPROVE / APPROVE WITH WARNINGS / BLOCK, with the reasons spelled out."""

from __future__ import annotations

from mle_review.models import Finding, Severity
from mle_review.review.model import CompactResult, Decision
from mle_review.review.settings import ReviewConfig


def _name(level: Severity | str) -> str:
    return level.value if isinstance(level, Severity) else level


def decide(
    findings: list[Finding], compact: CompactResult, settings: ReviewConfig
) -> tuple[Decision, list[str]]:
    """BLOCK at or above ``block-on``; warnings at or above ``warn-on`` or for compact gaps."""
    reasons: list[str] = []
    blocking = [
        f
        for f in findings
        if settings.block_on != "never" and f.severity.at_least(Severity(settings.block_on))
    ]
    warning = [
        f
        for f in findings
        if f not in blocking
        and settings.warn_on != "never"
        and f.severity.at_least(Severity(settings.warn_on))
    ]
    gaps = compact.gaps if settings.compact_gaps != "ignore" else []
    if blocking:
        worst = max(blocking, key=lambda f: f.severity.rank).severity.value
        reasons.append(
            f"{len(blocking)} finding(s) at or above {_name(settings.block_on)} (worst: {worst})"
        )
    if gaps and settings.compact_gaps == "block":
        reasons.append(f"{len(gaps)} required Iteration Compact field(s) not filled")
    if reasons:
        return Decision.BLOCK, reasons
    if warning:
        reasons.append(f"{len(warning)} finding(s) below the blocking threshold")
    if gaps:
        reasons.append(f"{len(gaps)} required Iteration Compact field(s) not filled")
    if reasons:
        return Decision.APPROVE_WITH_WARNINGS, reasons
    return Decision.APPROVE, ["no findings on the change and no compact gaps"]
