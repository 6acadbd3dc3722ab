"""Change classification, the checklist's evidence and the MLR60x rules, on in-memory changes.

Each case adds files (a new-file diff built here) and reviews them with
contents from a dict, so no git repository is needed.
"""

from __future__ import annotations

from mle_review.config import config_from_dict
from mle_review.knowledge import COMPACT_FIELDS
from mle_review.review import run_review
from mle_review.review.model import ReviewReport


def added(files: dict[str, str]) -> str:
    out = []
    for path, text in files.items():
        lines = text.splitlines()
        out.append(
            f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        )
        out.append(f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{ln}\n" for ln in lines))
    return "".join(out)


def review(files: dict[str, str], body: str = "", **config: object) -> ReviewReport:
    return run_review(added(files), dict(files), body=body, config=config_from_dict(dict(config)))


def status(report: ReviewReport) -> dict[str, str]:
    return {c.id: c.status for c in report.checklist}


def compact(**overrides: str) -> str:
    values = {f.label: f"considered answer for {f.label.lower()}" for f in COMPACT_FIELDS}
    values.update({k.replace("_", " "): v for k, v in overrides.items()})
    return "\n".join(f"**{k}:** {v}" for k, v in values.items())


GATE = """import sys

from sklearn.metrics import roc_auc_score


def gate(y, scores, minimum: float) -> None:
    auc = roc_auc_score(y, scores)
    if auc is None or auc < minimum:
        raise SystemExit("candidate below the promotion bar")
"""

SERVE = """from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
MODEL_VERSION = "churn-v13"


class Features(BaseModel):
    tenure: float


@app.post("/predict")
def predict(req: Features) -> dict[str, object]:
    return {"score": 0.5, "model_version": MODEL_VERSION}
"""


def test_gate_that_fails_closed_passes_promotion_item_and_needs_slices() -> None:
    report = review(
        {
            "pipeline/promote_gate.py": GATE,
            "tests/test_gate.py": "def test_gate():\n    assert True\n",
        },
        body=compact(),
    )
    assert "evaluation/promotion" in report.lanes
    assert status(report)["promotion-gates"] == "pass"
    assert "MLR604" in {f.rule_id for f in report.findings}  # metrics with no slice breakdown
    assert "MLR602" not in {f.rule_id for f in report.findings}


def test_slices_in_code_or_description_silence_mlr604() -> None:
    sliced = GATE.replace(
        "    auc = roc_auc_score(y, scores)\n",
        "    auc = roc_auc_score(y, scores)\n    per_country = scores.groupby('country').mean()\n",
    )
    assert "MLR604" not in {
        f.rule_id for f in review({"pipeline/promote_gate.py": sliced}).findings
    }
    body = "Slice results: new users AUC 0.71, mobile AUC 0.69."
    assert "MLR604" not in {
        f.rule_id for f in review({"pipeline/promote_gate.py": GATE}, body=body).findings
    }


def test_serving_with_schema_version_and_rollback_passes_serving_safety() -> None:
    body = compact(
        **{
            "Rollback or fallback": "churn-v12 stays registered; flip MODEL_VERSION back and redeploy"
        }
    )
    report = review(
        {"api/app.py": SERVE, "tests/test_api.py": "def test_api():\n    assert True\n"}, body=body
    )
    rules = {f.rule_id for f in report.findings}
    assert "MLR603" not in rules
    assert status(report)["serving-safety"] == "pass"
    match = next(t for t in report.tasks if t.id == "MLE-08")
    assert {o.name: o.provided for o in match.outputs}[
        "response envelope with model version"
    ] is True


def test_serving_without_rollback_note_is_a_gap() -> None:
    report = review({"api/app.py": SERVE}, body="Adds the endpoint.")
    assert "MLR603" in {f.rule_id for f in report.findings}
    assert "MLR602" in {f.rule_id for f in report.findings}
    assert status(report)["serving-safety"] == "gap"


def test_threshold_chosen_on_the_test_set_is_a_leakage_gap() -> None:
    train = "from sklearn.linear_model import LogisticRegression\n\nm = LogisticRegression(random_state=0)\nm.fit([[0]], [0])\n"
    body = compact(**{"Threshold or config plan": "0.35, picked on the test set"})
    assert status(review({"train.py": train}, body=body))["leakage"] == "gap"
    body = compact(
        **{
            "Threshold or config plan": "chosen on the validation split, test set untouched until the end"
        }
    )
    assert status(review({"train.py": train}, body=body))["leakage"] != "gap"


def test_reproducibility_and_data_contract_need_specific_evidence() -> None:
    train = "from sklearn.linear_model import LogisticRegression\n\nm = LogisticRegression(random_state=0)\nm.fit([[0]], [0])\n"
    vague = review({"train.py": train}, body=compact())
    assert status(vague)["data-contract"] == "unknown"  # filled, but names no timing or snapshot
    precise = review(
        {"train.py": train},
        body=compact(
            **{
                "Labels and data snapshot": "label = cancelled within 30 days; snapshot customers_2024_03.parquet"
            }
        ),
    )
    assert status(precise)["data-contract"] == "pass"
    assert status(precise)["reproducibility"] == "pass"


def test_monitoring_code_is_a_lane_and_a_task() -> None:
    drift = "from scipy.stats import ks_2samp\n\n\ndef drift_alert(ref, cur) -> bool:\n    return ks_2samp(ref, cur).pvalue < 0.01\n"
    report = review({"monitoring/drift_check.py": drift}, body="Adds a drift alert.")
    assert "monitoring" in report.lanes
    assert status(report)["monitoring"] == "pass"
    assert report.tasks and report.tasks[0].id == "MLE-10"
    # monitoring alone is not "ML code": no compact is demanded by default
    assert "MLR601" not in {f.rule_id for f in report.findings}


def test_required_fields_per_lane_are_configurable() -> None:
    report = review(
        {"api/app.py": SERVE},
        body="",
        review={"required-fields": {"ml": [], "serving": ["Rollback or fallback"]}},
    )
    assert report.compact.required == ["Rollback or fallback"]
    mlr601 = [f for f in report.findings if f.rule_id == "MLR601"]
    assert len(mlr601) == 1 and "without an Iteration Compact" in mlr601[0].message


def test_decision_thresholds_are_configurable() -> None:
    loads = {"api/load.py": "import joblib\n\nm = joblib.load('m.pkl')\n"}
    assert review(loads).decision.value == "BLOCK"
    relaxed = review(loads, review={"block-on": "critical", "compact-gaps": "ignore"})
    assert relaxed.decision.value == "APPROVE WITH WARNINGS"
    assert (
        review(
            loads,
            select=["MLR301"],
            review={"block-on": "never", "warn-on": "never", "compact-gaps": "ignore"},
        ).decision.value
        == "APPROVE"
    )
    strict = review({"README.md": "docs\n"}, review={"compact-gaps": "block"})
    assert strict.decision.value == "APPROVE"  # docs-only: nothing required, nothing to block


def test_disabled_change_rules_do_not_run() -> None:
    report = review({"api/app.py": SERVE}, ignore=["MLR6"])
    assert not [f for f in report.findings if f.rule_id.startswith("MLR6")]
    assert report.compact.gaps  # the compact is still parsed and shown
