"""The shortcuts the MLR2xx-5xx rules take for speed give the same answers as the slow paths.

Rules find nodes through the load-time index instead of walking trees, and
skip work behind cheap necessary conditions. These tests compare each shortcut
with the computation it replaces, on the rule fixtures and the quality corpus,
so a later change to a helper cannot silently change a verdict.
"""

from __future__ import annotations

import ast
import random
import string
from pathlib import Path

import pytest

from mle_review.config import Config
from mle_review.engine.astutil import walk_scope
from mle_review.engine.context import ModuleContext
from mle_review.engine.files import discover
from mle_review.engine.runner import Engine
from mle_review.engine.serving import assignments_to, flow_edges, scope_nodes, scopes
from mle_review.rules._pipeline_common import scope_of, scope_statements, walk_order
from mle_review.rules._secret_scan import scan_lines

REPO = Path(__file__).resolve().parent.parent
TREES = [REPO / "tests" / "fixtures" / "rules", REPO / "benchmarks" / "corpus", REPO / "examples"]


def _modules() -> list[ModuleContext]:
    found: list[ModuleContext] = []
    for root in TREES:
        cfg = Config()
        project, _errors, _states = Engine(root, cfg).load_project(discover([root], root, cfg))
        found.extend(project.modules)
    return found


@pytest.fixture(scope="module")
def modules() -> list[ModuleContext]:
    return _modules()


def test_walk_order_is_ast_walk_order(modules: list[ModuleContext]) -> None:
    for ctx in modules:
        expected = [n for n in ast.walk(ctx.tree) if isinstance(n, (ast.Call, ast.Compare))]
        got = sorted(expected, key=lambda n: walk_order(ctx, n))
        assert got == expected, ctx.path


def test_scope_of_matches_walk_scope(modules: list[ModuleContext]) -> None:
    for ctx in modules:
        for scope in [ctx.tree, *ctx.functions, *ctx.nodes(ast.ClassDef)]:
            inside = {id(n) for n in walk_scope(scope)}
            for node in ctx.nodes(ast.Call):
                assert (id(node) in inside) == (scope_of(ctx, node) is scope), ctx.path
            assert _statement_ids(scope) == _walked_statement_ids(scope), ctx.path


def _statement_ids(scope: ast.AST) -> set[int]:
    return {id(s) for s in scope_statements(scope)}


def _walked_statement_ids(scope: ast.AST) -> set[int]:
    kinds = (ast.stmt, ast.excepthandler, ast.match_case)
    return {id(n) for n in walk_scope(scope) if isinstance(n, kinds)}


def test_scope_statements_on_every_block_kind() -> None:
    tree = ast.parse(
        "def f(x):\n"
        "    try:\n        a = 1\n    except E as e:\n        b = 2\n    else:\n        c = 3\n"
        "    finally:\n        d = 4\n"
        "    match x:\n        case 1:\n            e = 5\n"
        "    for i in x:\n        g = 6\n    else:\n        h = 7\n"
        "    with x as y:\n        while y:\n            if y:\n                k = 8\n"
        "    class C:\n        m = 9\n"
        "    def inner():\n        n = 10\n"
        "    return lambda: x\n"
    )
    func = tree.body[0]
    assert _statement_ids(func) == _walked_statement_ids(func)
    assert _statement_ids(tree) == _walked_statement_ids(tree)


def test_assignments_to_matches_the_flow_edge_map(modules: list[ModuleContext]) -> None:
    for ctx in modules:
        names = {n.id for n in ctx.nodes(ast.Name)}
        for scope in scopes(ctx):
            eager: dict[str, list[ast.expr]] = {}
            for targets, value, _line in flow_edges(scope, list(scope_nodes(scope, ctx))):
                if isinstance(value, ast.expr):
                    for t in targets:
                        eager.setdefault(t, []).append(value)
            for name in names | set(eager):
                got = [ast.dump(v) for v in assignments_to(ctx, scope, name)]
                assert got == [ast.dump(v) for v in eager.get(name, [])], (ctx.path, name)


def test_case_insensitive_secret_patterns_are_not_skipped_on_non_ascii_text() -> None:
    # re.IGNORECASE pairs "s" with the long s (U+017F): the AWS keyword pattern matches "aw\u017f".
    rng = random.Random(7)  # a credential-shaped value built at run time, never committed
    token = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(40))
    lines = [f"aw\u017f_pw = '{token}'"]
    found = list(scan_lines(enumerate(lines, start=1), ".txt", False, False))
    assert [hit.type for hit in found] == ["AWS Access Key"]
