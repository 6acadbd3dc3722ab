"""Turning the model's validated answer into review data, trusting none of its coordinates.

Every statement is placed by its quote: the quote is looked up in the lines
that were actually sent (after sanitising and redaction, exactly as the model
saw them), and the line numbers come from the diff. A quote that is not there
drops the statement. Prose is stripped of links, markup, mentions and
secrets before it can reach a comment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mle_review.knowledge import CHECKLIST
from mle_review.llm.packing import Piece
from mle_review.llm.result import ChecklistJudgement, CompactCritique, FindingTriage, LlmResult
from mle_review.llm.sanitize import clean_model_quote, clean_model_text, strip_invisible
from mle_review.llm.schema import (
    ChecklistJudgementOut,
    CompactCritiqueOut,
    ObservationOut,
    TriageOut,
)
from mle_review.models import Confidence, Finding, Severity
from mle_review.rules.catalog import CATALOG

MIN_QUOTE_CHARS = 6
_TITLES = {item.id: item.title for item in CHECKLIST}


def _norm(text: str) -> str:
    return " ".join(strip_invisible(text).split())


@dataclass(frozen=True)
class _Row:
    new_line: int
    added: bool
    norm: str


@dataclass(frozen=True)
class Anchor:
    path: str
    line: int
    end_line: int
    on_added_line: bool


class DiffIndex:
    """The head-side lines the model was shown, per file, in line order."""

    def __init__(self, pieces: list[Piece]) -> None:
        rows: dict[str, dict[int, _Row]] = {}
        for piece in pieces:
            bucket = rows.setdefault(piece.path, {})
            for ln in piece.lines:
                if ln.kind == "del" or ln.new_line is None:
                    continue
                bucket[ln.new_line] = _Row(ln.new_line, ln.kind == "add", _norm(ln.text))
        self._rows = {path: [b[k] for k in sorted(b)] for path, b in rows.items()}

    def find(self, quote: str, path_hint: str = "", require_added: bool = False) -> Anchor | None:
        """Where ``quote`` (one or more consecutive lines) occurs; the hinted file is tried first."""
        qlines = [_norm(_strip_diff_prefix(q)) for q in strip_invisible(quote).split("\n")]
        qlines = [q for q in qlines if q]
        if not qlines or sum(len(q) for q in qlines) < MIN_QUOTE_CHARS:
            return None
        order = sorted(self._rows, key=lambda p: p != path_hint)
        for path in order:
            hit = _match(self._rows[path], qlines, require_added)
            if hit is not None:
                return Anchor(path, *hit)
        return None


def _strip_diff_prefix(line: str) -> str:
    stripped = line.lstrip()
    if stripped[:1] in ("+", "-") and not stripped.startswith(("++", "--", "+=", "-=")):
        return stripped[1:]
    return line


def _match(
    rows: list[_Row], qlines: list[str], require_added: bool
) -> tuple[int, int, bool] | None:
    n = len(qlines)
    first_any: tuple[int, int, bool] | None = None
    for i in range(len(rows) - n + 1):
        window = rows[i : i + n]
        if any(window[k + 1].new_line != window[k].new_line + 1 for k in range(n - 1)):
            continue
        if n == 1:
            ok = qlines[0] in window[0].norm
        else:
            ok = (
                window[0].norm.endswith(qlines[0])
                and window[-1].norm.startswith(qlines[-1])
                and all(window[k].norm == qlines[k] for k in range(1, n - 1))
            )
        if not ok:
            continue
        added = [r.new_line for r in window if r.added]
        if added:
            return added[0], max(window[-1].new_line, added[0]), True
        if first_any is None:
            first_any = (window[0].new_line, window[-1].new_line, False)
    return None if require_added else first_any


def _in_text(quote: str, text_norm: str) -> bool:
    q = _norm(quote)
    return len(q) >= MIN_QUOTE_CHARS and q in text_norm


def _show(quote: str, limit: int = 120) -> str:
    q = " ".join(clean_model_quote(quote).split()).replace("`", "'")
    return (q[: limit - 1] + "…") if len(q) > limit else q


Scrub = Callable[[str], str]


def apply_sections(
    result: LlmResult,
    sections: dict[str, list[Any]],
    index: DiffIndex,
    description: str,
    findings: list[Finding],
    max_observations: int,
    scrub: Scrub,
) -> None:
    """Fill ``result`` from validated sections; every string passes through ``scrub`` (secrets)."""
    desc_norm = _norm(description)

    def text(value: str, limit: int = 600) -> str:
        return scrub(clean_model_text(value, limit))

    def evidence_for(source: str, path: str, quote: str) -> str | None:
        if source == "description":
            return f"description: `{scrub(_show(quote))}`" if _in_text(quote, desc_norm) else None
        anchor = index.find(quote, path)
        if anchor is None:
            return None
        return f"{anchor.path}:{anchor.line}: `{scrub(_show(quote))}`"

    seen_items: set[str] = set()
    for item in sections.get("checklist", []):
        assert isinstance(item, ChecklistJudgementOut)
        if item.id in seen_items:
            continue
        seen_items.add(item.id)
        evidence = [
            e for e in (evidence_for(ev.source, ev.path, ev.quote) for ev in item.evidence) if e
        ]
        if item.status in ("pass", "gap") and not evidence:
            result.discard("checklist judgement without a quote found in the diff or description")
            continue
        result.checklist.append(
            ChecklistJudgement(
                id=item.id,
                title=_TITLES[item.id],
                status=item.status,
                reason=text(item.reason),
                evidence=evidence[:3],
            )
        )

    seen_fields: set[str] = set()
    for crit in sections.get("compact_critique", []):
        assert isinstance(crit, CompactCritiqueOut)
        if crit.field in seen_fields:
            continue
        ev = evidence_for("description", "", crit.quote) or evidence_for("diff", "", crit.quote)
        if ev is None:
            result.discard("compact critique whose quote is not in the description or diff")
            continue
        seen_fields.add(crit.field)
        result.compact_critique.append(
            CompactCritique(
                field=crit.field,
                problem=crit.problem,
                explanation=text(crit.explanation),
                evidence=ev,
            )
        )

    refs = {f"F{i}": f for i, f in enumerate(findings, start=1)}
    seen_refs: set[str] = set()
    for tri in sections.get("triage", []):
        assert isinstance(tri, TriageOut)
        target = refs.get(tri.ref)
        if target is None or tri.ref in seen_refs:
            result.discard("triage of an unknown finding")
            continue
        seen_refs.add(tri.ref)
        result.triage.append(
            FindingTriage(
                fingerprint=target.fingerprint,
                rule_id=target.rule_id,
                path=target.path,
                line=target.line,
                verdict=tri.verdict,
                reason=text(tri.reason, 400),
            )
        )

    spans = [(f.path, f.line, max(f.end_line, f.line)) for f in findings]
    entry = CATALOG["MLR900"]
    for obs in sections.get("observations", []):
        assert isinstance(obs, ObservationOut)
        anchor = index.find(obs.quote, obs.path, require_added=True)
        if anchor is None:
            result.discard("observation whose quote is not on an added line of the diff")
            continue
        if any(p == anchor.path and lo <= anchor.line <= hi for p, lo, hi in spans):
            result.discard("observation repeating a deterministic finding")
            continue
        if len(result.observations) >= max_observations:
            result.discard("observation over the configured limit")
            continue
        message = text(obs.message, 400)
        if not message:
            result.discard("observation without a message")
            continue
        severity = Severity(obs.severity)
        if (
            severity.rank > Severity.MEDIUM.rank
        ):  # pragma: no cover - the schema allows at most medium
            severity = Severity.MEDIUM
        confidence = Confidence(obs.confidence)
        if confidence.rank > Confidence.MEDIUM.rank:  # pragma: no cover
            confidence = Confidence.MEDIUM
        key = f"MLR900|{anchor.path}|{_norm(obs.quote)}"
        result.observations.append(
            Finding(
                rule_id=entry.id,
                slug=entry.slug,
                severity=severity,
                confidence=confidence,
                path=anchor.path,
                line=anchor.line,
                end_line=anchor.end_line,
                column=1,
                message=message,
                fix=(
                    "An observation of the LLM review pass, placed by the code it quotes: "
                    "confirm or dismiss it; it never changes the decision."
                ),
                fingerprint=hashlib.sha256(key.encode()).hexdigest()[:20],
            )
        )
