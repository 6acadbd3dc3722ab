"""Pull-request review: a change in, a :class:`ReviewReport` out.

Stable API (the GitHub Action and the LLM pass call exactly this)::

    from mle_review.review import run_review, ReviewReport
    from mle_review.render.review import render_summary, render_inline

    report = run_review(
        changes,            # ChangeSet, or unified diff text/bytes
        source,             # head contents: a FileSource (``read(path) -> bytes | None``),
                            # a callable path -> bytes|str|None, a folder Path, or a dict
        title="PR title",
        body="PR description (markdown)",
        config=Config(),    # mle_review.config.Config; ``config.review`` holds review settings
        base_source=None,   # optional base contents for ``new_only`` (else rebuilt from the diff)
        new_only=False,     # drop findings whose fingerprint already exists at base
    )
    report.decision         # Decision.APPROVE | APPROVE_WITH_WARNINGS | BLOCK
    report.findings         # findings on added/modified lines + MLR6xx change-level findings
    report.compact          # Iteration Compact field states
    report.checklist        # the 12 Review Checklist items with status and evidence
    report.coverage         # files in change / analysed / skipped with reasons
    report.lanes, report.tasks

    render_summary(report, repo_url="https://github.com/o/r", marker=SUMMARY_MARKER, head_sha=...)
    render_inline(finding, repo_url=..., head_sha=...)

``ReviewReport`` subclasses ``ScanReport``, so ``mle_review.render.get_formatter``
(text/json/sarif) renders it too; ``mle_review.render.review.render_review_json``
adds the contract's review keys. Sources live in :mod:`mle_review.review.sources`
(``DirSource``, ``GitRevSource``, ``MappingSource``). This package's ``__init__``
imports lazily because ``config.py`` imports :mod:`mle_review.review.settings`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mle_review.review.model import Decision, ReviewReport
    from mle_review.review.pipeline import run_review
    from mle_review.review.sources import FileSource

__all__ = ["Decision", "FileSource", "ReviewReport", "run_review"]


def __getattr__(name: str) -> Any:
    if name == "run_review":
        from mle_review.review.pipeline import run_review

        return run_review
    if name in ("ReviewReport", "Decision"):
        from mle_review.review import model

        return getattr(model, name)
    if name == "FileSource":
        from mle_review.review.sources import FileSource

        return FileSource
    raise AttributeError(name)
