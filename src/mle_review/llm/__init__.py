"""The optional LLM review pass (Anthropic Messages API through the official SDK).

Only this package talks to a model. Entry points::

    from mle_review.llm import LlmSettings, run_llm_pass, apply_llm_pass

    result = run_llm_pass(change=llm_change, findings=findings, settings=settings,
                          title=pr_title, body=pr_body)        # -> LlmResult, never raises
    report = apply_llm_pass(report, changeset, pr_title, pr_body, settings)  # ReviewReport in, out

The pass adds checklist judgements, Iteration Compact critique, a triage of
each deterministic finding and MLR900 observations; it never changes the
review's decision rule, and any failure is a one-line note. This ``__init__``
imports lazily: ``config.py`` imports :mod:`mle_review.llm.settings`, and
loading the SDK is only worth it when a pass runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mle_review.llm.settings import DEFAULT_MODEL, LlmSettings, ModelPrice

if TYPE_CHECKING:
    from mle_review.llm.apply import apply_llm_pass
    from mle_review.llm.result import LlmResult
    from mle_review.llm.review_pass import run_llm_pass

__all__ = [
    "DEFAULT_MODEL",
    "LlmResult",
    "LlmSettings",
    "ModelPrice",
    "apply_llm_pass",
    "run_llm_pass",
]


def __getattr__(name: str) -> Any:
    if name == "run_llm_pass":
        from mle_review.llm.review_pass import run_llm_pass

        return run_llm_pass
    if name == "LlmResult":
        from mle_review.llm.result import LlmResult

        return LlmResult
    if name == "apply_llm_pass":
        from mle_review.llm.apply import apply_llm_pass

        return apply_llm_pass
    raise AttributeError(name)
