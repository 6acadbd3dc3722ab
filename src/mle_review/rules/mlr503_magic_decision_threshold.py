"""MLR503 magic-decision-threshold: a probability cutoff typed into serving or evaluation code."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mle_review.engine.context import ModuleContext, Role, dotted_name
from mle_review.rules._pipeline_common import scope_body, scope_statements, walk_order
from mle_review.rules.base import Hit, Rule, RuleDoc, register

# A name that by itself says "probability-like model output".
_STRONG = re.compile(
    r"proba|(^|_)(probs?|probabilit\w*|confidences?|likelihoods?|propensit\w*)($|_)|^p_(churn|fraud|default|click|buy|positive)",
    re.I,
)
# Names that are probabilities only when they come from a model call.
_WEAK = re.compile(r"pred|score|risk|y_?hat|output|^out$|^p$|^p_", re.I)
# Names that look like scores but are monitoring or data-quality statistics, not decisions.
_NOT_DECISION = re.compile(
    r"drift|psi|p_?val|ks_|missing|null|ratio|rate|fraction|share|corr|similar|coverage|auc|f1|precision|"
    r"recall|accuracy|interval|width|level|calibration|ece|brier",
    re.I,
)
_MODEL_CALL = re.compile(
    r"(^|\.)(predict_proba|predict|decision_function|predict_log_proba|sigmoid|softmax|expit|forward|"
    r"__call__|score_samples|inference|infer|run)$"
)
# Objects whose `.probability`/`.confidence` is a model's output (not a rule's or a pattern's).
_PREDICTION_OWNER = re.compile(
    r"pred|result|output|response|score|inference|model|classif|detection|label", re.I
)
_ORDER_OPS = (ast.Gt, ast.GtE, ast.Lt, ast.LtE)


def _cutoff(node: ast.AST) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, float) and 0.0 < node.value < 1.0:
        return node.value
    return None


@register
class MagicDecisionThreshold(Rule):
    id = "MLR503"
    message = "hardcoded probability cutoff in serving or evaluation code"
    fix = "Name the threshold and load it from config (or store it with the model), e.g. `proba >= cfg.decision_threshold`."
    doc = RuleDoc(
        what_it_does=(
            "In serving and evaluation code, reports a comparison between a model's probability-like output and "
            "a float literal strictly between 0 and 1: `model.predict_proba(X)[:, 1] >= 0.5`, "
            "`torch.sigmoid(logits) > 0.7`, `proba > 0.35`, `np.where(scores >= 0.8, ...)`. An output counts "
            "when it is a model call (`predict_proba`, `predict`, `decision_function`, `sigmoid`, `softmax`) or a "
            "variable or column named like a probability (`proba`, `prob`, `confidence`, `propensity`), or named "
            "like a prediction/score and assigned from a model call in the same function. A local variable "
            "holding the literal inside the function is followed to the comparison. Named module constants "
            "(`THRESHOLD = 0.7`), config attributes, function parameters and tests are never reported, nor are "
            "monitoring statistics such as drift, PSI, p-values or rates."
        ),
        why_it_matters=(
            "The cutoff is a product decision: it sets the trade-off between false positives and false "
            "negatives, and it must move when the model is retrained or recalibrated, or when the positive rate "
            "shifts. A literal buried in a handler cannot be changed without a deploy, is invisible to whoever "
            "tunes the model, and is easy to leave at a value chosen for an older model, so precision/recall in "
            "production silently drift away from what was evaluated."
        ),
        example=(
            '@app.post("/score")\n'
            "def score(req: ScoreRequest):\n"
            "    proba = model.predict_proba(to_frame(req))[:, 1]\n"
            '    return {"churn": bool(proba[0] > 0.62)}\n'
        ),
        use_instead=(
            '@app.post("/score")\n'
            "def score(req: ScoreRequest):\n"
            "    proba = model.predict_proba(to_frame(req))[:, 1]\n"
            '    return {"churn": bool(proba[0] >= settings.decision_threshold),\n'
            '            "threshold": settings.decision_threshold}\n'
        ),
        options="Low severity by default. Suppress a deliberate, documented cutoff with `# mle-review: ignore[MLR503] <reason>`.",
        references=(
            "scikit-learn user guide, 'Tuning the decision threshold for class prediction' (`TunedThresholdClassifierCV`)",
            "Google 'Rules of ML': keep thresholds and other tunable policy out of code",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test or not ctx.has_role(Role.SERVING, Role.EVALUATION):
            return
        # every cutoff is a float literal in (0, 1), compared directly or through a local
        if not any(
            isinstance(value := c.value, float) and 0.0 < value < 1.0
            for c in ctx.nodes(ast.Constant)
        ):
            return  # ``_cutoff`` inline: this runs over every constant of the file
        found: list[tuple[ast.Compare, Hit]] = []
        for node in ctx.nodes(ast.Compare):
            if len(node.ops) != 1 or not isinstance(node.ops[0], _ORDER_OPS):
                continue
            left, right = node.left, node.comparators[0]
            for value_side, cut_side in ((left, right), (right, left)):
                cut = _cutoff(cut_side)
                local = None
                if cut is None and isinstance(cut_side, ast.Name):
                    cut, local = self._local_literal(ctx, node, cut_side.id)
                if cut is None:
                    continue
                what = self._probability(ctx, node, value_side)
                if what is None:
                    continue
                via = f" (through the local `{local}`)" if local else ""
                hit = Hit.at(
                    node,
                    f"{what} is compared with the hardcoded cutoff {cut:g}{via}: the decision threshold is "
                    "not named, configured or versioned with the model",
                    fix=(
                        "Move the cutoff into configuration or the model's metadata (e.g. "
                        "`settings.decision_threshold`, chosen on validation data and saved with the model) and "
                        "compare against that; return it in the response if clients depend on it."
                    ),
                )
                found.append((node, hit))
                break
        if len(found) > 1:  # in the order a tree walk meets the comparisons, as always
            found.sort(key=lambda pair: walk_order(ctx, pair[0]))
        for _node, hit in found:
            yield hit

    @staticmethod
    def _local_literal(
        ctx: ModuleContext, at: ast.AST, name: str
    ) -> tuple[float | None, str | None]:
        """A lower-case variable assigned a cutoff literal in the same function (not module constants)."""
        func = ctx.enclosing_function(at)
        if func is None:
            return None, None
        params = {a.arg for a in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]}
        if name in params:
            return None, None
        values: list[float | None] = []
        for node in scope_statements(func):  # assignments are statements
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                values.append(_cutoff(node.value))
            elif (
                isinstance(node, (ast.AnnAssign, ast.AugAssign))
                and isinstance(node.target, ast.Name)
                and node.target.id == name
            ):
                values.append(_cutoff(node.value) if node.value is not None else None)
        if len(values) == 1 and values[0] is not None:
            return values[0], name
        return None, None

    def _probability(self, ctx: ModuleContext, cmp: ast.Compare, expr: ast.expr) -> str | None:
        """Describe ``expr`` when it is a model's probability-like output, else None."""
        text = ast.unparse(expr)
        if len(text) > 60:
            text = text[:57] + "..."
        base: ast.expr = expr
        while isinstance(base, ast.Subscript):
            key = base.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                # row["churn_prob"], df["score"]
                if _NOT_DECISION.search(key.value):
                    return None
                if _STRONG.search(key.value):
                    return f"`{text}`"
                if _WEAK.search(key.value) and ctx.has_role(Role.SERVING):
                    return f"`{text}`"
            base = base.value
        if isinstance(base, ast.Call):
            name = dotted_name(base.func) or ""
            if _MODEL_CALL.search(name) and not _NOT_DECISION.search(name):
                return f"the model output `{text}`"
            if isinstance(base.func, ast.Attribute) and base.func.attr in (
                "item",
                "max",
                "squeeze",
                "flatten",
                "ravel",
                "numpy",
                "cpu",
            ):
                return self._probability(ctx, cmp, base.func.value)
            return None
        if isinstance(base, ast.Attribute):
            if _NOT_DECISION.search(base.attr) or not _STRONG.search(base.attr):
                return None
            owner = dotted_name(base.value) or ""
            return f"`{text}`" if _PREDICTION_OWNER.search(owner) else None
        if not isinstance(base, ast.Name) or _NOT_DECISION.search(base.id):
            return None
        if _STRONG.search(base.id):
            return f"the probability `{text}`"
        if _WEAK.search(base.id) and self._from_model(ctx, cmp, base.id):
            return f"the model score `{text}`"
        return None

    @staticmethod
    def _from_model(ctx: ModuleContext, at: ast.AST, name: str) -> bool:
        scope = scope_body(ctx, at)
        for node in scope_statements(scope):  # assignments are statements
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                for sub in ast.walk(node.value):
                    if isinstance(sub, ast.Call) and _MODEL_CALL.search(
                        dotted_name(sub.func) or ""
                    ):
                        return True
        return False
