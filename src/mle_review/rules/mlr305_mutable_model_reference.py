"""MLR305 mutable-model-reference: serving loads whatever a name points at today."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from mle_review.engine.astutil import call_kwarg, walk_scope
from mle_review.engine.context import ModuleContext, ProjectContext, dotted_name
from mle_review.engine.serving import (
    Assignments,
    aliases_of,
    calls_named,
    has_training_evidence,
    last_identifier,
    nearest_scope,
    on_serving_path,
    qualified_head,
    training_side_paths,
)
from mle_review.models import Confidence
from mle_review.rules.base import Hit, Rule, RuleDoc, register

_UNKNOWN = "\x00"  # stands for a part of a string we cannot see (config, env, arguments)
_STAGES = {"production", "staging", "archived", "none", "latest"}
_MUTABLE_TOKENS = {"latest", "current", "newest"}
_PATH_KWARGS = (
    "model_uri",
    "uri",
    "path",
    "f",
    "filepath",
    "file_path",
    "filename",
    "fname",
    "model_file",
    "model_path",
    "artifact_uri",
    "pretrained_model_name_or_path",
    "path_or_fileobj",
    "tag",
)
_FILE_LOADERS = {
    "joblib.load",
    "pickle.load",
    "torch.load",
    "torch.jit.load",
    "dill.load",
    "cloudpickle.load",
    "skops.io.load",
    "tensorflow.keras.models.load_model",
    "keras.models.load_model",
    "keras.saving.load_model",
    "tensorflow.saved_model.load",
    "onnxruntime.InferenceSession",
    "xgboost.Booster",
    "lightgbm.Booster",
    "catboost.CatBoost",
    "fsspec.open",
    "smart_open.open",
    "onnx.load",
    "safetensors.torch.load_file",
}
_MODEL_FILE = re.compile(
    r"\.(pkl|pickle|joblib|pt|pth|ckpt|onnx|h5|keras|bin|safetensors|cbm|model|ubj|tflite|pb|mar|bst)\b"
)
_MODEL_DIRS = {"model", "models", "artifact", "artifacts", "checkpoint", "checkpoints", "weights"}
_DOWNLOADERS = {"download_file", "download_fileobj", "download_to_filename", "get_object"}
_METHOD_LOADERS = {
    "load_model",
    "from_pretrained",
    "download_file",
    "download_fileobj",
    "download_to_filename",
    "get_object",
    "load_state_dict_from_url",
}
_SAVERS = {
    "joblib.dump": 1,
    "pickle.dump": 1,
    "torch.save": 1,
    "dill.dump": 1,
    "cloudpickle.dump": 1,
    "skops.io.dump": 1,
    "onnx.save": 1,
    "tensorflow.saved_model.save": 1,
    "safetensors.torch.save_file": 1,
}
_METHOD_SAVERS = {"save", "save_model", "save_pretrained", "dump_model", "save_weights"}
_SAVER_PACKAGES = frozenset(name.split(".")[0] for name in _SAVERS)
# Callee names a model save can end in (a name imported under an alias is added per module).
_SAVER_TAILS = frozenset({name.rsplit(".", 1)[-1] for name in _SAVERS} | _METHOD_SAVERS)


def _loader_qual(qual: str) -> str | None:
    """The kind of model load a qualified callee name makes, if any."""
    if qual.startswith("mlflow.") and (
        qual.endswith(".load_model")
        or qual in ("mlflow.artifacts.download_artifacts", "mlflow.pyfunc.spark_udf")
    ):
        return "mlflow"
    if qual.startswith("bentoml.") and (
        qual.endswith(".load_model")
        or qual
        in (
            "bentoml.models.get",
            "bentoml.models.BentoModel",
            "bentoml.models.HuggingFaceModel",
        )
    ):
        return "bentoml"
    if qual in _FILE_LOADERS:
        return "file"
    return None


# Callee names a load can end in: every qualified name ``_loader_qual`` accepts ends in
# one of the first set, unless the callee is a name imported under an alias.
_LOADER_TAILS = frozenset(
    {"load_model", "download_artifacts", "spark_udf", "get", "BentoModel", "HuggingFaceModel"}
    | {name.rsplit(".", 1)[-1] for name in _FILE_LOADERS}
    | _DOWNLOADERS
    | _METHOD_LOADERS
    | {"open"}
)


@dataclass(frozen=True)
class Written:
    path: str
    line: int
    text: str


def _constants(ctx: ModuleContext, scope: ast.AST | None) -> dict[str, ast.expr]:
    """Single assignments of names (module level, then the enclosing function) to their value."""
    cache: dict[int, dict[str, ast.expr]] = vars(ctx).setdefault("_mlr305_constants", {})
    key = id(scope) if scope is not None else 0
    if key not in cache:
        cache[key] = _collect_constants(ctx, scope)
    return cache[key]


def _collect_constants(ctx: ModuleContext, scope: ast.AST | None) -> dict[str, ast.expr]:
    found: dict[str, list[ast.expr]] = {}
    bodies: list[ast.AST] = [ctx.tree]
    if scope is not None:
        bodies.append(scope)
    for body in bodies:
        nodes = ctx.tree.body if isinstance(body, ast.Module) else list(walk_scope(body))
        for node in nodes:
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        found.setdefault(t.id, []).append(node.value)
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.value is not None
            ):
                found.setdefault(node.target.id, []).append(node.value)
    return {
        k: v[-1]
        for k, v in found.items()
        if len(v) == 1 or all(ast.dump(x) == ast.dump(v[0]) for x in v)
    }


def _argparse_defaults(ctx: ModuleContext) -> dict[str, ast.expr]:
    store = vars(ctx)
    if "_mlr305_argparse" not in store:
        store["_mlr305_argparse"] = _collect_argparse(ctx)
    return store["_mlr305_argparse"]  # type: ignore[no-any-return]


def _collect_argparse(ctx: ModuleContext) -> dict[str, ast.expr]:
    out: dict[str, ast.expr] = {}
    for call in calls_named(ctx, ("add_argument",)):
        if isinstance(call.func, ast.Attribute) and call.func.attr == "add_argument" and call.args:
            flag = call.args[-1]
            default = call_kwarg(call, "default")
            dest = call_kwarg(call, "dest")
            if default is None:
                continue
            if isinstance(dest, ast.Constant) and isinstance(dest.value, str):
                out[dest.value] = default
            elif isinstance(flag, ast.Constant) and isinstance(flag.value, str):
                out[flag.value.lstrip("-").replace("-", "_")] = default
    return out


def resolve_text(
    ctx: ModuleContext,
    expr: ast.AST | None,
    scope: ast.AST | None,
    depth: int = 0,
    argparse: bool = False,
) -> str | None:
    """The string an expression evaluates to, with unknown parts as ``_UNKNOWN``; None if not a string."""
    if expr is None or depth > 4:
        return None
    if isinstance(expr, ast.Constant):
        return expr.value if isinstance(expr.value, str) else None
    if isinstance(expr, ast.JoinedStr):
        out = []
        for part in expr.values:
            if isinstance(part, ast.Constant):
                out.append(str(part.value))
            elif isinstance(part, ast.FormattedValue):
                out.append(resolve_text(ctx, part.value, scope, depth + 1, argparse) or _UNKNOWN)
        return "".join(out)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Div)):
        left = resolve_text(ctx, expr.left, scope, depth + 1, argparse)
        right = resolve_text(ctx, expr.right, scope, depth + 1, argparse)
        if left is None and right is None:
            return None
        sep = "/" if isinstance(expr.op, ast.Div) else ""
        return (left or _UNKNOWN) + sep + (right or _UNKNOWN)
    if isinstance(expr, ast.Call):
        qual = ctx.qualname(expr) or dotted_name(expr.func) or ""
        short = qual.rsplit(".", 1)[-1]
        if qual in ("os.path.join", "posixpath.join") or short in (
            "Path",
            "PurePosixPath",
            "joinpath",
        ):
            parts = [resolve_text(ctx, a, scope, depth + 1, argparse) for a in expr.args]
            if isinstance(expr.func, ast.Attribute) and short == "joinpath":
                parts.insert(0, resolve_text(ctx, expr.func.value, scope, depth + 1, argparse))
            if not parts or all(p is None for p in parts):
                return None
            return "/".join(p or _UNKNOWN for p in parts)
        if short in ("str", "fspath", "as_posix", "resolve", "expanduser") and (
            expr.args or isinstance(expr.func, ast.Attribute)
        ):
            inner: ast.expr | None = expr.args[0] if expr.args else None
            if inner is None and isinstance(expr.func, ast.Attribute):
                inner = expr.func.value
            return resolve_text(ctx, inner, scope, depth + 1, argparse)
        # os.environ.get, settings lookups, function results: configuration we cannot see
        return None
    if isinstance(expr, ast.Name):
        value = _constants(ctx, scope).get(expr.id)
        if value is not None and value is not expr:
            return resolve_text(ctx, value, scope, depth + 1, argparse)
        return None
    if argparse and isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        default = _argparse_defaults(ctx).get(expr.attr)
        return (
            resolve_text(ctx, default, scope, depth + 1, argparse) if default is not None else None
        )
    return None


def _tokens(text: str) -> set[str]:
    return {t for t in re.split(r"[/_.\-:@=?&\s]+", text.lower()) if t}


def _normalise(path: str) -> str:
    path = path.strip()
    while path.startswith("./"):
        path = path[2:]
    return path.rstrip("/")


def _training_writes(rule: Rule, project: ProjectContext) -> dict[str, list[Written]]:
    """Fixed destinations that training code writes models to, by normalised path."""
    store = vars(project)
    if "_mlr305_writes" in store:
        return store["_mlr305_writes"]  # type: ignore[no-any-return]
    writes: dict[str, list[Written]] = {}
    store["_mlr305_writes"] = writes
    paths = training_side_paths(project)
    for mod in project.modules:
        if mod.path not in paths:
            continue
        found = project.summary(rule, mod)
        for key, written in found if isinstance(found, list) else ():
            writes.setdefault(key, []).append(written)
    return writes


def _module_writes(mod: ModuleContext) -> list[tuple[str, Written]] | None:
    """Model saves to a fixed destination in one module: (normalised path, the write)."""
    tails = _SAVER_TAILS | aliases_of(mod, _SAVERS.__contains__)
    source = mod.source
    if not any(tail in source for tail in tails):
        # A call ends in its callee's name, so a module that never spells one
        # saves nothing; skipping it spares indexing the module just to find none.
        return None
    found: list[tuple[str, Written]] = []
    for call in calls_named(mod, tails):
        if not (isinstance(call.func, ast.Attribute) and call.func.attr in _METHOD_SAVERS) and (
            qualified_head(mod, call) not in _SAVER_PACKAGES
        ):
            continue  # neither a saver method nor resolvable to a saver function
        qual = mod.qualname(call) or ""
        target: ast.expr | None = None
        if qual in _SAVERS and len(call.args) > _SAVERS[qual]:
            target = call.args[_SAVERS[qual]]
        elif (
            isinstance(call.func, ast.Attribute) and call.func.attr in _METHOD_SAVERS and call.args
        ):
            target = (
                call.args[-1]
                if call.func.attr == "save_model" and len(call.args) > 1
                else call.args[0]
            )
        if isinstance(target, ast.Call) and last_identifier(target.func) == "open" and target.args:
            target = target.args[0]
        if target is None:
            continue
        text = resolve_text(mod, target, mod.enclosing_function(call), argparse=True)
        if (
            text is None
            or _UNKNOWN in text
            or ("." not in text.rsplit("/", 1)[-1] and "/" not in text)
        ):
            continue
        line = call.lineno
        if mod.notebook is not None:
            line = mod.notebook.to_file_line(line)[0]
        found.append((_normalise(text), Written(mod.path, line, text)))
    return found


@register
class MutableModelReference(Rule):
    id = "MLR305"
    summarises = True
    confidence = Confidence.HIGH
    message = (
        "serving loads a model through a reference that changes when someone promotes or retrains"
    )
    fix = "Load an immutable reference (registry version `models:/churn/12`, a run id, a content digest) supplied by deployment config, and record it with every prediction; roll back by deploying the previous pinned value."
    doc = RuleDoc(
        what_it_does=(
            "In serving code, batch scoring jobs and the modules they import, finds model loads whose reference "
            "can point at a different artifact tomorrow: MLflow registry stages (`models:/churn/Production`, "
            "`/Staging`, `/latest`), MLflow aliases (`models:/churn@champion`, medium confidence), BentoML tags "
            "`name:latest` or a bare name, paths and object keys with a `latest`/`current` component "
            "(`s3://models/churn/latest/model.pkl`), and fixed paths that a training module of the same project "
            'overwrites on every run (`joblib.dump(model, "artifacts/model.joblib")`, including argparse '
            "defaults); the training write is reported as a related location.\n\n"
            "References are resolved through string constants, f-strings, `os.path.join` and `Path` joins. A "
            "registry version number, a run id, a digest, or any part that comes from configuration, environment "
            "or arguments (which can pin a version) is not reported."
        ),
        why_it_matters=(
            "With a mutable reference the code does not say which model it serves: a restart, an autoscaled "
            "replica or a promotion by someone else silently changes predictions, two replicas can serve "
            "different models, and when quality drops nobody can say which artifact was running or roll back to "
            "the last known-good one without retraining. Aliases are the registry's recommended way to *choose* "
            "a model, but the serving process should resolve them once at deploy time and load the resulting "
            "version, so the running version is written down."
        ),
        example=(
            'model = mlflow.pyfunc.load_model("models:/churn/Production")\n'
            'booster.load_model("s3://ml-models/churn/latest/model.json")\n'
        ),
        use_instead=(
            'MODEL_URI = os.environ["MODEL_URI"]  # e.g. models:/churn/12, set by the deployment\n'
            "model = mlflow.pyfunc.load_model(MODEL_URI)\n"
        ),
        options="Role globs in `[tool.mle-review.roles]` decide which files are serving code.",
        references=(
            "MLflow Model Registry docs: stages are deprecated in favour of aliases; `models:/<name>/<version>` "
            "addresses an immutable version",
            "Google, 'Rules of ML', rule 24-25 and the ML Test Score rubric: serving models must be reproducible "
            "and rollbackable",
        ),
    )

    def summarise(self, ctx: ModuleContext) -> list[tuple[str, Written]] | None:
        """The module's model saves to fixed paths, for the training-side index of writes."""
        return _module_writes(ctx)

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test or not on_serving_path(ctx) or has_training_evidence(ctx):
            return
        writes: dict[str, list[Written]] | None = None
        tails = _LOADER_TAILS | aliases_of(ctx, lambda qual: _loader_qual(qual) is not None)
        loads = [
            (call, kind) for call in calls_named(ctx, tails) if (kind := self._loader(ctx, call))
        ]
        # ``with open(path) as fh: pickle.load(fh)`` reads the model at the loader, as
        # ``pickle.load(open(path))`` does: the path is judged there, and not at ``open``.
        opened: dict[int, ast.Call] = {}
        for call, kind in loads:
            if kind in ("file", "method") and not self._generic_opener(call):
                handle = self._opened(ctx, call)
                if handle is not None:
                    opened[id(call)] = handle
        consumed = {id(handle) for handle in opened.values()}
        for call, kind in loads:
            if id(call) in consumed:
                continue
            parent = ctx.parents.get(call)
            if kind == "open" and isinstance(parent, ast.Call) and self._loader(ctx, parent):
                continue  # ``pickle.load(open(path))``: judged once, at the loader
            handle = opened.get(id(call))
            if handle is not None:
                ref_expr = self._reference(ctx, handle, self._loader(ctx, handle) or "open")
            else:
                ref_expr = self._reference(ctx, call, kind)
            scope = ctx.enclosing_function(call)
            text = resolve_text(ctx, ref_expr, scope)
            if text is None:
                continue
            hit = self._mutable(call, kind, text)
            if hit is None and _UNKNOWN not in text:
                if writes is None:
                    writes = _training_writes(self, ctx.project)
                hit = self._overwritten(call, text, writes)
            if hit is not None:
                yield hit

    def _loader(self, ctx: ModuleContext, call: ast.Call) -> str | None:
        kind = _loader_qual(ctx.qualname(call) or "")
        if kind is not None:
            return kind
        if isinstance(call.func, ast.Attribute) and call.func.attr in _DOWNLOADERS:
            return "download"
        if isinstance(call.func, ast.Attribute) and call.func.attr in _METHOD_LOADERS:
            return "method"
        if last_identifier(call.func) == "open" and isinstance(call.func, ast.Name):
            return "open"
        return None

    def _reference(self, ctx: ModuleContext, call: ast.Call, kind: str) -> ast.expr | None:
        if kind == "mlflow" and call_kwarg(call, "model_uri") is not None:
            return call_kwarg(call, "model_uri")
        if kind == "mlflow" and last_identifier(call.func) == "spark_udf":
            return call.args[1] if len(call.args) > 1 else None  # spark_udf(spark, model_uri)
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in ("download_file", "download_fileobj"):
            return call.args[1] if len(call.args) > 1 else call_kwarg(call, "Key")
        if isinstance(func, ast.Attribute) and func.attr == "get_object":
            return call_kwarg(call, "Key")
        if isinstance(func, ast.Attribute) and func.attr == "download_to_filename":
            blob: ast.expr | None = func.value
            if isinstance(
                blob, ast.Name
            ):  # blob = bucket.blob("..."); blob.download_to_filename(...)
                blob = _constants(ctx, ctx.enclosing_function(call)).get(blob.id)
            if isinstance(blob, ast.Call) and blob.args:
                return blob.args[0]
            return None
        for name in _PATH_KWARGS:
            value = call_kwarg(call, name)
            if value is not None:
                return value
        if call.args:
            first = call.args[0]
            if isinstance(first, ast.Call) and last_identifier(first.func) == "open" and first.args:
                return first.args[0]
            return first
        return None

    def _mutable(self, call: ast.Call, kind: str, text: str) -> Hit | None:
        shown = text.replace(_UNKNOWN, "{...}")
        if text.startswith("models:/"):
            rest = text[len("models:/") :]
            if "@" in rest:
                alias = rest.split("@", 1)[1]
                if not alias or _UNKNOWN in alias:
                    return None
                return Hit.at(
                    call,
                    f"loads `{shown}` by the registry alias `@{alias}`: the alias moves whenever a model is promoted, so "
                    "the code does not record which version it serves and a restart can switch models",
                    confidence=Confidence.MEDIUM,
                    fix="Resolve the alias at deploy time (`client.get_model_version_by_alias(name, alias).version`), pass the resulting `models:/<name>/<version>` to the service, and return/log that version with predictions.",
                )
            parts = rest.split("/")
            if len(parts) >= 2 and _UNKNOWN not in parts[1] and parts[1].lower() in _STAGES:
                what = (
                    "`latest`"
                    if parts[1].lower() == "latest"
                    else f"the registry stage `{parts[1]}`"
                )
                return Hit.at(
                    call,
                    f"loads `{shown}` by {what} rather than a version number: whatever it points at when the process "
                    "starts gets served, so a rollback cannot name the known-good artifact",
                )
            return None
        if kind == "bentoml":
            if _UNKNOWN in text:
                return None
            if ":" not in text or text.rsplit(":", 1)[1].lower() == "latest":
                return Hit.at(
                    call,
                    f"loads the BentoML model `{shown}` without a fixed version tag, which resolves to the newest "
                    "model in the store at build time",
                    fix='Reference the model by its full tag (`name:version`), e.g. `bentoml.models.get("iris_clf:4kfmd2bq6wx5kamd")`.',
                )
            return None
        known = text.replace(_UNKNOWN, "/")
        tokens = _tokens(known)
        mutable = tokens & _MUTABLE_TOKENS
        generic = kind in ("open", "download") or (kind == "file" and self._generic_opener(call))
        if mutable and (not generic or _MODEL_FILE.search(known) or tokens & _MODEL_DIRS):
            word = sorted(mutable)[0]
            return Hit.at(
                call,
                f"loads the model from `{shown}`, a `{word}` reference that is overwritten by each new model, so "
                "the served artifact changes without a deploy and a rollback cannot name the previous one",
            )
        return None

    def _opened(self, ctx: ModuleContext, call: ast.Call) -> ast.Call | None:
        """The ``open(...)`` whose file handle this loader reads: its first argument is a
        name bound once in the scope, by ``with open(...) as fh`` or ``fh = open(...)``."""
        if not call.args or not isinstance(call.args[0], ast.Name):
            return None
        values = Assignments(ctx, nearest_scope(ctx, call))[call.args[0].id]
        if len(values) != 1 or not isinstance(values[0], ast.Call):
            return None
        opener = values[0]
        kind = self._loader(ctx, opener)
        if kind == "open" or (kind == "file" and self._generic_opener(opener)):
            return opener
        return None

    def _generic_opener(self, call: ast.Call) -> bool:
        """``fsspec.open``/``smart_open.open`` read any file, not only models."""
        return (last_identifier(call.func) or "") == "open"

    def _overwritten(
        self, call: ast.Call, text: str, writes: dict[str, list[Written]]
    ) -> Hit | None:
        key = _normalise(text)
        found = writes.get(key)
        if not found:
            return None
        first = found[0]
        return Hit.at(
            call,
            f"loads `{text}`, the fixed path that `{first.path}` overwrites on every training run: after the next "
            "training the service will pick up an unreviewed model on restart, and the previous one is gone",
            related=[(first.path, first.line, "training writes the model to the same fixed path")],
            fix="Have training write to a versioned location (run id, git SHA or timestamp in the path, or a registry version) and have serving load a pinned version from deployment config.",
        )
