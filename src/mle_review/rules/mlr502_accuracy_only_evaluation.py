"""MLR502 accuracy-only-evaluation: a classifier judged by accuracy and nothing else."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import chain

from mle_review.engine.astutil import call_kwarg
from mle_review.engine.context import ModuleContext, ProjectContext, Role, dotted_name, has_word
from mle_review.rules._pipeline_common import (
    LatestMemo,
    identifiers,
    scope_body,
    walk_order,
)
from mle_review.rules.base import Hit, Rule, RuleDoc, register

_ACCURACY_CALLS = re.compile(
    r"^(sklearn\.metrics(\._classification)?\.accuracy_score"
    r"|torchmetrics(\.functional)?(\.classification)?\.(accuracy|Accuracy|BinaryAccuracy|MulticlassAccuracy|binary_accuracy|multiclass_accuracy)"
    r"|(tensorflow\.)?(tf_)?keras\.metrics\.(Accuracy|BinaryAccuracy|CategoricalAccuracy|SparseCategoricalAccuracy|accuracy|binary_accuracy))$"
)
# Any of these anywhere in the module means accuracy is not reported alone. Three spellings:
# snake_case (bounded so "process" is not "roc"), CamelCase classes, and upper-case acronyms.
_OTHER_METRICS = re.compile(
    r"(?<![a-z0-9])(precision|recall|f1|fbeta|f_beta|roc|auc|auroc|auprc|average_precision|confusion|"
    r"classification_report|log_?loss|brier|calibrat|matthews|mcc|kappa|balanced_accuracy|ece|hamming|"
    r"jaccard|specificity|sensitivity|hit_rate|top_k_accuracy)"
    r"|(Precision|Recall|FBeta|Roc|Auc|Confusion|Calibrat|Brier|LogLoss|Matthews|CohenKappa|Specificity)"
    r"|(?<![A-Za-z])(AUC|ROC|AUROC|AUPRC|F1|MCC|ECE)(?![a-z])"
    r"|mlflow\.evaluate"
)
# Tokens that contain a metric word but are about numerics, not evaluation.
_NOT_METRIC = re.compile(
    r"mixed.?precision|matmul.?precision|float\d*.?precision|print.?options", re.I
)


# A finding needs one of these in the source: an accuracy name, `evaluate`, a `.score(...)` call,
# cross_val_score, or a hand-computed `==` that is averaged or summed. Tested as plain substrings
# (a regex alternation costs far more per character than a substring search).
_AVERAGED = ("mean", "average", "sum", "count_nonzero")


def _may_measure_accuracy(ctx: ModuleContext) -> bool:
    """Cheap prefilter, weaker than every detector below (identifiers are verbatim in ASCII source)."""
    source = ctx.source
    if not source.isascii():
        return True
    if "ccuracy" in source or "evaluate" in source:
        return True
    if "score" in source and ("cross_val_score" in source or has_word(source, "score")):
        return True
    return "==" in source and any(word in source for word in _AVERAGED)


_RICH_MODULES: LatestMemo[str, list[ModuleContext]] = LatestMemo()


def _richly_evaluating_modules(project: ProjectContext) -> list[ModuleContext]:
    """Non-test, non-notebook modules that call a metric richer than accuracy (once per scan).

    Call names are built from identifiers and imported module paths, so in ASCII
    source a module can only qualify when its text matches the metric pattern
    (or mentions mlflow, whose ``evaluate`` may be imported bare).
    """
    memo = _RICH_MODULES.of(project)
    found = memo.get("modules")
    if found is None:
        found = memo["modules"] = [
            other
            for other in project.modules
            if not other.is_test
            and other.notebook is None
            and (
                not other.source.isascii()
                or "mlflow" in other.source
                or _OTHER_METRICS.search(other.source)
            )
            and _richer(other.call_name(c) or "" for c in other.calls)
        ]
    return found


def _richer(tokens: Iterable[str]) -> bool:
    """Does a token name a metric richer than accuracy? Stops at the first such token (names
    repeat, so short tokens' verdicts are cached)."""
    return any(_rich_name(t) if len(t) <= 64 else _rich_token(t) for t in tokens)


def _rich_token(token: str) -> bool:
    return (
        token not in _ACCURACY_STRINGS
        and bool(_OTHER_METRICS.search(token))
        and not _NOT_METRIC.search(token)
    )


# Names repeat across the files of a project, so their verdict is kept (long strings are not).
_rich_name = lru_cache(maxsize=16384)(_rich_token)


def _may_compute_accuracy(ctx: ModuleContext) -> bool:
    """Can any detector below find an accuracy computation? (Weaker than each: accuracy names
    contain "ccuracy" (``Accuracy`` too), ``metrics=["acc"]`` "acc", ``.score(X, y)`` needs the
    identifier ``score``, a hand-computed accuracy an ``==`` other than the ``__main__`` guard.)"""
    source = ctx.source
    if not source.isascii() or "ccuracy" in source or "acc" in source:
        return True
    if "cross_val_score" in source:
        return True
    if has_word(source, "score") and any(a.attr == "score" for a in ctx.nodes(ast.Attribute)):
        return True
    guards = source.count('__name__ == "__main__"') + source.count("__name__ == '__main__'")
    return source.count("==") > guards


_TEST_SPLIT = re.compile(r"(^|_)test($|_)|^test|test$", re.I)


def _mentions_test_split(ctx: ModuleContext) -> bool:
    return any(_TEST_SPLIT.search(n.id) for n in ctx.nodes(ast.Name))


def _on_test_split(node: ast.AST) -> bool:
    """Is the accuracy computed on the test split (``accuracy_score(y_test, ...)``)?"""
    return any(isinstance(n, ast.Name) and _TEST_SPLIT.search(n.id) for n in ast.walk(node))


class _EntryPath:
    """The code a script's ``if __name__ == "__main__":`` block runs: the block and the
    module's functions it calls, directly or through each other."""

    def __init__(self, block: ast.If, functions: set[ast.AST]) -> None:
        self.block = block
        self.functions = functions

    def covers(self, ctx: ModuleContext, node: ast.AST) -> bool:
        scope = scope_body(ctx, node)
        if scope in self.functions:
            return True
        cur = ctx.parents.get(node)
        while cur is not None and cur is not self.block:
            cur = ctx.parents.get(cur)
        return cur is self.block


def _main_block(ctx: ModuleContext) -> ast.If | None:
    for stmt in ctx.tree.body:
        if (
            isinstance(stmt, ast.If)
            and isinstance(stmt.test, ast.Compare)
            and isinstance(stmt.test.left, ast.Name)
            and stmt.test.left.id == "__name__"
            and any(
                isinstance(c, ast.Constant) and c.value == "__main__" for c in stmt.test.comparators
            )
        ):
            return stmt
    return None


def _entry_path_without_richer_metrics(ctx: ModuleContext) -> _EntryPath | None:
    """A script whose entry point reports accuracy alone, while a richer metric is computed
    only by code the entry point never runs (another function of the file): the entry path.
    None when there is no ``__main__`` block or the entry path computes a richer metric."""
    block = _main_block(ctx)
    if block is None:
        return None
    local = {f.name: f for f in ctx.functions if isinstance(ctx.parents.get(f), ast.Module)}
    reached: set[ast.AST] = set()
    pending: list[ast.AST] = [block]
    while pending:
        for node in ast.walk(pending.pop()):
            if isinstance(node, ast.Name) and node.id in local:
                func = local[node.id]
                if func not in reached:
                    reached.add(func)
                    pending.append(func)
    tokens = (tok for part in [block, *reached] for tok in identifiers(part))
    if _richer(tokens):
        return None
    return _EntryPath(block, reached)


_CLASSIFIER_CTOR = re.compile(
    r"Classifier(CV)?$|LogisticRegression(CV)?$|(^|\.)(SVC|LinearSVC|NuSVC|GaussianNB|MultinomialNB|BernoulliNB|"
    r"ComplementNB|CategoricalNB|Perceptron|QuadraticDiscriminantAnalysis|LinearDiscriminantAnalysis)$"
)
_REGRESSOR = re.compile(
    r"Regressor$|^(LinearRegression|Ridge|Lasso|ElasticNet|SVR|LinearSVR|HuberRegressor)$"
)
_CLASSIFIER_NAME = re.compile(r"clf|classifier", re.I)
_CLASSIFIER_HINT = re.compile(
    r"Classifier|LogisticRegression|predict_proba|CrossEntropy|BCE|softmax|sigmoid|argmax|num_classes|"
    r"num_labels|n_classes|ForSequenceClassification|classif|binary_crossentropy|categorical_crossentropy|SVC",
)
_PRED = re.compile(r"pred|yhat|y_hat|guess|output|argmax", re.I)
_LABEL = re.compile(
    r"^(y|y_\w+|labels?|targets?|truth|gt|ground_truth|\w*_labels?|\w*_true|\w*_target)$", re.I
)
_ACCURACY_STRINGS = frozenset(
    {"accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy"}
)


@register
class AccuracyOnlyEvaluation(Rule):
    id = "MLR502"
    message = "classifier evaluated by accuracy alone"
    fix = "Report per-class precision/recall (or F1), a confusion matrix and ROC/PR AUC next to accuracy; check calibration when scores are used as probabilities."
    doc = RuleDoc(
        what_it_does=(
            "Reports where a classifier's evaluation computes accuracy (`accuracy_score`, torchmetrics/Keras "
            'accuracy metrics, `evaluate.load("accuracy")`, `clf.score(X, y)` on a classifier, '
            '`cross_val_score` on a classifier with the default or `"accuracy"` scoring, Keras '
            '`compile(metrics=["accuracy"])` followed by `evaluate`, or the hand-written '
            "`(y_pred == y_test).mean()`) and the same module computes no other classification metric: no "
            "precision, recall, F1, ROC/PR AUC, confusion matrix, classification report, log loss, Brier score or "
            "calibration. Regressors are ignored (`.score` on a regressor is R²), so are tests. Training modules "
            "are also quiet when another module of the project evaluates the classifier with richer metrics, "
            "because per-epoch accuracy there is progress logging. The first accuracy computation per function "
            "is reported."
        ),
        why_it_matters=(
            "Accuracy hides exactly the failures that matter in production: on a 5%-positive problem a model that "
            "never predicts the positive class scores 95%. It says nothing about which errors the model makes, "
            "how they trade off at a different threshold, or whether the scores can be read as probabilities, so "
            "a promotion decision based on it can ship a model that is useless on the minority class."
        ),
        example=(
            'y_pred = clf.predict(X_test)\nprint("accuracy", accuracy_score(y_test, y_pred))\n'
        ),
        use_instead=(
            "y_pred = clf.predict(X_test)\n"
            "print(classification_report(y_test, y_pred))\n"
            "print(confusion_matrix(y_test, y_pred))\n"
            'print("PR AUC", average_precision_score(y_test, clf.predict_proba(X_test)[:, 1]))\n'
        ),
        references=(
            "scikit-learn user guide, 'Metrics and scoring': classification metrics and the accuracy paradox",
            "Saito & Rehmsmeier (2015), precision-recall plots are more informative than ROC on imbalanced data",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test or not _may_measure_accuracy(ctx):
            return
        # Where findings may be: everywhere, or (richer metrics elsewhere in the file) only the
        # code the `__main__` block runs, when none of it computes a richer metric.
        entry: _EntryPath | None = None
        if self._richer_metrics(ctx):
            if not _may_compute_accuracy(ctx):
                return
            entry = _entry_path_without_richer_metrics(ctx)
            if entry is None:
                return
        # A training module whose project evaluates properly elsewhere: its own accuracy is
        # monitoring, unless it is measured on the test split (this file's final evaluation).
        test_split_only = entry is None and self._evaluated_elsewhere(ctx)
        if test_split_only and not _mentions_test_split(ctx):
            return
        classifiers = self._classifier_names(ctx)
        code_names = [n.id for n in ctx.nodes(ast.Name)] + [
            n.attr for n in ctx.nodes(ast.Attribute)
        ]
        hinted = any(_CLASSIFIER_HINT.search(tok) for tok in code_names) and not (
            any(_REGRESSOR.search(tok) for tok in code_names) and not classifiers
        )
        evaluates = any((dotted_name(c.func) or "").endswith(".evaluate") for c in ctx.calls)
        found: list[tuple[ast.AST, str]] = []
        for call in ctx.nodes(ast.Call):
            what = self._accuracy_call(ctx, call, classifiers, evaluates)
            if what is not None:
                found.append((call, what))
        if hinted:
            for cmp in ctx.nodes(ast.Compare):
                what = self._manual_accuracy(ctx, cmp)
                if what is not None:
                    found.append((cmp, what))
        if len(found) > 1:  # one finding per scope: the first a tree walk meets, as always
            found.sort(key=lambda pair: walk_order(ctx, pair[0]))
        reported_scopes: set[int] = set()
        for node, what in found:
            if entry is not None and not entry.covers(ctx, node):
                continue
            if test_split_only and not _on_test_split(node):
                continue
            scope = id(scope_body(ctx, node))
            if scope in reported_scopes:
                continue
            reported_scopes.add(scope)
            yield Hit.at(
                node,
                f"{what} is the only metric this classifier is judged by: no precision/recall, F1, ROC/PR AUC, "
                "confusion matrix or calibration is computed",
                fix=(
                    "Add `classification_report(y_true, y_pred)` and `confusion_matrix(...)`, a ranking metric "
                    "such as `roc_auc_score`/`average_precision_score` on the scores, and a calibration check when "
                    "the probabilities drive decisions."
                ),
            )

    @staticmethod
    def _richer_metrics(ctx: ModuleContext) -> bool:
        """``identifiers(ctx.tree)`` checked from the node index instead of a tree walk."""
        tokens = chain(
            (n.id for n in ctx.nodes(ast.Name)),
            (n.attr for n in ctx.nodes(ast.Attribute)),
            (n.value for n in ctx.nodes(ast.Constant) if isinstance(n.value, str)),
            (n.arg for n in ctx.nodes(ast.arg)),
        )
        return _richer(tokens)

    @staticmethod
    def _evaluated_elsewhere(ctx: ModuleContext) -> bool:
        """A training module whose project evaluates the classifier properly in another module."""
        if (
            ctx.notebook is not None
            or not ctx.has_role(Role.TRAINING)
            or re.search(r"(^|/)(eval\w*|metrics?|report\w*)(\.py|\.ipynb|/)", ctx.path)
        ):
            return False
        return any(other is not ctx for other in _richly_evaluating_modules(ctx.project))

    @staticmethod
    def _classifier_names(ctx: ModuleContext) -> set[str]:
        names: set[str] = set()
        for node in ctx.nodes(ast.Assign):
            if isinstance(node.value, ast.Call):
                ctors = [
                    dotted_name(c.func) or ""
                    for c in ast.walk(node.value)
                    if isinstance(c, ast.Call)
                ]
                if any(_CLASSIFIER_CTOR.search(c) for c in ctors):
                    for target in node.targets:
                        name = dotted_name(target)
                        if name:
                            names.add(name)
        return names

    def _is_classifier(self, expr: ast.expr, classifiers: set[str]) -> bool:
        name = dotted_name(expr) or ""
        if isinstance(expr, ast.Call):
            return bool(_CLASSIFIER_CTOR.search(dotted_name(expr.func) or ""))
        return name in classifiers or bool(_CLASSIFIER_NAME.search(name))

    def _accuracy_call(
        self, ctx: ModuleContext, call: ast.Call, classifiers: set[str], evaluates: bool
    ) -> str | None:
        qual = ctx.qualname(call) or ""
        if _ACCURACY_CALLS.search(qual):
            return f"`{qual.rsplit('.', 1)[-1]}`"
        if (
            qual == "evaluate.load"
            and call.args
            and isinstance(call.args[0], ast.Constant)
            and call.args[0].value == "accuracy"
        ):
            return '`evaluate.load("accuracy")`'
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "score"
            and len(call.args) >= 2
            and not qual
        ):
            if self._is_classifier(func.value, classifiers):
                return f"`{dotted_name(func) or 'score'}(X, y)` (mean accuracy for a classifier)"
            return None
        if qual == "sklearn.model_selection.cross_val_score" and call.args:
            scoring = call_kwarg(call, "scoring")
            default = scoring is None and self._is_classifier(call.args[0], classifiers)
            named = isinstance(scoring, ast.Constant) and scoring.value == "accuracy"
            if default or named:
                return "`cross_val_score` with accuracy scoring"
            return None
        if isinstance(func, ast.Attribute) and func.attr == "compile" and evaluates:
            metrics = call_kwarg(call, "metrics")
            if (
                isinstance(metrics, (ast.List, ast.Tuple))
                and metrics.elts
                and all(
                    isinstance(e, ast.Constant) and e.value in _ACCURACY_STRINGS
                    for e in metrics.elts
                )
            ):
                return 'Keras `compile(metrics=["accuracy"])`'
        return None

    def _manual_accuracy(self, ctx: ModuleContext, cmp: ast.Compare) -> str | None:
        if len(cmp.ops) != 1 or not isinstance(cmp.ops[0], ast.Eq):
            return None
        left, right = cmp.left, cmp.comparators[0]
        sides = [" ".join(identifiers(left)), " ".join(identifiers(right))]
        left_label = isinstance(left, ast.Name) and bool(_LABEL.match(left.id))
        right_label = isinstance(right, ast.Name) and bool(_LABEL.match(right.id))
        if not (
            (_PRED.search(sides[0]) and right_label) or (_PRED.search(sides[1]) and left_label)
        ):
            return None
        # Only an average of the elementwise comparison is an accuracy:
        # (a == b).mean(), np.mean(a == b), (a == b).sum() / n, torch.sum(a == b).item() / n
        node: ast.AST = cmp
        summed = False
        for _ in range(6):
            parent = ctx.parents.get(node)
            if isinstance(parent, ast.Attribute):
                if parent.attr == "mean":
                    return "a hand-computed accuracy (`(pred == label).mean()`)"
                if parent.attr == "sum":
                    summed = True
                elif parent.attr not in ("float", "double", "item", "astype", "to", "numpy", "cpu"):
                    return None
            elif isinstance(parent, ast.Call):
                if parent.func is not node:
                    last = (dotted_name(parent.func) or "").rsplit(".", 1)[-1]
                    if last in ("mean", "average"):
                        return "a hand-computed accuracy (`mean(pred == label)`)"
                    if last in ("sum", "count_nonzero"):
                        summed = True
                    elif last not in ("float", "int"):
                        return None
            elif (
                isinstance(parent, ast.BinOp)
                and isinstance(parent.op, ast.Div)
                and summed
                and parent.left is node
            ):
                return "a hand-computed accuracy (`sum(pred == label) / n`)"
            elif (
                isinstance(parent, ast.AugAssign)
                and isinstance(parent.op, ast.Add)
                and summed
                and re.search(r"correct|right|hits|match", dotted_name(parent.target) or "", re.I)
            ):
                return "a hand-computed accuracy (counting `pred == label` matches)"
            else:
                return None
            node = parent
        return None
