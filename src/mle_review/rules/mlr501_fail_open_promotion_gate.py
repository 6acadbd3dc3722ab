"""MLR501 fail-open-promotion-gate: promotion checks that let a model through when evidence is missing.

Gate code is recognised by names (functions/classes/files about promotion,
gates, deployment, release, metric checks), by threshold-like names on one
side of a comparison, and by a promotion action (registry transition, alias,
deploy call) in the same function. Inside it, seven shapes are reported:

1. ``metrics.get("auc", 1.0) >= min_auc``: a default that satisfies the check;
2. ``"auc" in m and m["auc"] < x`` as a failure condition (absent -> no failure),
   or ``"auc" not in m or m["auc"] >= x`` as a pass condition, or ``if "auc" in m:``
   wrapping the only failing check;
3. a loop over metrics that ``continue``s past missing ones;
4. ``try: <check> except ...: pass | log | continue | return True``;
5. ``assert`` as the only thing that stops promotion (stripped by ``python -O``);
6. a gate result that is computed but never used to stop promotion;
7. a failed comparison whose only consequence is a log line before promoting.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

from mle_review.engine.astutil import walk_scope
from mle_review.engine.context import ModuleContext, ProjectContext, dotted_name
from mle_review.rules._pipeline_common import (
    LatestMemo,
    identifiers,
    numeric_literal,
    scope_statements,
    walk_order,
)
from mle_review.rules.base import Hit, Rule, RuleDoc, register

Polarity = Literal["pass", "fail"]

# Matched against snake_case names (CamelCase class names are converted first), word by word.
# Strong: the name alone says "this decides a promotion".
_GATE_FUNC = re.compile(
    r"(^|_)(promot\w*|gate|gates|gated|gating|deploy|deployment_trigger|release|ship|shippable|approv\w*|"
    r"champion|challenger|acceptance|go_no_go|signoff|sign_off)($|_)|register_(model|if|best|candidate)|"
    r"(maybe|should|can)_(register|promote|deploy|ship)|(^|_)meets_|(^|_)passes_|quality_gate|is_better|beats_|"
    r"good_enough|ready_for_(prod|production|release)"
)
# Weak: a check of metrics/thresholds; gate code only in a module that also promotes or deploys.
_CHECK_FUNC = re.compile(
    r"(check|validate|verify|enforce|evaluate|assert)_(metric|metrics|threshold|thresholds|quality|model|criteria|"
    r"slo|slos|performance|candidate)($|_)"  # whole words: check_slots is not check_slo
)
# File and folder names that make a whole module gate code ("deploy" is left out: it often holds serving code).
_GATE_PATH = re.compile(
    r"(^|_)(promot\w*|gate|gates|gating|release|approv\w*|champion|challenger|go_no_go|signoff|sign_off|acceptance)($|_)"
)
_THRESHOLD = re.compile(
    r"threshold|(^|_)min($|_)|(^|_)max($|_)|minimum|maximum|floor|ceiling|limit|bound|baseline|champion|"
    r"target|gate|criteria|tolerance|budget|required|acceptance|slo|(^|_)(lo|hi|cap)($|_)|cutoff|bar$",
    re.I,
)
_METRIC = re.compile(
    r"metric|score|result|eval|report|summary|stats|perf|auc|f1|acc|precision|recall|loss|rmse|mae|mape|"
    r"latency|kpi|ndcg|map|brier|ece|calibration",
    re.I,
)
# Matched against the last segment of a call name, snake_cased.
_PROMOTION_CALL = re.compile(
    r"promot|(^|_)deploy($|_)|^(create|update|patch)_deployment$|rollout|transition_model_version_stage|"
    r"set_registered_model_alias|register_model|create_model_version|update_endpoint|push_to_hub|copy_to_prod|"
    r"upload_model|set_alias|mark_prod|(release|publish|ship)_(model|version|artifact|candidate)"
)
# Every _PROMOTION_CALL match contains one of these once lower-cased with underscores removed.
_PROMOTION_TOKENS = (
    "promot",
    "deploy",
    "rollout",
    "transitionmodelversionstage",
    "setregisteredmodelalias",
    "registermodel",
    "createmodelversion",
    "updateendpoint",
    "pushtohub",
    "copytoprod",
    "uploadmodel",
    "setalias",
    "markprod",
    "release",
    "publish",
    "ship",
)
_PROMOTION_HINT = re.compile(
    r"promot|champion|challenger|registry|register_model|model_version|deploy|canary|rollout", re.I
)
_FAIL_WORD = re.compile(
    r"^(fail|fails|failed|failing|failure|failures|violation|violations|violated|breach|breaches|breached|"
    r"regress|regressed|regression|regressions|below|worse|block|blocked|blocking|blockers?|reject|rejected|"
    r"problem|problems|error|errors|issue|issues|broken|missing|bad|degraded|degradation|low|high|reasons|"
    r"rejections|blockers)$"
)
_PASS_WORD = re.compile(
    r"^(pass|passes|passed|passing|ok|okay|approved|approve|ready|shippable|promotable|valid|success|"
    r"successful|healthy|meets|good|accept|accepted|acceptable|allowed|green|safe|better|within|check|checks|"
    r"result|results|verdict|decision|promote|deploy|ship)$"
)
_NEGATION = frozenset({"not", "no", "non", "never"})
# "fail_open", "fail_closed", "fail_safe", "fail_fast", "failover": a behaviour, not a failure.
_FAILURE_MODES = frozenset({"open", "opened", "closed", "close", "safe", "fast", "over", "soft"})
# Functions whose name says they carry out a promotion: their remaining statements promote.
_PROMOTING_FUNC = re.compile(r"^(promote|deploy|release|publish|ship|rollout|roll_out)(_|$)")
# Metrics that live in [0, 1], so a default of 1.0 is the best possible value.
_BOUNDED_METRIC = re.compile(
    r"auc|f1|accuracy|(^|_)acc($|_)|precision|recall|ratio|parity|rate|score|r2|(^|_)ap($|_)|map|ndcg|iou|dice|"
    r"coverage|share|fraction|prob|impact|specificity|sensitivity",
    re.I,
)
_SOFT_THRESHOLD = re.compile(r"warn|soft|alert|notice|info|advis", re.I)
_LOG_CALL = re.compile(
    r"^(print|pprint|warnings\.warn|traceback\.print_exc|click\.echo|click\.secho|typer\.echo|st\.(warning|write|info))$"
    r"|(^|\.)(log|logger|logging|LOGGER|LOG|_log|_logger|console|log_?)\.(debug|info|warning|warn|error|exception|critical|log|print)$"
    r"|^(logging|logger|log|LOGGER|LOG)\.(debug|info|warning|warn|error|exception|critical)$"
    r"|capture_exception$|capture_message$",
)
_BOOLEAN_FUNC = re.compile(
    r"^(passes|meets|is_|can_|should_|has_|beats|ok_|check_passes|gate_passes)", re.I
)
# Calls that evaluate a check (snake_cased last segment of the call name).
_CHECK_CALL = re.compile(
    r"^(check|validate|verify|assert|ensure|require|evaluate|compare|enforce|gate|apply_gate|run_gate)(_|$)|"
    r"_(gate|gates|check|checks|threshold|thresholds|criteria)$|^(passes|meets)(_|$)"
)
# Names of mappings and variables that hold limits or settings, not measured values.
_CONFIGISH = re.compile(
    r"config|cfg|conf$|settings|params|policy|constraint|requirement|spec$|option", re.I
)
_ERROR_GATE_NAME = re.compile(r"metric|score|result|eval", re.I)


@dataclass
class _Finding:
    node: ast.AST
    message: str
    fix: str


_FIX_DEFAULT = (
    "Fail closed: treat a missing metric as a failure (`if name not in metrics: failures.append(name)`), and "
    "raise or exit non-zero when any check fails or errors."
)


@register
class FailOpenPromotionGate(Rule):
    id = "MLR501"
    message = "promotion gate passes when a metric is missing or a check errors"
    fix = _FIX_DEFAULT
    doc = RuleDoc(
        what_it_does=(
            "Finds promotion and deployment gate logic that lets a model through when the evidence it checks "
            "is missing or the check itself fails. Gate code is a function, class or file about promotion, "
            "gates, deploy/release or metric/threshold checks, or any function that performs a promotion action "
            "(registry stage transition, alias, `register_model`, deploy call). Reported shapes:\n\n"
            '- `metrics.get("auc", 1.0) >= min_auc`: a default that satisfies the comparison (including a '
            "default equal to the threshold itself); the direction of the check (pass or fail condition) is "
            "read from what the code does with it;\n"
            '- `if "auc" in metrics and metrics["auc"] < x: fail`, `"auc" not in m or m["auc"] >= x` '
            'as a pass condition, and `if "auc" in metrics:` guarding the only failing check;\n'
            "- a loop over required metrics that `continue`s when one is missing;\n"
            "- `try: <check> except ...:` whose handler only passes, logs, continues or returns True;\n"
            "- `assert` used as the only gate in a function (removed under `python -O`);\n"
            "- a gate result that is computed (or a boolean check called) but never used to stop promotion;\n"
            "- a failed threshold comparison whose only consequence is a log line, followed by promotion.\n\n"
            "Gates that raise, exit non-zero, return False or record a failure when a metric is missing are not "
            "reported, nor are soft warning bands next to a hard check, or `try` blocks around the promotion "
            "call itself."
        ),
        why_it_matters=(
            "A gate is only useful on the day something goes wrong: the evaluation job crashed, a metric was "
            "renamed, the champion model has no score logged. A gate that fails open turns each of those into an "
            "automatic promotion of an unevaluated model, and nothing in the logs looks alarming because the "
            "check 'passed'. `assert` gates vanish entirely when the job runs with optimisations enabled."
        ),
        example=(
            "def promote(metrics: dict[str, float]) -> None:\n"
            '    if metrics.get("auc", 1.0) < MIN_AUC:\n'
            '        raise SystemExit("AUC below gate")\n'
            "    try:\n"
            "        check_calibration(metrics)\n"
            "    except Exception:\n"
            '        logger.warning("calibration check failed; promoting anyway")\n'
            '    client.set_registered_model_alias(NAME, "champion", version)\n'
        ),
        use_instead=(
            "def promote(metrics: dict[str, float]) -> None:\n"
            "    missing = [m for m in GATES if m not in metrics]\n"
            "    if missing:\n"
            '        raise SystemExit(f"metrics missing, refusing to promote: {missing}")\n'
            "    failures = [m for m, floor in GATES.items() if metrics[m] < floor]\n"
            "    if failures:\n"
            '        raise SystemExit(f"gates failed: {failures}")\n'
            "    check_calibration(metrics)  # raises on failure; no except around it\n"
            '    client.set_registered_model_alias(NAME, "champion", version)\n'
        ),
        options="Critical by default. A gate that is deliberately advisory should say so in its name (e.g. `warn_*`).",
        references=(
            "Python reference, 'The assert statement': assertions are removed when optimisation is requested (-O)",
            "Fail-safe defaults (Saltzer & Schroeder): base access decisions on permission rather than exclusion",
            "MLflow Model Registry: aliases and stage transitions as the promotion action",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test:
            return
        analysis = _Analysis(ctx)
        seen: set[tuple[int, int]] = set()
        for found in analysis.run():
            key = (getattr(found.node, "lineno", 0), getattr(found.node, "col_offset", 0))
            if key in seen:
                continue
            seen.add(key)
            yield Hit.at(found.node, found.message, fix=found.fix)


class _Analysis:
    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.gate_file = _is_gate_path(ctx.path)
        self._gate_scope_cache: dict[int, bool] = {}
        self._verdicts: dict[str, bool] = {}

    @cached_property
    def local_funcs(self) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
        """By name, the definition a tree walk meets last (the one a dict built while walking
        keeps). Only gate code looks functions up, so built on first use."""
        ctx = self.ctx
        by_name: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for func in ctx.functions:
            by_name.setdefault(func.name, []).append(func)
        return {
            name: funcs[0] if len(funcs) == 1 else max(funcs, key=lambda f: walk_order(ctx, f))
            for name, funcs in by_name.items()
        }

    @cached_property
    def module_promotes(self) -> bool:
        """Only needed for weak (metric-check) gate names, so computed on first use."""
        ctx = self.ctx
        return (
            self.has_promotion_call
            or any(_PROMOTION_HINT.search(n.id) for n in ctx.nodes(ast.Name))
            or any(_PROMOTION_HINT.search(n.attr) for n in ctx.nodes(ast.Attribute))
        )

    @cached_property
    def may_be_gate(self) -> bool:
        """Can ``is_gate`` hold anywhere in this module? (It needs a gate file, a gate-named
        function or class, a promotion call, or a check-named one in a promoting module.)"""
        if self.gate_file:
            return True
        named = [f.name for f in self.ctx.functions] + [
            c.name for c in self.ctx.nodes(ast.ClassDef)
        ]
        if any(_gate_named(name) for name in named):
            return True
        if self.has_promotion_call:
            return True
        return any(_check_named(name) for name in named) and self.module_promotes

    @cached_property
    def has_promotion_call(self) -> bool:
        source = self.ctx.source
        if source.isascii():  # identifiers appear verbatim; compare as snake-cased names would
            flat = source.lower().replace("_", "")
            if not any(token in flat for token in _PROMOTION_TOKENS):
                return False
        return any(_is_promotion_call(c) for c in self.ctx.calls)

    # -- where are we ---------------------------------------------------------------

    def scope(self, node: ast.AST) -> ast.AST:
        func = self.ctx.enclosing_function(node)
        return func if func is not None else self.ctx.tree

    def promotes(self, scope: ast.AST) -> list[ast.Call]:
        return [n for n in walk_scope(scope) if isinstance(n, ast.Call) and _is_promotion_call(n)]

    def is_gate(self, node: ast.AST) -> bool:
        """Gate code: a gate-named file or function, a function that promotes, or a metric check
        (``check_metrics``...) in a module that is about promotion or deployment."""
        if self.gate_file:
            return True
        weak = False
        cur: ast.AST | None = node
        while cur is not None:
            if isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = _snake(cur.name)
                if _GATE_FUNC.search(name):
                    return True
                weak = weak or bool(_CHECK_FUNC.search(name))
            cur = self.ctx.parents.get(cur)
        scope = self.scope(node)
        key = id(scope)
        if key not in self._gate_scope_cache:
            self._gate_scope_cache[key] = bool(self.promotes(scope))
        if self._gate_scope_cache[key]:
            return True
        return weak and self.module_promotes

    # -- what do the conditions mean ----------------------------------------------------

    def block_action(self, stmts: list[ast.stmt]) -> Polarity | None:
        """Does running these statements fail the gate, pass it, or neither?"""
        fail = passed = False
        for stmt in stmts:
            for node in [stmt, *walk_scope(stmt)]:
                kind = self._action(node)
                if kind == "fail":
                    fail = True
                elif kind == "pass":
                    passed = True
        if fail and not passed:
            return "fail"
        if passed and not fail:
            return "pass"
        return None

    def _action(self, node: ast.AST) -> Polarity | None:
        if isinstance(node, ast.Raise):
            return "fail"
        if isinstance(node, ast.Return) and node.value is not None:
            if isinstance(node.value, ast.Constant) and node.value.value is False:
                return "fail"
            if isinstance(node.value, ast.Constant) and node.value.value is True:
                return "pass"
            if isinstance(node.value, ast.Tuple) and node.value.elts:
                first = node.value.elts[0]
                if isinstance(first, ast.Constant) and first.value in (True, False):
                    return "pass" if first.value else "fail"
        if isinstance(node, ast.Call):
            name = dotted_name(node.func) or ""
            if name in (
                "sys.exit",
                "exit",
                "quit",
                "os._exit",
                "pytest.fail",
                "abort",
                "typer.Exit",
            ):
                arg = node.args[0] if node.args else None
                if isinstance(arg, ast.Constant) and arg.value in (0, None):
                    return None
                return "fail"
            last = name.rsplit(".", 1)[-1]
            if last in ("append", "add", "extend", "update") and isinstance(
                node.func, ast.Attribute
            ):
                holder = dotted_name(node.func.value) or ""
                if self.name_polarity(holder) == "fail":
                    return "fail"
            if _is_promotion_call(node):
                return "pass"
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = (
                    dotted_name(target)
                    or (dotted_name(target.value) if isinstance(target, ast.Subscript) else "")
                    or ""
                )
                value = node.value
                polarity = self.name_polarity(name)
                if isinstance(node, ast.AugAssign) and polarity == "fail":
                    return "fail"
                if (
                    isinstance(value, ast.Constant)
                    and isinstance(value.value, bool)
                    and polarity is not None
                ):
                    return polarity if value.value else self.flip(polarity)
        return None

    @staticmethod
    def flip(p: Polarity | None) -> Polarity | None:
        return None if p is None else ("fail" if p == "pass" else "pass")

    @staticmethod
    def name_polarity(name: str) -> Polarity | None:
        """What a name says about a truth value, reading words from the end: ``error_rate_ok`` is a pass,
        ``failed_gates`` a failure, ``not_worse_than_champion`` a pass."""
        words = [w for w in _snake(name).split("_") if w]
        for i in range(len(words) - 1, -1, -1):
            word = words[i]
            kind: Polarity | None = None
            if i + 1 < len(words) and words[i + 1] in _FAILURE_MODES and word.startswith("fail"):
                continue  # "fail_open", "fail_safe": how the code behaves, not a failed verdict
            if _FAIL_WORD.match(word) and not (
                word in ("low", "high") and (i == 0 or words[i - 1] != "too")
            ):
                kind = "fail"
            elif _PASS_WORD.match(word):
                kind = "pass"
            if kind is None:
                continue
            negated = i > 0 and words[i - 1] in _NEGATION
            return _Analysis.flip(kind) if negated else kind
        return None

    def use(self, node: ast.AST, depth: int = 0) -> Polarity | None:
        """Is ``node`` (a boolean expression) used as the condition to pass, or to fail?"""
        if depth > 8:
            return None
        parent = self.ctx.parents.get(node)
        if parent is None:
            return None
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            return self.flip(self.use(parent, depth + 1))
        if isinstance(parent, ast.BoolOp):
            return self.use(parent, depth + 1)
        if isinstance(parent, (ast.If, ast.While)) and parent.test is node:
            body = self.block_action(parent.body)
            if body is not None:
                return body
            return self.flip(self.block_action(parent.orelse)) if parent.orelse else None
        if isinstance(parent, ast.IfExp) and parent.test is node:
            if isinstance(parent.body, ast.Constant) and isinstance(parent.body.value, bool):
                return "pass" if parent.body.value else "fail"
            return None
        if isinstance(parent, ast.Assert):
            return "pass"
        if isinstance(parent, ast.Return):
            func = self.ctx.enclosing_function(parent)
            return (self.name_polarity(func.name) or "pass") if func is not None else "pass"
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            for target in targets:
                base = target.value if isinstance(target, ast.Subscript) else target
                name = dotted_name(base) or ""
                if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                    name = f"{name}_{target.slice.value!s}"
                polarity = self.name_polarity(name)
                if polarity is not None:
                    return polarity
            return None
        if isinstance(parent, ast.comprehension) and node in parent.ifs:
            comp = self.ctx.parents.get(parent)
            return self._container_use(comp, depth) if comp is not None else None
        if isinstance(parent, (ast.GeneratorExp, ast.ListComp, ast.SetComp)) and parent.elt is node:
            holder = self.ctx.parents.get(parent)
            if isinstance(holder, ast.Call) and (dotted_name(holder.func) or "") in ("all", "any"):
                return self.use(holder, depth + 1)
            return self._container_use(parent, depth)
        if isinstance(parent, ast.Call):
            fname = dotted_name(parent.func) or ""
            if fname in ("all", "any", "bool"):
                return self.use(parent, depth + 1)
            if fname.endswith((".append", ".add")) and isinstance(parent.func, ast.Attribute):
                return self.name_polarity(dotted_name(parent.func.value) or "")
            return None
        if isinstance(parent, ast.Dict):
            for key, value in zip(parent.keys, parent.values, strict=False):
                if value is node and isinstance(key, ast.Constant) and isinstance(key.value, str):
                    return self.name_polarity(key.value)
            return None
        if isinstance(parent, ast.keyword) and parent.arg:
            return self.name_polarity(parent.arg)
        return None

    def _container_use(self, comp: ast.AST, depth: int) -> Polarity | None:
        """Items selected by a comprehension filter: failures or passes, judged by where they go."""
        holder = self.ctx.parents.get(comp)
        if isinstance(holder, (ast.Assign, ast.AnnAssign)):
            targets = holder.targets if isinstance(holder, ast.Assign) else [holder.target]
            for target in targets:
                polarity = self.name_polarity(dotted_name(target) or "")
                if polarity is not None:
                    return polarity
        if isinstance(holder, ast.Call) and (dotted_name(holder.func) or "") in (
            "any",
            "len",
            "bool",
        ):
            return self.use(holder, depth + 1)
        return None

    # -- small predicates ------------------------------------------------------------------

    @staticmethod
    def thresholdish(expr: ast.AST) -> bool:
        if numeric_literal(expr) is not None:
            return True
        return any(_THRESHOLD.search(tok) for tok in identifiers(expr) if not tok.startswith(" "))

    @staticmethod
    def metricish(expr: ast.AST) -> bool:
        return any(_METRIC.search(tok) for tok in identifiers(expr))

    @staticmethod
    def is_log_only(stmts: list[ast.stmt]) -> bool:
        if not stmts:
            return False
        for stmt in stmts:
            if isinstance(stmt, ast.Pass):
                continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                if _LOG_CALL.search(dotted_name(stmt.value.func) or ""):
                    continue
                return False
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue
            return False
        return True

    def presence(self, expr: ast.AST) -> tuple[str, bool] | None:
        """(mapping text, present?) for ``k in m`` / ``k not in m`` / ``m.get(k) is (not) None``."""
        if isinstance(expr, ast.Compare) and len(expr.ops) == 1:
            op, right = expr.ops[0], expr.comparators[0]
            if isinstance(op, (ast.In, ast.NotIn)):
                target = (
                    right.func.value
                    if (
                        isinstance(right, ast.Call)
                        and isinstance(right.func, ast.Attribute)
                        and right.func.attr == "keys"
                    )
                    else right
                )
                return ast.unparse(target), isinstance(op, ast.In)
            if (
                isinstance(op, (ast.Is, ast.IsNot))
                and isinstance(right, ast.Constant)
                and right.value is None
            ):
                left = expr.left
                if (
                    isinstance(left, ast.Call)
                    and isinstance(left.func, ast.Attribute)
                    and left.func.attr == "get"
                ):
                    return ast.unparse(left.func.value), isinstance(op, ast.IsNot)
                if isinstance(left, ast.Name):
                    return left.id, isinstance(op, ast.IsNot)
        return None

    # -- the detectors -------------------------------------------------------------------------

    def run(self) -> Iterator[_Finding]:
        """Every detector on the nodes it looks at, in ``ast.walk`` order of those nodes.

        The nodes come from the module index; the order matters because the
        first finding on a position wins and decides fingerprints.
        """
        found: list[tuple[ast.AST, _Finding]] = []
        nodes = self.ctx.nodes
        if not self.may_be_gate:  # only the metric-loop detector can fire outside gate code
            for branch in nodes(ast.If):
                found.extend((branch, f) for f in self.skip_missing(branch))
        else:
            for call in self.ctx.calls:
                found.extend((call, f) for f in self.get_default(call))
                found.extend((call, f) for f in self.discarded_check(call))
            for boolop in nodes(ast.BoolOp):
                found.extend((boolop, f) for f in self.guarded_comparison(boolop))
            for branch in nodes(ast.If):
                found.extend((branch, f) for f in self.presence_wrapper(branch))
                found.extend((branch, f) for f in self.skip_missing(branch))
                found.extend((branch, f) for f in self.log_only_failure(branch))
            for try_ in nodes(ast.Try):
                found.extend((try_, f) for f in self.swallowed(try_))
            for assertion in nodes(ast.Assert):
                found.extend((assertion, f) for f in self.assert_gate(assertion))
            for assign in nodes(ast.Assign):
                found.extend((assign, f) for f in self.unused_result(assign))
        if len(found) > 1:
            # a node has one type, so the stable sort keeps its detectors' order
            found.sort(key=lambda pair: walk_order(self.ctx, pair[0]))
        for _node, finding in found:
            yield finding

    # 1. metrics.get("auc", 1.0) >= min_auc
    def get_default(self, call: ast.Call) -> Iterator[_Finding]:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and len(call.args) == 2:
            mapping, key, default = func.value, call.args[0], call.args[1]
        elif isinstance(func, ast.Name) and func.id == "getattr" and len(call.args) == 3:
            mapping, key, default = call.args[0], call.args[1], call.args[2]
        else:
            return
        if not self.is_gate(call) or self._settingish(mapping) or self._settingish(key):
            return
        holder = self.ctx.parents.get(call)
        if isinstance(holder, ast.Assign) and any(self._settingish(t) for t in holder.targets):
            return  # a threshold read from config with a default, not a measured metric
        for cmp, metric_on_left in self._comparisons_of(call):
            other = cmp.comparators[0] if metric_on_left else cmp.left
            op = cmp.ops[0]
            if not metric_on_left:
                op = _FLIPPED.get(type(op), op)
            names = [ast.unparse(key), *(ast.unparse(t) for t in getattr(holder, "targets", []))]
            bounded = any(_BOUNDED_METRIC.search(n) for n in names)
            satisfied = _satisfies(default, op, other, bounded)
            if satisfied is None:
                continue
            use = self.use(cmp)
            if use is None:
                continue
            if (use == "pass" and satisfied) or (use == "fail" and not satisfied):
                key_text = ast.unparse(key)
                yield _Finding(
                    call,
                    f"`{_short(call)}` substitutes `{ast.unparse(default)}` when {key_text} is missing, and with that "
                    f"value the check `{_short(cmp)}` lets the model through: a model with no {key_text} is promoted",
                    "Do not default a missing metric to a passing value: look it up with `metrics[name]` after "
                    "checking presence, and fail the gate (raise / exit non-zero) when it is absent.",
                )
                return

    def _keeps_value(self, parent: ast.AST, node: ast.AST) -> bool:
        """Does ``parent`` pass ``node``'s value on unchanged enough for a default to survive?"""
        if isinstance(parent, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            return parent.elt is node
        if isinstance(parent, (ast.List, ast.Tuple, ast.Set)):
            return not isinstance(self.ctx.parents.get(parent), ast.Assign)
        if isinstance(parent, ast.Call):
            return dotted_name(parent.func) in ("min", "max", "float", "round", "abs")
        if isinstance(parent, ast.IfExp):
            return node is not parent.test
        return False

    def _comparisons_of(self, call: ast.Call) -> Iterator[tuple[ast.Compare, bool]]:
        """Comparisons the looked-up value reaches: directly, or through a variable it is assigned to.

        Wrappers that keep a default's value are followed: ``min([m.get(k, 1.0) for ...])``,
        ``x if cond else y``, and tuple assignments ``a, b = m.get(...), m.get(...)``.
        """
        node: ast.AST = call
        parent = self.ctx.parents.get(node)
        while parent is not None and self._keeps_value(parent, node):
            node, parent = parent, self.ctx.parents.get(parent)
        if (
            isinstance(parent, ast.Compare)
            and len(parent.ops) == 1
            and isinstance(parent.ops[0], _ORDER)
        ):
            yield parent, parent.left is node
            return
        name: str | None = None
        assign: ast.AST | None = None
        if (
            isinstance(parent, ast.Assign)
            and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)
        ):
            name, assign = parent.targets[0].id, parent
        elif isinstance(parent, ast.Tuple) and isinstance(self.ctx.parents.get(parent), ast.Assign):
            holder = self.ctx.parents.get(parent)
            assert isinstance(holder, ast.Assign)
            target = holder.targets[0] if len(holder.targets) == 1 else None
            index = next((i for i, e in enumerate(parent.elts) if e is node), -1)
            if isinstance(target, ast.Tuple) and 0 <= index < len(target.elts):
                element = target.elts[index]
                if isinstance(element, ast.Name):
                    name, assign = element.id, holder
        if name is None or assign is None:
            return
        start = getattr(assign, "lineno", 0)
        for other in walk_scope(self.scope(call)):
            if (
                isinstance(other, ast.Compare)
                and len(other.ops) == 1
                and isinstance(other.ops[0], _ORDER)
                and other.lineno >= start
            ):
                if isinstance(other.left, ast.Name) and other.left.id == name:
                    yield other, True
                elif isinstance(other.comparators[0], ast.Name) and other.comparators[0].id == name:
                    yield other, False

    # 2a. "auc" in m and m["auc"] < x  (fail)   /  "auc" not in m or m["auc"] >= x  (pass)
    def guarded_comparison(self, node: ast.BoolOp) -> Iterator[_Finding]:
        presences = [(v, self.presence(v)) for v in node.values]
        guards = [(v, p) for v, p in presences if p is not None]
        compares = [
            v
            for v in node.values
            if isinstance(v, ast.Compare)
            and isinstance(v.ops[0], _ORDER)
            and self.presence(v) is None
        ]
        if not guards or not compares:
            return
        if not self.is_gate(node):
            return
        first = guards[0][1]
        assert first is not None
        mapping, present = first
        guard_expr = guards[0][0]
        tested = (
            guard_expr.comparators[0]
            if isinstance(guard_expr, ast.Compare)
            and isinstance(guard_expr.ops[0], (ast.In, ast.NotIn))
            else None
        )
        if self._settingish(tested if tested is not None else ast.Name(id=mapping)):
            return  # an optional threshold (``max_rows is not None and ...``) is configuration, not a metric
        if not any(mapping in ast.unparse(c) for c in compares):
            return
        use = self.use(node)
        fail_open = (isinstance(node.op, ast.And) and present and use == "fail") or (
            isinstance(node.op, ast.Or) and not present and use == "pass"
        )
        if not fail_open:
            return
        yield _Finding(
            node,
            f"`{_short(node)}` skips the check when the metric is missing from `{mapping}`, so a missing metric "
            "counts as passing the gate",
            "Check presence separately and treat absence as a failure: "
            "`if name not in metrics or metrics[name] < floor: failures.append(name)`.",
        )

    # 2b. if "auc" in metrics:  <only failing check inside>
    def presence_wrapper(self, node: ast.If) -> Iterator[_Finding]:
        found = self.presence(node.test)
        if found is None or not found[1] or not self.is_gate(node):
            return
        if node.orelse and self.block_action(node.orelse) == "fail":
            return
        inner = [
            s for s in node.body if isinstance(s, ast.If) and self.block_action(s.body) == "fail"
        ]
        if not inner or not any(isinstance(s.test, (ast.Compare, ast.BoolOp)) for s in inner):
            return
        later = self._absence_handler(node)
        if later is not None and self.block_action(later.body) == "fail":
            return
        if later is not None and self.is_log_only(later.body):
            yield _Finding(
                later,
                f"when the metric is missing from `{found[0]}` this branch only logs, and the gate goes on as if "
                "the check had passed",
                "Record a missing metric as a failure (raise / exit non-zero / append to the failures) instead of logging it.",
            )
            return
        yield _Finding(
            node,
            f"`if {ast.unparse(node.test)}:` wraps the failing check, so when the metric is missing from "
            f"`{found[0]}` nothing fails and promotion goes ahead",
            "Add an `else:` branch that fails the gate (raise / exit non-zero / record a failure) when the metric is absent.",
        )

    def _absence_handler(self, node: ast.If) -> ast.If | None:
        """For ``if k in m: found = True ...``, the later ``if not found:`` that handles absence."""
        flags = {
            t.id
            for stmt in node.body
            if isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Constant)
            and stmt.value.value is True
            for t in stmt.targets
            if isinstance(t, ast.Name)
        }
        if not flags:
            return None
        for other in walk_scope(self.scope(node)):
            if (
                isinstance(other, ast.If)
                and other.lineno > node.lineno
                and isinstance(other.test, ast.UnaryOp)
                and isinstance(other.test.op, ast.Not)
                and isinstance(other.test.operand, ast.Name)
                and other.test.operand.id in flags
            ):
                return other
        return None

    def _settingish(self, expr: ast.AST | None) -> bool:
        """Thresholds and configuration: ``cfg``, ``thresholds``, ``"min_auc"``, ``max_rows``."""
        if expr is None:
            return False
        return any(_CONFIGISH.search(t) or _THRESHOLD.search(t) for t in identifiers(expr))

    # 3. for name, floor in GATES.items(): if name not in metrics: continue
    def skip_missing(self, node: ast.If) -> Iterator[_Finding]:
        found = self.presence(node.test)
        negated = isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not)
        if found is None and negated:
            operand = node.test.operand  # type: ignore[attr-defined]
            if isinstance(operand, ast.Name) or (
                isinstance(operand, ast.Call)
                and isinstance(operand.func, ast.Attribute)
                and operand.func.attr == "get"
            ):
                found = (ast.unparse(operand), False)
        if found is None or found[1]:
            return
        body = list(node.body)
        if not body or not isinstance(body[-1], ast.Continue):
            return
        if body[:-1] and not self.is_log_only(body[:-1]):
            return
        loop = self.ctx.enclosing(
            node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef)
        )
        if not isinstance(loop, (ast.For, ast.AsyncFor)):
            return
        if not (self.is_gate(node) or self.thresholdish(loop.iter) or self.metricish(loop.iter)):
            return
        if not self._metric_lookup(found[0], node):
            return
        # the loop must be a gate: after the skip it compares against thresholds or records failures
        rest = [s for s in loop.body if getattr(s, "lineno", 0) > node.lineno]
        if not any(self._gate_statement(s) for s in rest):
            return
        yield _Finding(
            node,
            f"the gate loop `continue`s when `{found[0]}` has no value, so a required metric that is missing is "
            "silently skipped instead of failing the gate",
            'Record the missing metric as a failure (`failures.append(f"{name}: missing")`) instead of `continue`.',
        )

    def _metric_lookup(self, text: str, at: ast.AST) -> bool:
        """Is ``text`` a metrics mapping, or a variable read out of one (``value = metrics.get(name)``)?"""
        if any(_METRIC.search(t) for t in re.findall(r"\w+", text)):
            return True
        for node in walk_scope(self.scope(at)):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == text for t in node.targets)
                and isinstance(node.value, (ast.Call, ast.Subscript))
            ):
                base = node.value.func if isinstance(node.value, ast.Call) else node.value
                holder = base.value if isinstance(base, (ast.Attribute, ast.Subscript)) else base
                if self.metricish(holder):
                    return True
        return False

    def _gate_statement(self, stmt: ast.stmt) -> bool:
        for node in [stmt, *walk_scope(stmt)]:
            if self._action(node) == "fail":
                return True
            if (
                isinstance(node, ast.Compare)
                and isinstance(node.ops[0], _ORDER)
                and any(self._threshold_named(s) for s in [node.left, *node.comparators])
            ):
                return True
        return False

    @staticmethod
    def _threshold_named(expr: ast.AST) -> bool:
        return any(_THRESHOLD.search(tok) for tok in identifiers(expr))

    # 4. try: check() except Exception: pass / log / return True
    def swallowed(self, node: ast.Try) -> Iterator[_Finding]:
        if not self.is_gate(node) or not self._checks_something(node.body):
            return
        assigned = {
            t.id
            for s in node.body
            for n in ast.walk(s)
            if isinstance(n, (ast.Assign, ast.AnnAssign))
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
            if isinstance(t, ast.Name)
        }
        for handler in node.handlers:
            kind = self._swallow_kind(handler.body)
            if kind is None:
                continue
            if kind != "return True" and self._read_after(node, assigned):
                continue  # a flag set inside the try decides later; the error leaves it failing
            caught = ast.unparse(handler.type) if handler.type is not None else "every exception"
            yield _Finding(
                handler,
                f"`except {caught}` around a gate check {kind}: when the check errors (missing metric, broken "
                "evaluation, failed comparison) the gate lets promotion continue",
                "Let the exception propagate (or log and re-raise / exit non-zero); a gate that cannot be evaluated must block promotion.",
            )

    def _checks_something(self, stmts: list[ast.stmt]) -> bool:
        for stmt in stmts:
            for node in [stmt, *walk_scope(stmt)]:
                if isinstance(node, ast.Call):
                    name = dotted_name(node.func) or ""
                    last = _snake(name.rsplit(".", 1)[-1])
                    if _is_promotion_call(node) and not _CHECK_CALL.search(last):
                        continue
                    if _CHECK_CALL.search(last) or re.search(
                        r"(^|_)(get|load|read|fetch)_\w*metric", last
                    ):
                        return True
                if isinstance(node, ast.Raise):
                    return True
                if isinstance(node, ast.Compare) and isinstance(node.ops[0], _ORDER):
                    sides = [node.left, *node.comparators]
                    if any(self._threshold_named(x) for x in sides) or (
                        any(numeric_literal(x) is not None for x in sides)
                        and any(self.metricish(x) for x in sides)
                    ):
                        return True
                if (
                    isinstance(node, ast.Subscript)
                    and isinstance(node.ctx, ast.Load)
                    and _ERROR_GATE_NAME.search(dotted_name(node.value) or "")
                ):
                    return True
        return False

    def _swallow_kind(self, body: list[ast.stmt]) -> str | None:
        last = body[-1] if body else None
        if (
            isinstance(last, ast.Return)
            and isinstance(last.value, ast.Constant)
            and last.value.value is True
        ):
            head = body[:-1]
            if not head or self.is_log_only(head):
                return "return True"
            return None
        if isinstance(last, ast.Continue):
            return "continues" if len(body) == 1 or self.is_log_only(body[:-1]) else None
        if all(isinstance(s, ast.Pass) for s in body):
            return "passes silently"
        if self.is_log_only(body):
            return "only logs"
        return None

    def _read_after(self, node: ast.Try, names: set[str]) -> bool:
        if not names:
            return False
        end = getattr(node, "end_lineno", node.lineno)
        for other in walk_scope(self.scope(node)):
            if (
                isinstance(other, ast.Name)
                and isinstance(other.ctx, ast.Load)
                and other.id in names
                and other.lineno > end
            ):
                return True
        return False

    # 5. assert metrics["auc"] >= MIN_AUC
    def assert_gate(self, node: ast.Assert) -> Iterator[_Finding]:
        if not self.is_gate(node):
            return
        test_ok = False
        for sub in ast.walk(node.test):
            if isinstance(sub, ast.Compare) and isinstance(sub.ops[0], _ORDER):
                sides = [sub.left, *sub.comparators]
                if any(self.thresholdish(s) for s in sides) and any(
                    self.metricish(s) for s in sides
                ):
                    test_ok = True
            if isinstance(sub, ast.Call) and _CHECK_CALL.search(
                _snake((dotted_name(sub.func) or "").rsplit(".", 1)[-1])
            ):
                test_ok = True
        if not test_ok:
            return
        scope = self.scope(node)
        for other in walk_scope(scope):
            if other is node:
                continue
            if self._action(other) == "fail":
                return  # the function has a real failure path as well
        yield _Finding(
            node,
            f"`assert {_short(node.test)}` is the only gate here, and `python -O` removes assert statements, so "
            "under optimisation the model is promoted without this check",
            "Replace the assert with an explicit check: `if not (...): raise PromotionBlocked(...)` (or exit non-zero).",
        )

    # 6a. passes_gates(metrics)  # result thrown away
    def discarded_check(self, call: ast.Call) -> Iterator[_Finding]:
        parent = self.ctx.parents.get(call)
        if not isinstance(parent, ast.Expr):
            return
        name = dotted_name(call.func) or ""
        last = name.rsplit(".", 1)[-1]
        if not self._returns_verdict(last):
            return
        if not self.is_gate(call):
            return
        yield _Finding(
            call,
            f"the result of `{last}(...)` is discarded: the gate is evaluated but nothing stops promotion when it fails",
            f'Use the verdict: `if not {last}(...): raise SystemExit("promotion blocked")`, or make `{last}` raise on failure.',
        )

    def _function(self, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """A function of this module, or one imported by name from another scanned module."""
        if name in self.local_funcs:
            return self.local_funcs[name]
        if name not in self.ctx.imports.names:
            return None
        return self.ctx.project.top_level_functions.get(name)

    def _returns_verdict(self, name: str) -> bool:
        """A check whose only output is a boolean verdict (so ignoring it ignores the gate).

        Its name must say it checks something, or its returned comparison must involve a threshold;
        helpers that return a success flag (send a message, register a model) are not checks.
        """
        known = self._verdicts.get(name)
        if known is None:
            known = self._verdicts[name] = self._judge_verdict(name)
        return known

    def _judge_verdict(self, name: str) -> bool:
        if _PROMOTION_CALL.search(_snake(name)):
            return False
        checkish = bool(
            _CHECK_CALL.search(_snake(name))
            or _BOOLEAN_FUNC.search(name)
            or _GATE_FUNC.search(_snake(name))
        )
        func = self._function(name)
        if func is None:
            return bool(_BOOLEAN_FUNC.search(name)) and bool(
                _GATE_FUNC.search(_snake(name)) or _METRIC.search(name)
            )
        raises, verdict, against_threshold = _verdict_facts(self.ctx.project, func)
        return verdict and not raises and (checkish or against_threshold)

    # 6b. ok = check_gates(metrics); ...; promote()   (ok never consulted)
    def unused_result(self, node: ast.Assign) -> Iterator[_Finding]:
        if (
            len(node.targets) != 1
            or not isinstance(node.targets[0], ast.Name)
            or not isinstance(node.value, ast.Call)
        ):
            return
        var = node.targets[0].id
        last = (dotted_name(node.value.func) or "").rsplit(".", 1)[-1]
        local = self._function(last)
        if not (
            self._returns_verdict(last)
            or (
                local is None
                and _GATE_FUNC.search(_snake(last))
                and _CHECK_CALL.search(_snake(last))
            )
        ):
            return
        if not self.is_gate(node):
            return
        scope = self.scope(node)
        later_promotion = [c for c in self.promotes(scope) if c.lineno > node.lineno]
        if not later_promotion:
            return
        for other in walk_scope(scope):
            if (
                isinstance(other, ast.Name)
                and other.id == var
                and isinstance(other.ctx, ast.Load)
                and other.lineno >= node.lineno
                and not self._only_logged(other)
            ):
                return
        yield _Finding(
            node,
            f"`{var}` holds the gate result but is never used to stop promotion (only logged or ignored), and "
            f"`{dotted_name(later_promotion[0].func)}` runs regardless",
            f'Guard the promotion: `if not {var}: raise SystemExit("promotion blocked by gate")` before promoting.',
        )

    def _only_logged(self, name: ast.Name) -> bool:
        cur: ast.AST | None = self.ctx.parents.get(name)
        while cur is not None and not isinstance(cur, ast.stmt):
            if isinstance(cur, ast.Call) and _LOG_CALL.search(dotted_name(cur.func) or ""):
                return True
            cur = self.ctx.parents.get(cur)
        return False

    # 7. if auc < MIN_AUC: logger.warning(...)   ... promote()
    def _promoting_rest(self, scope: ast.AST, node: ast.If) -> str | None:
        """In a function named as a promotion (``promote_model``, ``deploy``), the statements after
        a log-only check are the promotion itself (e.g. writing the ``CURRENT`` pointer): the
        first call among them that is not logging, shown as ``<function> (`<call>`)``."""
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        if not _PROMOTING_FUNC.search(_snake(scope.name)):
            return None
        if self.ctx.parents.get(node) is not scope:
            return None  # only a check at the top level of the function body
        after = scope.body[scope.body.index(node) + 1 :]
        for stmt in after:
            if isinstance(stmt, (ast.Return, ast.Raise)):
                return None  # the function stops before doing anything else
            if isinstance(stmt, ast.If):
                continue  # further checks (hard or soft) are judged on their own
            for call in _calls_in(stmt):
                func = call.func
                name = dotted_name(func) or (func.attr if isinstance(func, ast.Attribute) else "")
                if name and not _LOG_CALL.search(name):
                    return f"`{scope.name}` (`{_short(call)}`)"
        return None

    def log_only_failure(self, node: ast.If) -> Iterator[_Finding]:
        if not self.is_log_only(node.body) or (node.orelse and not self.is_log_only(node.orelse)):
            return
        test = node.test
        if not (
            isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], _ORDER)
        ):
            return
        sides = [test.left, test.comparators[0]]
        thresholds = [s for s in sides if self.thresholdish(s)]
        if not thresholds or not any(self.metricish(s) for s in sides):
            return
        if any(_SOFT_THRESHOLD.search(tok) for s in thresholds for tok in identifiers(s)):
            return
        parent = self.ctx.parents.get(node)
        if isinstance(parent, ast.If) and node in parent.orelse:
            return  # an elif after a hard check: a warning band
        if not self.is_gate(node):
            return
        scope = self.scope(node)
        later = [c for c in self.promotes(scope) if c.lineno > node.lineno]
        action = f"`{dotted_name(later[0].func)}`" if later else self._promoting_rest(scope, node)
        if action is None:
            return
        metric_text = {
            ast.unparse(s) for s in sides if not self.thresholdish(s) or self.metricish(s)
        }
        for other in walk_scope(scope):
            if other is node or not isinstance(other, ast.If):
                continue
            if self.block_action(other.body) == "fail" and metric_text & {
                ast.unparse(n) for n in ast.walk(other.test)
            }:
                return  # the same metric has a hard check elsewhere
        yield _Finding(
            node,
            f"when `{ast.unparse(test)}` the gate only logs, then {action} promotes the "
            "model anyway: the failure has no consequence",
            "Make the failed check block promotion (raise / exit non-zero / return before promoting), or rename the "
            "threshold as an explicit warning level if it is advisory.",
        )


