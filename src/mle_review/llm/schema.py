"""What the model must return: a strict tool schema and the pydantic models that check it.

The schema is sent with ``strict: true`` so the API constrains the model's
tool input to it; pydantic validates again on arrival because a gateway, an
older model or a truncated answer can still deliver something else. Each of
the four sections is validated on its own, so one bad section costs only
that section (after one retry), never the whole pass.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, field_validator

from mle_review.knowledge import CHECKLIST_IDS, COMPACT_LABELS

TOOL_NAME = "submit_review"

ChecklistStatus = Literal["pass", "gap", "unknown", "not-applicable"]
Verdict = Literal["confirmed", "likely-false-positive"]
CritiqueProblem = Literal["vacuous", "inconsistent-with-code", "placeholder"]
ObsSeverity = Literal["info", "low", "medium"]
ObsConfidence = Literal["low", "medium"]
NO_CHECKLIST = "none"


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class QuoteEvidence(_Out):
    source: Literal["diff", "description"]
    path: str
    quote: str


class ChecklistJudgementOut(_Out):
    id: str
    status: ChecklistStatus
    evidence: list[QuoteEvidence]
    reason: str

    @field_validator("id")
    @classmethod
    def _known_item(cls, value: str) -> str:
        if value not in CHECKLIST_IDS:
            raise ValueError(f"unknown checklist id (known: {', '.join(CHECKLIST_IDS)})")
        return value


class CompactCritiqueOut(_Out):
    field: str
    problem: CritiqueProblem
    explanation: str
    quote: str

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        if value not in COMPACT_LABELS:
            raise ValueError("unknown Iteration Compact field")
        return value


class TriageOut(_Out):
    ref: str
    verdict: Verdict
    reason: str

    @field_validator("ref")
    @classmethod
    def _ref_shape(cls, value: str) -> str:
        value = value.strip()
        if not (value.startswith("F") and value[1:].isdigit()):
            raise ValueError("ref must look like F1, F2, ...")
        return value


class ObservationOut(_Out):
    path: str
    quote: str
    message: str
    severity: ObsSeverity
    confidence: ObsConfidence
    checklist_id: str

    @field_validator("checklist_id")
    @classmethod
    def _known_item(cls, value: str) -> str:
        if value not in (*CHECKLIST_IDS, NO_CHECKLIST):
            raise ValueError("unknown checklist id")
        return value


SECTIONS: dict[str, TypeAdapter[Any]] = {
    "checklist": TypeAdapter(list[ChecklistJudgementOut]),
    "compact_critique": TypeAdapter(list[CompactCritiqueOut]),
    "triage": TypeAdapter(list[TriageOut]),
    "observations": TypeAdapter(list[ObservationOut]),
}
# the most items of each section that are kept (the rest are cut, not errors)
SECTION_LIMITS = {
    "checklist": len(CHECKLIST_IDS),
    "compact_critique": len(COMPACT_LABELS),
    "triage": 200,
    "observations": 20,
}


def _string(desc: str) -> dict[str, Any]:
    return {"type": "string", "description": desc}


def _enum(values: tuple[str, ...] | list[str], desc: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values), "description": desc}


def _obj(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def tool_input_schema() -> dict[str, Any]:
    """JSON schema within the strict-mode subset: every property required, no extras, enums only."""
    evidence = _obj(
        {
            "source": _enum(("diff", "description"), "where the quote comes from"),
            "path": _string("file path for a diff quote; empty for the description"),
            "quote": _string(
                "text copied verbatim from one or a few consecutive lines, without the +/- prefix"
            ),
        }
    )
    checklist = _obj(
        {
            "id": _enum(CHECKLIST_IDS, "checklist item id"),
            "status": _enum(("pass", "gap", "unknown", "not-applicable"), "judgement"),
            "evidence": {
                "type": "array",
                "items": evidence,
                "description": "quotes supporting pass or gap",
            },
            "reason": _string("one or two sentences"),
        }
    )
    critique = _obj(
        {
            "field": _enum(COMPACT_LABELS, "Iteration Compact field label"),
            "problem": _enum(("vacuous", "inconsistent-with-code", "placeholder"), "what is wrong"),
            "explanation": _string("one or two sentences"),
            "quote": _string("the field's text, or the code it contradicts, copied verbatim"),
        }
    )
    triage = _obj(
        {
            "ref": _string("finding reference such as F1"),
            "verdict": _enum(("confirmed", "likely-false-positive"), "triage verdict"),
            "reason": _string("one sentence grounded in the diff"),
        }
    )
    observation = _obj(
        {
            "path": _string("file path of the quoted code"),
            "quote": _string("the code the observation is about, copied verbatim from added lines"),
            "message": _string("the problem and its production consequence, one or two sentences"),
            "severity": _enum(("info", "low", "medium"), "at most medium"),
            "confidence": _enum(("low", "medium"), "at most medium"),
            "checklist_id": _enum((*CHECKLIST_IDS, NO_CHECKLIST), "related checklist item or none"),
        }
    )
    return _obj(
        {
            "checklist": {"type": "array", "items": checklist},
            "compact_critique": {"type": "array", "items": critique},
            "triage": {"type": "array", "items": triage},
            "observations": {"type": "array", "items": observation},
        }
    )


def tool_definition() -> dict[str, Any]:
    return {
        "name": TOOL_NAME,
        "description": (
            "Submit the complete review of the pull request in one call: checklist judgements, "
            "Iteration Compact critique, triage of every deterministic finding, and extra observations."
        ),
        "input_schema": tool_input_schema(),
        "strict": True,
    }


def validate_sections(raw: object) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """Valid sections (cut to their limits) and a short error per invalid section.

    Error texts name locations and error types only, never the offending
    values: they are sent back to the model on retry and may be logged.
    """
    valid: dict[str, list[Any]] = {}
    errors: dict[str, str] = {}
    if not isinstance(raw, dict):
        return valid, {name: "the tool input is not a JSON object" for name in SECTIONS}
    for name, adapter in SECTIONS.items():
        if name not in raw:
            errors[name] = "section missing"
            continue
        try:
            items = adapter.validate_python(raw[name])
        except ValidationError as exc:
            parts = []
            for err in exc.errors()[:3]:
                loc = ".".join(str(p) for p in err["loc"])
                parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
            errors[name] = "; ".join(parts)
            continue
        valid[name] = list(items)[: SECTION_LIMITS[name]]
    return valid, errors
