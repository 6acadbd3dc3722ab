"""What the LLM pass hands back to the review: judgements, triage, observations, cost, notes.

None of it carries a decision. The review keeps its own decision rule; this
result only adds information next to the deterministic findings.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from mle_review.llm.packing import LlmCoverage
from mle_review.llm.settings import ModelPrice
from mle_review.models import Finding

LlmStatus = Literal["off", "skipped", "ok", "partial", "failed"]


class LlmUsage(BaseModel):
    """Token usage summed over every Messages request of the pass."""

    requests: int = 0
    input_tokens: int = 0  # billed at the full input rate
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    output_tokens: int = 0
    counted_input_tokens: int | None = None  # count_tokens of the last prompt sent
    estimated_cost_usd: float = 0.0

    @property
    def total_input_tokens(self) -> int:
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    def add(self, usage: Any, price: ModelPrice) -> float:
        """Add one response's ``usage`` object; returns that response's estimated cost."""
        inp = int(getattr(usage, "input_tokens", 0) or 0)
        out = int(getattr(usage, "output_tokens", 0) or 0)
        cw = int(getattr(usage, "cache_creation_input_tokens", 0) or 0)
        cr = int(getattr(usage, "cache_read_input_tokens", 0) or 0)
        self.requests += 1
        self.input_tokens += inp
        self.output_tokens += out
        self.cache_creation_input_tokens += cw
        self.cache_read_input_tokens += cr
        cost = cost_usd(price, inp, out, cw, cr)
        self.estimated_cost_usd = round(self.estimated_cost_usd + cost, 6)
        return cost

    def summary(self) -> str:
        if not self.requests:
            return "no model requests"
        cache = ""
        if self.cache_read_input_tokens:
            cache = f" ({self.cache_read_input_tokens:,} read from cache)"
        elif self.cache_creation_input_tokens:
            cache = f" ({self.cache_creation_input_tokens:,} written to cache)"
        return (
            f"{self.total_input_tokens:,} tokens in{cache}, {self.output_tokens:,} out, "
            f"{self.requests} request{'s' if self.requests != 1 else ''}, ~${self.estimated_cost_usd:.4f}"
        )


def cost_usd(
    price: ModelPrice,
    input_tokens: int,
    output_tokens: int,
    cache_write: int = 0,
    cache_read: int = 0,
) -> float:
    return (
        input_tokens * price.input
        + output_tokens * price.output
        + cache_write * price.cache_write
        + cache_read * price.cache_read
    ) / 1_000_000


class ChecklistJudgement(BaseModel):
    id: str
    title: str
    status: Literal["pass", "gap", "unknown", "not-applicable"]
    reason: str
    evidence: list[str] = Field(
        default_factory=list
    )  # "path:line: `quote`" or "description: `quote`"


class CompactCritique(BaseModel):
    field: str
    problem: str
    explanation: str
    evidence: str = ""


class FindingTriage(BaseModel):
    """The model's view of one deterministic finding; shown beside it, never replacing it."""

    fingerprint: str
    rule_id: str
    path: str
    line: int
    verdict: Literal["confirmed", "likely-false-positive"]
    reason: str


class LlmResult(BaseModel):
    status: LlmStatus = "off"
    model: str = ""
    notes: list[str] = Field(default_factory=list)
    checklist: list[ChecklistJudgement] = Field(default_factory=list)
    compact_critique: list[CompactCritique] = Field(default_factory=list)
    triage: list[FindingTriage] = Field(default_factory=list)
    observations: list[Finding] = Field(default_factory=list)
    usage: LlmUsage = Field(default_factory=LlmUsage)
    coverage: LlmCoverage | None = None
    # why model statements were not used: {"observation: quote not in the diff": 2, ...}
    discarded: dict[str, int] = Field(default_factory=dict)
    secrets_redacted: int = 0

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def discard(self, reason: str, n: int = 1) -> None:
        self.discarded[reason] = self.discarded.get(reason, 0) + n

    def triage_for(self, fingerprint: str) -> FindingTriage | None:
        return next((t for t in self.triage if t.fingerprint == fingerprint), None)

    @property
    def likely_false_positives(self) -> list[FindingTriage]:
        return [t for t in self.triage if t.verdict == "likely-false-positive"]

    def report_dict(self) -> dict[str, Any]:
        """The JSON report's ``llm`` key (observations are already in ``findings``)."""
        data = self.model_dump(mode="json", exclude={"observations"})
        data["observations"] = [f.fingerprint for f in self.observations]
        data["summary"] = self.summary_line()
        return data

    def summary_line(self) -> str:
        """One line for the review summary: what ran, what it cost, what it saw."""
        if self.status == "off":
            return "LLM pass: off"
        if self.status == "skipped":
            return "LLM pass: skipped" + (f" ({self.notes[0]})" if self.notes else "")
        parts = [f"LLM pass ({self.model}): {self.status}", self.usage.summary()]
        if self.coverage is not None and self.coverage.changed_lines:
            parts.append("saw " + self.coverage.summary())
        return "; ".join(parts)