def _calls_in(stmt: ast.stmt) -> Iterator[ast.Call]:
    return (n for n in ast.walk(stmt) if isinstance(n, ast.Call))


def _verdict_facts(
    project: ProjectContext, func: ast.FunctionDef | ast.AsyncFunctionDef
) -> tuple[bool, bool, bool]:
    """(raises, returns a verdict, the verdict compares against a threshold) for one function.

    A function is looked at once per scan, however many modules call it.
    """
    memo = _VERDICT_FACTS.of(project)
    known = memo.get(func)
    if known is None:
        known = memo[func] = _scan_verdict(func)
    return known


_VERDICT_FACTS: LatestMemo[ast.AST, tuple[bool, bool, bool]] = LatestMemo()


def _scan_verdict(func: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[bool, bool, bool]:
    raises = verdict = against_threshold = False
    for node in scope_statements(func):  # raise/return are statements: no expression walk needed
        if isinstance(node, ast.Raise):
            raises = True
        if isinstance(node, ast.Return) and node.value is not None:
            v = node.value
            if (
                isinstance(v, (ast.Compare, ast.BoolOp))
                or (isinstance(v, ast.Constant) and isinstance(v.value, bool))
                or (isinstance(v, ast.Call) and dotted_name(v.func) in ("all", "any", "bool"))
                or (isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.Not))
            ):
                verdict = True
                against_threshold = against_threshold or any(
                    isinstance(c, ast.Compare)
                    and any(_Analysis._threshold_named(x) for x in [c.left, *c.comparators])
                    for c in ast.walk(v)
                )
    return raises, verdict, against_threshold


_ORDER = (ast.Gt, ast.GtE, ast.Lt, ast.LtE)
_FLIPPED: dict[type[ast.cmpop], ast.cmpop] = {
    ast.Gt: ast.Lt(),
    ast.GtE: ast.LtE(),
    ast.Lt: ast.Gt(),
    ast.LtE: ast.GtE(),
}


def _satisfies(default: ast.expr, op: ast.cmpop, other: ast.expr, bounded: bool) -> bool | None:
    """Does ``default <op> other`` hold? None when it cannot be told statically.

    Without a literal threshold: infinities and zero are judged for any metric; 1.0 only for metrics
    bounded by 1 (AUC, F1, ratios, rates...), whose thresholds lie below it.
    """
    if ast.dump(default) == ast.dump(other):
        return isinstance(op, (ast.GtE, ast.LtE))
    value = numeric_literal(default)
    if value is None:
        return None
    bound = numeric_literal(other)
    if bound is not None:
        if isinstance(op, ast.Gt):
            return value > bound
        if isinstance(op, ast.GtE):
            return value >= bound
        if isinstance(op, ast.Lt):
            return value < bound
        return value <= bound
    high = isinstance(op, (ast.Gt, ast.GtE))
    if math.isinf(value):
        return (value > 0) == high
    if value <= 0.0:
        return not high
    if value >= 1.0 and bounded:
        return high
    return None


def _is_promotion_call(call: ast.Call) -> bool:
    name = dotted_name(call.func) or ""
    return _promotion_name(name.rsplit(".", 1)[-1])


@lru_cache(maxsize=4096)
def _promotion_name(last: str) -> bool:
    return bool(_PROMOTION_CALL.search(_snake(last)))


@lru_cache(maxsize=4096)
def _is_gate_path(path: str) -> bool:
    """A gate-named file or folder (several rules' worth of files share folders, so kept)."""
    return any(_GATE_PATH.search(_snake(re.sub(r"\.(py|ipynb)$", "", p))) for p in path.split("/"))


@lru_cache(maxsize=4096)
def _gate_named(name: str) -> bool:
    return bool(_GATE_FUNC.search(_snake(name)))


@lru_cache(maxsize=4096)
def _check_named(name: str) -> bool:
    return bool(_CHECK_FUNC.search(_snake(name)))


@lru_cache(maxsize=4096)
def _snake(name: str) -> str:
    """``PromotionGate`` -> ``promotion_gate``; ``check-metrics`` -> ``check_metrics``."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[-.\s]+", "_", name).lower()


def _short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 80 else text[:77] + "..."
