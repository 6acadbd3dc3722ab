"""The 12-item Review Checklist, judged from findings, tests, the compact and detected constructs.

``gap`` needs evidence of a problem (a finding on the change, a required
compact field left open). ``pass`` needs positive evidence (a construct in
the code, a filled compact field). Everything else relevant to the change is
``unknown`` with the question a human must answer; items the change does not
touch are ``not-applicable``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from mle_review.knowledge import CHECKLIST, LANES, ChecklistItem
from mle_review.review.classify import ChangeFacts
from mle_review.review.model import ChecklistEntry

_ANY_CODE = LANES  # every lane can leak sensitive data

# which lanes make an item relevant
_RELEVANT: dict[str, tuple[str, ...]] = {
    "prediction-contract": ("features", "training", "evaluation/promotion", "serving", "artifact"),
    "data-contract": ("data contract", "features", "training"),
    "leakage": ("data contract", "features", "training", "evaluation/promotion"),
    "reproducibility": ("training", "features", "data contract"),
    "baseline-comparison": ("training", "evaluation/promotion"),
    "slices-guardrails": ("evaluation/promotion", "training"),
    "promotion-gates": ("evaluation/promotion",),
    "train-serve-parity": ("serving", "features"),
    "artifact-metadata": ("artifact", "training"),
    "serving-safety": ("serving", "rollout"),
    "monitoring": ("serving", "rollout", "monitoring"),
    "sensitive-data": _ANY_CODE,
}

_GATE_FAILS_CLOSED = re.compile(
    r"if\s+[^\n]*(<|>|<=|>=|is None|not )[^\n]*:\s*\n\s+(raise\b|sys\.exit\(\s*[1-9]|exit\(\s*[1-9]|return False)"
)
_SEED = re.compile(
    r"random_state\s*=\s*\d|\bseed\s*\(|set_seed\(|manual_seed\(|seed\s*=\s*\d|SEED\s*=\s*\d"
)
_INPUT_SCHEMA = re.compile(r"class\s+\w+\((pydantic\.)?BaseModel\)|pandera|marshmallow|jsonschema")
_TIMEOUT = re.compile(r"timeout\s*=")
_MODEL_VERSION = re.compile(r"model_version|\"version\"\s*:|'version'\s*:")
_SLICES = re.compile(r"groupby\(|\bslices?\b|\bcohorts?\b|\bsegments?\b")
_PARITY_IMPORT = re.compile(
    r"^\s*from\s+[\w.]*(feature|preprocess|transform|pipeline)\w*\s+import|^\s*import\s+[\w.]*(feature|preprocess|transform)",
    re.M,
)
_METADATA = re.compile(
    r"model_version|metadata|model_card|log_model|register_model|save_pretrained|git_sha|commit"
)
_MONITORING = re.compile(
    r"drift|ks_2samp|population[_ ]stability|alert|prometheus|evidently|whylogs|nannyml", re.I
)


@dataclass
class _Judgement:
    status: str = "unknown"
    evidence: list[str] = field(default_factory=list)


def _finding_evidence(item: ChecklistItem, facts: ChangeFacts) -> list[str]:
    return [f"{f.rule_id} {f.path}:{f.line}" for f in facts.findings if f.rule_id in item.rules]


def _compact_gap(facts: ChangeFacts, *labels: str) -> list[str]:
    out = []
    for d in facts.compact.details:
        if d.label in labels and d.required and d.state != "filled":
            out.append(f"compact: {d.label} {d.state}")
    return out


def _compact_filled(facts: ChangeFacts, *labels: str) -> list[str]:
    return [
        f"compact: {label} filled"
        for label in labels
        if facts.compact.fields.get(label) == "filled"
    ]


def _source_match(
    facts: ChangeFacts, pattern: re.Pattern[str], lanes: tuple[str, ...], what: str
) -> list[str]:
    for lane in lanes:
        for module in facts.modules(lane):
            m = pattern.search(module.source)
            if m:
                line = module.source.count("\n", 0, m.start()) + 1
                if module.notebook is not None:
                    line = module.notebook.to_file_line(line)[0]
                return [f"{what} {module.path}:{line}"]
    return []


def _prediction_contract(facts: ChangeFacts) -> _Judgement:
    labels = (
        "Goal",
        "Decision owner",
        "User or system action changed by the model",
        "Success metric",
    )
    gaps = _compact_gap(facts, *labels)
    if gaps:
        return _Judgement("gap", gaps)
    filled = _compact_filled(facts, *labels)
    if len(filled) == len(labels):
        return _Judgement("pass", filled)
    return _Judgement("unknown", filled)


_TIMING = re.compile(
    r"\b(within|after|before|delay|lag|timing|as of|cutoff|days?|hours?|weeks?|months?)\b", re.I
)
_SNAPSHOT = re.compile(
    r"\b(snapshot|version|v\d+|\d{4}-\d{2}|\d{4}_\d{2}|table|partition)\b|\.(csv|parquet|jsonl?)\b",
    re.I,
)


def _data_contract(facts: ChangeFacts) -> _Judgement:
    gaps = _compact_gap(facts, "Labels and data snapshot")
    if gaps:
        return _Judgement("gap", gaps)
    value = facts.compact.value("Labels and data snapshot")
    if not value:
        return _Judgement("unknown")
    timing, snapshot = bool(_TIMING.search(value)), bool(_SNAPSHOT.search(value))
    evidence = [
        "compact: Labels and data snapshot filled"
        + (
            ""
            if timing and snapshot
            else f" (names no {'label timing' if not timing else 'snapshot or version'})"
        )
    ]
    return _Judgement("pass" if timing and snapshot else "unknown", evidence)


_TEST_SET_CHOICE = re.compile(
    r"\b(on|using|with|from) (the )?(test|holdout|hold-out)( set| split| data)?\b", re.I
)


def _leakage(facts: ChangeFacts) -> _Judgement:
    plan = facts.compact.value("Threshold or config plan")
    if _TEST_SET_CHOICE.search(plan):
        return _Judgement(
            "gap",
            [
                "compact: Threshold or config plan chooses on the test set (it is then no longer unseen)"
            ],
        )
    risks = facts.compact.value("Known risks")
    if re.search(r"leak", risks, re.I):
        return _Judgement(
            "pass",
            ["compact: Known risks addresses leakage", "no leakage findings on changed lines"],
        )
    return _Judgement("unknown", ["no leakage findings on changed lines"])


def _reproducibility(facts: ChangeFacts) -> _Judgement:
    seed = _source_match(facts, _SEED, ("training", "features", "data contract"), "seed set at")
    snapshot = _compact_filled(facts, "Labels and data snapshot")
    if seed and snapshot:
        return _Judgement("pass", [*seed, *snapshot])
    return _Judgement("unknown", [*seed, *snapshot])


def _baseline(facts: ChangeFacts) -> _Judgement:
    gaps = _compact_gap(facts, "Baseline")
    if gaps:
        return _Judgement("gap", gaps)
    value = facts.compact.value("Baseline")
    if not value:
        return _Judgement("unknown")
    if re.search(r"\d", value):
        return _Judgement("pass", ["compact: Baseline filled with numbers"])
    return _Judgement("unknown", ["compact: Baseline filled but quotes no metric"])


def _slices(facts: ChangeFacts) -> _Judgement:
    gaps = _compact_gap(facts, "Eval slices", "Guardrail metrics")
    if gaps:
        return _Judgement("gap", gaps)
    evidence = _compact_filled(facts, "Eval slices", "Guardrail metrics")
    evidence += _source_match(facts, _SLICES, ("evaluation/promotion",), "slice metrics at")
    return _Judgement("pass" if evidence else "unknown", evidence)


def _gates(facts: ChangeFacts) -> _Judgement:
    found = _source_match(
        facts, _GATE_FAILS_CLOSED, ("evaluation/promotion",), "gate fails closed at"
    )
    return _Judgement("pass" if found else "unknown", found)


def _parity(facts: ChangeFacts) -> _Judgement:
    found = _source_match(
        facts, _PARITY_IMPORT, ("serving",), "serving imports the shared transform at"
    )
    if not found:
        for f in facts.files:
            if f.is_test and re.search(r"parity|skew|equivalen", f.added_text, re.I):
                found = [f"parity test {f.path}"]
                break
    return _Judgement("pass" if found else "unknown", found)


def _artifact(facts: ChangeFacts) -> _Judgement:
    found = _source_match(facts, _METADATA, ("artifact", "training"), "artifact metadata at")
    return _Judgement("pass" if found else "unknown", found)


def _serving(facts: ChangeFacts) -> _Judgement:
    gaps = _compact_gap(facts, "Rollback or fallback") if "serving" in facts.lanes else []
    if gaps:
        return _Judgement("gap", gaps)
    schema = _source_match(facts, _INPUT_SCHEMA, ("serving",), "input schema at")
    timeout = _source_match(facts, _TIMEOUT, ("serving",), "timeout at")
    version = _source_match(facts, _MODEL_VERSION, ("serving",), "model version in response at")
    rollback = _compact_filled(facts, "Rollback or fallback")
    evidence = [*schema, *timeout, *version, *rollback]
    return _Judgement("pass" if schema and rollback else "unknown", evidence)


def _monitoring(facts: ChangeFacts) -> _Judgement:
    in_change = facts.search(_MONITORING, description=False)
    if in_change:
        return _Judgement("pass", [f"monitoring in {in_change}"])
    described = facts.search(_MONITORING, code=False, paths=False)
    return _Judgement("unknown", [f"only described: {described}"] if described else [])


def _sensitive(facts: ChangeFacts) -> _Judgement:
    return _Judgement("unknown", ["no secret or PII-logging findings on changed lines"])


_JUDGES: dict[str, Callable[[ChangeFacts], _Judgement]] = {
    "prediction-contract": _prediction_contract,
    "data-contract": _data_contract,
    "leakage": _leakage,
    "reproducibility": _reproducibility,
    "baseline-comparison": _baseline,
    "slices-guardrails": _slices,
    "promotion-gates": _gates,
    "train-serve-parity": _parity,
    "artifact-metadata": _artifact,
    "serving-safety": _serving,
    "monitoring": _monitoring,
    "sensitive-data": _sensitive,
}


def evaluate_checklist(facts: ChangeFacts) -> list[ChecklistEntry]:
    """One entry per checklist item, in the guide's order."""
    entries: list[ChecklistEntry] = []
    for item in CHECKLIST:
        relevant = any(lane in facts.lanes for lane in _RELEVANT[item.id])
        findings = _finding_evidence(item, facts)
        if findings:
            entries.append(
                ChecklistEntry(
                    id=item.id,
                    title=item.title,
                    status="gap",
                    evidence=findings,
                    human_check=item.human_check,
                )
            )
            continue
        if not relevant:
            entries.append(ChecklistEntry(id=item.id, title=item.title, status="not-applicable"))
            continue
        judged = _JUDGES[item.id](facts)
        entries.append(
            ChecklistEntry(
                id=item.id,
                title=item.title,
                status=judged.status,  # type: ignore[arg-type]
                evidence=judged.evidence,
                human_check="" if judged.status == "pass" else item.human_check,
            )
        )
    return entries
