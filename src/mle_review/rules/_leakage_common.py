"""Shared glue for the MLR10x leakage rules: analysis records -> hits."""

from __future__ import annotations

from collections.abc import Iterator

from mle_review.analysis.leaks import leaks_for, statement_of
from mle_review.engine.context import ModuleContext
from mle_review.rules.base import Hit


def leakage_hits(ctx: ModuleContext, rule_id: str) -> Iterator[Hit]:
    for leak in leaks_for(ctx, rule_id):
        stmt = statement_of(ctx, leak.node)
        line = getattr(stmt, "lineno", 1)
        end = getattr(leak.node, "end_lineno", None) or line
        yield Hit(
            line=line,
            end_line=max(end, line),
            column=getattr(leak.node, "col_offset", 0) + 1,
            message=leak.message,
            fix=leak.fix,
            confidence=leak.confidence,
            related=list(leak.related),
        )
