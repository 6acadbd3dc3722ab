"""MLR207 input-frame-mutation: feature functions that change the DataFrame their caller passed in."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

from mle_review.engine.astutil import walk_scope
from mle_review.engine.context import ModuleContext, dotted_name
from mle_review.rules._pipeline_common import (
    is_example_code,
    root_name,
    scope_of,
    scope_statements,
    walk_order,
)
from mle_review.rules.base import Hit, Rule, RuleDoc, register

# Parameter names that almost always hold a DataFrame in pandas code.
_FRAME_NAME = re.compile(r"^(df|frame|dataframe)$|_df$|^df_|_frame$|^df\d$")
# Names that often hold a frame but also arrays or dicts: need pandas-only evidence.
_MAYBE_FRAME_NAME = re.compile(
    r"^(data|dataset|table|features?|feats|raw|X|X_\w+|x_\w+|train|test|valid|val|events|rows|records|batch|inputs?)$"
)
_FRAME_ANNOTATION = re.compile(r"(^|\.)(DataFrame)$")
_NOT_FRAME_ANNOTATION = re.compile(
    r"ndarray|Tensor|dict|Dict|Mapping|list|List|Series|str|int|float|bool|polars|pl\."
)
# Attribute uses that only pandas frames have (evidence for the ambiguous names).
_PANDAS_ATTRS = frozenset(
    {
        "loc",
        "iloc",
        "at",
        "iat",
        "fillna",
        "dropna",
        "columns",
        "dtypes",
        "groupby",
        "merge",
        "assign",
        "astype",
        "isna",
        "isnull",
        "notna",
        "query",
        "drop_duplicates",
        "sort_values",
        "reset_index",
        "set_index",
        "rename",
        "pipe",
        "apply",
        "map",
        "to_datetime",
        "select_dtypes",
        "value_counts",
        "clip",
        "rolling",
        "shift",
        "diff",
        "nunique",
        "iterrows",
        "itertuples",
        "head",
        "describe",
        "to_csv",
        "to_parquet",
        "drop",
        "insert",
        "pivot_table",
        "melt",
        "explode",
        "duplicated",
        "replace",
        "where",
    }
)
_INDEXERS = frozenset({"loc", "iloc", "at", "iat"})
_MUTATING_METHODS = frozenset({"insert", "pop", "update", "set_axis", "__setitem__"})
_DOCUMENTED_INPLACE = re.compile(
    r"in[- _]?place|mutat|modif(y|ies) (the )?(input|frame|dataframe|argument)", re.I
)


@dataclass
class _Mutation:
    node: ast.AST
    what: str
    kind: str = ""  # "assign", "delete", "inplace" or "method": each kind is reported once


@register
class InputFrameMutation(Rule):
    id = "MLR207"
    message = "function mutates the DataFrame it received as an argument"
    fix = "Copy first (`df = df.copy()`) or build new columns with `df.assign(...)` and return the new frame."
    doc = RuleDoc(
        what_it_does=(
            "Looks at every function that receives a pandas DataFrame as a parameter (annotated as `DataFrame`, "
            "named like one, e.g. `df`, `*_df`, or an ambiguous name such as `X` or `data` that the function uses "
            "with pandas-only API) and reports the statements that change that frame in place, the first of each "
            "kind: column or `.loc`/`.iloc` assignment (also to `df.columns`/`df.index`), `del df[col]`, any "
            "method called with `inplace=True`, and `insert`/`pop`/`update`. Nothing is reported once the name has been "
            "rebound (`df = df.copy()`, `df = df.assign(...)`), for frames the function built itself, in tests "
            "and example code, or in functions whose name or docstring says they work in place."
        ),
        why_it_matters=(
            "Feature code is called from training, evaluation and serving with frames the caller keeps using. A "
            "function that adds or fills columns on its input changes the caller's data behind its back: a second "
            "call sees already-transformed columns, the raw frame logged or compared later is no longer raw, and "
            "results depend on call order, which is exactly the hidden state that makes a pipeline hard to "
            "reproduce. Pure functions that return a new frame can be tested and cached."
        ),
        example=(
            "def add_tenure_features(df: pd.DataFrame) -> pd.DataFrame:\n"
            '    df["tenure_years"] = df["tenure_months"] / 12\n'
            '    df.fillna({"plan": "unknown"}, inplace=True)\n'
            "    return df\n"
        ),
        use_instead=(
            "def add_tenure_features(df: pd.DataFrame) -> pd.DataFrame:\n"
            '    return df.assign(tenure_years=df["tenure_months"] / 12).fillna({"plan": "unknown"})\n'
        ),
        options=(
            "Name a function `*_inplace` or say 'in place' in its docstring when mutating the caller's frame is "
            "the contract; per-file ignores for legacy modules."
        ),
        references=(
            "pandas user guide, 'Copy-on-Write': chained and in-place updates and why `inplace=True` rarely saves memory",
            "Google 'Rules of ML' and most feature-store guides: feature transforms should be pure functions of their input",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test or not ctx.functions or is_example_code(ctx):
            return
        mutated = _mutated_roots(ctx)
        if not mutated:
            return
        pandas = ctx.imports.imports_any("pandas", "modin", "databricks.koalas", "pyspark.pandas")
        found: list[tuple[ast.AST, Hit]] = []
        for func in ctx.functions:
            args = func.args
            if not any(
                a.arg in mutated for a in chain(args.posonlyargs, args.args, args.kwonlyargs)
            ):
                continue
            params = [p for p in _frame_params(func, pandas) if p[0] in mutated]
            if not params:
                continue
            if _DOCUMENTED_INPLACE.search(func.name) or _DOCUMENTED_INPLACE.search(
                ast.get_docstring(func) or ""
            ):
                continue
            statements: list[ast.AST] | None = None
            for param, annotated in params:
                if statements is None:
                    statements = list(scope_statements(func))
                for mutation in _mutations(ctx, func, statements, param, annotated):
                    hit = Hit.at(
                        mutation.node,
                        f"`{func.name}` mutates its argument `{param}` ({mutation.what}) without copying it "
                        "first, so the caller's DataFrame changes too",
                        fix=(
                            f"Add `{param} = {param}.copy()` at the top of `{func.name}`, or build the new "
                            f"columns with `{param}.assign(...)` and return the result."
                        ),
                    )
                    found.append((func, hit))
        if len(found) > 1:  # report in the tree-walk order the rule has always used
            found.sort(key=lambda pair: walk_order(ctx, pair[0]))
        for _func, hit in found:
            yield hit


def _mutated_roots(ctx: ModuleContext) -> set[str]:
    """The names any statement of the module may mutate: the root of an assigned or deleted
    subscript/attribute target, or of a called method. ``_mutations`` only reports such
    statements, so functions with no parameter among them are skipped."""
    roots: set[str] = set()
    add = roots.add
    for assign in ctx.nodes(ast.Assign):
        for target in assign.targets:
            if not isinstance(target, ast.Name):
                add(_root(target))
    for aug in ctx.nodes(ast.AugAssign):
        if not isinstance(aug.target, ast.Name):
            add(_root(aug.target))
    for ann in ctx.nodes(ast.AnnAssign):
        if not isinstance(ann.target, ast.Name):
            add(_root(ann.target))
    for delete in ctx.nodes(ast.Delete):
        for target in delete.targets:
            add(_root(target))
    for expr in ctx.nodes(ast.Expr):
        value = expr.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            add(_root(value.func))
    roots.discard("")
    return roots


def _root(node: ast.expr) -> str:
    """``root_name`` or "", with the one-level ``name[...]`` / ``name.attr`` case inline."""
    if isinstance(node, (ast.Subscript, ast.Attribute)):
        value = node.value
        if isinstance(value, ast.Name):
            return value.id
    return root_name(node) or ""


def _annotation_text(node: ast.expr | None) -> str:
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return dotted_name(node) or ast.unparse(node)  # same text; unparse is slow


def _frame_params(
    func: ast.FunctionDef | ast.AsyncFunctionDef, pandas: bool
) -> Iterator[tuple[str, bool]]:
    """(parameter, is_annotated_frame) for parameters that may hold a DataFrame."""
    args = func.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        if arg.arg in ("self", "cls"):
            continue
        ann = _annotation_text(arg.annotation)
        if ann:
            if any(_FRAME_ANNOTATION.search(part.strip()) for part in re.split(r"[\[\]|,]", ann)):
                yield arg.arg, True
            elif not _NOT_FRAME_ANNOTATION.search(ann) and pandas and _FRAME_NAME.search(arg.arg):
                yield arg.arg, False
            continue
        if pandas and (_FRAME_NAME.search(arg.arg) or _MAYBE_FRAME_NAME.match(arg.arg)):
            yield arg.arg, False


def _store_lines(target: ast.AST, name: str, line: int) -> Iterator[int]:
    for sub in ast.walk(target):
        if isinstance(sub, ast.Name) and sub.id == name and isinstance(sub.ctx, ast.Store):
            yield line


def _rebind_lines(
    ctx: ModuleContext, func: ast.AST, statements: list[ast.AST], name: str
) -> list[int]:
    """Lines where ``name`` is bound again in ``func``'s own scope.

    Binding targets are statement parts, except walrus targets, which are found
    through the module's node index instead of walking every expression.
    """
    lines: list[int] = []
    for node in statements:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                lines.extend(_store_lines(target, name, node.lineno))
        elif isinstance(node, (ast.AnnAssign, ast.For, ast.AsyncFor)):
            lines.extend(_store_lines(node.target, name, node.lineno))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    target = item.optional_vars
                    lines.extend(_store_lines(target, name, target.lineno))
    for walrus in ctx.nodes(ast.NamedExpr):
        if scope_of(ctx, walrus) is func:
            lines.extend(_store_lines(walrus.target, name, walrus.lineno))
    return lines


def _pandas_evidence(func: ast.AST, name: str) -> bool:
    for node in walk_scope(func):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in _PANDAS_ATTRS
            and root_name(node) == name
        ):
            return True
        if isinstance(node, ast.Subscript) and root_name(node) == name:
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return True
            if isinstance(key, ast.List):  # df[["a", "b"]]
                return True
        if (
            isinstance(node, ast.Call)
            and any(kw.arg == "inplace" for kw in node.keywords)
            and root_name(node.func) == name
        ):
            return True
    return False


def _target_mutation(target: ast.expr, name: str) -> str | None:
    """Describe how assigning to ``target`` changes frame ``name``, or None."""
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == name
    ):
        return f"assigns `{name}.{target.attr}`" if target.attr in ("columns", "index") else None
    if not isinstance(target, ast.Subscript):
        return None
    base: ast.expr = target
    while isinstance(base, ast.Subscript) or (
        isinstance(base, ast.Attribute) and base.attr in _INDEXERS
    ):
        base = base.value
    if not (isinstance(base, ast.Name) and base.id == name):
        return None
    if isinstance(target.value, ast.Attribute) and target.value.attr in _INDEXERS:
        return f"assigns through `{name}.{target.value.attr}[...]`"
    key = target.slice
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return f"sets column `{key.value}`"
    if isinstance(key, ast.Tuple) and any(isinstance(e, ast.Slice) for e in key.elts):
        return None  # `X[:, 0] = ...` is NumPy-style indexing, not a frame column
    return f"item assignment on `{name}`"


def _mutations(
    ctx: ModuleContext,
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    statements: list[ast.AST],
    name: str,
    annotated: bool,
) -> list[_Mutation]:
    """The first mutation of each kind (column/item assignment, deletion, ``inplace=True``
    call, mutating method) of argument ``name`` before it is rebound, in source order.

    Each kind is a separate change to the caller's frame with its own fix; repeats of a kind
    (ten column assignments) are one finding.
    """
    # Every mutation is a statement of the function's own scope, so look for those
    # first; the costlier evidence and rebinding checks run only when one exists.
    found: list[_Mutation] = []
    for node in statements:
        what: str | None = None
        kind = ""
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            kind = "assign"
            for target in targets:
                what = _target_mutation(target, name)
                if what:
                    break
        elif isinstance(node, ast.Delete):
            kind = "delete"
            for target in node.targets:
                if isinstance(target, ast.Subscript) and root_name(target) == name:
                    what = f"deletes a column of `{name}`"
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            if root_name(call.func) != name or not isinstance(call.func, ast.Attribute):
                continue
            method = call.func.attr
            inplace = next((kw.value for kw in call.keywords if kw.arg == "inplace"), None)
            if isinstance(inplace, ast.Constant) and inplace.value is True:
                what, kind = f"`{dotted_name(call.func) or method}(..., inplace=True)`", "inplace"
            elif method in _MUTATING_METHODS and isinstance(call.func.value, ast.Name):
                what, kind = f"`{name}.{method}(...)`", "method"
        if what is not None:
            found.append(_Mutation(node, what, kind))
    if not found:
        return []
    strong = annotated or bool(_FRAME_NAME.search(name)) or _pandas_evidence(func, name)
    if not strong:
        return []
    rebinds = _rebind_lines(ctx, func, statements, name)
    if rebinds:
        first_rebind = min(rebinds)
        found = [m for m in found if not first_rebind < getattr(m.node, "lineno", 0)]
    found.sort(key=lambda m: (getattr(m.node, "lineno", 0), getattr(m.node, "col_offset", 0)))
    first_of_kind: dict[str, _Mutation] = {}
    for mutation in found:
        first_of_kind.setdefault(mutation.kind, mutation)
    return list(first_of_kind.values())
