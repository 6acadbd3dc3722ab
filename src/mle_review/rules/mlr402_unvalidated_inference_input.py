"""MLR402 unvalidated-inference-input: a raw request payload reaches feature code or the model."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mle_review.engine.astutil import walk_scope
from mle_review.engine.context import ModuleContext
from mle_review.engine.serving import (
    DOWNSTREAM_HOOKS,
    Entrypoint,
    Flow,
    ParamKind,
    is_class_name,
    is_feature_call,
    is_model_call,
    is_raw_request_read,
    last_identifier,
    ml_context,
    name_tokens,
    request_names,
    resolve_function,
    schema_info,
    serving_entrypoints,
)
from mle_review.models import Confidence
from mle_review.rules.base import Hit, Rule, RuleDoc, register

_VALIDATING_METHODS = {
    "model_validate",
    "model_validate_json",
    "parse_obj",
    "parse_raw",
    "validate_python",
    "validate_json",
    "validate",
    "is_valid",
    "iter_errors",
}
_VALIDATING_FUNCTION = re.compile(
    r"_?(validate|check|ensure|verify|require|assert_valid|parse_and_validate)"
)
_NARROW_ERRORS = {
    "KeyError",
    "ValueError",
    "TypeError",
    "LookupError",
    "ValidationError",
    "JSONDecodeError",
    "InvalidOperation",
}

_FIXES = {
    "fastapi": "Declare the body as a pydantic model in the signature (`def predict(req: ChurnRequest)`), with field types and bounds (`Field(ge=0)`), so FastAPI answers 422 before the model runs.",
    "flask": "Validate the body before use: `req = ChurnRequest.model_validate(request.get_json())` (pydantic) or `schema.load(...)` (marshmallow), returning 400 on ValidationError.",
    "lambda": "Parse `event['body']` into a pydantic model (`ChurnRequest.model_validate_json(event['body'])`) and return a 400 response on ValidationError.",
}
_DEFAULT_FIX = "Validate the payload against a schema (a pydantic model, marshmallow schema or jsonschema) with required fields, types and ranges, and reject it with a 4xx before feature code or the model sees it."


def _raises_or_returns(body: list[ast.stmt]) -> bool:
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, (ast.Raise, ast.Return)):
                return True
            if isinstance(node, ast.Call) and last_identifier(node.func) in (
                "abort",
                "HTTPException",
            ):
                return True
    return False


def _handler_names(handler: ast.ExceptHandler) -> set[str]:
    if handler.type is None:
        return {"BaseException"}
    elts = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {last_identifier(e) or "" for e in elts}


@register
class UnvalidatedInferenceInput(Rule):
    id = "MLR402"
    confidence = Confidence.HIGH
    message = "a raw request payload reaches feature code or the model without schema validation"
    fix = _DEFAULT_FIX
    doc = RuleDoc(
        what_it_does=(
            "Finds serving handlers (FastAPI, Flask, Starlette, Django, Sanic, aiohttp, BentoML, Ray Serve, KServe, "
            "Seldon, TorchServe, LitServe, AWS Lambda, Azure Functions) where an unvalidated payload flows into "
            "feature code or a model call. Unvalidated means: `await request.json()`, `request.get_json()`, "
            "`request.form`/`args`/`body`, a parameter typed `dict`/`Dict[str, Any]`/`Any`, a Lambda `event`, a "
            "KServe/Seldon/TorchServe raw payload. The value is followed through assignments, containers and "
            "`pd.DataFrame(...)` up to the first model or feature call, which is where the finding is placed.\n\n"
            "A handler counts as validated when its parameter is a schema type (a pydantic model, dataclass, "
            "TypedDict or msgspec struct, defined in the same file or imported from the project), or when the "
            "payload passes through a check before that call: `Model(**payload)`, `Model.model_validate(...)`, "
            "`schema.load(...)`, `jsonschema.validate(...)`, `serializer.is_valid(...)`, a project function named "
            "`validate*`/`check*`, an `if` on the payload that raises or returns, or a `try` that turns "
            "`KeyError`/`ValueError`/`ValidationError` into an error response. `assert` is not a check: it "
            "disappears under `python -O`."
        ),
        why_it_matters=(
            "Models do not fail on bad input, they answer. A missing field becomes NaN and then an imputed "
            "average, a string amount becomes a category nobody trained on, a negative age sails through a tree "
            "model, and the caller gets a confident score for a request that was never valid. Rejecting it at the "
            "door with a 4xx keeps garbage out of predictions, prediction logs and the data later used for "
            "retraining, and turns a silent quality problem into a visible client error."
        ),
        example=(
            '@app.post("/predict")\nasync def predict(request: Request):\n    payload = await request.json()\n'
            '    features = build_features(payload)\n    return {"score": float(model.predict_proba(features)[0, 1])}\n'
        ),
        use_instead=(
            "class ChurnRequest(BaseModel):\n    tenure_months: int = Field(ge=0, le=600)\n"
            '    monthly_charges: float = Field(ge=0)\n    plan: Literal["basic", "plus", "pro"]\n\n\n'
            '@app.post("/predict")\ndef predict(req: ChurnRequest):\n    features = build_features(req.model_dump())\n'
            '    return {"score": float(model.predict_proba(features)[0, 1]), "model_version": MODEL_VERSION}\n'
        ),
        options=(
            "Role globs in `[tool.mle-review.roles]` decide which files are serving code. A project-specific "
            "validator is recognised when its name starts with `validate`/`check`/`ensure`/`verify`/`require` or "
            "when it raises on bad input. Handlers are judged when they sit next to ML code, so plain web "
            "applications are not; only payload parameters count (the first parameter or one named like a "
            "payload), not headers or options, and a union with a typed protocol class (KServe `InferRequest`, a "
            "tensor) is decoded by the framework, not raw."
        ),
        references=(
            "FastAPI docs, 'Request Body': declaring a pydantic model makes FastAPI validate and document the body",
            "Pydantic docs, 'Validators' and `Field` constraints (`ge`, `le`, `pattern`)",
            "Google, 'Rules of ML', rule 37: measure training/serving skew, which starts with unchecked inputs",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test or not ml_context(ctx):
            return
        for ep in serving_entrypoints(ctx):
            if ep.kind == "function" or ep.hook in DOWNSTREAM_HOOKS:
                continue
            hit = self._check_entry(ctx, ep)
            if hit is not None:
                yield hit

    def _check_entry(self, ctx: ModuleContext, ep: Entrypoint) -> Hit | None:
        raw_params = ep.payload_params(ParamKind.RAW)
        req_names = request_names(ctx, ep)
        if not raw_params and not req_names:
            return None
        func = ep.func
        flow = Flow(
            ctx,
            func,
            seed=lambda n: is_raw_request_read(n, req_names),
            barrier=lambda c: self._is_validation(ctx, c),
            initial=raw_params,
        )
        if not raw_params and not any(is_raw_request_read(n, req_names) for n in walk_scope(func)):
            return None
        first_check = self._first_check_line(ctx, func, flow)
        calls = sorted(
            (n for n in walk_scope(func) if isinstance(n, ast.Call)),
            key=lambda c: (c.lineno, c.col_offset),
        )
        for call in calls:
            if (
                first_check is not None
                and call.lineno >= first_check[0]
                and not (first_check[1] and call.lineno == first_check[0])
            ):
                return None
            if self._is_validation(ctx, call):
                continue
            kind = self._sink_kind(ctx, call)
            if kind is None:
                continue
            inputs = [
                *call.args,
                *(k.value for k in call.keywords if k.arg is not None or kind != "the model"),
            ]
            carrying = [a for a in inputs if flow.carries(a)]
            if not carrying:
                continue
            what = self._describe_source(ctx, ep, flow, carrying[0], raw_params)
            target = ast.unparse(call.func)
            return Hit.at(
                call,
                f"{ep.label} passes {what} to {kind} (`{target}(...)`) without schema validation",
                fix=_FIXES.get(ep.framework, _DEFAULT_FIX),
            )
        return None

    def _describe_source(
        self, ctx: ModuleContext, ep: Entrypoint, flow: Flow, arg: ast.expr, raw_params: set[str]
    ) -> str:
        if ep.framework == "lambda":
            return "the raw Lambda event"
        reads = [
            n
            for n in [*flow.sources_in(arg), *walk_scope(ep.func)]
            if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name)
            and n.value.id not in raw_params
            and flow.seed(n)
        ]
        if reads:
            node = reads[0]
            assert isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            what = (
                "query parameters"
                if node.attr in ("args", "query_params", "GET", "query")
                else "request data"
            )
            return f"raw {what} (`{node.value.id}.{node.attr}`)"
        for p in ep.params:
            if p.name in raw_params:
                ann = f": {p.annotation}" if p.annotation else ""
                return f"the unvalidated parameter `{p.name}{ann}`"
        return "the raw request body"

    def _sink_kind(self, ctx: ModuleContext, call: ast.Call) -> str | None:
        if is_model_call(ctx, call):
            return "the model"
        if is_feature_call(ctx, call):
            return "feature code"
        resolved = resolve_function(ctx, call)
        if resolved is not None:
            mod, fn = resolved
            if self._validates_itself(mod, fn):
                return None
            for node in walk_scope(fn):
                if isinstance(node, ast.Call) and is_model_call(mod, node):
                    return "a helper that runs the model"
        return None

    def _validates_itself(
        self, mod: ModuleContext, fn: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> bool:
        """A project helper that checks its input and raises counts as validation."""
        for node in walk_scope(fn):
            if isinstance(node, ast.If) and any(
                isinstance(n, ast.Raise) for b in node.body for n in ast.walk(b)
            ):
                return True
            if isinstance(node, ast.Call) and self._is_validation(mod, node):
                return True
        return False

    def _is_validation(self, ctx: ModuleContext, call: ast.Call) -> bool:
        func = call.func
        ident = last_identifier(func) or ""
        schemas = schema_info(ctx)
        if isinstance(func, ast.Name) and is_class_name(ident):
            return schemas.validated(ident)
        if isinstance(func, ast.Attribute):
            if func.attr in _VALIDATING_METHODS:
                return True
            if func.attr in ("load", "loads"):
                recv = last_identifier(func.value) or ""
                tokens = set(name_tokens(recv))
                if tokens & {"schema", "serializer", "validator"}:
                    return True
                return isinstance(func.value, ast.Call) and schemas.is_schema(recv)
        if _VALIDATING_FUNCTION.match(ident):
            return True
        resolved = resolve_function(ctx, call)
        if resolved is not None:
            _mod, fn = resolved
            return any(
                isinstance(n, ast.If)
                and any(isinstance(x, ast.Raise) for b in n.body for x in ast.walk(b))
                for n in walk_scope(fn)
            )
        return False

    def _first_check_line(
        self, ctx: ModuleContext, func: ast.AST, flow: Flow
    ) -> tuple[int, bool] | None:
        """Line of the first validation of the payload, and whether it covers its own line (a try)."""
        best: tuple[int, bool] | None = None

        def consider(line: int, inclusive: bool) -> None:
            nonlocal best
            if best is None or line < best[0]:
                best = (line, inclusive)

        for node in walk_scope(func):
            if isinstance(node, ast.Call) and self._is_validation(ctx, node):
                parts: list[ast.AST] = [*node.args, *(k.value for k in node.keywords)]
                if isinstance(node.func, ast.Attribute):
                    parts.append(node.func.value)
                if any(flow.carries(p) for p in parts):
                    consider(node.lineno, True)
            elif (
                isinstance(node, ast.If)
                and flow.carries(node.test)
                and _raises_or_returns(node.body)
            ):
                consider(node.lineno, False)
            elif isinstance(node, ast.Try):
                narrow = [h for h in node.handlers if _handler_names(h) & _NARROW_ERRORS]
                if narrow and any(_raises_or_returns(h.body) for h in narrow):
                    uses = [s for s in node.body if flow.carries(s)]
                    if uses:
                        consider(uses[0].lineno, True)
        return best
