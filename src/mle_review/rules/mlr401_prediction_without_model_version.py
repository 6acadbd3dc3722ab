"""MLR401 prediction-without-model-version: answers and prediction logs that cannot be traced to a model."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import lru_cache

from mle_review.engine.astutil import child_nodes
from mle_review.engine.context import ModuleContext
from mle_review.engine.serving import (
    LOG_METHODS,
    Assignments,
    Entrypoint,
    Flow,
    FunctionNode,
    calls_named,
    has_training_evidence,
    imported_names,
    importers,
    in_scope,
    is_model_call,
    is_serving_module,
    last_identifier,
    local_functions,
    log_arguments,
    log_call_kind,
    ml_context,
    name_tokens,
    nearest_scope,
    on_serving_path,
    resolve_function,
    schema_info,
    scope_nodes,
    scope_of,
    scopes,
    serving_entrypoints,
)
from mle_review.models import Confidence
from mle_review.rules.base import Hit, Rule, RuleDoc, register

_VERSION_TOKENS = {"version", "revision", "artifact", "digest", "checkpoint", "versions"}
_MODEL_REF_TAILS = {"id", "uri", "tag", "sha", "hash", "ref", "key"}
_MODEL_NOUNS = {
    "model",
    "ranker",
    "classifier",
    "clf",
    "regressor",
    "estimator",
    "predictor",
    "scorer",
    "pipeline",
    "booster",
    "detector",
    "encoder",
    "embedder",
    "forecaster",
    "recommender",
}
_WRITE_METHODS = {
    "to_parquet",
    "to_csv",
    "to_sql",
    "to_gbq",
    "to_json",
    "to_feather",
    "to_excel",
    "write_parquet",
    "write_csv",
    "write_database",
    "saveAsTable",
    "insertInto",
    "parquet",
    "save",
    "load_table_from_dataframe",
    "insert_rows_json",
    "put_item",
    "batch_write_item",
}
_RESPONSE_HOOKS = ("middleware", "after_request", "after_app_request", "after_this_request")
_SKIP_HOOKS = {"torchserve-in", "torchserve-mid", "litserve-in", "litserve-mid", "kserve"}


@lru_cache(maxsize=65536)
def version_like(name: str) -> bool:
    """``model_version``, ``X-Model-Version``, ``artifact_uri``, ``run_id``, ``model_sha``...

    Memoised: the same keys and names are asked about in every module.
    """
    tokens = name_tokens(name)
    if not tokens:
        return False
    if set(tokens) & _VERSION_TOKENS:
        return True
    if tokens[-2:] == ("run", "id") or tokens == ("sha",) or tokens[-2:] == ("git", "sha"):
        return True
    return tokens[-1] in _MODEL_REF_TAILS and bool(set(tokens[:-1]) & _MODEL_NOUNS)


_Values = Assignments | dict[str, list[ast.expr]]  # name -> values assigned in a scope


class _Evidence:
    """Where a module or function carries the model version next to its predictions."""

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.schemas = schema_info(ctx)
        self._fn_cache: dict[int, bool] = {}

    def in_expr(self, expr: ast.AST, assigned: _Values, depth: int = 0) -> bool:
        stack: list[ast.AST] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if version_like(node.value) and len(node.value) < 60:
                    return True
            elif isinstance(node, ast.keyword):
                if node.arg is None or version_like(node.arg):
                    return True  # ``**meta`` may carry it: do not guess
            elif isinstance(node, ast.Dict):
                if any(k is None for k in node.keys):
                    return True
            elif isinstance(node, ast.Name):
                if version_like(node.id):
                    return True
                if (
                    depth < 3
                    and node.id in assigned
                    and any(self.in_expr(v, assigned, depth + 1) for v in assigned[node.id])
                ):
                    return True
                continue
            elif isinstance(node, ast.Attribute):
                if version_like(node.attr):
                    return True
            elif isinstance(node, ast.Call):
                if _predicts(self.ctx, node):
                    continue  # a model's inputs do not put a version on its output
                if self._call_carries(node, depth):
                    return True
                stack.extend([*node.args, *node.keywords])
                if isinstance(node.func, ast.Attribute):
                    stack.append(
                        node.func.value
                    )  # ``resp.update(...)``, ``jsonify`` args, not the callee name
                continue
            stack.extend(child_nodes(node))
        return False

    def _call_carries(self, call: ast.Call, depth: int) -> bool:
        ident = last_identifier(call.func) or ""
        if isinstance(call.func, ast.Name) and ident[:1].isupper():
            info = self.schemas.classes.get(ident)
            if info is not None:
                return any(version_like(f) for f in info.fields | info.defaults)
            return ident in self.schemas.unresolved
        resolved = resolve_function(self.ctx, call)
        if resolved is not None and depth < 2:
            mod, fn = resolved
            return returns_version(mod, fn, depth + 1)
        return False

    def in_scope(self, scope: ast.AST) -> bool:
        """Stores and updates that add a version to something in this scope."""
        store = vars(self.ctx)
        found = store.get("_mlr401_version_scopes")
        if found is None:
            found = store["_mlr401_version_scopes"] = _version_scopes(self.ctx)
        return id(scope) in found

    def module_wide(self) -> bool:
        """A middleware/after-request hook or a logging setup that stamps the version on everything."""
        store = vars(self.ctx)
        if "_mlr401_module" not in store:
            store["_mlr401_module"] = self._module_wide()
        return bool(store["_mlr401_module"])

    def _module_wide(self) -> bool:
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Constant, ast.Call)
        nodes = self.ctx.nodes
        for node in [n for kind in kinds for n in nodes(kind)]:  # any match: order is irrelevant
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                decos = " ".join(ast.unparse(d) for d in node.decorator_list)
                if any(h in decos for h in _RESPONSE_HOOKS) and _mentions_version(node):
                    return True
            elif isinstance(node, ast.ClassDef):
                bases = " ".join(ast.unparse(b) for b in node.bases)
                if ("Middleware" in bases or "Filter" in bases) and _mentions_version(node):
                    return True
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if "%(model_version" in node.value or "{model_version" in node.value:
                    return True
            elif isinstance(node, ast.Call):
                ident = last_identifier(node.func) or ""
                if ident in (
                    "bind_contextvars",
                    "LoggerAdapter",
                    "bind",
                    "configure",
                    "add_middleware",
                ) and _mentions_version(node):
                    return True
        return False


def _version_scopes(ctx: ModuleContext) -> set[int]:
    """Ids of the scopes (``nearest_scope``) holding a store, call argument or dict key that
    adds a version: one pass over the module's index instead of a walk per scope."""
    found: set[int] = set()
    stores: list[ast.Assign | ast.AugAssign | ast.AnnAssign] = [
        *ctx.nodes(ast.Assign),
        *ctx.nodes(ast.AugAssign),
        *ctx.nodes(ast.AnnAssign),
    ]
    for node in stores:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            key = t.slice if isinstance(t, ast.Subscript) else None
            if (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and version_like(key.value)
            ) or (isinstance(t, ast.Attribute) and version_like(t.attr)):
                found.add(id(nearest_scope(ctx, node)))
                break
    for call in ctx.nodes(ast.Call):
        if any(kw.arg and version_like(kw.arg) for kw in call.keywords) or any(
            isinstance(a, ast.Constant) and isinstance(a.value, str) and version_like(a.value)
            for a in call.args
        ):
            found.add(id(nearest_scope(ctx, call)))
    for table in ctx.nodes(ast.Dict):
        if any(
            isinstance(k, ast.Constant) and isinstance(k.value, str) and version_like(k.value)
            for k in table.keys
        ):
            found.add(id(nearest_scope(ctx, table)))
    return found


