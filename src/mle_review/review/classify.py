"""What kind of change this is: pipeline lanes, ML-ness, tests, and the MLE task it resembles.

Evidence comes from paths, the roles and imports the engine detected on the
head files, the text of added lines, findings on the change, and the PR
description. Every conclusion keeps a short reason so the summary can say
*why* a lane or task was named.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from mle_review.diff.model import ChangeSet, FileChange, FileStatus, LineKind
from mle_review.engine.context import Role
from mle_review.engine.files import FileKind, classify
from mle_review.knowledge import COMPACT_LABELS, LANES, TASKS
from mle_review.models import Finding
from mle_review.review.model import CompactResult, TaskMatch, TaskOutput

if TYPE_CHECKING:
    from mle_review.engine.context import ModuleContext

ML_LANES: tuple[str, ...] = LANES[:6]  # the lanes that hold ML code (not rollout/monitoring)

_DOC_SUFFIXES = (".md", ".rst", ".adoc", ".txt", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".pdf")
_DOC_PATH = re.compile(
    r"(^|/)(docs?|documentation)/|(^|/)(readme|changelog|license|contributing|authors|notice)[^/]*$",
    re.I,
)
_TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*$|_test\.py$|(^|/)conftest\.py$")
_MODEL_FILE = re.compile(
    r"\.(pkl|pickle|joblib|pt|pth|ckpt|onnx|safetensors|h5|keras|pb|tflite|mlmodel|gguf|xgb|lgb|cbm)$",
    re.I,
)

_LANE_PATHS: dict[str, re.Pattern[str]] = {
    "data contract": re.compile(
        r"(^|/)(data|datasets?|schemas?|contracts?|ingest\w*|etl|sql|labels?|labeling|snapshots?)(/|[._-][^/]*$)|\.sql$|data_contract",
        re.I,
    ),
    "features": re.compile(
        r"(^|/)(features?|feature_\w+|featuri[sz]\w*|preprocess\w*|transforms?|transformers?|encoders?|embeddings?)(/|[._-][^/]*$|\.py$)",
        re.I,
    ),
    "training": re.compile(
        r"(^|/)(train(ing|er)?|fit|experiments?|tuning|hpo|sweeps?)(/|[._-][^/]*$|\.py$)", re.I
    ),
    "evaluation/promotion": re.compile(
        r"(^|/)(eval(uate|uation)?|metrics?|validation|promot(e|ion)|gates?|benchmarks?|backtest\w*)(/|[._-][^/]*$|\.py$)",
        re.I,
    ),
    "artifact": re.compile(
        r"(^|/)(models?|artifacts?|registry|checkpoints?|weights)(/|[._-][^/]*$)|model_card", re.I
    ),
    "serving": re.compile(
        r"(^|/)(serv(e|er|ing)|api|app|inference|infer|endpoints?|handlers?|predictor|scoring|online)(/|[._-][^/]*$|\.py$)"
        r"|(^|/)(predict|score|batch_score|lambda_function)\.py$",
        re.I,
    ),
    "rollout": re.compile(
        r"(^|/)(deploy(ment|ments)?|k8s|kubernetes|helm|charts?|canary|rollout|terraform|infra|manifests?|argo\w*)(/|[._-][^/]*$)"
        r"|(^|/)dockerfile[^/]*$|(^|/)docker-compose[^/]*$",
        re.I,
    ),
    "monitoring": re.compile(
        r"(^|/)(monitor\w*|drift\w*|alert\w*|dashboards?|observab\w*|grafana|prometheus)(/|[._-][^/]*$|\.py$)",
        re.I,
    ),
}
_LANE_TEXT: dict[str, re.Pattern[str]] = {
    "artifact": re.compile(
        r"\b(joblib\.dump|torch\.save|save_model|save_pretrained|log_model|register_model|to_onnx|joblib\.load|torch\.load|"
        r"load_model|from_pretrained|model_uri|model_path|MODEL_PATH|MODEL_URI|model_version|safetensors)\b"
    ),
    "rollout": re.compile(
        r"\b(canary|shadow[_ ]traffic|traffic[_ ]split|rollout|feature[_ ]flag|blue[_-]green)\b",
        re.I,
    ),
    "monitoring": re.compile(
        r"\b(drift|ks_2samp|population[_ ]stability|psi\b|alert(s|ing)?|prometheus_client|evidently|whylogs|nannyml|alibi_detect)",
        re.I,
    ),
    "data contract": re.compile(
        r"\b(pandera|great_expectations|merge_asof|point[_ ]in[_ ]time|snapshot_id|dataset_version|data_version)\b",
        re.I,
    ),
    "features": re.compile(
        r"\b(fit_transform|ColumnTransformer|StandardScaler|OneHotEncoder|SimpleImputer|feature_store|FeatureStore)\b"
    ),
}
_MONITORING_IMPORTS = (
    "evidently",
    "prometheus_client",
    "whylogs",
    "nannyml",
    "alibi_detect",
    "opentelemetry",
)
_RULE_LANES: dict[str, str] = {
    "MLR101": "features",
    "MLR102": "data contract",
    "MLR103": "evaluation/promotion",
    "MLR104": "data contract",
    "MLR105": "data contract",
    "MLR106": "data contract",
    "MLR2": "training",
    "MLR3": "artifact",
    "MLR4": "serving",
    "MLR5": "evaluation/promotion",
}


@dataclass
class FileInfo:
    path: str
    status: FileStatus
    is_test: bool = False
    is_doc: bool = False
    is_binary: bool = False
    lanes: set[str] = field(default_factory=set)
    reasons: dict[str, str] = field(default_factory=dict)
    added_text: str = ""
    added_numbers: list[int] = field(default_factory=list)
    module: ModuleContext | None = None

    @property
    def is_ml(self) -> bool:
        return not self.is_test and not self.is_doc and bool(self.lanes & set(ML_LANES))


@dataclass
class ChangeFacts:
    """Everything classification learned, shared by the checklist, the rules and the tasks."""

    files: list[FileInfo]
    lanes: list[str]
    lane_reasons: dict[str, list[str]]
    description: str
    compact: CompactResult
    findings: list[Finding]

    def by_lane(self, lane: str) -> list[FileInfo]:
        return [f for f in self.files if lane in f.lanes and not f.is_test and not f.is_doc]

    @property
    def ml(self) -> bool:
        return any(f.is_ml for f in self.files)

    @property
    def ml_files(self) -> list[FileInfo]:
        return [f for f in self.files if f.is_ml]

    @property
    def tests_changed(self) -> bool:
        return any(f.is_test and f.status is not FileStatus.DELETED for f in self.files)

    @property
    def docs_only(self) -> bool:
        return bool(self.files) and all(f.is_doc for f in self.files)

    @property
    def added_text(self) -> str:
        return "\n".join(f.added_text for f in self.files if not f.is_doc)

    def modules(self, lane: str | None = None) -> list[ModuleContext]:
        return [
            f.module
            for f in self.files
            if f.module is not None and not f.is_test and (lane is None or lane in f.lanes)
        ]

    def search(
        self,
        pattern: re.Pattern[str],
        code: bool = True,
        description: bool = True,
        paths: bool = True,
    ) -> str | None:
        """Where ``pattern`` occurs first: ``"description"``, a path, or ``"path:line"`` of an added line."""
        if description:
            m = pattern.search(self.description)
            if m:
                start = self.description.rfind("\n", 0, m.start()) + 1
                end = self.description.find("\n", m.end())
                snippet = " ".join(self.description[start : end if end >= 0 else None].split())
                snippet = snippet if len(snippet) <= 80 else snippet[:77] + "..."
                return f'description: "{snippet.lstrip("-*# ")}"'

        if paths:
            m = pattern.search(self._path_text)
            if m:
                return self._path_text[self._path_text.rfind("\n", 0, m.start()) + 1 :].split(
                    "\n", 1
                )[0]
        if code:
            text, starts, owners = self._code_index
            m = pattern.search(text)
            if m:
                k = bisect.bisect_right(starts, m.start()) - 1
                info = owners[k]
                line_index = text.count("\n", starts[k], m.start())
                return f"{info.path}:{_added_line_number(info, line_index)}"
        return None

    @cached_property
    def _path_text(self) -> str:
        return "\n".join(f.path for f in self.files)

    @cached_property
    def _code_index(self) -> tuple[str, list[int], list[FileInfo]]:
        """All added non-doc lines as one text (one regex pass per search), with file offsets."""
        parts: list[str] = []
        starts: list[int] = []
        owners: list[FileInfo] = []
        offset = 0
        for f in self.files:
            if f.is_doc or not f.added_text:
                continue
            starts.append(offset)
            owners.append(f)
            parts.append(f.added_text)
            offset += len(f.added_text) + 1
        return "\n".join(parts), starts, owners


def _added_line_number(info: FileInfo, index: int) -> int:
    return info.added_numbers[index] if index < len(info.added_numbers) else 0


_LABEL_TEXT = re.compile(
    "|".join(re.escape(label) for label in sorted(COMPACT_LABELS, key=len, reverse=True)),
    re.IGNORECASE,
)


def _strip_labels(text: str) -> str:
    """The description without the compact's own labels, so "Eval slices:" is not evidence of slices."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    return _LABEL_TEXT.sub(" ", text)


