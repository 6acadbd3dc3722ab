"""The workflow knowledge the bot, the renderers and the skill pack share.

Iteration Compact fields, Review Checklist items, Observation Ledger fields,
pipeline lanes and the ten MLE task simulations exist here once. The compact
parser, the checklist evaluator, the templates and the tests that guard
``skills/`` and ``agents/`` all read these tuples, so a label changed here
changes everywhere (and a label changed elsewhere fails a test).
"""

from __future__ import annotations

from dataclasses import dataclass

# --- Iteration Compact -------------------------------------------------------
# The 19 labels are a contract: PR descriptions are parsed for exactly these.


@dataclass(frozen=True)
class CompactField:
    label: str
    group: str
    prompt: str  # what to write; also how a copied-but-unfilled template is recognised


COMPACT_FIELDS: tuple[CompactField, ...] = (
    CompactField("Goal", "framing", "the product outcome this change should move"),
    CompactField("Who cares", "framing", "people or teams who pay for the model's mistakes"),
    CompactField("Decision owner", "framing", "the person who signs off on shipping"),
    CompactField(
        "User or system action changed by the model",
        "framing",
        "what behaves differently downstream when the prediction changes",
    ),
    CompactField("Success metric", "metrics", "the one metric that decides, with its target"),
    CompactField(
        "Guardrail metrics", "metrics", "metrics that must not regress (latency, cost, slices)"
    ),
    CompactField("Mistake budget", "mistakes", "how many errors of each kind are tolerable"),
    CompactField("Unacceptable mistakes", "mistakes", "errors that block shipping outright"),
    CompactField("Acceptable mistakes", "mistakes", "errors the product can absorb, and why"),
    CompactField("Assumptions", "context", "what is taken as true without proof yet"),
    CompactField("Constraints", "context", "latency, cost, privacy or platform limits"),
    CompactField(
        "Labels and data snapshot",
        "data",
        "label definition and timing, dataset version or snapshot id",
    ),
    CompactField("Baseline", "evaluation", "the simple or current model the change must beat"),
    CompactField(
        "Candidate signals", "data", "feature families and why each should separate outcomes"
    ),
    CompactField(
        "Threshold or config plan",
        "evaluation",
        "how the operating threshold and config are chosen, on which split",
    ),
    CompactField("Eval slices", "evaluation", "cohorts whose metrics are checked separately"),
    CompactField("Known risks", "rollout", "leakage, drift, feedback loops, abuse"),
    CompactField("Next experiment", "rollout", "the falsifiable follow-up"),
    CompactField(
        "Rollback or fallback",
        "rollout",
        "the previous artifact and how traffic switches back to it",
    ),
)

COMPACT_LABELS: tuple[str, ...] = tuple(f.label for f in COMPACT_FIELDS)

# --- Observation Ledger ------------------------------------------------------

LEDGER_FIELDS: tuple[str, ...] = (
    "Iteration",
    "Change",
    "Why this mattered",
    "Metric movement",
    "Slice movement",
    "False positives",
    "False negatives",
    "Unexpected errors",
    "Decision",
    "Tradeoff accepted",
    "Lesson captured",
    "Regression added",
    "Debt created",
    "Next iteration",
)

# --- Review Checklist --------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    title: str
    rules: tuple[str, ...]  # rule IDs whose findings are evidence of a gap
    human_check: str  # what a reviewer must confirm when the bot cannot


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "prediction-contract",
        "Prediction contract is explicit and testable",
        (),
        "target, decision owner, output schema and latency budget are written down",
    ),
    ChecklistItem(
        "data-contract",
        "Data contract covers entity grain, label timing, feature timing and snapshot",
        ("MLR104", "MLR105", "MLR106"),
        "entity key, label delay and dataset version are named",
    ),
    ChecklistItem(
        "leakage",
        "Leakage was checked against what is known at prediction time",
        ("MLR101", "MLR102", "MLR103", "MLR104", "MLR105", "MLR106"),
        "every feature is available at prediction time",
    ),
    ChecklistItem(
        "reproducibility",
        "Training reproduces from code, config, data version and seed",
        ("MLR201", "MLR202", "MLR203", "MLR204", "MLR205", "MLR207"),
        "a second engineer can rerun training and get the same artifact",
    ),
    ChecklistItem(
        "baseline-comparison",
        "Metrics are compared with a baseline and the current production model",
        (),
        "the report shows baseline and production numbers side by side",
    ),
    ChecklistItem(
        "slices-guardrails",
        "Slice metrics and guardrails cover high-risk cohorts",
        ("MLR502", "MLR604"),
        "the cohorts that matter are evaluated separately",
    ),
    ChecklistItem(
        "promotion-gates",
        "Promotion gates are automated and fail closed",
        ("MLR501", "MLR503"),
        "a missing or errored metric blocks promotion",
    ),
    ChecklistItem(
        "train-serve-parity",
        "Training and serving share transformations or test their equivalence",
        ("MLR404",),
        "serving imports the training transform or a test proves they agree",
    ),
    ChecklistItem(
        "artifact-metadata",
        "The artifact carries version, config, dataset reference and preprocessing",
        ("MLR206", "MLR301", "MLR302", "MLR305"),
        "the saved artifact can be traced to code, config and data",
    ),
    ChecklistItem(
        "serving-safety",
        "Serving validates inputs and has timeout, fallback and rollback",
        ("MLR401", "MLR402", "MLR403", "MLR603"),
        "bad input is rejected and a failed dependency degrades gracefully",
    ),
    ChecklistItem(
        "monitoring",
        "Monitoring covers system health, feature and prediction drift, delayed labels",
        (),
        "dashboards and alerts exist for drift and label health, with owners",
    ),
    ChecklistItem(
        "sensitive-data",
        "Sensitive data stays out of artifacts, logs, prompts and examples",
        ("MLR303", "MLR304"),
        "no personal data or credentials reach logs, artifacts or fixtures",
    ),
)

