"""The review report: a scan report of the change plus what a reviewer adds.

``ReviewReport`` extends :class:`mle_review.models.ScanReport`, so every scan
formatter (text, JSON, SARIF) accepts it; the JSON contract's ``review``
additions are :attr:`decision`, :attr:`compact`, :attr:`checklist` and
:attr:`coverage`. Change classification (lanes, task matches) and change
statistics are additions beyond the contract.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mle_review.llm.result import LlmResult
from mle_review.models import Finding, ScanReport


class Decision(str, Enum):
    APPROVE = "APPROVE"
    APPROVE_WITH_WARNINGS = "APPROVE WITH WARNINGS"
    BLOCK = "BLOCK"


FieldState = Literal["filled", "empty", "placeholder", "missing"]
ChecklistStatus = Literal["pass", "gap", "unknown", "not-applicable"]


class CompactField(BaseModel):
    """One parsed Iteration Compact field."""

    model_config = ConfigDict(frozen=True)

    label: str
    state: FieldState
    value: str = ""
    required: bool = False


class CompactResult(BaseModel):
    """The Iteration Compact found in a PR title/body.

    ``fields`` maps every one of the 19 labels to its state (the contract);
    ``details`` keeps values and whether each field is required here.
    """

    present: bool = False
    fields: dict[str, FieldState] = Field(default_factory=dict)
    details: list[CompactField] = Field(default_factory=list)
    required: list[str] = Field(default_factory=list)

    @property
    def gaps(self) -> list[CompactField]:
        """Required fields that are not filled."""
        return [d for d in self.details if d.required and d.state != "filled"]

    def value(self, label: str) -> str:
        for d in self.details:
            if d.label == label:
                return d.value if d.state == "filled" else ""
        return ""


class ChecklistEntry(BaseModel):
    id: str
    title: str
    status: ChecklistStatus
    evidence: list[str] = Field(default_factory=list)
    # what a human still has to confirm (always set for unknown and gap)
    human_check: str = ""


class SkippedFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    reason: str


class Coverage(BaseModel):
    files_in_change: int = 0
    files_analyzed: int = 0
    skipped: list[SkippedFile] = Field(default_factory=list)


class TaskOutput(BaseModel):
    name: str
    provided: bool
    evidence: str = ""


class TaskMatch(BaseModel):
    """An MLE-01..10 task simulation the change resembles, with its required outputs."""

    id: str
    title: str
    reasons: list[str] = Field(default_factory=list)
    outputs: list[TaskOutput] = Field(default_factory=list)


class ChangeStats(BaseModel):
    files: int = 0
    additions: int = 0
    deletions: int = 0
    ml_code: bool = False
    tests_changed: bool = False
    docs_only: bool = False


class ReviewReport(ScanReport):
    """Result of ``mle-review review`` and of :func:`mle_review.review.run_review`."""

    decision: Decision = Decision.APPROVE
    decision_reasons: list[str] = Field(default_factory=list)
    compact: CompactResult = Field(default_factory=CompactResult)
    checklist: list[ChecklistEntry] = Field(default_factory=list)
    coverage: Coverage = Field(default_factory=Coverage)
    lanes: list[str] = Field(default_factory=list)
    tasks: list[TaskMatch] = Field(default_factory=list)
    change: ChangeStats = Field(default_factory=ChangeStats)
    # fingerprint -> why the finding belongs to the change ("train.py:12 is changed", "change-level")
    anchors: dict[str, str] = Field(default_factory=dict)
    title: str = ""
    base_ref: str | None = None
    head_ref: str | None = None

    @staticmethod
    def is_change_level(finding: Finding) -> bool:
        """MLR6xx findings are about the PR as a whole: post them in the summary, not inline."""
        return finding.rule_id.startswith("MLR6")

    def line_findings(self) -> list[Finding]:
        """Findings that belong on a line of the diff (candidates for inline comments)."""
        return [f for f in self.findings if not self.is_change_level(f)]

    # the optional LLM pass (mle_review.llm): judgements, triage, cost and notes; None when it did not run
    llm: LlmResult | None = None