def _file_info(fc: FileChange, module: ModuleContext | None) -> FileInfo:
    path = fc.path
    lower = path.lower()
    info = FileInfo(path=path, status=fc.status, is_binary=fc.binary)
    added = [
        (ln.new_lineno or 0, ln.text)
        for h in fc.hunks
        for ln in h.lines
        if ln.kind is LineKind.ADDED
    ]
    info.added_text = "\n".join(t for _, t in added)
    info.added_numbers = [n for n, _ in added]
    info.module = module
    kind = classify(path)
    if (module is not None and module.is_test) or (module is None and _TEST_PATH.search(path)):
        info.is_test = True
        return info
    is_doc_path = lower.endswith(_DOC_SUFFIXES) or _DOC_PATH.search(path) is not None
    if (
        kind is None
        and is_doc_path
        and not _MODEL_FILE.search(lower)
        and not re.search(r"requirements[^/]*\.txt$", lower)
    ):
        info.is_doc = True
        return info
    if _MODEL_FILE.search(lower):
        info.lanes.add("artifact")
        info.reasons["artifact"] = f"model file {path}"
    code_like = kind in (FileKind.PYTHON, FileKind.NOTEBOOK)
    if module is not None:
        role_lanes = {
            Role.TRAINING: "training",
            Role.SERVING: "serving",
            Role.EVALUATION: "evaluation/promotion",
        }
        for role, lane in role_lanes.items():
            if module.has_role(role):
                info.lanes.add(lane)
                info.reasons.setdefault(lane, f"{path} is {role.value} code")
        if module.imports.imports_any(*_MONITORING_IMPORTS):
            info.lanes.add("monitoring")
            info.reasons.setdefault("monitoring", f"{path} imports a monitoring library")
    for lane, pattern in _LANE_PATHS.items():
        if pattern.search(path) and (
            code_like or kind is not None or lane in ("rollout", "monitoring", "data contract")
        ):
            if (
                lane in ("training", "serving")
                and module is not None
                and kind is not None
                and not module.has_role(Role.OTHER, Role.TRAINING, Role.SERVING)
            ):
                continue
            info.lanes.add(lane)
            info.reasons.setdefault(lane, f"path {path}")
    if code_like or kind in (FileKind.CONFIG, FileKind.DEPENDENCY) or "rollout" in info.lanes:
        for lane, pattern in _LANE_TEXT.items():
            m = pattern.search(info.added_text)
            if m:
                info.lanes.add(lane)
                info.reasons.setdefault(lane, f"`{m.group(0)}` added in {path}")
    return info