CHECKLIST_IDS: tuple[str, ...] = tuple(item.id for item in CHECKLIST)

# --- Pipeline lanes and task simulations ------------------------------------

LANES: tuple[str, ...] = (
    "data contract",
    "features",
    "training",
    "evaluation/promotion",
    "artifact",
    "serving",
    "rollout",
    "monitoring",
)


@dataclass(frozen=True)
class TaskSimulation:
    id: str
    title: str
    required_outputs: tuple[str, ...]
    lanes: tuple[str, ...]


TASKS: tuple[TaskSimulation, ...] = (
    TaskSimulation(
        "MLE-01",
        "Frame an ambiguous prediction, ranking, classification, embedding or forecast capability",
        (
            "Iteration Compact",
            "who cares and decision owner",
            "success metric",
            "unacceptable mistakes",
            "assumptions and constraints",
            "first experiment",
        ),
        ("product contract", "stakeholder loss", "risk", "rollout"),
    ),
    TaskSimulation(
        "MLE-02",
        "Define metric goals, labels, data sources and the mistake budget",
        (
            "entity grain",
            "label timing and confidence",
            "feature timing and point-in-time joins",
            "split policy",
            "dataset snapshot",
        ),
        ("data contract", "metric design", "leakage", "reproducibility"),
    ),
    TaskSimulation(
        "MLE-03",
        "Build a baseline model and scoring path before adding complexity",
        (
            "baseline scorer",
            "confusion matrix",
            "calibration notes",
            "latency and cost estimate",
            "tests for score shape and determinism",
        ),
        ("baseline", "scoring", "testing", "serving parity"),
    ),
    TaskSimulation(
        "MLE-04",
        "Generate features from hypotheses about what separates outcomes",
        (
            "feature plan with signal sources",
            "missing-value and outlier handling",
            "leakage checks",
            "train/serve equivalence",
        ),
        ("feature pipeline", "leakage", "training", "artifacts"),
    ),
    TaskSimulation(
        "MLE-05",
        "Tune thresholds, configs and model complexity under trade-offs",
        (
            "precision, recall, F1, AUC and calibration",
            "group slices",
            "latency and cost",
            "acceptable error classes",
        ),
        ("evaluation", "threshold", "promotion", "regression"),
    ),
    TaskSimulation(
        "MLE-06",
        "Run error analysis and turn mistakes into the next experiment",
        (
            "false positive and false negative clusters",
            "ambiguous labels and stale features",
            "bug traces",
            "lessons captured as regressions",
        ),
        ("error analysis", "bug trace", "iteration", "regression"),
    ),
    TaskSimulation(
        "MLE-07",
        "Package a model artifact for batch or online inference",
        (
            "versioned artifact with preprocessing and config",
            "dependency constraints",
            "schema validation",
            "safe loading",
            "PII-safe logs",
        ),
        ("artifact", "security", "inference contract"),
    ),
    TaskSimulation(
        "MLE-08",
        "Ship online serving or batch scoring with feedback capture",
        (
            "response envelope with model version",
            "timeout and fallback",
            "batching",
            "confidence",
            "feedback logging",
            "product-flow tests",
        ),
        ("serving", "batch inference", "fallback", "user workflow"),
    ),
    TaskSimulation(
        "MLE-09",
        "Roll out a model with shadow traffic, canary, A/B test or rollback",
        (
            "traffic split",
            "dashboards",
            "p95 latency and cost",
            "quality guardrails",
            "rollback artifact and trigger",
        ),
        ("deployment", "canary", "rollback"),
    ),
    TaskSimulation(
        "MLE-10",
        "Operate, debug and refresh a production model after launch",
        (
            "Observation Ledger",
            "drift checks",
            "delayed-label health",
            "alert owners and runbook",
            "retrain criteria",
        ),
        ("monitoring", "incident response", "retraining"),
    ),
)

TASK_IDS: tuple[str, ...] = tuple(t.id for t in TASKS)
