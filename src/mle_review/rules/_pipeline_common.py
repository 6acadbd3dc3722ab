"""Helpers shared by the reproducibility, artifact and promotion rules (MLR2xx, MLR5xx).

Kept private to these rules (the leading underscore keeps the rule loader from
importing it as a rule module). Everything here answers a question about
*where* code lives or *what a name suggests*; the rules decide what to report.
"""

from __future__ import annotations

import ast
import re
import weakref
from collections.abc import Iterator
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Generic, TypeVar

from mle_review.engine.astutil import BLOCK_FIELDS
from mle_review.engine.astutil import SCOPE_TYPES as _SCOPE_TYPES
from mle_review.engine.astutil import child_nodes as _children
from mle_review.engine.context import ModuleContext, ProjectContext, dotted_name

# Folders whose code is illustration or exploration rather than the pipeline.
EXAMPLE_DIRS = frozenset(
    {"examples", "example", "demo", "demos", "tutorials", "tutorial", "docs", "doc"}
)
EXPLORATORY_DIRS = frozenset(
    {
        "notebooks",
        "notebook",
        "nbs",
        "docs",
        "doc",
        "examples",
        "example",
        "tutorials",
        "tutorial",
        "exploration",
        "explorations",
        "research",
        "scratch",
        "sandbox",
    }
)

# Names that usually hold configuration rather than values typed in place.
CONFIG_ROOTS = re.compile(
    r"^(cfg|conf|config|configs|args|arguments|opts?|options|params|hparams|hp|hyperparams|"
    r"hyper_params|settings|flags|FLAGS|training_args|train_args|spec|experiment|exp|run_config|"
    r"model_config|trainer_config|train_cfg|model_cfg|self)$|_(cfg|config|conf|params|args|settings)$",
)


def path_parts(path: str) -> list[str]:
    return list(_path_parts(path))


@lru_cache(maxsize=4096)
def _path_parts(path: str) -> tuple[str, ...]:
    """Several rules ask about the same file's folders; PurePosixPath parsing is slow."""
    return tuple(p for p in PurePosixPath(path).parts if p not in ("", "."))


def _under_own_project(path: str, project: ProjectContext, marker_index: int) -> bool:
    """Is there a dependency/lock file in a folder between the marker folder and the file?

    A self-contained project kept in ``examples/churn/`` (with its own
    requirements) is real code of that project, not a usage snippet.
    """
    parts = _path_parts(path)[:-1]
    dirs = set(project.requirements_by_dir) | set(project.lock_dirs)
    return any("/".join(parts[:end]) in dirs for end in range(marker_index + 1, len(parts) + 1))


def is_example_code(ctx: ModuleContext) -> bool:
    """Code under examples/demo/docs folders (unless it is a project of its own there).

    Asked by several rules about each module, so the answer is kept for the latest module."""
    memo = _EXAMPLE_CODE.of(ctx)
    known = memo.get("example")
    if known is None:
        known = memo["example"] = _is_example_code(ctx)
    return known


def _is_example_code(ctx: ModuleContext) -> bool:
    parts = _path_parts(ctx.path)
    name = parts[-1] if parts else ""
    if name.startswith(("example_", "demo_")) or name in ("example.py", "demo.py"):
        return True
    for i, part in enumerate(parts[:-1]):
        if part.lower() in EXAMPLE_DIRS:
            return not _under_own_project(ctx.path, ctx.project, i)
    return False


def exploratory_globs(ctx_config_options: dict[str, object] | None) -> frozenset[str]:
    """Folder names treated as exploratory (``rule-options.MLR204.exploratory-dirs`` overrides)."""
    if ctx_config_options:
        value = ctx_config_options.get("exploratory-dirs")
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return frozenset(v.strip("/").lower() for v in value)
    return EXPLORATORY_DIRS


def in_dirs(path: str, names: frozenset[str], project: ProjectContext | None = None) -> bool:
    """Is ``path`` inside a folder with one of ``names``?

    With ``project``, a folder that holds a project of its own (a dependency or lock file at or
    below it, e.g. ``examples/`` with its own requirements) does not count.
    """
    for i, part in enumerate(_path_parts(path)[:-1]):
        if part.lower() in names and (project is None or not _under_own_project(path, project, i)):
            return True
    return False


def root_name(node: ast.AST) -> str | None:
    """The variable a subscript/attribute/call chain starts from: ``df.loc[m, "a"]`` -> ``df``."""
    while True:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return None


def identifiers(node: ast.AST) -> Iterator[str]:
    """Every name, attribute and string constant inside ``node`` (for token heuristics)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            yield sub.id
        elif isinstance(sub, ast.Attribute):
            yield sub.attr
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value
        elif isinstance(sub, ast.arg):
            yield sub.arg


def mentions(node: ast.AST, pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(tok) for tok in identifiers(node))


def reads_config(expr: ast.AST) -> bool:
    """Does ``expr`` read a value out of a config-like object (``cfg.lr``, ``params["lr"]``)?"""
    for sub in ast.walk(expr):
        if isinstance(sub, (ast.Attribute, ast.Subscript)):
            base = root_name(sub)
            if base is not None and CONFIG_ROOTS.search(base):
                return True
        if isinstance(sub, ast.Call):
            name = dotted_name(sub.func) or ""
            if re.search(
                r"(^|\.)(suggest_\w+|getenv|environ\.get|get_config|load_config|read_config)$", name
            ):
                return True
    return False


def numeric_literal(node: ast.AST | None) -> float | None:
    """The value of ``3``, ``-1``, ``1e-3``, ``float("inf")``; None for anything else (bools excluded)."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = numeric_literal(node.operand)
        if inner is None:
            return None
        return -inner if isinstance(node.op, ast.USub) else inner
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "float"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        text = node.args[0].value.strip().lower()
        if text in ("inf", "+inf", "infinity"):
            return float("inf")
        if text in ("-inf", "-infinity"):
            return float("-inf")
    if (
        isinstance(node, ast.Attribute)
        and node.attr == "inf"
        and isinstance(node.value, ast.Name)
        and node.value.id in ("np", "numpy", "math")
    ):
        return float("inf")
    return None