def _findings_lanes(findings: Iterable[Finding]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in findings:
        for prefix, lane in _RULE_LANES.items():
            if f.rule_id.startswith(prefix):
                out.setdefault(lane, f"{f.rule_id} at {f.path}:{f.line}")
                break
    return out


def classify_change(
    changes: ChangeSet,
    modules: dict[str, ModuleContext],
    findings: list[Finding],
    title: str,
    body: str,
    compact: CompactResult,
) -> ChangeFacts:
    files = [_file_info(fc, modules.get(fc.path)) for fc in changes.files]
    lane_reasons: dict[str, list[str]] = {}
    for info in files:
        if info.is_test or info.is_doc:
            continue
        for lane in info.lanes:
            lane_reasons.setdefault(lane, []).append(info.reasons.get(lane, info.path))
    for lane, reason in _findings_lanes(findings).items():
        lane_reasons.setdefault(lane, []).append(reason)
    lanes = [lane for lane in LANES if lane in lane_reasons]
    return ChangeFacts(
        files=files,
        lanes=lanes,
        lane_reasons=lane_reasons,
        description=_strip_labels(f"{title}\n{body}"),
        compact=compact,
        findings=findings,
    )


# --- task simulations -----------------------------------------------------------

_I = re.IGNORECASE
Check = Callable[[ChangeFacts], "str | None"]


def _rx(pattern: str, code: bool = True) -> Check:
    compiled = re.compile(pattern, _I)
    return lambda facts: facts.search(compiled, code=code)


def _compact(*labels: str) -> Check:
    def check(facts: ChangeFacts) -> str | None:
        if all(facts.compact.fields.get(label) == "filled" for label in labels):
            return "compact: " + ", ".join(labels)
        return None

    return check


def _any(*checks: Check) -> Check:
    def check(facts: ChangeFacts) -> str | None:
        for c in checks:
            found = c(facts)
            if found:
                return found
        return None

    return check


def _tests(pattern: str | None = None) -> Check:
    compiled = re.compile(pattern, _I) if pattern else None

    def check(facts: ChangeFacts) -> str | None:
        for f in facts.files:
            if (
                f.is_test
                and f.status is not FileStatus.DELETED
                and (compiled is None or compiled.search(f.added_text) or compiled.search(f.path))
            ):
                return f"test {f.path}"
        return None

    return check


def _compact_complete(facts: ChangeFacts) -> str | None:
    if facts.compact.present and not facts.compact.gaps:
        return "compact: every required field filled"
    return None


def _dependencies(facts: ChangeFacts) -> str | None:
    for f in facts.files:
        if classify(f.path) in (FileKind.DEPENDENCY, FileKind.LOCK):
            return f.path
    return None


_OUTPUT_CHECKS: dict[str, Check] = {
    # MLE-01
    "Iteration Compact": _compact_complete,
    "who cares and decision owner": _compact("Who cares", "Decision owner"),
    "success metric": _compact("Success metric"),
    "unacceptable mistakes": _compact("Unacceptable mistakes"),
    "assumptions and constraints": _compact("Assumptions", "Constraints"),
    "first experiment": _any(_compact("Next experiment"), _rx(r"first experiment", code=False)),
    # MLE-02
    "entity grain": _rx(r"entity (grain|key)|\bgrain\b|one row per|primary key"),
    "label timing and confidence": _any(
        _rx(r"label[ _](delay|timing|lag|time|ts|date|confidence)|labell?ed_at"),
        _compact("Labels and data snapshot"),
    ),
    "feature timing and point-in-time joins": _rx(
        r"point[ _-]in[ _-]time|merge_asof|as_of|event_time|feature_ts|feature timing"
    ),
    "split policy": _rx(
        r"TimeSeriesSplit|GroupKFold|GroupShuffleSplit|StratifiedGroupKFold|split polic|temporal split|split by (time|date|user|entity)|train_test_split|cutoff"
    ),
    "dataset snapshot": _any(
        _compact("Labels and data snapshot"),
        _rx(r"snapshot|dataset[ _]version|data_version|\bdvc\b"),
    ),
    # MLE-03
    "baseline scorer": _any(_compact("Baseline"), _rx(r"baseline|DummyClassifier|DummyRegressor")),
    "confusion matrix": _rx(r"confusion[ _]matrix|ConfusionMatrix"),
    "calibration notes": _rx(r"calibrat|brier"),
    "latency and cost estimate": _rx(r"latency|\bp9[59]\b|cost"),
    "tests for score shape and determinism": _tests(r"shape|determinis|seed|reproduc"),
    # MLE-04
    "feature plan with signal sources": _compact("Candidate signals"),
    "missing-value and outlier handling": _rx(
        r"fillna|SimpleImputer|imput|dropna|isna|\.clip\(|outlier|winsori"
    ),
    "leakage checks": _any(
        _tests(r"leak"), _rx(r"leak(age)? (check|test)|no leakage|checked for leakage", code=False)
    ),
    "train/serve equivalence": _any(
        _tests(r"parity|skew|equivalen|same as training"),
        _rx(r"train[/ _-]serve|parity|skew", code=False),
    ),
    # MLE-05
    "precision, recall, F1, AUC and calibration": _rx(
        r"precision|recall|\bf1\b|\bauc\b|roc_auc|calibrat"
    ),
    "group slices": _any(_compact("Eval slices"), _rx(r"groupby|\bslices?\b|cohort|segment")),
    "latency and cost": _rx(r"latency|\bp9[59]\b|cost"),
    "acceptable error classes": _compact("Acceptable mistakes"),
    # MLE-06
    "false positive and false negative clusters": _rx(
        r"false[ _]positive|false[ _]negative|misclassif"
    ),
    "ambiguous labels and stale features": _rx(r"ambiguous|label noise|noisy label|stale"),
    "bug traces": _rx(r"root cause|traceback|bug trace|repro(duction)? steps", code=False),
    "lessons captured as regressions": _tests(r"regression|bug|issue|#\d+"),
    # MLE-07
    "versioned artifact with preprocessing and config": _rx(
        r"model_version|artifact_version|registry|register_model|Pipeline\(|save_pretrained|version"
    ),
    "dependency constraints": _dependencies,
    "schema validation": _rx(r"\bschema\b|BaseModel|pandera|validate|jsonschema"),
    "safe loading": _rx(r"safetensors|weights_only\s*=\s*True|safe_load|onnx|skops|sha256|digest"),
    "PII-safe logs": _rx(r"redact|\bmask|\bpii\b|anonymi[sz]|pseudonymi[sz]"),
    # MLE-08
    "response envelope with model version": _rx(
        r"model_version|model\.version|\"version\"|'version'"
    ),
    "timeout and fallback": _rx(r"timeout\s*=|\bfallback\b"),
    "batching": _rx(r"\bbatch"),
    "confidence": _rx(r"confidence|predict_proba|probabilit"),
    "feedback logging": _rx(r"feedback"),
    "product-flow tests": _tests(r"TestClient|client\.(post|get)|endpoint|/predict|api"),
    # MLE-09
    "traffic split": _rx(r"traffic|canary|shadow|percent(age)?|weight"),
    "dashboards": _rx(r"dashboard|grafana|looker|datadog"),
    "p95 latency and cost": _rx(r"\bp9[59]\b|latency|cost"),
    "quality guardrails": _any(_compact("Guardrail metrics"), _rx(r"guardrail")),
    "rollback artifact and trigger": _any(
        _compact("Rollback or fallback"), _rx(r"rollback|roll back", code=False)
    ),
    # MLE-10
    "Observation Ledger": _rx(r"observation ledger|lesson captured|metric movement", code=False),
    "drift checks": _rx(r"drift|ks_2samp|population[ _]stability|\bpsi\b"),
    "delayed-label health": _rx(r"delayed[ _-]label|label[ _](delay|lag|health)"),
    "alert owners and runbook": _rx(r"alert|runbook|on[ -]?call|pager"),
    "retrain criteria": _rx(r"retrain"),
}

# task id -> signals that it matches: (lanes, description/path/code pattern)
_TASK_SIGNALS: dict[str, tuple[tuple[str, ...], str]] = {
    "MLE-01": ((), r"\b(frame|framing|proposal|design doc|new model|problem statement)\b"),
    "MLE-02": (("data contract",), r"\b(label(s|ing)?|split|snapshot|dataset|mistake budget)\b"),
    "MLE-03": ((), r"\b(baseline|DummyClassifier|LogisticRegression|scorer)\b"),
    "MLE-04": (("features",), r"\b(feature|signal|encoder|embedding)s?\b"),
    "MLE-05": (
        ("evaluation/promotion",),
        r"\b(threshold|tun(e|ing)|hyperparam\w*|GridSearchCV|optuna|calibrat\w*)\b",
    ),
    "MLE-06": (
        (),
        r"\b(error analysis|false positives?|false negatives?|misclassif\w*|confusion)\b",
    ),
    "MLE-07": (("artifact",), r"\b(package|artifact|serializ\w*|onnx|registry)\b"),
    "MLE-08": (("serving",), r"\b(endpoint|serving|inference|batch scoring|fastapi)\b"),
    "MLE-09": (("rollout",), r"\b(canary|shadow|a/b|rollout|traffic)\b"),
    "MLE-10": (("monitoring",), r"\b(drift|monitor\w*|alert\w*|retrain\w*|incident)\b"),
}


def match_tasks(facts: ChangeFacts, limit: int = 3) -> list[TaskMatch]:
    """The task simulations this change most resembles, best first, with their required outputs."""
    if facts.docs_only or not facts.files:
        return []
    scored: list[tuple[int, TaskMatch]] = []
    new_ml = [f for f in facts.ml_files if f.status is FileStatus.ADDED]
    for task in TASKS:
        lanes, pattern = _TASK_SIGNALS[task.id]
        reasons: list[str] = []
        score = 0
        for lane in lanes:
            if lane in facts.lanes:
                score += 3
                reasons.append(f"touches the {lane} lane")
        compiled = re.compile(pattern, re.IGNORECASE)
        where = facts.search(compiled)
        if where:
            score += 2 if where.startswith("description") else 1
            reasons.append(f"matching terms in {where}")
        if task.id == "MLE-01" and facts.ml_files and len(new_ml) * 2 >= len(facts.ml_files):
            score += 2
            reasons.append("most ML files are new")
        if (
            task.id == "MLE-04"
            and "training" in facts.lanes
            and "features" not in facts.lanes
            and facts.search(
                re.compile(r"fit_transform|ColumnTransformer|\bfeatures?\b"),
                description=False,
                paths=False,
            )
        ):
            score += 1
            reasons.append("training code adds feature transformations")
        if score < 3:
            continue
        outputs = [
            TaskOutput(name=name, provided=bool(found), evidence=found or "")
            for name, found in (
                (name, _OUTPUT_CHECKS[name](facts)) for name in task.required_outputs
            )
        ]
        scored.append(
            (score, TaskMatch(id=task.id, title=task.title, reasons=reasons, outputs=outputs))
        )
    scored.sort(key=lambda item: (-item[0], item[1].id))
    return [m for _, m in scored[:limit]]
