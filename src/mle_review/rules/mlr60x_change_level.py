"""MLR601-MLR604: rules about the pull request as a whole.

They read the description, the list of changed files and the findings on the
change, so they only run in ``mle-review review`` (see
:mod:`mle_review.review.context`); in ``scan`` their file hooks yield nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mle_review.knowledge import COMPACT_FIELDS
from mle_review.models import Confidence
from mle_review.review.classify import FileInfo
from mle_review.review.context import ChangeContext, ChangeHit, ChangeRule
from mle_review.rules.base import RuleDoc, register

_GROUP_OF = {f.label: f.group for f in COMPACT_FIELDS}


def _anchor(files: list[FileInfo]) -> tuple[str, int]:
    """The first added line of the first file: where a change-level comment is most useful."""
    for info in files:
        if info.added_numbers:
            return info.path, info.added_numbers[0]
    return (files[0].path, 1) if files else (".", 1)


@register
class IterationCompactMissing(ChangeRule):
    id = "MLR601"
    confidence = Confidence.HIGH
    message = "the description lacks required Iteration Compact fields"
    fix = "Add the Iteration Compact to the PR description (`mle-review compact` prints the template) and fill every required field; write `n/a: <reason>` where one does not apply."
    doc = RuleDoc(
        what_it_does=(
            "Reads the pull request title and description for the Iteration Compact (goal, who cares, metrics, "
            "mistake budget, data snapshot, baseline, slices, risks, rollback and the rest). When the change touches "
            "model, feature, training, evaluation or serving code, it reports each group of required fields that "
            "is missing, empty or still a placeholder (`TBD`, `...`, a bare `n/a`, the template's prompt). "
            "Only runs in `mle-review review`."
        ),
        why_it_matters=(
            "An ML change is judged against a goal, a metric with a target, a tolerable mistake budget and a way "
            "back. Without them a reviewer can check the code but not whether the model should ship; the decision "
            "is made later by whoever notices a metric move."
        ),
        example="# PR description:\n# Improve the churn model.\n# Goal: TBD\n",
        use_instead=(
            "# PR description (excerpt):\n# **Goal:** cut voluntary churn in the first 90 days by 2 points\n"
            "# **Rollback or fallback:** model churn-v12 stays registered; flag `churn_model=v12` switches back\n"
        ),
        options=(
            "`[tool.mle-review.review] required-fields` maps a change kind (`ml`, `any`, or a lane such as "
            "`serving`) to the fields it must fill (`ALL` or labels). Default: all 19 fields for ML changes."
        ),
        references=("The Iteration Compact fields: `mle-review compact`.",),
    )

    def check_change(self, change: ChangeContext) -> Iterator[ChangeHit]:
        compact = change.compact
        if not change.facts.ml or not compact.required:
            return
        path, line = _anchor(change.facts.ml_files)
        if not compact.present:
            yield ChangeHit(
                path=path,
                line=line,
                key="absent",
                message=f"ML change without an Iteration Compact in the description ({len(compact.required)} required fields)",
            )
            return
        groups: dict[str, list[str]] = {}
        for d in compact.gaps:
            groups.setdefault(_GROUP_OF.get(d.label, "other"), []).append(f"{d.label} ({d.state})")
        for group, items in groups.items():
            yield ChangeHit(
                path=path,
                line=line,
                key=group,
                message=f"Iteration Compact {group} fields not filled: {', '.join(items)}",
            )


_ML_TEST_LANES = ("features", "training", "evaluation/promotion", "serving")


@register
class MlChangeWithoutTests(ChangeRule):
    id = "MLR602"
    confidence = Confidence.MEDIUM
    message = "ML code changed with no test changed or added"
    fix = "Add or update a test that pins the changed behaviour: feature values on a small frame, a gate that refuses a bad metric, the endpoint's response shape."
    doc = RuleDoc(
        what_it_does=(
            "Reports a change that modifies feature, training, evaluation/promotion or serving code while no test "
            "file is added or modified. Test files are recognised by path (`tests/`, `test_*.py`, `*_test.py`, "
            "`conftest.py`) or configured `roles.test` globs. Only runs in `mle-review review`."
        ),
        why_it_matters=(
            "ML code fails silently: a feature that shifts by one day or a gate that no longer fails still runs "
            "and still produces a model. A test written with the change is the cheapest place to catch it and the "
            "only record of what the author meant."
        ),
        example="# changed: features/build.py, train.py\n# no file under tests/ changed\n",
        use_instead="# changed: features/build.py, train.py, tests/test_features.py\n",
        references=(
            "Breck et al., 'The ML Test Score: A Rubric for ML Production Readiness and Technical Debt Reduction' "
            "(IEEE Big Data 2017): feature, model and infrastructure tests as a production-readiness bar",
        ),
    )

    def check_change(self, change: ChangeContext) -> Iterator[ChangeHit]:
        facts = change.facts
        if facts.tests_changed or facts.docs_only:
            return
        code = [
            f
            for f in facts.files
            if not f.is_test
            and not f.is_doc
            and f.module is not None
            and f.lanes & set(_ML_TEST_LANES)
            and f.added_numbers
        ]
        if not code:
            return
        path, line = _anchor(code)
        names = ", ".join(f.path for f in code[:5]) + (
            f" and {len(code) - 5} more" if len(code) > 5 else ""
        )
        yield ChangeHit(
            path=path, line=line, message=f"ML code changed ({names}) with no test changed or added"
        )


_ROLLBACK = re.compile(
    r"\b(roll\s*-?\s*back|fall\s*-?\s*back|revert|previous (model|artifact|version))", re.I
)
_PREVIOUS_ARTIFACT = re.compile(
    r"\b(v\d+(\.\d+)*|previous|prior|current(ly)?|old|last known good|[\w-]+@sha256|[\w./-]+\.(pkl|pt|onnx|joblib|safetensors)|"
    r"(model|artifact|version|revision|tag|run)[\s:=#-]+[\w.-]*\d[\w.-]*)",
    re.I,
)
_MODEL_REFERENCE = re.compile(
    r"(model_(uri|path|name|version|id)|MODEL_(URI|PATH|NAME|VERSION)|artifact_(uri|path)|checkpoint|registered_model|"
    r"models:/|\.(pkl|joblib|pt|pth|onnx|safetensors|h5|ckpt)\b)",
)


def _rollback_text(change: ChangeContext) -> str:
    """The description's rollback note: the compact field when written, else rollback paragraphs."""
    if change.compact.fields.get("Rollback or fallback", "missing") != "missing":
        return change.compact.value("Rollback or fallback")  # "" unless filled
    paragraphs = re.split(r"\n\s*\n", change.body or "")
    return "\n".join(p for p in paragraphs if _ROLLBACK.search(p))