def module_constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names assigned exactly once, with their value expression."""
    seen: dict[str, ast.expr] = {}
    repeated: set[str] = set()
    for stmt in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        for target in targets:
            if isinstance(target, ast.Name) and value is not None:
                if target.id in seen:
                    repeated.add(target.id)
                seen[target.id] = value
    return {k: v for k, v in seen.items() if k not in repeated}


def scope_body(ctx: ModuleContext, node: ast.AST) -> ast.AST:
    """The enclosing function, or the module for top-level code."""
    func = ctx.enclosing_function(node)
    return func if func is not None else ctx.tree


def scope_statements(scope: ast.AST) -> Iterator[ast.AST]:
    """The statements (and except handlers / match cases) ``walk_scope(scope)`` reaches.

    Statements only ever sit in the blocks of other statements, so this visits a
    tenth of the nodes a full walk does. Order: source order, depth first.
    """
    return _block_statements([getattr(scope, name, None) for name in BLOCK_FIELDS])


def _block_statements(blocks: list[object]) -> Iterator[ast.AST]:
    for block in blocks:
        if not isinstance(block, list):
            continue
        for stmt in block:
            yield stmt
            if not isinstance(stmt, _SCOPE_TYPES):
                yield from _block_statements([getattr(stmt, name, None) for name in BLOCK_FIELDS])


_K = TypeVar("_K")
_V = TypeVar("_V")


class LatestMemo(Generic[_K, _V]):
    """A dict of facts about one owner (a module or a project), replaced when the owner changes.

    The runner checks a module with every rule before the next one, and a scan
    has one project, so remembering the latest owner is enough. The owner is
    held weakly and the facts are dropped with it, so a finished scan's trees
    are never kept alive by a memo.
    """

    def __init__(self) -> None:
        self._owner: weakref.ref[object] | None = None
        self._data: dict[_K, _V] = {}

    def of(self, owner: object) -> dict[_K, _V]:
        if self._owner is None or self._owner() is not owner:
            self._owner = weakref.ref(owner, self._drop)
            self._data = {}
        return self._data

    def _drop(self, ref: weakref.ref[object]) -> None:
        if self._owner is ref:
            self._owner = None
            self._data = {}


_SCOPE_OF: LatestMemo[ast.AST, ast.AST] = LatestMemo()
_EXAMPLE_CODE: LatestMemo[str, bool] = LatestMemo()
_WALK_ORDER: LatestMemo[ast.AST, tuple[int, tuple[int, ...]]] = LatestMemo()


def scope_of(ctx: ModuleContext, node: ast.AST) -> ast.AST:
    """The function, lambda or class whose ``walk_scope`` yields ``node`` (else the module).

    ``node`` is in ``walk_scope(s)`` exactly when ``s`` is its nearest enclosing
    function/lambda/class (decorators and defaults count as the function's, as
    there). Memoised along the parent chain, so asking for many nodes is linear.
    """
    memo = _SCOPE_OF.of(ctx)
    found = memo.get(node)
    if found is not None:
        return found
    parents = ctx.parents
    path: list[ast.AST] = []
    cur = parents.get(node)
    scope: ast.AST = ctx.tree
    while cur is not None:
        if isinstance(cur, _SCOPE_TYPES):
            scope = cur
            break
        known = memo.get(cur)
        if known is not None:
            scope = known
            break
        path.append(cur)
        cur = parents.get(cur)
    memo[node] = scope
    for seen in path:
        memo[seen] = scope
    return scope


def walk_order(ctx: ModuleContext, node: ast.AST) -> tuple[int, tuple[int, ...]]:
    """Sort key that puts nodes in ``ast.walk(ctx.tree)`` order (breadth first).

    Rules that used to walk the whole tree and now start from the node index
    sort their results by this, so findings come out in the same order as
    before (the order decides which duplicate gets which fingerprint).
    """
    memo = _WALK_ORDER.of(ctx)
    known = memo.get(node)
    if known is not None:
        return known
    steps: list[int] = []
    cur = node
    parent = ctx.parents.get(cur)
    while parent is not None:
        steps.append(next(i for i, child in enumerate(_children(parent)) if child is cur))
        cur, parent = parent, ctx.parents.get(parent)
    steps.reverse()
    key = (len(steps), tuple(steps))
    memo[node] = key
    return key


def has_comment_near(
    ctx: ModuleContext, line: int, pattern: re.Pattern[str], before: int = 3, after: int = 1
) -> bool:
    """A comment on ``line`` or within a few lines around it that matches ``pattern``."""
    for n in range(max(1, line - before), min(len(ctx.lines), line + after) + 1):
        text = ctx.line_text(n)
        hash_at = text.find("#")
        if hash_at >= 0 and pattern.search(text[hash_at:]):
            return True
    return False


def in_loop(ctx: ModuleContext, node: ast.AST) -> bool:
    """Is ``node`` inside a for/while loop of its own function (or of the module)?"""
    cur = ctx.parents.get(node)
    while cur is not None and not isinstance(
        cur, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    ):
        if isinstance(cur, (ast.For, ast.AsyncFor, ast.While)):
            return True
        cur = ctx.parents.get(cur)
    return False