def _mentions_version(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and version_like(n.value):
            return True
        if isinstance(n, ast.Name) and version_like(n.id):
            return True
        if isinstance(n, ast.Attribute) and version_like(n.attr):
            return True
        if isinstance(n, ast.keyword) and n.arg and version_like(n.arg):
            return True
    return False


def _assigned(ctx: ModuleContext, scope: ast.AST) -> Assignments:
    return Assignments(ctx, scope)


def returns_version(ctx: ModuleContext, fn: FunctionNode, depth: int = 0) -> bool:
    """Does some return of ``fn`` carry a model version (an envelope rather than a bare prediction)?"""
    ev = _Evidence(ctx)
    assigned = _assigned(ctx, fn)
    if ev.in_scope(fn):
        return True
    return any(
        n.value is not None and ev.in_expr(n.value, assigned, depth + 1)
        for n in in_scope(ctx, fn, ctx.nodes(ast.Return))
    )


_WRAPPER_WORDS = {
    "impl",
    "service",
    "handler",
    "client",
    "api",
    "backend",
    "server",
    "delegate",
    "wrapped",
    "inner",
    "worker",
    "proxy",
    "app",
}


_MODEL_FACTORIES = {"spark_udf", "load_model", "InferenceSession", "pipeline"}


def _model_names(ctx: ModuleContext) -> set[str]:
    """Names bound to a loaded model object: ``predict = mlflow.pyfunc.spark_udf(...)``."""
    store = vars(ctx)
    if "_mlr401_model_names" not in store:
        names: set[str] = set()
        for node in ctx.nodes(ast.Assign):
            value = node.value
            if (
                isinstance(value, ast.Call)
                # the callee's last name first: resolving every call's name costs far more
                and (last_identifier(value.func) or "") in _MODEL_FACTORIES
                and ctx.qualname(value) is not None
            ):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        store["_mlr401_model_names"] = names
    return store["_mlr401_model_names"]  # type: ignore[no-any-return]


def _predicts(ctx: ModuleContext, call: ast.Call) -> bool:
    """A model call, or a call to a project helper that returns a bare prediction."""
    if isinstance(call.func, ast.Name) and call.func.id in _model_names(ctx):
        return True
    if is_model_call(ctx, call):
        if isinstance(call.func, ast.Attribute):
            owner = last_identifier(call.func.value) or ""
            if set(name_tokens(owner)) & _WRAPPER_WORDS:
                return False  # another handler/service: it may already return an envelope
        return True
    resolved = resolve_function(ctx, call)
    if resolved is None:
        return False
    mod, fn = resolved
    key = f"_mlr401_bare_{id(fn)}"
    store = vars(mod)
    if key not in store:
        store[key] = False  # recursion guard
        has_model = any(
            is_model_call(mod, n)
            for n in mod.nodes(ast.Call)
            if nearest_scope(mod, n) is fn  # the calls a walk of ``fn`` would meet
        )
        store[key] = has_model and not returns_version(mod, fn)
    return bool(store[key])


_REDUCTIONS = {
    "len",
    "mean",
    "sum",
    "count",
    "std",
    "var",
    "min",
    "max",
    "median",
    "nunique",
    "describe",
    "value_counts",
    "quantile",
    "average",
    "percentile",
    "histogram",
    "bincount",
    "size",
}


def _string_keys(key: ast.AST) -> list[str]:
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return [key.value]
    if isinstance(key, (ast.List, ast.Tuple)):
        return [k for elt in key.elts for k in _string_keys(elt)]
    return []


def _prediction_flow(
    ctx: ModuleContext, scope: ast.AST, initial: set[str], predicted: dict[int, bool]
) -> Flow:
    """Values carrying model output; aggregates and column selections without the
    prediction column do not carry it (``len(preds)``, ``df[["id", "email"]]``).

    ``predicted`` holds ``_predicts`` for the module's calls, already evaluated in
    order by the caller; the flows ask about the same calls many times.
    """

    def seed(n: ast.AST) -> bool:
        if not isinstance(n, ast.Call):
            return False
        known = predicted.get(id(n))
        return _predicts(ctx, n) if known is None else known

    def reduction(n: ast.AST) -> bool:
        return isinstance(n, ast.Call) and (last_identifier(n.func) or "") in _REDUCTIONS

    first = Flow(ctx, scope, seed=seed, initial=initial, prune=reduction)
    columns: set[str] = set()
    for node in scope_nodes(scope, ctx):
        if isinstance(node, ast.Assign) and first.carries(node.value):
            for t in node.targets:
                if isinstance(t, ast.Subscript):
                    columns.update(_string_keys(t.slice))
        elif isinstance(node, ast.Call) and (last_identifier(node.func) or "") in (
            "assign",
            "withColumn",
        ):
            columns.update(kw.arg for kw in node.keywords if kw.arg and first.carries(kw.value))
            if node.args and len(node.args) > 1 and first.carries(node.args[1]):
                columns.update(_string_keys(node.args[0]))

    def prune(n: ast.AST) -> bool:
        if reduction(n):
            return True
        if columns and isinstance(n, ast.Subscript):
            keys = _string_keys(n.slice)
            return bool(keys) and not set(keys) & columns
        return False

    return Flow(ctx, scope, seed=seed, initial=initial, prune=prune)


class _LazyFlow:
    """``_prediction_flow`` of one scope, built on the first question.

    Most answers are settled by a version next to the prediction, which is
    cheaper to see than where the prediction flows, so the flow is asked last.
    """

    def __init__(
        self, ctx: ModuleContext, scope: ast.AST, initial: set[str], predicted: dict[int, bool]
    ) -> None:
        self.args = (ctx, scope, initial, predicted)
        self.flow: Flow | None = None

    def carries(self, expr: ast.AST) -> bool:
        if self.flow is None:
            self.flow = _prediction_flow(*self.args)
        return self.flow.carries(expr)


@register
class PredictionWithoutModelVersion(Rule):
    id = "MLR401"
    confidence = Confidence.HIGH
    message = "a prediction is returned or logged without the model version that produced it"
    fix = "Return and log the model version (registry version, artifact digest or run id) with every prediction."
    doc = RuleDoc(
        what_it_does=(
            "Follows model outputs (`predict`, `predict_proba`, `session.run`, `model(x)`, and project helpers "
            "that return a bare prediction) inside serving handlers and batch scoring jobs, and reports:\n\n"
            "- a handler `return` whose value carries a prediction but no version field (`model_version`, "
            "`version`, `model_id`, `artifact...`, `run_id`, `revision`, `digest`), looking through nested "
            "dicts, `json.dumps`, `jsonify`, `JSONResponse`, response classes (their declared fields, so a "
            "pydantic response model with a `model_version` default counts) and helpers that build the response;\n"
            "- a log call that writes a prediction without a version (in the message, `extra=`, structlog "
            "key-values or a logger bound with one);\n"
            "- a batch job writing a predictions table (`to_parquet`, `to_csv`, `to_sql`, Spark writers...) with "
            "no version column and no version in the output path;\n"
            "- a batch scoring function returning predictions without a version when every caller in its module "
            "only drops the result (the job's entry point) or writes it out unversioned: reported at its return.\n\n"
            "Not reported: FastAPI `response_model=` classes with a version field, version headers set on the "
            "response, middleware or `after_request` hooks that stamp a version on every response, logging "
            "configured with a `%(model_version)s` field, and helpers (`predict*`/`score*` functions that a "
            "handler calls) whose caller adds the version."
        ),
        why_it_matters=(
            "When a prediction is disputed, a metric drops, or a canary misbehaves, the first question is which "
            "model produced it. Without the version in the response and the prediction log you cannot join "
            "outcomes to models, compare a canary with the baseline, or prove that a rollback worked; delayed "
            "labels arriving weeks later cannot be attributed to the model that made the call."
        ),
        example=(
            '@app.post("/predict")\ndef predict(req: ChurnRequest):\n'
            "    proba = float(model.predict_proba(to_frame(req))[0, 1])\n"
            '    logger.info("churn prediction %.3f", proba)\n    return {"churn_probability": proba}\n'
        ),
        use_instead=(
            '@app.post("/predict")\ndef predict(req: ChurnRequest):\n'
            "    proba = float(model.predict_proba(to_frame(req))[0, 1])\n"
            '    logger.info("churn prediction %.3f model_version=%s", proba, MODEL_VERSION)\n'
            '    return {"churn_probability": proba, "model_version": MODEL_VERSION}\n'
        ),
        options=(
            "Role globs in `[tool.mle-review.roles]` decide which files are serving code. Serving code means web/model-server handlers, Lambda handlers, batch scoring jobs and the project modules they import, when they sit next to ML code (an ML library imported by the module or a project neighbour), so plain web applications are not judged; notebooks are never serving code."
        ),
        references=(
            "Google, 'Rules of ML', rule 4/5 and the ML Test Score rubric (monitoring): log enough to reproduce "
            "a prediction",
            "KServe V2 inference protocol: responses carry `model_name` and `model_version`",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if (
            ctx.is_test
            or not on_serving_path(ctx)
            or has_training_evidence(ctx)
            or not ml_context(ctx)
        ):
            return
        entries = {id(ep.func): ep for ep in serving_entrypoints(ctx)}
        out_hooks = {
            k for k, ep in entries.items() if ep.hook in ("torchserve-out", "litserve-out")
        }
        predicted: dict[int, bool] = {}
        predicting_scopes: set[int] = set()
        for c in ctx.calls:
            predicted[id(c)] = found = _predicts(ctx, c)
            if found:
                predicting_scopes.add(id(scope_of(ctx, c)))
        if not predicting_scopes and not out_hooks:
            return  # cheap exit: nothing in this module produces a prediction
        ev = _Evidence(ctx)
        scoring = self._scoring_functions(ctx, ev, entries, predicted, predicting_scopes)
        if scoring:
            # Their returns are reported; what their callers do with the result is not a
            # second finding (``forecast(x).to_parquet(...)``).
            predicting_scopes = set()
            for c in ctx.calls:
                target = resolve_function(ctx, c) if predicted[id(c)] else None
                if target is not None and target[0] is ctx and id(target[1]) in scoring:
                    predicted[id(c)] = False
                elif predicted[id(c)]:
                    predicting_scopes.add(id(scope_of(ctx, c)))
            predicting_scopes |= scoring
        wide: bool | None = None  # asked once, before the first hit: most modules have none
        hits = self._hits(ctx, ev, entries, out_hooks, predicted, predicting_scopes, scoring)
        for hit in hits:
            if wide is None:
                wide = ev.module_wide()
            if wide:
                return
            yield hit

    def _hits(
        self,
        ctx: ModuleContext,
        ev: _Evidence,
        entries: dict[int, Entrypoint],
        out_hooks: set[int],
        predicted: dict[int, bool],
        predicting_scopes: set[int],
        scoring: set[int],
    ) -> Iterator[Hit]:
        batch = is_serving_module(ctx)
        for scope in scopes(ctx):
            ep = entries.get(id(scope))
            initial: set[str] = set()
            if id(scope) in out_hooks and ep is not None:
                initial = {p.name for p in ep.params}
            if not initial and id(scope) not in predicting_scopes:
                continue
            flow = _LazyFlow(ctx, scope, initial, predicted)
            assigned = _assigned(ctx, scope)
            scope_has_version = ev.in_scope(scope)
            if ep is not None and ep.kind != "function" and not scope_has_version:
                hit = self._returns(ctx, ep, flow, assigned, ev)
                if hit is not None:
                    yield hit
            elif id(scope) in scoring and isinstance(scope, FunctionNode) and not scope_has_version:
                hit = self._scoring_return(ctx, scope, flow, assigned, ev)
                if hit is not None:
                    yield hit
            yield from self._logs(ctx, scope, flow, assigned, ev)
            if batch and not scope_has_version and (ep is None or ep.kind == "function"):
                yield from self._writes(ctx, scope, flow, assigned, ev)

    def _returns(
        self,
        ctx: ModuleContext,
        ep: Entrypoint,
        flow: _LazyFlow,
        assigned: Assignments,
        ev: _Evidence,
    ) -> Hit | None:
        if ep.hook in _SKIP_HOOKS and ep.cls is not None and self._has_out_hook(ep.cls):
            return None
        if ep.hook in ("torchserve-in", "torchserve-mid", "litserve-in", "litserve-mid"):
            return None
        if ep.response_model is not None and ev.in_expr(ep.response_model, {}):
            return None
        for node in in_scope(ctx, ep.func, ctx.nodes(ast.Return)):
            if node.value is not None:
                if ev.in_expr(node.value, assigned) or not flow.carries(node.value):
                    continue
                return Hit.at(
                    node,
                    f"{ep.label} returns a prediction without the model version or artifact id, so callers and "
                    "prediction logs cannot tell which model produced it",
                    fix='Add the version to the response (`{"prediction": p, "model_version": MODEL_VERSION}`, a `model_version` field on the response model, or an `X-Model-Version` header).',
                )
        return None

    def _scoring_functions(
        self,
        ctx: ModuleContext,
        ev: _Evidence,
        entries: dict[int, Entrypoint],
        predicted: dict[int, bool],
        predicting_scopes: set[int],
    ) -> set[int]:
        """Top-level functions of a batch or serving module that score and hand their result
        to nobody who could add a version: every call in the module discards the result
        (the job's entry point) or writes it out unversioned, and no other module imports
        them. Their own returns are where the version goes missing."""
        if not is_serving_module(ctx):
            return set()
        found: dict[str, int] = {}
        for name, func in local_functions(ctx).items():
            ep = entries.get(id(func))
            if id(func) not in predicting_scopes or (ep is not None and ep.kind != "function"):
                continue
            sites = [
                c
                for c in calls_named(ctx, (name,))
                if isinstance(c.func, ast.Name) and resolve_function(ctx, c) == (ctx, func)
            ]
            if sites and all(self._unversioned_end(ctx, ev, site) for site in sites):
                found[name] = id(func)
        if not found:
            return set()
        for other in importers(ctx):  # asked last: it needs every module's imports
            if other.is_test:
                continue  # a test calling the job is not a caller that could add the version
            for imp in imported_names(other).values():
                if imp.target is ctx:
                    if imp.name is None:
                        return set()  # the module itself is imported: any function may be used
                    found.pop(imp.name, None)
        return set(found.values())

    def _unversioned_end(self, ctx: ModuleContext, ev: _Evidence, call: ast.Call) -> bool:
        """The call's result is thrown away, or written out as is with no version."""
        parent = ctx.parents.get(call)
        if isinstance(parent, ast.Expr):
            return True
        write = ctx.parents.get(parent) if isinstance(parent, ast.Attribute) else None
        if not (
            isinstance(parent, ast.Attribute)
            and parent.value is call
            and parent.attr in _WRITE_METHODS
            and isinstance(write, ast.Call)
            and write.func is parent
        ):
            return False
        scope = nearest_scope(ctx, write)
        if ev.in_scope(scope):
            return False
        assigned = Assignments(ctx, scope)
        return not any(
            ev.in_expr(p, assigned) for p in [*write.args, *(k.value for k in write.keywords)]
        )

    def _scoring_return(
        self,
        ctx: ModuleContext,
        func: FunctionNode,
        flow: _LazyFlow,
        assigned: Assignments,
        ev: _Evidence,
    ) -> Hit | None:
        for node in in_scope(ctx, func, ctx.nodes(ast.Return)):
            if node.value is None:
                continue
            if ev.in_expr(node.value, assigned) or not flow.carries(node.value):
                continue
            return Hit.at(
                node,
                f"batch scoring function `{func.name}` returns predictions without the model version, and "
                "its callers only write or drop them, so the scored rows cannot be traced to the model "
                "that produced them",
                fix='Add the version to what it returns (`out["model_version"] = MODEL_VERSION`) or write under a versioned path.',
            )
        return None

    def _has_out_hook(self, cls: ast.ClassDef) -> bool:
        names = {n.name for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        return bool(names & {"postprocess", "encode_response"})

    def _logs(
        self,
        ctx: ModuleContext,
        scope: ast.AST,
        flow: _LazyFlow,
        assigned: Assignments,
        ev: _Evidence,
    ) -> Iterator[Hit]:
        for node in in_scope(ctx, scope, calls_named(ctx, LOG_METHODS)):
            if log_call_kind(ctx, node) != "logger":
                continue
            args = log_arguments(node)
            if any(ev.in_expr(a, assigned) for a in args) or ev.in_expr(node.func, assigned):
                continue
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            if (
                isinstance(receiver, ast.Name)
                and receiver.id in assigned
                and any(ev.in_expr(v, {}) for v in assigned[receiver.id])
            ):
                continue
            if not any(flow.carries(a) for a in args):
                continue
            yield Hit.at(
                node,
                f"`{ast.unparse(node.func)}(...)` logs a prediction without the model version, so the log cannot "
                "be joined to the artifact that produced it",
                fix="Log the model version with each prediction: a field in the message or `extra=`, a bound logger (`logger.bind(model_version=...)`) or a `%(model_version)s` formatter field.",
                confidence=Confidence.MEDIUM,
            )

    def _writes(
        self,
        ctx: ModuleContext,
        scope: ast.AST,
        flow: _LazyFlow,
        assigned: Assignments,
        ev: _Evidence,
    ) -> Iterator[Hit]:
        for node in in_scope(ctx, scope, calls_named(ctx, _WRITE_METHODS)):
            if not isinstance(node.func, ast.Attribute) or node.func.attr not in _WRITE_METHODS:
                continue
            recv = node.func.value
            parts: list[ast.AST] = [recv, *node.args, *(k.value for k in node.keywords)]
            if any(ev.in_expr(p, assigned) for p in parts):
                continue
            if not any(flow.carries(p) for p in parts):
                continue
            yield Hit.at(
                node,
                f"`{ast.unparse(node.func)}(...)` writes predictions without a model version column or a versioned "
                "destination, so scored rows cannot be traced to the model that scored them",
                fix='Add a version column before writing (`df["model_version"] = MODEL_VERSION`) or write under a versioned path (`.../model_version=<v>/...`).',
            )
