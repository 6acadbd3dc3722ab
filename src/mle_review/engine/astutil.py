"""Small AST questions many rules ask. Shared here so each rule stays a short check."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mle_review.engine.context import ModuleContext

_REQUEST_NAMES = {"request", "req", "event", "payload", "body"}

# The fields that hold lists of statements (or of except handlers / match cases,
# which hold statements in turn). Statements never sit inside expressions, so
# walking these alone reaches every statement at a tenth of a full walk's cost.
BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")
_BLOCK_FIELD_SET = frozenset(BLOCK_FIELDS)
_LIST_FIELDS: dict[type, tuple[str, ...]] = {}


def statement_list_fields(kind: type) -> tuple[str, ...]:
    """The ``BLOCK_FIELDS`` a node class has: none for simple statements, which most are,
    so a walk over statement lists asks nothing of them."""
    found = _LIST_FIELDS.get(kind)
    if found is None:
        fields: tuple[str, ...] = getattr(kind, "_fields", ())
        found = _LIST_FIELDS[kind] = tuple(f for f in fields if f in _BLOCK_FIELD_SET)
    return found


def call_kwarg(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def const_value(node: ast.AST | None) -> object:
    """The literal value of a constant node, else a sentinel (``...`` is never a literal here)."""
    if isinstance(node, ast.Constant):
        return node.value
    return _NOT_CONST


class _NotConst:
    def __repr__(self) -> str:
        return "<not constant>"


_NOT_CONST = _NotConst()


def is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def function_params(func: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    a = func.args
    params = [*a.posonlyargs, *a.args, *a.kwonlyargs]
    if a.vararg:
        params.append(a.vararg)
    if a.kwarg:
        params.append(a.kwarg)
    return {p.arg for p in params} - {"self", "cls"}


def assignments_in(func: ast.AST) -> Iterator[tuple[str, ast.expr, int]]:
    """(target name, value, line) for simple assignments inside ``func``."""
    for node in ast.walk(func):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    yield target.id, node.value, node.lineno
        elif (
            isinstance(node, (ast.AnnAssign, ast.AugAssign))
            and isinstance(node.target, ast.Name)
            and node.value
        ):
            yield node.target.id, node.value, node.lineno


def param_tainted(ctx: ModuleContext, call: ast.Call, expr: ast.expr) -> bool:
    """Does ``expr`` come from a caller: a parameter of the enclosing function or a request object?

    Follows simple assignments inside the function up to a fixed depth; a
    precise dataflow is not needed to raise severity, only to avoid raising it
    for module-level constants.
    """
    func = ctx.enclosing_function(call)
    if func is None:
        return False
    params = function_params(func)
    tainted = set(params) | _REQUEST_NAMES
    assigned = list(assignments_in(func))
    for _ in range(3):
        for name, value, line in assigned:
            if line < call.lineno and names_in(value) & tainted:
                tainted.add(name)
    return bool(names_in(expr) & tainted)


SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_AST = ast.AST


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))``, same order, without three generators per node."""
    out: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            out.extend([item for item in value if isinstance(item, _AST)])
        elif isinstance(value, _AST):
            out.append(value)
    return out


def walk_scope(scope: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` that does not enter nested functions, lambdas or classes.

    Depth first, last child first (the order of ``ModuleContext.nodes``). The
    nested definition itself is yielded, its body is not. Reads ``_fields``
    directly: ``ast.iter_child_nodes`` dominated the rules' time.
    """
    stack = child_nodes(scope)
    pop, extend, scopes = stack.pop, stack.extend, SCOPE_TYPES
    while stack:
        node = pop()
        yield node
        if isinstance(node, scopes):
            continue
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                extend([item for item in value if isinstance(item, _AST)])
            elif isinstance(value, _AST):
                stack.append(value)
