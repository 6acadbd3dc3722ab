"""Report data model shared by the engine, the review layer and every renderer.

The JSON report contract (``shared/spec/interface.md``) is produced by dumping
these models, so field names here are part of the public surface.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from mle_review import __version__


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; used for ``--fail-on`` and sorting."""
        return _SEVERITY_RANK[self.value]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank

    def lowered(self, steps: int = 1) -> Severity:
        order = list(_SEVERITY_RANK)
        idx = min(order.index(self.value) + steps, len(order) - 1)
        return Severity(order[idx])


_SEVERITY_RANK = {"critical": 5, "high": 4, "medium": 3, "low": 2, "info": 1}


class Confidence(str, Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"high": 3, "medium": 2, "low": 1}[self.value]


class RelatedLocation(BaseModel):
    """Another line in the evidence chain (e.g. the split that a leaked fit feeds)."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int
    message: str


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_id: str
    slug: str
    severity: Severity
    confidence: Confidence
    path: str
    line: int
    end_line: int
    column: int
    message: str
    fix: str
    related: list[RelatedLocation] = Field(default_factory=list)
    fingerprint: str
    # Extra data outside the contract's required keys; serialised only when set.
    cell: int | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule_id)


class FileError(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    message: str


class Stats(BaseModel):
    files_analyzed: int = 0
    files_skipped: int = 0
    seconds: float = 0.0


class ToolInfo(BaseModel):
    name: str = "mle-review"
    version: str = __version__


class SuppressionIssue(BaseModel):
    """A suppression comment that is bare, names unknown rules, or (on request) is unused."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int
    kind: str  # "bare" | "unknown-rule" | "unused"
    rule_ids: list[str] = Field(default_factory=list)
    message: str


class ScanReport(BaseModel):
    """Result of ``mle-review scan``; the ``json`` format is this model (``suppressions`` only when non-empty)."""

    tool: ToolInfo = Field(default_factory=ToolInfo)
    findings: list[Finding] = Field(default_factory=list)
    errors: list[FileError] = Field(default_factory=list)
    stats: Stats = Field(default_factory=Stats)
    suppressions: list[SuppressionIssue] = Field(default_factory=list)

    def max_severity(self) -> Severity | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    def count_by_severity(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts
