"""Where serving code starts, what reaches it, and which calls run the model.

The serving rules (MLR304, MLR305, MLR401-MLR404) keep asking the same
questions: which functions receive outside input (web routes, model-server
hooks, Lambda handlers), which of their parameters a framework has already
validated, which modules sit on the serving path, which calls run a model,
which calls write a log. They are answered once here so the rules stay short
and agree with each other. Everything is static: nothing under review is
imported or executed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple, TypeVar, cast

from mle_review.config import path_matches
from mle_review.engine.astutil import SCOPE_TYPES as _NESTED
from mle_review.engine.astutil import child_nodes, statement_list_fields, walk_scope
from mle_review.engine.context import Role, dotted_name, has_call_text, has_word

if TYPE_CHECKING:
    from mle_review.engine.context import ModuleContext, ProjectContext

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_T = TypeVar("_T")


_MISSING = object()


def _cached(obj: object, key: str, build: Callable[[], _T]) -> _T:
    """Memoise a derived fact on a context object (contexts live for one scan)."""
    store = vars(obj)
    found = store.get(key, _MISSING)
    if found is _MISSING:
        found = store[key] = build()
    return cast(_T, found)


# --- identifiers ------------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


_SEPARATORS = re.compile(r"[^a-z0-9]+")
_TOKENS: dict[str, tuple[str, ...]] = {}


def name_tokens(name: str) -> tuple[str, ...]:
    """``customerEmail`` / ``customer_email`` / ``X-Customer-Email`` -> ``('customer', 'email')``.

    Memoised (the rules ask about the same identifiers in every module), as
    tuples of strings, which the garbage collector stops tracking.
    """
    found = _TOKENS.get(name)
    if found is None:
        if len(_TOKENS) > 100_000:
            _TOKENS.clear()
        found = _TOKENS[name] = tuple(
            t for t in _SEPARATORS.split(_CAMEL.sub("_", name).lower()) if t
        )
    return found


def last_identifier(node: ast.AST) -> str | None:
    """The identifier a reader would call this value by: ``self.model`` -> ``model``."""
    if isinstance(node, ast.Call):
        return last_identifier(node.func)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
        return last_identifier(node.value)
    return None


def is_class_name(name: str) -> bool:
    """CamelCase names are classes by convention; ALL_CAPS names are constants."""
    return name[:1].isupper() and any(c.islower() for c in name)


def function_defs(tree: ast.AST) -> Iterator[FunctionNode]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def local_functions(ctx: ModuleContext) -> dict[str, FunctionNode]:
    """Top-level functions of the module by name (the helpers a handler can call directly)."""

    def build() -> dict[str, FunctionNode]:
        return {
            n.name: n
            for n in ctx.tree.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        }

    return _cached(ctx, "_srv_local_functions", build)


def qualified_head(ctx: ModuleContext, node: ast.AST) -> str | None:
    """``ctx.qualname(node).split(".")[0]`` (None when unresolved), without building the name.

    For per-call prefilters: a qualified name can only be one a rule knows when its
    first segment is one of that name's packages.
    """
    if isinstance(node, ast.Call):
        node = node.func
    while isinstance(node, ast.Attribute):
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    heads = vars(ctx).get("_srv_import_heads")
    if heads is None:
        heads = vars(ctx)["_srv_import_heads"] = _import_heads(ctx)
    return heads.get(node.id)


def _import_heads(ctx: ModuleContext) -> dict[str, str]:
    return {local: target.split(".")[0] for local, target in ctx.imports.names.items()}


def may_name(ctx: ModuleContext, names: Iterable[str]) -> bool:
    """Whether one of these identifiers occurs in the source as a whole word.

    A call or import of a name spells it verbatim in ASCII source, so a module
    where none occurs cannot call any of them (non-ASCII source may spell an
    identifier in an NFKC-equivalent form: it always passes). Words in
    comments and strings pass too; this is a cheap prefilter, not a parser.
    """
    source = ctx.source
    return not source.isascii() or any(has_word(source, name) for name in names)


def _call_tails(ctx: ModuleContext) -> dict[str, list[int]]:
    tails: dict[str, list[int]] = {}
    attr_type, name_type = ast.Attribute, ast.Name
    for i, call in enumerate(ctx.calls):
        func = call.func
        kind = type(func)  # parsed trees hold exact node classes
        if kind is attr_type:
            key = func.attr  # type: ignore[attr-defined]
        elif kind is name_type:
            key = func.id  # type: ignore[attr-defined]
        else:
            continue
        bucket = tails.get(key)
        if bucket is None:
            tails[key] = [i]
        else:
            bucket.append(i)
    return tails


def calls_named(ctx: ModuleContext, names: Iterable[str]) -> list[ast.Call]:
    """Calls whose callee ends in one of ``names`` (``x.load(...)``, ``load(...)``), in ``ctx.calls`` order.

    The callee's last identifier is fixed by the source, so a rule that only
    knows some function or method names finds its candidates with a few dict
    lookups instead of testing every call of every module. A name imported
    under an alias (``from joblib import load as jl_load``) must be asked for
    under its local name.
    """
    tails = vars(ctx).get("_srv_call_tails")
    if tails is None:
        tails = vars(ctx)["_srv_call_tails"] = _call_tails(ctx)
    found: list[int] = []
    buckets = 0
    for name in names:
        bucket = tails.get(name)
        if bucket is not None:
            found.extend(bucket)
            buckets += 1
    if buckets > 1:
        found = sorted(set(found))
    calls = ctx.calls
    return [calls[i] for i in found]


def aliases_of(ctx: ModuleContext, wanted: Callable[[str], bool]) -> set[str]:
    """Local names imported as something ``wanted`` accepts (``jl_load`` for ``joblib.load``)."""
    return {local for local, target in ctx.imports.names.items() if wanted(target)}


def statements(ctx: ModuleContext) -> list[tuple[ast.AST, FunctionNode | None]]:
    """Every statement (and except handler and match case) with its enclosing function.

    In the order ``ctx.nodes`` lists nodes of one type, found by walking the
    statement lists only: statements never sit inside expressions, and a
    project-wide question (imports, function bodies) should not make the
    engine index every node of every module.
    """

    # Not memoised: callers use it once per module, and thousands of (node, function)
    # pairs kept alive would only make every full garbage collection slower.
    out: list[tuple[ast.AST, FunctionNode | None]] = []
    stack: list[tuple[ast.AST, FunctionNode | None]] = [(ctx.tree, None)]
    defs = (ast.FunctionDef, ast.AsyncFunctionDef)
    while stack:
        node, func = stack.pop()
        out.append((node, func))
        inner = node if isinstance(node, defs) else func
        for name in statement_list_fields(type(node)):
            value = getattr(node, name, None)
            if isinstance(value, list):
                stack.extend((item, inner) for item in value)
    return out


def typed_nodes(ctx: ModuleContext, *kinds: type[ast.AST]) -> list[ast.AST]:
    """Nodes of the given types from the load-time index, in source order (no tree walk)."""
    found: list[ast.AST] = [n for kind in kinds for n in ctx.nodes(kind)]
    found.sort(key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
    return found


def module_level_nodes(ctx: ModuleContext) -> Iterator[ast.AST]:
    """Nodes of the module that run at import time (outside any def or class)."""
    for stmt in ctx.tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield stmt
        yield from walk_scope(stmt)


def scopes(ctx: ModuleContext) -> Iterator[ast.AST]:
    """The module (for script-style code and notebooks) and every function in it."""
    yield ctx.tree
    yield from ctx.functions


def scope_of(ctx: ModuleContext, node: ast.AST) -> ast.AST:
    """The innermost function holding ``node``, or the module for top-level code."""
    func = ctx.enclosing_function(node)
    return func if func is not None else ctx.tree


def scope_nodes(scope: ast.AST, ctx: ModuleContext) -> Iterator[ast.AST]:
    return iter(scope_node_list(scope, ctx))


def scope_node_list(scope: ast.AST, ctx: ModuleContext) -> list[ast.AST]:
    """``list(scope_nodes(scope, ctx))``, walked once per scan and shared by the rules.

    Callers must not modify the list.
    """
    per_scope = _cached(ctx, "_srv_scope_nodes", dict[int, list[ast.AST]])
    found = per_scope.get(id(scope))
    if found is None:
        if isinstance(scope, ast.Module):
            found = list(module_level_nodes(ctx))
        else:
            found = list(walk_scope(scope))
        per_scope[id(scope)] = found
    return found


# --- the project's own modules and imports ----------------------------------------


def _module_names(path: str) -> list[str]:
    """Dotted names a file can be imported as, longest first (handles src/ layouts)."""
    parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return [".".join(parts[i:]) for i in range(len(parts)) if parts[i:]]


def _module_index(project: ProjectContext) -> dict[str, list[ModuleContext]]:
    def build() -> dict[str, list[ModuleContext]]:
        index: dict[str, list[ModuleContext]] = {}
        for mod in project.modules:
            if mod.path.endswith(".py"):
                for name in _module_names(mod.path):
                    index.setdefault(name, []).append(mod)
        return index

    return _cached(project, "_srv_module_index", build)


def resolve_module(ctx: ModuleContext, module: str | None, level: int) -> ModuleContext | None:
    """The project module an import statement in ``ctx`` refers to, when it is unambiguous."""
    index = _module_index(ctx.project)
    if level:
        base = ctx.path.split("/")[:-1]
        if level > 1:
            base = base[: len(base) - (level - 1)]
        full = ".".join([*base, *(module.split(".") if module else [])])
        found = index.get(full, [])
        return found[0] if len(found) == 1 else None
    if not module:
        return None
    found = index.get(module, [])
    if len(found) == 1 and found[0] is not ctx:
        return found[0]
    return None


class ImportedName(NamedTuple):
    local: str
    module: str  # as written, with leading dots for relative imports
    name: str | None  # None for ``import x``
    target: ModuleContext | None  # the project module holding it, when resolvable


def _module_heads(project: ProjectContext) -> frozenset[str]:
    """First segments of every dotted name a project module can be imported as."""
    return _cached(
        project,
        "_srv_module_heads",
        lambda: frozenset(name.split(".", 1)[0] for name in _module_index(project)),
    )


def imported_names(ctx: ModuleContext) -> dict[str, ImportedName]:
    """Every imported local name, relative imports included (``ctx.imports`` skips those)."""

    def build() -> dict[str, ImportedName]:
        out: dict[str, ImportedName] = {}
        heads = _module_heads(ctx.project)
        for node in ctx.import_nodes:
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                if not node.level and mod.split(".", 1)[0] not in heads:
                    # an outside package: nothing it names can be a project module
                    for alias in node.names:
                        if alias.name != "*":
                            local = alias.asname or alias.name
                            out[local] = ImportedName(local, mod, alias.name, None)
                    continue
                target = resolve_module(ctx, node.module, node.level)
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    sub = None
                    if target is None:  # ``from . import schemas`` imports a module
                        sub = resolve_module(
                            ctx, f"{mod}.{alias.name}" if mod else alias.name, node.level
                        )
                    out[alias.asname or alias.name] = ImportedName(
                        alias.asname or alias.name,
                        "." * node.level + mod,
                        None if sub is not None else alias.name,
                        sub or target,
                    )
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    target = None
                    if alias.asname and alias.name.split(".", 1)[0] in heads:
                        target = resolve_module(ctx, alias.name, 0)
                    out[local] = ImportedName(local, alias.name, None, target)
        return out

    return _cached(ctx, "_srv_imported_names", build)


def imported_modules(ctx: ModuleContext) -> list[ModuleContext]:
    """Project modules that ``ctx`` imports from."""
    seen: dict[str, ModuleContext] = {}
    for imp in imported_names(ctx).values():
        if imp.target is not None and imp.target is not ctx:
            seen[imp.target.path] = imp.target
    return list(seen.values())


def resolve_function(
    ctx: ModuleContext, call: ast.Call
) -> tuple[ModuleContext, FunctionNode] | None:
    """The project function a call runs: a local top-level def or one imported from the project."""
    if isinstance(call.func, ast.Name):
        name = call.func.id
        local = local_functions(ctx).get(name)
        if local is not None:
            return ctx, local
        imp = imported_names(ctx).get(name)
        if imp is not None and imp.target is not None and imp.name is not None:
            fn = local_functions(imp.target).get(imp.name)
            if fn is not None:
                return imp.target, fn
    elif (
        isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "self"
    ):
        cls = ctx.enclosing(call, (ast.ClassDef,))
        if isinstance(cls, ast.ClassDef):
            for item in cls.body:
                if (
                    isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and item.name == call.func.attr
                ):
                    return ctx, item
    elif isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        imp = imported_names(ctx).get(call.func.value.id)
        if imp is not None and imp.target is not None and imp.name is None:
            fn = local_functions(imp.target).get(call.func.attr)
            if fn is not None:
                return imp.target, fn
    return None


# --- roles -------------------------------------------------------------------------

_TRAIN_PATH = re.compile(r"(^|/)(train(ing|er)?|fit|retrain)([/._-]|$)")
_FIT_CALL = re.compile(r"\.(fit|fit_transform|fit_resample|partial_fit)\s*\(|\.backward\s*\(")
_BATCH_PATH = re.compile(
    r"(^|/)(jobs?|batch|scoring)/|(^|/)[^/]*(batch|scor(e|ing)|predict|infer)[^/]*\.py$"
)
_PREDICT_CALL = re.compile(r"\.(?:predict|predict_proba|decision_function)\s*\(")  # or spark_udf(
_WRITE_CALL = re.compile(
    r"\.(to_parquet|to_csv|to_sql|to_gbq|to_json|to_feather|write_parquet|write_csv|saveAsTable|insertInto)\s*\("
    r"|\.write\b|load_table_from_dataframe\s*\("
)


# Literal text each pattern above needs (a cheap C substring test before the regex).
_FIT_TEXT = (".fit", ".partial_fit", ".backward")
_PREDICT_TEXT = (".predict", ".decision_function")
_WRITE_TEXT = (".to_", ".write", ".saveAsTable", ".insertInto", "load_table_from_dataframe")


def _search(pattern: re.Pattern[str], needs: tuple[str, ...], source: str) -> bool:
    return any(text in source for text in needs) and pattern.search(source) is not None


def roles_configured(ctx: ModuleContext) -> bool:
    """True when ``[tool.mle-review.roles]`` names this file, so heuristics must not add roles."""
    roles = ctx.config.roles
    globs = [*roles.training, *roles.serving, *roles.evaluation, *roles.test]
    return any(path_matches(ctx.path, g) for g in globs)


def has_training_evidence(ctx: ModuleContext) -> bool:
    """Stronger than the TRAINING role: a train-named path or an actual fit/backward call."""
    if Role.TRAINING not in ctx.roles:
        return False
    if roles_configured(ctx):
        return True
    return bool(_TRAIN_PATH.search(ctx.path.lower()) or _search(_FIT_CALL, _FIT_TEXT, ctx.source))


def is_batch_job(ctx: ModuleContext) -> bool:
    """A batch scoring job: scores rows with a model and writes them out, fitting nothing."""

    def build() -> bool:
        if ctx.is_test or ctx.notebook is not None:
            return False
        if roles_configured(ctx) and Role.SERVING not in ctx.roles:
            return False
        source = ctx.source
        if _search(_FIT_CALL, _FIT_TEXT, source):
            return False
        if not _search(_PREDICT_CALL, _PREDICT_TEXT, source) and not has_call_text(
            source, "spark_udf"
        ):
            return False
        if not _search(_WRITE_CALL, _WRITE_TEXT, source):
            return False
        return bool(_BATCH_PATH.search(ctx.path.lower())) or Role.SERVING in ctx.roles

    return _cached(ctx, "_srv_is_batch", build)


def is_serving_module(ctx: ModuleContext) -> bool:
    """Serving role (paths, imports or config), or a batch scoring job.

    Notebooks never are: one that calls an endpoint is a client or an experiment,
    and deployed services and jobs are modules.
    """
    if ctx.is_test or ctx.notebook is not None:
        return False
    return Role.SERVING in ctx.roles or is_batch_job(ctx) or bool(serving_entrypoints(ctx))


def on_serving_path(ctx: ModuleContext) -> bool:
    """Serving modules plus the project modules they import that are not training code.

    A feature client or model loader imported by ``app.py`` runs inside the
    service even though its own path says nothing about serving.
    """

    def build() -> set[str]:
        paths: set[str] = set()
        frontier = [m for m in ctx.project.modules if is_serving_module(m)]
        for m in frontier:
            paths.add(m.path)
        depth = 0
        while frontier and depth < 3:
            nxt: list[ModuleContext] = []
            for m in frontier:
                for dep in imported_modules(m):
                    if dep.path in paths or dep.is_test or has_training_evidence(dep):
                        continue
                    if Role.EVALUATION in dep.roles and Role.SERVING not in dep.roles:
                        continue
                    paths.add(dep.path)
                    nxt.append(dep)
            frontier, depth = nxt, depth + 1
        return paths

    return ctx.path in _cached(ctx.project, "_srv_serving_paths", build)


def training_side_paths(project: ProjectContext) -> set[str]:
    """Training modules plus the project modules they import, minus anything on the serving path."""

    def build() -> set[str]:
        seeds = [
            m
            for m in project.modules
            if has_training_evidence(m) and not m.is_test and not is_serving_module(m)
        ]
        paths = {m.path for m in seeds}
        for m in seeds:
            for dep in imported_modules(m):
                if not dep.is_test and not on_serving_path(dep):
                    paths.add(dep.path)
        return paths

    return _cached(project, "_srv_training_paths", build)


def shared_with_training(project: ProjectContext) -> set[str]:
    """Library modules that belong to the training code without being training code:
    modules training code imports that also run in the service (a shared features
    module), and the other non-serving modules of a training module's package.

    ``training_side_paths`` leaves the first kind out (they run in the service),
    but their functions are the training implementation that serving code should
    import rather than copy.
    """

    def build() -> set[str]:
        paths: set[str] = set()
        folders: set[str] = set()
        for m in project.modules:
            if not has_training_evidence(m) or m.is_test or is_serving_module(m):
                continue
            folders.add(m.path.rsplit("/", 1)[0] if "/" in m.path else "")
            for dep in imported_modules(m):
                if not dep.is_test and on_serving_path(dep):
                    paths.add(dep.path)
        for m in project.modules:
            folder = m.path.rsplit("/", 1)[0] if "/" in m.path else ""
            if (
                folder in folders
                and not m.is_test
                and m.notebook is None
                and not has_training_evidence(m)
                and not is_serving_module(m)
            ):
                paths.add(m.path)
        return paths

    return _cached(project, "_srv_shared_paths", build)


_ML_LIBS = (
    "sklearn",
    "torch",
    "tensorflow",
    "keras",
    "tf_keras",
    "xgboost",
    "lightgbm",
    "catboost",
    "onnxruntime",
    "onnx",
    "joblib",
    "mlflow",
    "transformers",
    "sentence_transformers",
    "bentoml",
    "kserve",
    "ray",
    "seldon_core",
    "ts",
    "litserve",
    "tritonclient",
    "tensorflow_serving",
    "feast",
    "statsmodels",
    "prophet",
    "spacy",
    "openai",
    "anthropic",
    "langchain",
    "numpy",
    "pandas",
    "scipy",
    "polars",
    "sagemaker",
    "vertexai",
    "google.cloud.aiplatform",
    "skops",
    "safetensors",
    "huggingface_hub",
    "cloudpickle",
    "dill",
    "pickle",
    "pyspark",
    "lightning",
    "pytorch_lightning",
)


def _importers(project: ProjectContext) -> dict[str, list[ModuleContext]]:
    def build() -> dict[str, list[ModuleContext]]:
        out: dict[str, list[ModuleContext]] = {}
        for mod in project.modules:
            for dep in imported_modules(mod):
                out.setdefault(dep.path, []).append(mod)
        return out

    return _cached(project, "_srv_importers", build)


def importers(ctx: ModuleContext) -> list[ModuleContext]:
    """The project modules that import from ``ctx``."""
    return [m for m in _importers(ctx.project).get(ctx.path, []) if m is not ctx]


def ml_context(ctx: ModuleContext) -> bool:
    """The module, a project module it imports, or one importing it uses ML libraries.

    Keeps the serving rules off plain web applications: a Django view calling
    ``self.model(**data)`` builds an ORM row, not a prediction.
    """

    def own(mod: ModuleContext) -> bool:
        return mod.imports.imports_any(*_ML_LIBS)

    def build() -> bool:
        if own(ctx):
            return True
        neighbours = [*imported_modules(ctx), *_importers(ctx.project).get(ctx.path, [])]
        return any(own(m) for m in neighbours)

    return _cached(ctx, "_srv_ml_context", build)


# --- schema types ------------------------------------------------------------------

_VALIDATED_BASES = {
    "pydantic.BaseModel",
    "pydantic.main.BaseModel",
    "pydantic.RootModel",
    "pydantic.v1.BaseModel",
    "sqlmodel.SQLModel",
    "msgspec.Struct",
    "ninja.Schema",
    "typing.TypedDict",
    "typing_extensions.TypedDict",
    "bentoml.IODescriptor",
}
_VALIDATED_BASE_NAMES = {"BaseModel", "RootModel", "SQLModel", "Struct", "TypedDict"}
_SCHEMA_BASE_NAMES = {
    "Schema",
    "SQLAlchemySchema",
    "SQLAlchemyAutoSchema",
    "Serializer",
    "ModelSerializer",
}
_DATACLASS_DECORATORS = {"dataclass", "define", "frozen", "attrs", "dataclasses"}


@dataclass
class ClassInfo:
    name: str
    validated: bool  # a request type a framework validates on the way in
    schema: bool  # a marshmallow/DRF-style schema whose ``load``/``is_valid`` validates
    fields: set[str]
    line: int
    defaults: set[str] = field(default_factory=set)  # names used in field defaults (``MODEL_URI``)


@dataclass
class SchemaInfo:
    classes: dict[str, ClassInfo] = field(default_factory=dict)  # local name -> info
    unresolved: set[str] = field(default_factory=set)  # imported class-like names we cannot see

    def validated(self, name: str) -> bool:
        info = self.classes.get(name)
        return info is not None and info.validated

    def is_schema(self, name: str) -> bool:
        info = self.classes.get(name)
        return info is not None and info.schema


def schema_info(ctx: ModuleContext, _depth: int = 0) -> SchemaInfo:
    """Request/response classes visible in a module: defined there or imported from the project."""
    key = "_srv_schema_info"
    store = vars(ctx)
    if key in store:
        return cast(SchemaInfo, store[key])
    info = SchemaInfo()
    store[key] = info  # guards import cycles: a cycle sees a partial answer
    classes = [n for n in ctx.tree.body if isinstance(n, ast.ClassDef)]
    for imp in imported_names(ctx).values():
        if imp.name is None or not is_class_name(imp.local):
            continue
        if imp.target is not None and _depth < 4:
            other = schema_info(imp.target, _depth + 1).classes.get(imp.name)
            if other is not None:
                info.classes[imp.local] = other
                continue
        qual = ctx.imports.names.get(imp.local, "")
        if qual in _VALIDATED_BASES or qual.split(".")[0] in {
            "pydantic",
            "typing",
            "typing_extensions",
        }:
            continue
        if imp.module.startswith(".") or imp.target is not None or not _third_party(qual):
            info.unresolved.add(imp.local)
    local_names = {cls.name for cls in classes}
    all_bases = [[ctx.qualname(b) or dotted_name(b) or "" for b in cls.bases] for cls in classes]
    all_short = [[b.rsplit(".", 1)[-1] for b in bases] for bases in all_bases]
    # Later rounds only matter for local subclasses of local classes: a round reads the
    # entries of the other classes only through the short names of their bases.
    rounds = 3 if any(s in local_names for short in all_short for s in short) else 1
    for _ in range(rounds):
        for cls, bases, short in zip(classes, all_bases, all_short, strict=True):
            validated = any(b in _VALIDATED_BASES for b in bases) or any(
                s in _VALIDATED_BASE_NAMES
                and (
                    b.split(".")[0]
                    in {"pydantic", "sqlmodel", "msgspec", "typing", "typing_extensions"}
                    or b == s
                )
                for b, s in zip(bases, short, strict=True)
            )
            validated = validated or any(info.validated(s) for s in short)
            validated = validated or any(
                (dotted_name(d.func if isinstance(d, ast.Call) else d) or "").rsplit(".", 1)[-1]
                in _DATACLASS_DECORATORS
                for d in cls.decorator_list
            )
            schema = any(s in _SCHEMA_BASE_NAMES for s in short) or any(
                info.is_schema(s) for s in short
            )
            fields = set()
            for s in short:
                parent = info.classes.get(s)
                if parent is not None:
                    fields |= parent.fields
            defaults: set[str] = set()
            for stmt in cls.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    fields.add(stmt.target.id)
                elif isinstance(stmt, ast.Assign):
                    fields.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
                value = getattr(stmt, "value", None)
                if isinstance(stmt, (ast.AnnAssign, ast.Assign)) and value is not None:
                    defaults.update(
                        dotted_name(n) or ""
                        for n in ast.walk(value)
                        if isinstance(n, (ast.Name, ast.Attribute))
                    )
            info.classes[cls.name] = ClassInfo(
                cls.name, validated, schema, fields, cls.lineno, defaults
            )
    return info


_THIRD_PARTY_PREFIXES = (
    "fastapi",
    "starlette",
    "flask",
    "django",
    "rest_framework",
    "pydantic",
    "typing",
    "numpy",
    "pandas",
    "bentoml",
    "ray",
    "kserve",
    "litserve",
    "sanic",
    "aiohttp",
    "quart",
    "litestar",
    "collections",
    "datetime",
    "decimal",
    "uuid",
    "enum",
    "pathlib",
    "azure",
    "werkzeug",
    "torch",
    "sklearn",
    "json",
    "orjson",
    "mlflow",
)


def _third_party(qual: str) -> bool:
    return bool(qual) and qual.split(".")[0] in _THIRD_PARTY_PREFIXES


# --- entry points --------------------------------------------------------------------


PAYLOAD_WORDS = {
    "payload",
    "body",
    "data",
    "input",
    "inputs",
    "features",
    "feature",
    "instances",
    "instance",
    "request",
    "req",
    "item",
    "items",
    "record",
    "records",
    "json",
    "row",
    "rows",
    "sample",
    "samples",
    "x",
    "query",
    "event",
    "document",
    "text",
    "texts",
}
# Hook roles whose input was produced by another hook, not by the client.
DOWNSTREAM_HOOKS = {
    "torchserve-mid",
    "torchserve-out",
    "litserve-mid",
    "litserve-out",
    "kserve-out",
}


class ParamKind(str, Enum):
    VALIDATED = "validated"  # a schema type the framework validates
    RAW = "raw"  # an unvalidated payload: dict, Any, a Lambda event, a KServe payload
    REQUEST = "request"  # a request object whose body/query are raw
    SCALAR = "scalar"  # a typed scalar (query/path parameter)
    OTHER = "other"  # unknown type, dependency, context: treated as not raw


@dataclass(frozen=True)
class Param:
    name: str
    kind: ParamKind
    annotation_node: ast.expr | None = field(default=None, compare=False, repr=False)

    @property
    def annotation(self) -> str | None:
        """The annotation as written (only messages need it, so it is unparsed on demand)."""
        node = self.annotation_node
        return ast.unparse(node) if node is not None else None


@dataclass(frozen=True)
class Entrypoint:
    """A function the serving runtime calls with outside input."""

    func: FunctionNode
    framework: str
    kind: str  # "http", "lambda", "model-server", "function"
    params: tuple[Param, ...]
    route: str | None = None
    response_model: ast.expr | None = None
    cls: ast.ClassDef | None = None
    hook: str = (
        ""  # the framework hook role: ``torchserve-out``, ``litserve-in``, ``bentoml-raw``...
    )

    @property
    def name(self) -> str:
        return self.func.name

    def names(self, *kinds: ParamKind) -> set[str]:
        return {p.name for p in self.params if p.kind in kinds}

    def payload_params(self, *kinds: ParamKind) -> set[str]:
        """Parameters carrying the client's input (not headers/options, not a downstream hook's)."""
        if self.hook in DOWNSTREAM_HOOKS:
            return set()
        kinds = kinds or (ParamKind.RAW,)
        return {
            p.name
            for i, p in enumerate(self.params)
            if p.kind in kinds
            and (
                i == 0 or p.kind == ParamKind.VALIDATED or set(name_tokens(p.name)) & PAYLOAD_WORDS
            )
        }

    @property
    def label(self) -> str:
        where = f" `{self.route}`" if self.route else ""
        return (
            f"{self.framework} handler{where} `{self.name}`" if self.framework else f"`{self.name}`"
        )


_HTTP_VERBS = {
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "route",
    "api_route",
    "websocket",
}
_WEB_FRAMEWORKS = (
    ("fastapi", "fastapi"),
    ("litestar", "litestar"),
    ("quart", "quart"),
    ("flask", "flask"),
    ("sanic", "sanic"),
    ("aiohttp", "aiohttp"),
    ("starlette", "starlette"),
    ("django", "django"),
    ("rest_framework", "django"),
)
_REQUEST_TYPES = {
    "Request",
    "HttpRequest",
    "WSGIRequest",
    "BaseRequest",
    "HTTPConnection",
}
_RAW_TYPES = {
    "dict",
    "Dict",
    "Mapping",
    "MutableMapping",
    "Any",
    "object",
    "bytes",
    "Json",
    "JsonValue",
    "list",
    "List",
}
_SCALAR_TYPES = {"int", "float", "str", "bool", "date", "datetime", "UUID", "Decimal", "Path"}
_REQUEST_PARAM_NAMES = {"request", "req", "http_request"}
_RAW_ORDER_FRAMEWORKS = {
    "starlette",
    "aiohttp",
    "sanic",
    "django",
    "gcf",
    "azure-functions",
    "ray-serve",
}


def _web_framework(ctx: ModuleContext) -> str | None:
    for prefix, name in _WEB_FRAMEWORKS:
        if ctx.imports.imports_any(prefix):
            return name
    return None


def _is_none(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and node.value is None) or (
        isinstance(node, ast.Name) and node.id == "None"
    )


def _union_members(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_union_members(node.left), *_union_members(node.right)]
    return [] if _is_none(node) or not isinstance(node, ast.expr) else [node]


def _combine(kinds: list[ParamKind]) -> ParamKind:
    """A union is as validated as its best member; a typed alternative (a tensor,
    a protocol request class) means the framework decodes it, so it is not raw."""
    for kind in (ParamKind.VALIDATED, ParamKind.REQUEST, ParamKind.OTHER, ParamKind.RAW):
        if kind in kinds:
            return kind
    return ParamKind.SCALAR if kinds else ParamKind.OTHER


def _annotation_kind(ctx: ModuleContext, ann: ast.expr | None, schemas: SchemaInfo) -> ParamKind:
    if ann is None:
        return ParamKind.OTHER
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            ann = ast.parse(ann.value, mode="eval").body
        except SyntaxError:
            return ParamKind.OTHER
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):  # X | Y | None
        return _combine([_annotation_kind(ctx, e, schemas) for e in _union_members(ann)])
    if isinstance(ann, ast.Subscript):
        outer = (dotted_name(ann.value) or "").rsplit(".", 1)[-1]
        inner = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        if outer == "Annotated":
            return _annotation_kind(ctx, inner[0], schemas)
        if outer in ("Optional", "Union", "tuple", "Tuple"):
            members = [e for e in inner if not _is_none(e)]
            return _combine([_annotation_kind(ctx, e, schemas) for e in members])
        if outer in ("List", "list", "Sequence", "Iterable"):
            return _annotation_kind(ctx, inner[0], schemas)
        if outer in ("Dict", "dict", "Mapping", "MutableMapping"):
            return ParamKind.RAW
        return ParamKind.OTHER
    if isinstance(ann, ast.Constant) and ann.value is None:
        return ParamKind.OTHER
    name = dotted_name(ann)
    if name is None:
        return ParamKind.OTHER
    short = name.rsplit(".", 1)[-1]
    if schemas.validated(short):
        return ParamKind.VALIDATED
    qual = ctx.qualname(ann) or name
    if short in _REQUEST_TYPES and (_third_party(qual) or short == name):
        return ParamKind.REQUEST
    if short in _RAW_TYPES:
        return ParamKind.RAW
    if short in _SCALAR_TYPES:
        return ParamKind.SCALAR
    return ParamKind.OTHER


def _params(func: FunctionNode) -> list[tuple[ast.arg, ast.expr | None]]:
    a = func.args
    positional = [*a.posonlyargs, *a.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(
        a.defaults
    )
    out = list(zip(positional, defaults, strict=True))
    out.extend(zip(a.kwonlyargs, a.kw_defaults, strict=True))
    return [(arg, d) for arg, d in out if arg.arg not in ("self", "cls")]


def _classify_params(
    ctx: ModuleContext, func: FunctionNode, framework: str, schemas: SchemaInfo
) -> tuple[Param, ...]:
    out: list[Param] = []
    params = _params(func)
    for i, (arg, default) in enumerate(params):
        kind = _annotation_kind(ctx, arg.annotation, schemas)
        default_name = (dotted_name(default.func) or "") if isinstance(default, ast.Call) else ""
        if default_name.endswith("Depends") or default_name.endswith("Security"):
            kind = ParamKind.OTHER
        elif framework in ("fastapi", "litestar"):
            if arg.annotation is None:
                kind = ParamKind.RAW if default_name.endswith("Body") else ParamKind.SCALAR
        elif framework in ("flask", "quart"):
            kind = ParamKind.SCALAR  # URL path parameters
        elif framework in _RAW_ORDER_FRAMEWORKS:
            if i == 0 and kind in (ParamKind.OTHER, ParamKind.REQUEST):
                kind = ParamKind.REQUEST
        elif framework == "lambda":
            kind = ParamKind.RAW if i == 0 else ParamKind.OTHER
        elif framework in (
            "kserve",
            "seldon",
            "torchserve-in",
            "litserve-in",
            "sagemaker-in",
            "bentoml-raw",
        ):
            if i == 0 and (arg.annotation is None or kind == ParamKind.RAW):
                kind = ParamKind.RAW
            elif i > 0 and kind == ParamKind.RAW:
                kind = ParamKind.OTHER  # headers, options
        elif kind == ParamKind.REQUEST or (
            arg.arg in _REQUEST_PARAM_NAMES
            and arg.annotation is None
            and framework not in ("function",)
        ):
            kind = ParamKind.REQUEST
        out.append(Param(arg.arg, kind, arg.annotation))
    return tuple(out)


def _decorator_route(dec: ast.expr) -> str | None:
    if isinstance(dec, ast.Call) and dec.args and isinstance(dec.args[0], ast.Constant):
        value = dec.args[0].value
        return value if isinstance(value, str) else None
    if isinstance(dec, ast.Call):
        for kw in dec.keywords:
            if kw.arg in ("path", "route", "rule") and isinstance(kw.value, ast.Constant):
                return str(kw.value.value)
    return None


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _func_entry(
    ctx: ModuleContext, func: FunctionNode, web: str | None
) -> tuple[str, str, str | None, ast.expr | None] | None:
    """(framework, kind, route, response_model) when a decorator makes ``func`` an entry point."""
    for dec in func.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        qual = ctx.qualname(target) or dotted_name(target) or ""
        short = qual.rsplit(".", 1)[-1]
        if qual in ("bentoml.api",) or (short == "api" and ctx.imports.imports_any("bentoml")):
            framework = "bentoml"
            if isinstance(dec, ast.Call):
                spec = _kw(dec, "input")
                if isinstance(spec, ast.Call):
                    spec_name = (dotted_name(spec.func) or "").rsplit(".", 1)[-1]
                    if spec_name == "JSON" and _kw(spec, "pydantic_model") is None:
                        framework = "bentoml-raw"
            return framework, "model-server", None, None
        if qual.startswith("litestar.") and short in _HTTP_VERBS:
            return "litestar", "http", _decorator_route(dec), None
        if qual in ("functions_framework.http",):
            return "gcf", "http", None, None
        if short == "api_view" and ctx.imports.imports_any("rest_framework"):
            return "django", "http", None, None
        if isinstance(target, ast.Attribute) and short in _HTTP_VERBS and web is not None:
            response_model = _kw(dec, "response_model") if isinstance(dec, ast.Call) else None
            if response_model is None and web == "fastapi":
                response_model = func.returns
            return web, "http", _decorator_route(dec), response_model
        if qual in ("ray.serve.deployment",):
            return "ray-serve", "model-server", None, None
        if web == "azure-functions" or (
            short == "route" and ctx.imports.imports_any("azure.functions")
        ):
            return "azure-functions", "http", _decorator_route(dec), None
    return None


_CLASS_HOOKS: dict[str, dict[str, str]] = {
    "kserve": {
        "predict": "kserve",
        "preprocess": "kserve",
        "postprocess": "kserve-out",
        "explain": "kserve",
    },
    "torchserve": {
        "handle": "torchserve-in",
        "preprocess": "torchserve-in",
        "inference": "torchserve-mid",
        "postprocess": "torchserve-out",
    },
    "litserve": {
        "decode_request": "litserve-in",
        "predict": "litserve-mid",
        "encode_response": "litserve-out",
    },
    "seldon": {"predict": "seldon", "predict_raw": "seldon"},
    "ray-serve": {"__call__": "ray-serve"},
    "django": {"get": "django", "post": "django", "put": "django", "patch": "django"},
}


def _class_framework(ctx: ModuleContext, cls: ast.ClassDef) -> str | None:
    bases = [ctx.qualname(b) or dotted_name(b) or "" for b in cls.bases]
    decos = [
        ctx.qualname(d.func if isinstance(d, ast.Call) else d) or "" for d in cls.decorator_list
    ]
    methods = {
        n.name: n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    if any(d == "ray.serve.deployment" for d in decos):
        return "ray-serve"
    if any(b.startswith("kserve") for b in bases):
        return "kserve"
    if any(b.startswith("ts.") or b.endswith("BaseHandler") for b in bases):
        return "torchserve"
    if "handle" in methods and "initialize" in methods:
        return "torchserve"
    if any(b.startswith("litserve") or b.endswith("LitAPI") for b in bases):
        return "litserve"
    if any(
        b.startswith(("django.views", "rest_framework")) or b.endswith(("APIView", "View"))
        for b in bases
    ) and ctx.imports.imports_any("django", "rest_framework"):
        return "django"
    predict = methods.get("predict")
    if predict is not None:
        names = [a.arg for a in predict.args.args]
        if (
            "feature_names" in names
            or "features_names" in names
            or ctx.imports.imports_any("seldon_core")
        ):
            return "seldon"
    return None


def _http_function(ctx: ModuleContext, func: FunctionNode) -> str | None:
    """Frameworks that register plain functions: Lambda, Azure Functions, Django views, SageMaker."""
    params = [a.arg for a in func.args.args]
    if len(params) >= 2 and params[0] == "event" and params[1] in ("context", "ctx", "_context"):
        return "lambda"
    if func.name in ("lambda_handler", "handler") and params[:1] == ["event"]:
        return "lambda"
    if (
        func.args.args
        and func.args.args[0].annotation is not None
        and "azure" in ctx.source  # the only package the annotation could name here
        and ctx.imports.imports_any("azure")
    ):
        ann = ctx.qualname(func.args.args[0].annotation) or ""
        if ann.startswith("azure.functions"):
            return "azure-functions"
    if (
        params[:1] == ["request"]
        and ctx.imports.imports_any("django")
        and re.search(r"(^|/)views?(/|\.py$)", ctx.path)
    ):
        return "django"
    if func.name == "input_fn" and "model_fn" in local_functions(ctx):
        return "sagemaker-in"
    return None


def serving_entrypoints(ctx: ModuleContext) -> list[Entrypoint]:
    """Every function of the module that a serving framework or runtime calls with outside input."""

    def build() -> list[Entrypoint]:
        if ctx.is_test or ctx.notebook is not None:
            return []
        source = ctx.source
        registers = not source.isascii() or any(
            word in source for word in ("Route", "add_route", "add_url_rule")
        )  # the call names below are identifiers, verbatim in ASCII source
        # A decorator needs an ``@`` and a class the ``class`` keyword: without either,
        # only the module's own top-level functions can be entry points, and they are
        # found without indexing the module's nodes.
        defs_only = source.isascii() and "@" not in source and not may_name(ctx, ("class",))
        if (
            defs_only
            and not registers
            and Role.SERVING not in ctx.roles
            and "azure" not in source
            and not may_name(ctx, ("event", "request", "input_fn"))
            and not is_batch_job(ctx)
        ):
            # Top-level functions are entry points only through ``_http_function`` (an
            # ``event``/``request`` first parameter, an Azure annotation, ``input_fn``).
            return []
        web: str | None = None
        # Only decorators, classes and registration calls ask which web framework this is,
        # and only entry points need the module's schema classes: most modules have neither.
        if registers or (
            not defs_only
            and (ctx.nodes(ast.ClassDef) or any(f.decorator_list for f in ctx.functions))
        ):
            web = _web_framework(ctx)
            if ctx.imports.imports_any("azure.functions") and web is None:
                web = "azure-functions"
        schemas: SchemaInfo | None = None
        found: list[Entrypoint] = []
        seen: set[int] = set()

        def add(
            func: FunctionNode,
            framework: str,
            kind: str,
            route: str | None = None,
            response_model: ast.expr | None = None,
            cls: ast.ClassDef | None = None,
        ) -> None:
            if id(func) in seen:
                return
            seen.add(id(func))
            nonlocal schemas
            if schemas is None:
                schemas = schema_info(ctx)
            public = (
                framework.split("-")[0]
                if framework.endswith(("-in", "-out", "-mid", "-raw"))
                else framework
            )
            params = _classify_params(ctx, func, framework, schemas)
            found.append(
                Entrypoint(func, public, kind, params, route, response_model, cls, framework)
            )

        for cls in ctx.nodes(ast.ClassDef) if not defs_only else ():
            framework = _class_framework(ctx, cls)
            for method in cls.body:
                if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                entry = _func_entry(ctx, method, web)
                if entry is not None:
                    add(method, entry[0], entry[1], entry[2], entry[3], cls)
                elif framework is not None and method.name in _CLASS_HOOKS.get(framework, {}):
                    add(
                        method,
                        _CLASS_HOOKS[framework][method.name],
                        "model-server" if framework != "django" else "http",
                        cls=cls,
                    )
        top_level = [
            n for n in ctx.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        for func in ctx.functions if not defs_only else top_level:
            if id(func) in seen:
                continue
            entry = _func_entry(ctx, func, web) if func.decorator_list else None
            if entry is not None:
                add(func, entry[0], entry[1], entry[2], entry[3])
                continue
            if func in ctx.tree.body:
                plain = _http_function(ctx, func)
                if plain is not None:
                    add(func, plain, "lambda" if plain == "lambda" else "http")
        # Starlette/Flask registration calls: Route("/p", endpoint=fn), app.add_url_rule(..., view_func=fn)
        funcs = local_functions(ctx)
        registrations = ("Route", "add_route", "WebSocketRoute", "add_url_rule")
        for call in calls_named(ctx, registrations) if registers else ():
            name = (dotted_name(call.func) or "").rsplit(".", 1)[-1]
            target: ast.expr | None = None
            framework = ""
            if name in ("Route", "add_route", "WebSocketRoute"):
                target = _kw(call, "endpoint") or (call.args[1] if len(call.args) > 1 else None)
                framework = "starlette" if name != "add_route" or web != "flask" else "flask"
            elif name == "add_url_rule":
                target = _kw(call, "view_func") or (call.args[2] if len(call.args) > 2 else None)
                framework = "flask"
            if isinstance(target, ast.Name) and target.id in funcs:
                route = (
                    call.args[0].value
                    if call.args and isinstance(call.args[0], ast.Constant)
                    else None
                )
                add(funcs[target.id], framework, "http", str(route) if route is not None else None)
        if Role.SERVING in ctx.roles or is_batch_job(ctx):
            for func in funcs.values():
                if id(func) not in seen and re.match(r"_?(predict|score|infer)", func.name):
                    add(func, "", "function")
        return found

    return _cached(ctx, "_srv_entrypoints", build)


def entrypoint_for(ctx: ModuleContext, func: ast.AST | None) -> Entrypoint | None:
    for ep in serving_entrypoints(ctx):
        if ep.func is func:
            return ep
    return None


# --- requests, models, logs ------------------------------------------------------------

RAW_REQUEST_ATTRS = {
    "json",
    "get_json",
    "form",
    "args",
    "values",
    "data",
    "get_data",
    "files",
    "body",
    "POST",
    "GET",
    "query_params",
    "stream",
    "text",
    "post",
    "media",
    "params",
    "query",
    "query_string",
    "content",
}


def request_names(ctx: ModuleContext, ep: Entrypoint | None) -> set[str]:
    """Names bound to a request object inside a handler (parameters, or Flask's global ``request``)."""
    names = ep.names(ParamKind.REQUEST) if ep is not None else set()
    for local, qual in ctx.imports.names.items():
        if qual in ("flask.request", "quart.request", "sanic.request"):
            names.add(local)
    return names


def is_raw_request_read(node: ast.AST, req_names: set[str]) -> bool:
    """``request.json``, ``await request.json()``, ``request.get_json()``, ``request.form``..."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr in RAW_REQUEST_ATTRS
        and isinstance(node.value, ast.Name)
        and node.value.id in req_names
    )


PREDICT_METHODS = {
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "score_samples",
    "forecast",
    "predict_on_batch",
    "kneighbors",
}
_MODEL_WORDS = {
    "model",
    "models",
    "clf",
    "classifier",
    "regressor",
    "estimator",
    "net",
    "network",
    "pipe",
    "pipeline",
    "predictor",
    "booster",
    "bst",
    "learner",
    "ranker",
    "scorer",
    "detector",
    "llm",
    "gbm",
    "xgb",
    "lgbm",
    "forest",
    "session",
    "sess",
    "ort",
    "onnx",
    "runner",
    "engine",
    "encoder",
}
_MODEL_VERBS = {
    "load",
    "get",
    "build",
    "make",
    "create",
    "init",
    "save",
    "train",
    "fit",
    "set",
    "register",
    "download",
    "fetch",
    "compile",
    "wrap",
    "to",
    "from",
    "read",
    "write",
    "is",
    "has",
    "update",
    "reload",
    "warm",
    "warmup",
    "validate",
    "check",
    "export",
    "evaluate",
    "log",
    "select",
    "hook",
    "format",
    "pretty",
    "print",
    "restore",
    "restored",
    "loaded",
    "wrapped",
    "patch",
    "convert",
    "serialize",
    "deserialize",
    "describe",
    "summarize",
    "summary",
    "inspect",
    "prune",
    "quantize",
    "freeze",
    "clone",
    "copy",
    "trace",
    "script",
    "delete",
    "list",
    "find",
    "resolve",
    "push",
    "pull",
    "upload",
}
_MODEL_METHODS = {"generate", "infer", "inference", "forward", "embed", "encode", "run", "__call__"}


def _model_like(node: ast.AST) -> bool:
    ident = last_identifier(node)
    if ident is None or is_class_name(ident):
        return False
    tokens = name_tokens(ident)
    return bool(tokens) and tokens[-1] in _MODEL_WORDS and not set(tokens) & _MODEL_VERBS


def is_model_call(ctx: ModuleContext, call: ast.Call) -> bool:
    """A call that runs a model: ``clf.predict``, ``session.run``, ``self.model(x)``, ``MODEL(x)``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr in PREDICT_METHODS:
            return True
        if func.attr in ("infer", "inference"):
            return True
        if func.attr in _MODEL_METHODS and _model_like(func.value):
            return not (
                func.attr == "run"
                and not set(name_tokens(last_identifier(func.value) or ""))
                & {"session", "sess", "ort", "onnx", "runner", "engine", "model"}
            )
    if isinstance(func, (ast.Name, ast.Attribute)) and ctx.qualname(func) is None:
        if isinstance(func, ast.Attribute) and func.attr in _MODEL_METHODS | PREDICT_METHODS:
            return False
        root: ast.AST = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and (
            root.id in imported_names(ctx) or (func is root and root.id in local_functions(ctx))
        ):
            return False  # a function from a module or this file, not a model object
        return _model_like(func)
    return False


_FEATURE_WORDS = {
    "feature",
    "features",
    "featurize",
    "featurise",
    "preprocess",
    "prepare",
    "transform",
    "vectorize",
    "vectorise",
    "encode",
    "engineer",
    "tokenize",
    "to_frame",
    "frame",
    "matrix",
}


def is_feature_call(ctx: ModuleContext, call: ast.Call) -> bool:
    """A call into feature code: ``build_features(x)``, ``prepare(payload)``, ``scaler.transform(x)``."""
    ident = last_identifier(call.func)
    if ident is None or is_class_name(ident):
        return False
    tokens = set(name_tokens(ident))
    if isinstance(call.func, ast.Attribute) and call.func.attr in ("transform",):
        return True
    qual = ctx.qualname(call.func) or ""
    if _third_party(qual) or qual.startswith(("json.", "pickle.", "yaml.")):
        return False
    return bool(tokens & _FEATURE_WORDS)


LOG_METHODS = {
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "fatal",
    "log",
    "msg",
    "success",
    "trace",
}
_LOG_WORDS = {"log", "logger", "logging", "structlog", "loguru", "logs", "audit"}
NON_MESSAGE_KWARGS = {"exc_info", "stack_info", "stacklevel"}


_LOGGER_FACTORIES = {
    "logging.getLogger",
    "structlog.get_logger",
    "structlog.getLogger",
    "structlog.stdlib.get_logger",
    "loguru.logger.bind",
}


_LOGGER_FACTORY_TAILS = frozenset(q.rsplit(".", 1)[-1] for q in _LOGGER_FACTORIES)


def logger_names(ctx: ModuleContext) -> set[str]:
    """Dotted names assigned a logger anywhere in the module (``slog = structlog.get_logger()``)."""

    def build() -> set[str]:
        names: set[str] = set()
        for node in ctx.nodes(ast.Assign):
            if isinstance(node.value, ast.Call):
                call = node.value
                func = call.func
                if isinstance(func, ast.Attribute):
                    # a resolved ``a.b.attr`` ends in ``.attr``: resolve only when that
                    # could make it a factory or an adapter
                    attr = func.attr
                    qual = (
                        ctx.qualname(call) or ""
                        if attr in _LOGGER_FACTORY_TAILS or attr.endswith("LoggerAdapter")
                        else ""
                    )
                    base: ast.expr | None = func.value
                else:
                    qual = ctx.qualname(call) or ""
                    base = None
                if (
                    qual in _LOGGER_FACTORIES
                    or (
                        base is not None
                        and isinstance(call.func, ast.Attribute)
                        and call.func.attr in ("bind", "getChild", "new")
                        and _logger_receiver(ctx, base)
                    )
                    or (qual.endswith("LoggerAdapter"))
                ):
                    for target in node.targets:
                        name = dotted_name(target)
                        if name:
                            names.add(name)
        return names

    return _cached(ctx, "_srv_logger_names", build)


def _logger_receiver(ctx: ModuleContext, node: ast.AST) -> bool:
    if isinstance(node, ast.Call):  # logger.bind(...).info / logging.getLogger(__name__).info
        inner = node.func
        if isinstance(inner, ast.Attribute) and inner.attr in ("bind", "opt", "new", "patch"):
            return _logger_receiver(ctx, inner.value)
        qual = ctx.qualname(node) or ""
        return qual in ("logging.getLogger", "structlog.get_logger", "structlog.getLogger")
    qual = ctx.qualname(node) or ""
    if qual in ("logging", "structlog", "loguru.logger", "loguru"):
        return True
    name = dotted_name(node)
    if name is not None and "_srv_logger_names" in vars(ctx) and name in logger_names(ctx):
        return True
    ident = last_identifier(node)
    return ident is not None and bool(set(name_tokens(ident)) & _LOG_WORDS)


def log_call_kind(ctx: ModuleContext, call: ast.Call) -> str | None:
    """``"print"`` or ``"logger"`` for calls that write a log line, else None."""
    func = call.func
    if isinstance(func, ast.Name) and func.id == "print":
        return "print"
    if isinstance(func, ast.Attribute) and func.attr in LOG_METHODS:
        logger_names(ctx)  # built before receivers are judged
        if _logger_receiver(ctx, func.value):
            return "logger"
    return None


def log_arguments(call: ast.Call) -> list[ast.expr]:
    """The values a log call writes (message, %-args, ``extra=``, structlog key=values)."""
    args = list(call.args)
    if isinstance(call.func, ast.Attribute) and call.func.attr == "log" and args:
        args = args[1:]  # the level
    args.extend(
        kw.value
        for kw in call.keywords
        if kw.arg not in NON_MESSAGE_KWARGS and kw.arg not in ("file", "sep", "end", "flush")
    )
    return args


# --- value flow inside one function --------------------------------------------------

_MUTATORS = {"update", "append", "extend", "insert", "setdefault", "add"}


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _target_names(elt)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, (ast.Subscript, ast.Attribute)):  # df["x"] = ...  taints df
        base: ast.AST = target
        while isinstance(base, (ast.Subscript, ast.Attribute)):
            base = base.value
        return [base.id] if isinstance(base, ast.Name) else []
    return []


_EDGE_TYPES = frozenset(
    {
        ast.Assign,
        ast.AnnAssign,
        ast.AugAssign,
        ast.NamedExpr,
        ast.For,
        ast.AsyncFor,
        ast.With,
        ast.AsyncWith,
        ast.comprehension,
        ast.Call,
    }
)


def scope_flow_edges(scope: ast.AST, ctx: ModuleContext) -> list[tuple[list[str], ast.AST, int]]:
    """``flow_edges`` of one scope, built once per scan and shared (callers must not modify it)."""
    per_scope = _cached(ctx, "_srv_flow_edges", dict[int, list[tuple[list[str], ast.AST, int]]])
    found = per_scope.get(id(scope))
    if found is None:
        found = per_scope[id(scope)] = flow_edges(scope, scope_node_list(scope, ctx))
    return found


def flow_edges(scope: ast.AST, nodes: Iterable[ast.AST]) -> list[tuple[list[str], ast.AST, int]]:
    """(names written, value read, line) for every assignment-like step in a scope."""
    edges: list[tuple[list[str], ast.AST, int]] = []
    edge_types = _EDGE_TYPES
    for node in nodes:
        if type(node) not in edge_types:  # parsed trees hold exact node classes
            continue
        if isinstance(node, ast.Assign):
            names = [n for t in node.targets for n in _target_names(t)]
            edges.append((names, node.value, node.lineno))
        elif (
            isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr))
            and node.value is not None
        ):
            edges.append((_target_names(node.target), node.value, node.lineno))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            edges.append((_target_names(node.target), node.iter, node.lineno))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    edges.append(
                        (_target_names(item.optional_vars), item.context_expr, node.lineno)
                    )
        elif isinstance(node, ast.comprehension):
            edges.append((_target_names(node.target), node.iter, getattr(node.iter, "lineno", 0)))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _MUTATORS
            and isinstance(node.func.value, ast.Name)
        ):
            edges.append(
                (
                    [node.func.value.id],
                    ast.Tuple(elts=[*node.args, *(k.value for k in node.keywords)], ctx=ast.Load()),
                    node.lineno,
                )
            )
    return edges