@register
class RollbackPlanMissing(ChangeRule):
    id = "MLR603"
    confidence = Confidence.MEDIUM
    message = "serving or model-reference change without a rollback note"
    fix = "Add a rollback note to the description: the previous artifact or config (name and version) and how traffic switches back to it."
    doc = RuleDoc(
        what_it_does=(
            "Reports a change to serving, deployment or model-loading code, or to a model artifact reference "
            "(model URI, path, version or a model file), when the description has no rollback or fallback note "
            "naming the previous artifact. The compact's *Rollback or fallback* field or any paragraph about "
            "rollback counts. Only runs in `mle-review review`."
        ),
        why_it_matters=(
            "A model that misbehaves in production must be replaced in minutes, not after a retrain. That is only "
            "possible when the previous artifact is still available and someone wrote down how to route traffic "
            "back to it before it was needed."
        ),
        example="# changed: serve/app.py (loads models:/churn/13)\n# PR description: 'Ship churn v13.'\n",
        use_instead=(
            "# PR description:\n# Rollback or fallback: churn v12 stays registered; set MODEL_VERSION=12 in the deploy\n"
            "# config and redeploy (about 5 minutes); the canary alert triggers it.\n"
        ),
        references=(
            "Breck et al., 'The ML Test Score' (2017): models can be quickly and safely rolled back to a previous "
            "serving version",
            "Google SRE Workbook, chapter 'Canarying Releases'",
        ),
    )

    def check_change(self, change: ChangeContext) -> Iterator[ChangeHit]:
        facts = change.facts
        targets: list[FileInfo] = [
            f
            for f in facts.files
            if not f.is_test and not f.is_doc and ("serving" in f.lanes or "rollout" in f.lanes)
        ]
        if not targets:
            targets = [
                f
                for f in facts.files
                if not f.is_test
                and not f.is_doc
                and ("artifact" in f.lanes)
                and (_MODEL_REFERENCE.search(f.added_text) or f.is_binary or f.module is None)
            ]
        if not targets:
            return
        note = _rollback_text(change)
        path, line = _anchor(targets)
        what = (
            "serving/deployment"
            if any({"serving", "rollout"} & f.lanes for f in targets)
            else "model artifact reference"
        )
        if not note:
            yield ChangeHit(
                path=path,
                line=line,
                message=f"{what} change ({targets[0].path}) with no rollback or fallback note in the description",
            )
        elif not _PREVIOUS_ARTIFACT.search(note):
            yield ChangeHit(
                path=path,
                line=line,
                message=f"{what} change: the rollback note names no previous artifact or version to return to",
            )


