"""The bundled example change (``examples/review``): consistent with ``examples/`` and reviewed sensibly.

``change.diff`` describes a pull request whose head is the current
``examples/`` tree. It is generated from the head files by undoing the edits
listed in ``PR_EDITS``; if ``examples/`` changes, rerun with
MLE_REVIEW_UPDATE_SNAPSHOTS=1 to regenerate it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mle_review.diff import parse_diff
from mle_review.review import run_review
from mle_review.review.analysis import reverse_apply
from mle_review.rules import load_all

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHANGE = EXAMPLES / "review" / "change.diff"
DESCRIPTION = EXAMPLES / "review" / "pr_description.md"

# path -> list of (text at head, text before the PR); a None "before" file means the PR added it
PR_EDITS: dict[str, list[tuple[str, str]] | None] = {
    "serve/app.py": None,
    "churn/train.py": [
        (
            "    scaler = StandardScaler()\n    X[NUMERIC_COLUMNS] = scaler.fit_transform(X[NUMERIC_COLUMNS])\n\n",
            "",
        ),
        (
            "RandomForestClassifier(n_estimators=300, max_depth=8)",
            "RandomForestClassifier(n_estimators=100, random_state=0)",
        ),
        (
            '{"model": model, "scaler": scaler, "columns": list(X.columns)}',
            '{"model": model, "columns": list(X.columns)}',
        ),
        ("from sklearn.preprocessing import StandardScaler\n", ""),
    ],
    "churn/features.py": [
        (
            "def add_ratios(df: pd.DataFrame) -> pd.DataFrame:\n    out = df.copy()\n"
            '    out["charges_per_month_of_tenure"] = out["monthly_charges"] / (out["tenure_months"] + 1)\n'
            '    out["tickets_per_login"] = out["support_tickets_90d"] / (out["logins_30d"] + 1)\n'
            '    out["log_monthly_charges"] = np.log1p(out["monthly_charges"])\n    return out\n\n\n',
            "",
        ),
        ("return encode_categoricals(add_ratios(df))", "return encode_categoricals(df)"),
    ],
    "churn/evaluate.py": [("predicted = proba > 0.35", "predicted = proba > 0.5")],
}


def _before(path: str, head: str) -> str | None:
    edits = PR_EDITS[path]
    if edits is None:
        return None
    text = head
    for at_head, before in edits:
        assert at_head in text, f"examples/{path} no longer contains {at_head!r}; update PR_EDITS"
        text = text.replace(at_head, before, 1)
    return text


def build_diff() -> str:
    out: list[str] = []
    for path in PR_EDITS:
        head = (EXAMPLES / path).read_text(encoding="utf-8")
        before = _before(path, head)
        out.append(f"diff --git a/{path} b/{path}\n")
        if before is None:
            out.append("new file mode 100644\n")
        lines = difflib.unified_diff(
            (before or "").splitlines(keepends=True),
            head.splitlines(keepends=True),
            "/dev/null" if before is None else f"a/{path}",
            f"b/{path}",
            n=3,
        )
        out.extend(lines)
    return "".join(out)


def test_example_change_matches_the_examples_tree() -> None:
    expected = build_diff()
    if os.environ.get("MLE_REVIEW_UPDATE_SNAPSHOTS") or not CHANGE.exists():
        CHANGE.write_text(expected, encoding="utf-8")
    assert CHANGE.read_text(encoding="utf-8") == expected, (
        "regenerate with MLE_REVIEW_UPDATE_SNAPSHOTS=1"
    )
    for fc in parse_diff(CHANGE.read_text(encoding="utf-8")).files:
        head = (EXAMPLES / fc.path).read_text(encoding="utf-8")
        assert reverse_apply(head, fc) is not None, fc.path


def test_example_review_reads_like_a_senior_review(cli: Callable[..., Any]) -> None:
    report = run_review(
        CHANGE.read_text(encoding="utf-8"), EXAMPLES, body=DESCRIPTION.read_text(encoding="utf-8")
    )
    rules = {f.rule_id for f in report.findings}
    assert report.decision.value == "BLOCK"
    # the new endpoint's problems are on added lines
    assert {"MLR301", "MLR402"} <= rules
    if "MLR101" in load_all():  # the scaler fit before the split is a new leak
        leak = next(f for f in report.findings if f.rule_id == "MLR101")
        assert leak.path == "churn/train.py"
        assert report.anchors[leak.fingerprint].startswith("churn/train.py:")
    # the PR leaves the compact's rollout and guardrail fields open and adds no tests
    assert {"MLR601", "MLR602"} <= rules
    assert report.compact.fields["Guardrail metrics"] == "placeholder"
    assert report.compact.fields["Rollback or fallback"] == "placeholder"
    assert "serving" in report.lanes and "training" in report.lanes
    # evaluate.py's untouched joblib.load is not part of this change
    assert not [
        f for f in report.findings if f.path == "churn/evaluate.py" and f.rule_id == "MLR301"
    ]
    md = cli(
        "review", "--diff", str(CHANGE), "--repo", str(EXAMPLES), "--pr-body", str(DESCRIPTION)
    )
    assert md.code == 1 and "mle-review: BLOCK" in md.out
