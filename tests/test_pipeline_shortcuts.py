"""Necessary conditions the MLR2xx/MLR5xx rules test first never skip a case the full check finds.

Each shortcut is compared with the computation it stands in front of, on the
rule fixtures, the quality corpus and the examples.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from mle_review.config import Config
from mle_review.engine.context import ModuleContext, has_word
from mle_review.engine.files import discover
from mle_review.engine.runner import Engine
from mle_review.rules import mlr201_unseeded_randomness as r201
from mle_review.rules import mlr206_unversioned_artifact as r206
from mle_review.rules import mlr207_input_frame_mutation as r207
from mle_review.rules import mlr502_accuracy_only_evaluation as r502
from mle_review.rules._pipeline_common import scope_statements

REPO = Path(__file__).resolve().parent.parent
TREES = [REPO / "tests" / "fixtures" / "rules", REPO / "benchmarks" / "corpus", REPO / "examples"]


@pytest.fixture(scope="module")
def modules() -> list[ModuleContext]:
    found: list[ModuleContext] = []
    for root in TREES:
        cfg = Config(jobs=1)
        project, _errors, _states = Engine(root, cfg).load_project(discover([root], root, cfg))
        found.extend(project.modules)
    return found


def test_mlr201_draw_prefilter(modules: list[ModuleContext]) -> None:
    draws = 0
    for ctx in modules:
        for call in ctx.calls:
            if r201._classify(ctx, call) is not None:
                draws += 1
                assert r201._may_draw(call, ctx.imports.names), (ctx.path, call.lineno)
    assert draws > 20


def test_mlr206_save_prefilter(modules: list[ModuleContext]) -> None:
    rule = r206.UnversionedArtifact()
    saves = 0
    for ctx in modules:
        save_locals = {
            local
            for local, target in ctx.imports.names.items()
            if target.partition(".")[0] in r206._SAVE_PACKAGES
        }
        for call in ctx.calls:
            if rule._save_target(ctx, call) is not None:
                saves += 1
                assert save_locals or "save" in ctx.source, ctx.path
                assert any(has_word(ctx.source, w) for w in r206._SAVE_WORDS), ctx.path

                assert r206._may_save(call, save_locals), (ctx.path, call.lineno)
                candidates = r206._candidate_calls(ctx.calls, save_locals, ctx.imports.names)
                assert call in candidates, (ctx.path, call.lineno)
    assert saves > 20


def test_word_search_is_a_word_regex(modules: list[ModuleContext]) -> None:
    for ctx in modules:
        for word in r206._SAVE_WORDS:
            expected = bool(re.search(rf"\b{word}\b", ctx.source))
            assert has_word(ctx.source, word) == expected, (ctx.path, word)


def test_mlr207_mutation_roots(modules: list[ModuleContext]) -> None:
    mutations = 0
    for ctx in modules:
        roots = r207._mutated_roots(ctx)
        for func in ctx.functions:
            statements = list(scope_statements(func))
            args = func.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                for _found in r207._mutations(ctx, func, statements, arg.arg, True):
                    mutations += 1
                    assert arg.arg in roots, (ctx.path, func.name, arg.arg)
    assert mutations > 20


_OLD_ACCURACY_SOURCE = re.compile(r"ccuracy|evaluate|\bscore\b|cross_val_score")
_OLD_AVERAGED = re.compile(r"mean|average|sum|count_nonzero")


def test_mlr502_prefilter_is_the_regex_it_replaced(modules: list[ModuleContext]) -> None:
    for ctx in modules:
        source = ctx.source
        expected = not source.isascii() or bool(
            _OLD_ACCURACY_SOURCE.search(source) or ("==" in source and _OLD_AVERAGED.search(source))
        )
        assert r502._may_measure_accuracy(ctx) == expected, ctx.path


def test_mlr502_token_verdicts_match_the_plain_search(modules: list[ModuleContext]) -> None:
    for ctx in modules:
        tokens = [n.id for n in ctx.nodes(ast.Name)] + [
            n.value for n in ctx.nodes(ast.Constant) if isinstance(n.value, str)
        ]
        expected = any(
            r502._OTHER_METRICS.search(t) and not r502._NOT_METRIC.search(t)
            for t in tokens
            if t not in r502._ACCURACY_STRINGS
        )
        assert r502._richer(tokens) == expected, ctx.path


def test_mlr502_accuracy_prefilter_changes_no_finding(
    modules: list[ModuleContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = r502.AccuracyOnlyEvaluation()
    with_filter = [(ctx.path, h.line) for ctx in modules for h in rule.check_module(ctx)]
    monkeypatch.setattr(r502, "_may_compute_accuracy", lambda ctx: True)
    without = [(ctx.path, h.line) for ctx in modules for h in rule.check_module(ctx)]
    assert with_filter == without
    assert len(with_filter) > 5
