"""The rule catalogue contract: every ID ever assigned, its slug, family and default severity.

This mirrors ``shared/spec/rules.md``. Rule modules take their identity from
here, the registry refuses a rule whose metadata disagrees, and an ID listed
here is never reused for another meaning (a retired rule keeps its row).
"""

from __future__ import annotations

from dataclasses import dataclass

from mle_review.models import Severity


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    slug: str
    family: str
    severity: Severity
    title: str


FAMILIES: dict[str, str] = {
    "1": "leakage",
    "2": "reproducibility",
    "3": "security",
    "4": "serving",
    "5": "evaluation",
    "6": "change",
    "9": "llm",
}

_C, _H, _M, _L, _I = (
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.INFO,
)

_ROWS: tuple[tuple[str, str, Severity, str], ...] = (
    ("MLR101", "preprocessing-before-split", _H, "Stateful preprocessing fit before the split"),
    ("MLR102", "train-test-overlap", _C, "Evaluation rows also used for training"),
    ("MLR103", "test-set-reuse", _H, "Test set used to choose a model or threshold"),
    ("MLR104", "random-split-temporal", _H, "Shuffled split of time-ordered data"),
    ("MLR105", "group-split-leak", _M, "Row-level split of data with repeated entities"),
    ("MLR106", "point-in-time-join", _H, "Feature join that can see the future"),
    ("MLR201", "unseeded-randomness", _M, "Randomness without a seed"),
    ("MLR202", "nondeterminism-undeclared", _I, "Undeclared GPU nondeterminism"),
    ("MLR203", "unpinned-ml-dependency", _M, "ML dependency without an exact pin"),
    ("MLR204", "notebook-state", _M, "Hidden notebook state"),
    ("MLR205", "hardcoded-hyperparameters", _L, "Hyperparameters hardcoded in training"),
    ("MLR206", "unversioned-artifact", _M, "Model artifact overwritten without a version"),
    ("MLR207", "input-frame-mutation", _L, "Feature function mutates its input frame"),
    ("MLR301", "unsafe-deserialization", _H, "Code-executing model or data loader"),
    ("MLR302", "untrusted-remote-code", _H, "Remote code or unpinned hub download"),
    ("MLR303", "secret-in-ml-code", _C, "Credential committed in code or config"),
    ("MLR304", "pii-in-logs", _H, "Personal data or raw inputs in logs"),
    ("MLR305", "mutable-model-reference", _M, "Model loaded by a mutable reference"),
    ("MLR401", "prediction-without-model-version", _M, "Prediction without a model version"),
    ("MLR402", "unvalidated-inference-input", _H, "Raw request payload reaches the model"),
    ("MLR403", "inference-dependency-without-timeout", _M, "Serving dependency without timeout"),
    ("MLR404", "train-serve-skew", _H, "Feature logic duplicated in training and serving"),
    ("MLR501", "fail-open-promotion-gate", _C, "Promotion gate that fails open"),
    ("MLR502", "accuracy-only-evaluation", _M, "Classifier judged by accuracy alone"),
    ("MLR503", "magic-decision-threshold", _L, "Hardcoded decision threshold"),
    ("MLR601", "iteration-compact-missing", _M, "Iteration Compact missing or incomplete"),
    ("MLR602", "ml-change-without-tests", _M, "ML code changed without tests"),
    ("MLR603", "rollback-plan-missing", _H, "Serving change without a rollback plan"),
    ("MLR604", "eval-without-slices", _L, "Evaluation without slice metrics"),
    ("MLR900", "llm-observation", _M, "Observation from the LLM review pass"),
)

CATALOG: dict[str, CatalogEntry] = {
    rid: CatalogEntry(rid, slug, FAMILIES[rid[3]], sev, title) for rid, slug, sev, title in _ROWS
}
SLUG_TO_ID: dict[str, str] = {e.slug: e.id for e in CATALOG.values()}