_METRIC_CALL = re.compile(
    r"\b(accuracy_score|roc_auc_score|f1_score|precision_score|recall_score|classification_report|confusion_matrix|"
    r"mean_squared_error|mean_absolute_error|r2_score|log_loss|average_precision_score|precision_recall_curve|roc_curve|"
    r"evaluate|compute_metrics|metrics?\[)"
)
_SLICE = re.compile(
    r"groupby\(|\bslices?\b|\bcohorts?\b|\bsegments?\b|\bper[_ ](group|segment|country|region|cohort)\b|by_group|MetricFrame",
    re.I,
)
_SLICE_RESULTS = re.compile(
    r"\b(slices?|cohorts?|segments?|per[- ](group|country|region|segment))\b", re.I
)


def _reports_slice_results(change: ChangeContext) -> bool:
    """A slice/cohort named next to a number in the description (or the Eval slices field with numbers)."""
    field = change.compact.value("Eval slices")
    if field and re.search(r"\d", field) and not re.match(r"\s*(n\s*/\s*a|none)\b", field, re.I):
        return True
    for paragraph in re.split(r"\n\s*\n", change.body or ""):
        for line in paragraph.splitlines():
            if _SLICE_RESULTS.search(line) and re.search(r"\d", line):
                return True
    return False


@register
class EvalWithoutSlices(ChangeRule):
    id = "MLR604"
    confidence = Confidence.MEDIUM
    message = "evaluation changed with no slice or cohort metrics"
    fix = "Compute the changed metrics per slice (`df.groupby(slice_col)` or fairlearn's MetricFrame) for the cohorts in *Eval slices*, or report slice results in the description."
    doc = RuleDoc(
        what_it_does=(
            "Reports a change that adds or edits metric computation in evaluation code when neither the evaluation "
            "modules group metrics by a slice column (`groupby`, `MetricFrame`, per-cohort loops) nor the "
            "description reports slice results (a line naming a slice or cohort with its numbers, in *Eval slices* "
            "or anywhere in the description). "
            "Only runs in `mle-review review`."
        ),
        why_it_matters=(
            "An aggregate metric can improve while a small, important cohort gets much worse: new users, a country, "
            "a device. The regression is invisible until that cohort complains."
        ),
        example="from sklearn.metrics import roc_auc_score\n\nprint(roc_auc_score(y_test, scores))\n",
        use_instead=(
            "from sklearn.metrics import roc_auc_score\n\n"
            'by_country = df.groupby("country").apply(lambda g: roc_auc_score(g.y, g.score))\n'
        ),
        references=(
            "Mitchell et al., 'Model Cards for Model Reporting' (FAT* 2019): disaggregated evaluation by group",
            "fairlearn `MetricFrame`: metrics computed per sensitive or cohort feature",
        ),
    )

    def check_change(self, change: ChangeContext) -> Iterator[ChangeHit]:
        facts = change.facts
        evals = [
            f
            for f in facts.by_lane("evaluation/promotion")
            if f.module is not None and _METRIC_CALL.search(f.added_text)
        ]
        if not evals:
            return
        if any(_SLICE.search(f.module.source) for f in evals if f.module is not None):
            return
        if _reports_slice_results(change):
            return
        info = evals[0]
        line = next(
            (
                n
                for n, t in zip(info.added_numbers, info.added_text.splitlines(), strict=False)
                if _METRIC_CALL.search(t)
            ),
            info.added_numbers[0],
        )
        yield ChangeHit(
            path=info.path,
            line=line,
            message=f"metrics changed in {info.path} with no slice or cohort breakdown in code or description",
        )