def _nearest_scope(ctx: ModuleContext, node: ast.AST) -> ast.AST:
    """The def/class/lambda whose ``walk_scope`` reaches ``node``, or the module."""
    cur = ctx.parents.get(node)
    while cur is not None:
        if isinstance(cur, _NESTED):
            return cur
        cur = ctx.parents.get(cur)
    return ctx.tree


def _edge_of_target(
    ctx: ModuleContext, name: ast.Name
) -> tuple[ast.AST, int, list[str], ast.AST, int] | None:
    """The assignment-like step (as ``flow_edges`` sees it) that writes through ``name``.

    Returns (step node, item index for ``with``, names written, value, line), or
    None when ``name`` is not part of a target. Targets follow ``_target_names``:
    tuples/lists/starred around names, or a subscript/attribute chain on a name.
    """
    parents = ctx.parents
    cur: ast.AST = name
    parent = parents.get(cur)
    while isinstance(parent, (ast.Subscript, ast.Attribute)) and parent.value is cur:
        cur, parent = parent, parents.get(parent)
    while (isinstance(parent, (ast.Tuple, ast.List)) and cur in parent.elts) or (
        isinstance(parent, ast.Starred) and parent.value is cur
    ):
        cur, parent = parent, parents.get(parent)
    if parent is None:
        return None
    if isinstance(parent, ast.Assign):
        if any(t is cur for t in parent.targets):
            names = [n for t in parent.targets for n in _target_names(t)]
            return parent, 0, names, parent.value, parent.lineno
    elif isinstance(parent, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
        if parent.target is cur and parent.value is not None:
            return parent, 0, _target_names(parent.target), parent.value, parent.lineno
    elif isinstance(parent, (ast.For, ast.AsyncFor)):
        if parent.target is cur:
            return parent, 0, _target_names(parent.target), parent.iter, parent.lineno
    elif isinstance(parent, ast.withitem):
        stmt = parents.get(parent)
        if parent.optional_vars is cur and isinstance(stmt, (ast.With, ast.AsyncWith)):
            index = next(i for i, item in enumerate(stmt.items) if item is parent)
            return stmt, index, _target_names(cur), parent.context_expr, stmt.lineno
    elif isinstance(parent, ast.comprehension):
        if parent.target is cur:
            line = getattr(parent.iter, "lineno", 0)
            return parent, 0, _target_names(parent.target), parent.iter, line
    elif (
        isinstance(parent, ast.Call)
        and parent.func is cur
        and isinstance(cur, ast.Attribute)
        and cur.attr in _MUTATORS
        and cur.value is name
    ):
        value = ast.Tuple(elts=[*parent.args, *(k.value for k in parent.keywords)], ctx=ast.Load())
        return parent, 0, [name.id], value, parent.lineno
    return None


def _walk_position(ctx: ModuleContext, scope: ast.AST, node: ast.AST) -> tuple[int, ...]:
    """Sort key giving ``scope_nodes(scope, ctx)`` order (depth first, last child first;
    the module's own statements in order)."""
    steps: list[int] = []
    cur = node
    parent = ctx.parents.get(cur)
    while parent is not None:
        siblings = parent.body if parent is ctx.tree else child_nodes(parent)
        index = next(i for i, child in enumerate(siblings) if child is cur)
        steps.append(index if parent is ctx.tree else -index)
        if parent is scope:
            break
        cur, parent = parent, ctx.parents.get(parent)
    steps.reverse()
    return tuple(steps)


_Step = tuple[ast.AST, int, list[str], ast.AST]  # step node, ``with`` item, names written, value


_Indexed = _Step | ast.Assign  # a plain ``name = value`` is kept as its node (see below)


def _assignment_index(ctx: ModuleContext) -> dict[str, list[_Indexed]]:
    """Every assignment-like step of the module (as ``flow_edges`` sees them), by each name
    it writes. Built from the few step nodes of the load-time index, not from every name.

    Most steps are a plain ``name = value``: those are stored as the ``Assign`` node and
    turned into a step by ``_step_of`` only when their name is asked about, which spares
    building a step for each of the module's assignments.
    """
    out: dict[str, list[_Indexed]] = {}
    get = out.get
    targets = _target_names
    name_type = ast.Name

    def put(step: _Step) -> None:
        names = step[2]
        for name in names if len(names) == 1 else dict.fromkeys(names):
            bucket = get(name)
            if bucket is None:
                out[name] = [step]
            else:
                bucket.append(step)

    for node in ctx.nodes(ast.Assign):
        if len(node.targets) == 1:
            target = node.targets[0]
            if target.__class__ is name_type:  # parsed trees hold exact node classes
                key = target.id
                bucket = get(key)
                if bucket is None:
                    out[key] = [node]
                else:
                    bucket.append(node)
                continue
            put((node, 0, targets(target), node.value))
        else:
            put((node, 0, [n for t in node.targets for n in targets(t)], node.value))
    others: list[ast.AnnAssign | ast.AugAssign | ast.NamedExpr] = [
        *ctx.nodes(ast.AnnAssign),
        *ctx.nodes(ast.AugAssign),
        *ctx.nodes(ast.NamedExpr),
    ]
    for other in others:
        if other.value is not None:
            put((other, 0, targets(other.target), other.value))
    loops: list[ast.For | ast.AsyncFor | ast.comprehension] = [
        *ctx.nodes(ast.For),
        *ctx.nodes(ast.AsyncFor),
        *ctx.nodes(ast.comprehension),
    ]
    for loop in loops:
        put((loop, 0, targets(loop.target), loop.iter))
    blocks: list[ast.With | ast.AsyncWith] = [*ctx.nodes(ast.With), *ctx.nodes(ast.AsyncWith)]
    for block in blocks:
        for index, item in enumerate(block.items):
            if item.optional_vars is not None:
                put((block, index, targets(item.optional_vars), item.context_expr))
    for call in calls_named(ctx, _MUTATORS):
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            args = ast.Tuple(elts=[*call.args, *(k.value for k in call.keywords)], ctx=ast.Load())
            put((call, 0, [func.value.id], args))
    return out


def _step_of(entry: _Indexed, name: str) -> _Step:
    """The step an index entry for ``name`` stands for."""
    if isinstance(entry, ast.Assign):  # ``name = value``
        return (entry, 0, [name], entry.value)
    return entry


_Position = tuple[tuple[int, ...], int]  # walk position of the step node, ``with`` item


def _steps_in(ctx: ModuleContext, scope: ast.AST, name: str) -> list[tuple[_Position, _Step]]:
    """The steps of ``scope`` that write ``name``, with their position in ``scope_flow_edges``."""
    index = _cached(ctx, "_srv_assignment_index", lambda: _assignment_index(ctx))
    found = [
        _step_of(entry, name)
        for entry in index.get(name, ())
        if _nearest_scope(ctx, entry if isinstance(entry, ast.Assign) else entry[0]) is scope
    ]
    if len(found) == 1:
        return [(((), -1), found[0])]  # its position is only needed to order several
    keyed = [((_walk_position(ctx, scope, step[0]), step[1]), step) for step in found]
    keyed.sort(key=lambda pair: pair[0])
    return keyed


def assignments_to(ctx: ModuleContext, scope: ast.AST, name: str) -> list[ast.expr]:
    """Values assigned to ``name`` in ``scope``: what building a name -> values map from
    ``scope_flow_edges`` gives for this one name, in the same order and multiplicity,
    without walking the scope (found from the module's assignment-like nodes instead)."""
    out: list[ast.expr] = []
    for _key, (_step, _index, names, value) in _steps_in(ctx, scope, name):
        if isinstance(value, ast.expr):
            out.extend(value for t in names if t == name)
    return out


def assignments_of(
    ctx: ModuleContext, scope: ast.AST, names: Iterable[str]
) -> dict[str, list[ast.expr]]:
    """The name -> values map built from ``scope_flow_edges``, for ``names`` only and in the
    same order (a name comes where its first step puts it), without walking the scope."""
    first: list[tuple[_Position, int, str]] = []
    values: dict[str, list[ast.expr]] = {}
    index = _cached(ctx, "_srv_assignment_index", lambda: _assignment_index(ctx))
    for name in names:
        if name not in index:
            continue  # never assigned anywhere in the module
        steps = _steps_in(ctx, scope, name)
        if not steps:
            continue
        if len(steps) == 1:  # its position is needed to order the names
            step = steps[0][1]
            steps = [((_walk_position(ctx, scope, step[0]), step[1]), step)]
        key, (_node, _index, written, _value) = steps[0]
        first.append((key, written.index(name), name))
        values[name] = [
            v
            for _key, (_n, _i, targets, v) in steps
            if isinstance(v, ast.expr)
            for t in targets
            if t == name
        ]
    first.sort()
    return {name: values[name] for _key, _pos, name in first}


class Assignments:
    """``name -> values assigned in scope`` (the map ``scope_flow_edges`` gives), looked up
    one name at a time.

    Rules mostly ask about the few names a return or log call mentions, so
    finding their assignments from the module's index of assignment-like steps
    beats walking the whole scope. Supports ``in`` and ``[]`` like that map.
    """

    def __init__(self, ctx: ModuleContext, scope: ast.AST) -> None:
        self.ctx = ctx
        self.scope = scope
        self.known: dict[str, list[ast.expr]] = {}

    def __contains__(self, name: object, /) -> bool:
        return isinstance(name, str) and bool(self[name])

    def __getitem__(self, name: str, /) -> list[ast.expr]:
        found = self.known.get(name)
        if found is None:
            found = self.known[name] = assignments_to(self.ctx, self.scope, name)
        return found


_N = TypeVar("_N", bound=ast.AST)


def in_scope(ctx: ModuleContext, scope: ast.AST, nodes: Iterable[_N]) -> list[_N]:
    """The nodes among ``nodes`` that ``scope_nodes(scope, ctx)`` yields, in its order.

    For a few candidates from the load-time index (the returns, the log calls)
    this is much cheaper than walking the scope to find them.
    """
    found = [node for node in nodes if _nearest_scope(ctx, node) is scope]
    if len(found) > 1:
        found.sort(key=lambda node: _walk_position(ctx, scope, node))
    return found


def nearest_scope(ctx: ModuleContext, node: ast.AST) -> ast.AST:
    """The def/class/lambda whose ``scope_nodes`` holds ``node``, or the module."""
    return _nearest_scope(ctx, node)


class Flow:
    """Names in one scope that carry a value from a seed expression.

    Flow-insensitive fixpoint over assignments: good enough for handler-sized
    functions and cheap. ``barrier`` calls stop the flow (a validator, a hash);
    their results are clean. ``prune`` does the same for any node (a column
    selection that leaves the tainted column out).
    """

    def __init__(
        self,
        ctx: ModuleContext,
        scope: ast.AST,
        seed: Callable[[ast.AST], bool],
        barrier: Callable[[ast.Call], bool] = lambda c: False,
        initial: Iterable[str] = (),
        prune: Callable[[ast.AST], bool] | None = None,
    ) -> None:
        self.seed = seed
        self.barrier = barrier
        self.prune = prune
        self.names: dict[str, int] = {n: 0 for n in initial}
        edges = scope_flow_edges(scope, ctx)
        # What each assigned value reaches is fixed (seed, barrier and prune do not depend on
        # the names found so far), so it is walked once and the rounds only compare names.
        reach: list[tuple[bool, frozenset[str]] | None] = [None] * len(edges)
        for _ in range(6):
            changed = False
            for k, (targets, value, line) in enumerate(edges):
                if not targets or all(t in self.names for t in targets):
                    continue
                found = reach[k]
                if found is None:
                    found = reach[k] = self._reach(value)
                if found[0] or not found[1].isdisjoint(self.names):
                    for t in targets:
                        if t not in self.names:
                            self.names[t] = line
                            changed = True
            if not changed:
                break

    def _reach(self, expr: ast.AST) -> tuple[bool, frozenset[str]]:
        """(a seed is reachable, the names reachable): ``carries`` for any set of names."""
        seeded = False
        names: set[str] = set()
        for node in self._walk(expr):
            if isinstance(node, ast.Name):
                names.add(node.id)
            if not seeded and self.seed(node):
                seeded = True
        return seeded, frozenset(names)

    def _walk(self, node: ast.AST) -> Iterator[ast.AST]:
        stack = [node]
        while stack:
            cur = stack.pop()
            if isinstance(cur, ast.Call) and self.barrier(cur):
                continue
            if self.prune is not None and self.prune(cur):
                continue
            yield cur
            stack.extend(child_nodes(cur))

    def carries(self, expr: ast.AST) -> bool:
        for node in self._walk(expr):
            if isinstance(node, ast.Name) and node.id in self.names:
                return True
            if self.seed(node):
                return True
        return False

    def sources_in(self, expr: ast.AST) -> list[ast.AST]:
        """The tainted names and seed nodes inside ``expr`` (for messages)."""
        return [
            n
            for n in self._walk(expr)
            if (isinstance(n, ast.Name) and n.id in self.names) or self.seed(n)
        ]


def enclosing_try_handlers(
    ctx: ModuleContext, node: ast.AST, stop: ast.AST | None
) -> Iterator[ast.Try]:
    """``try`` statements whose *body* contains ``node``, innermost first, up to ``stop``."""
    child: ast.AST = node
    cur = ctx.parents.get(node)
    while cur is not None and cur is not stop:
        if isinstance(cur, ast.Try) and any(child is s for s in cur.body):
            yield cur
        if isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return
        child, cur = cur, ctx.parents.get(cur)
    return


def statement_of(ctx: ModuleContext, node: ast.AST) -> ast.stmt:
    cur: ast.AST = node
    while not isinstance(cur, ast.stmt):
        parent = ctx.parents.get(cur)
        if parent is None:
            break
        cur = parent
    return cast(ast.stmt, cur)
