"""Hooking the LLM pass into a review: CLI options, the report merge, the exit-code view.

The merge keeps the review's authority intact: deterministic findings are
never removed, the decision is never made stricter or looser by the model's
words, and MLR900 observations never count towards the decision or the exit
code. The one configured exception is ``demote-false-positives``: a finding
the model judged a likely false positive may drop one severity step, and even
then a BLOCK can relax at most to APPROVE WITH WARNINGS.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mle_review.llm.change import LlmChange, from_changeset, parse_unified_diff
from mle_review.llm.settings import LlmSettings

if TYPE_CHECKING:
    from mle_review.review.model import ReviewReport
    from mle_review.review.settings import ReviewConfig

OBSERVATION_RULE = "MLR900"


def add_llm_arguments(p: argparse.ArgumentParser) -> None:
    """The review command's LLM options (each overrides ``[tool.mle-review.llm]``)."""
    g = p.add_argument_group("LLM pass (optional, Anthropic API)")
    g.add_argument(
        "--llm",
        choices=("off", "auto", "on"),
        help="off: never; auto: when ANTHROPIC_API_KEY is set; on: always try (default: config, else off)",
    )
    g.add_argument("--llm-model", metavar="MODEL", help="model for the LLM pass")
    g.add_argument("--llm-max-usd", type=float, metavar="USD", help="cost cap per review")
    g.add_argument(
        "--llm-max-input-tokens", type=int, metavar="N", help="input token budget per request"
    )
    g.add_argument(
        "--llm-max-output-tokens", type=int, metavar="N", help="output token cap per request"
    )


def settings_from_args(settings: LlmSettings, args: argparse.Namespace) -> LlmSettings:
    """Config settings with the command line's overrides, validated like the config file."""
    overrides: dict[str, Any] = {}
    for attr, key in (
        ("llm", "mode"),
        ("llm_model", "model"),
        ("llm_max_usd", "max-usd"),
        ("llm_max_input_tokens", "max-input-tokens"),
        ("llm_max_output_tokens", "max-output-tokens"),
    ):
        value = getattr(args, attr, None)
        if value is not None:
            overrides[key] = value
    if not overrides:
        return settings
    from pydantic import ValidationError

    from mle_review.config import ConfigError

    try:
        return LlmSettings.model_validate({**settings.model_dump(by_alias=True), **overrides})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"command line: llm.{loc}: {err['msg']}") from exc


def to_llm_change(change: Any) -> LlmChange:
    if isinstance(change, LlmChange):
        return change
    if isinstance(change, bytes):
        change = change.decode("utf-8", "replace")
    if isinstance(change, str):
        return parse_unified_diff(change)
    return from_changeset(change)


def apply_llm_pass(
    report: ReviewReport,
    change: Any,
    pr_title: str,
    pr_body: str,
    settings: LlmSettings,
    *,
    review_config: ReviewConfig | None = None,
    api_key: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ReviewReport:
    """The review with the LLM pass's additions; the input report is not modified.

    ``change`` is the pipeline's ``ChangeSet`` (or diff text, or an
    ``LlmChange``). With the pass off, the same report object comes back.
    """
    if settings.mode == "off":
        return report
    from mle_review.llm.review_pass import run_llm_pass

    deterministic = [f for f in report.findings if f.rule_id != OBSERVATION_RULE]
    result = run_llm_pass(
        change=to_llm_change(change),
        findings=deterministic,
        settings=settings,
        title=pr_title,
        body=pr_body,
        api_key=api_key,
        environ=environ,
    )
    if result.status in ("off", "skipped") and not result.notes:
        return report  # auto mode without a key: the review is exactly the deterministic one
    findings = list(report.findings)
    decision, reasons = report.decision, list(report.decision_reasons)
    if settings.demote_false_positives and result.triage:
        findings, demoted = _demote(
            findings, {t.fingerprint for t in result.triage if t.verdict == "likely-false-positive"}
        )
        if demoted:
            result.note(
                f"{demoted} finding(s) judged likely false positives were lowered one severity step (config)"
            )
            decision, reasons = _redecide(report, findings, review_config)
    findings.extend(result.observations)
    findings.sort(key=lambda f: (-f.severity.rank, f.sort_key()))
    return report.model_copy(
        update={
            "findings": findings,
            "decision": decision,
            "decision_reasons": reasons,
            "llm": result,
        }
    )


def _demote(findings: list[Any], likely_fp: set[str]) -> tuple[list[Any], int]:
    out = []
    demoted = 0
    for f in findings:
        if f.fingerprint in likely_fp and f.rule_id != OBSERVATION_RULE:
            out.append(f.model_copy(update={"severity": f.severity.lowered(1)}))
            demoted += 1
        else:
            out.append(f)
    return out, demoted


def _redecide(
    report: ReviewReport, findings: list[Any], review_config: ReviewConfig | None
) -> tuple[Any, list[str]]:
    from mle_review.review.decision import decide
    from mle_review.review.model import Decision
    from mle_review.review.settings import ReviewConfig

    decision, reasons = decide(findings, report.compact, review_config or ReviewConfig())
    if report.decision is Decision.BLOCK and decision is Decision.APPROVE:
        # a model's opinion alone never turns a block into an approval
        decision = Decision.APPROVE_WITH_WARNINGS
        reasons = [
            *reasons,
            "blocking findings were judged likely false positives by the LLM pass; a human must confirm",
        ]
    return decision, reasons


def gate_view(report: ReviewReport) -> ReviewReport:
    """The report as the exit code sees it: without MLR900 observations."""
    if not any(f.rule_id == OBSERVATION_RULE for f in report.findings):
        return report
    return report.model_copy(
        update={"findings": [f for f in report.findings if f.rule_id != OBSERVATION_RULE]}
    )
