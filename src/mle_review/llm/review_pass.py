"""The LLM review pass: budget, pack, ask, validate, anchor, account.

:func:`run_llm_pass` never raises and never decides. Whatever goes wrong (no
key, a rejected key, rate limits, overload, a timeout, a cost cap, a refusal,
an answer that does not fit the schema) ends as a one-line note on the result
while the deterministic review stands as it is.

Request shape: one strict tool (``submit_review``) offered with automatic
tool choice, because current models reject forced tool choice; a system prompt
that is static and cached; the pull request's content in delimited blocks of
the user turn. A second request is made only to repair an invalid answer, and
only when time and money allow it.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from mle_review.llm.anchor import DiffIndex, apply_sections
from mle_review.llm.change import DiffFile, LlmChange
from mle_review.llm.packing import (
    LlmCoverage,
    Piece,
    build_pieces,
    coverage_for,
    estimate_tokens,
    pack,
)
from mle_review.llm.prompt import (
    render_findings,
    render_manifest,
    system_blocks,
    system_prompt,
    user_message,
)
from mle_review.llm.redact import Redactor
from mle_review.llm.result import LlmResult, cost_usd
from mle_review.llm.sanitize import sanitize_pr_text, wrap_untrusted
from mle_review.llm.schema import SECTIONS, TOOL_NAME, tool_definition, validate_sections
from mle_review.llm.settings import LlmSettings, ModelPrice
from mle_review.models import Finding

T = TypeVar("T")

MAX_RETRY_AFTER = 60.0  # longer waits than this are a failure, not a pause
MIN_REQUEST_SECONDS = 2.0  # do not start a request with less time than this left
COUNT_ATTEMPTS = 4  # count_tokens rounds while re-packing to the budget
MIN_DIFF_TOKENS = 400  # a budget that cannot show this much code is not worth a request
FEEDBACK_RESERVE = 600  # input tokens kept free for the repair request's validation feedback
MAX_FINDINGS_LISTED = 80  # deterministic findings offered for triage (most severe first)
MAX_BODY_CHARS = 12_000


class PassAbort(Exception):
    """Ends the pass with a note (the review continues without the LLM part)."""


class CredentialAbort(PassAbort):
    """The key cannot be used: no point in any further request, counting included."""


@dataclass
class _Ctx:
    settings: LlmSettings
    price: ModelPrice
    result: LlmResult
    deadline: float
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    spent: float = 0.0
    count_fallback: bool = False
    over_budget: bool = False

    def time_left(self) -> float:
        return self.deadline - self.clock()


def resolve_api_key(settings: LlmSettings, environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    key = (env.get(settings.api_key_env) or "").strip()
    return key or None


def should_run(settings: LlmSettings, environ: Mapping[str, str] | None = None) -> bool:
    """Whether a pass would be attempted: ``on`` always, ``auto`` only with a key."""
    if settings.mode == "off":
        return False
    return settings.mode == "on" or resolve_api_key(settings, environ) is not None


def run_llm_pass(
    *,
    change: LlmChange,
    findings: list[Finding],
    settings: LlmSettings,
    title: str = "",
    body: str = "",
    api_key: str | None = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> LlmResult:
    """Run the pass for one change. Never raises; see the module docstring."""
    result = LlmResult(status="off", model=settings.model)
    if settings.mode == "off":
        return result
    key = api_key or resolve_api_key(settings, environ)
    if key is None:
        result.status = "skipped"
        if settings.mode == "on":
            result.note(f"LLM pass skipped: {settings.api_key_env} is not set")
        return result
    price, known = settings.price()
    ctx = _Ctx(settings, price, result, clock() + settings.max_seconds, sleep, clock)
    if not known:
        result.note(
            f"no price for model {settings.model}; costs estimated at the highest configured rate"
        )
    try:
        _run(ctx, key, change, findings, title, body)
    except PassAbort as exc:
        result.status = (
            "partial" if (result.checklist or result.triage or result.observations) else "failed"
        )
        result.note(str(exc))
    except Exception as exc:
        result.status = "failed"
        result.note(
            f"LLM pass failed unexpectedly ({type(exc).__name__}); deterministic review only"
        )
    return result


# --- request assembly ---------------------------------------------------------


@dataclass
class _Prompt:
    title_block: str
    body_block: str
    findings_block: str
    body_text: str
    pieces: list[Piece]
    skipped_rows: list[tuple[str, str, int, str]]
    skipped: list[tuple[DiffFile, str]]

    def message(
        self, sent: list[Piece], left: list[Piece], coverage_line: str, feedback: str = ""
    ) -> str:
        sent_by_path: dict[str, list[Piece]] = {}
        for p in sent:
            sent_by_path.setdefault(p.path, []).append(p)
        left_paths = {p.path for p in left}
        rows: list[tuple[str, str, int, str]] = []
        seen: set[str] = set()
        for p in sorted(self.pieces, key=Piece.sort_key):
            if p.path in seen:
                continue
            seen.add(p.path)
            added = sum(q.added for q in self.pieces if q.path == p.path)
            if p.path in sent_by_path and p.path in left_paths:
                what = "partly included (budget)"
            elif p.path in sent_by_path:
                what = "included"
            else:
                what = "not included (budget)"
            rows.append((p.path, p.category, added, what))
        rows.extend(self.skipped_rows)
        blocks = []
        for path, group in sorted(
            sent_by_path.items(), key=lambda kv: min(p.sort_key() for p in kv[1])
        ):
            group.sort(key=lambda p: p.order)
            blocks.append(wrap_untrusted("diff", "\n".join(p.text for p in group), path=path))
        return user_message(
            self.title_block,
            self.body_block,
            self.findings_block,
            render_manifest(rows),
            blocks,
            coverage_line,
            feedback,
        )


def _prepare(
    change: LlmChange, findings: list[Finding], title: str, body: str, redactor: Redactor
) -> _Prompt:
    clean_title = redactor.text(sanitize_pr_text(title, 400), "pr-title.md")
    clean_body = redactor.text(sanitize_pr_text(body, MAX_BODY_CHARS), "pr-description.md")
    finding_lines: dict[str, set[int]] = {}
    for f in findings:
        finding_lines.setdefault(f.path, set()).update(range(f.line, max(f.end_line, f.line) + 1))
    pieces, skipped = build_pieces(change, finding_lines, redactor)
    skipped_rows: list[tuple[str, str, int, str]] = [
        (f.path, f.status, f.added, f"not included ({why})") for f, why in skipped
    ]
    return _Prompt(
        title_block=wrap_untrusted("pr_title", clean_title or "(empty)"),
        body_block=wrap_untrusted("pr_description", clean_body or "(empty)"),
        findings_block=render_findings(findings, MAX_FINDINGS_LISTED),
        body_text=clean_body,
        pieces=pieces,
        skipped_rows=skipped_rows,
        skipped=skipped,
    )


def _params(settings: LlmSettings, text: str, max_tokens: int) -> dict[str, Any]:
    params: dict[str, Any] = {
        "model": settings.model,
        "max_tokens": max_tokens,
        "system": system_blocks(),
        "tools": [tool_definition()],
        "messages": [{"role": "user", "content": text}],
    }
    if settings.effort != "default":
        params["output_config"] = {"effort": settings.effort}
    return params


def _count_params(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k != "max_tokens"}


# --- the pass -------------------------------------------------------------------


def _run(
    ctx: _Ctx, key: str, change: LlmChange, findings: list[Finding], title: str, body: str
) -> None:
    import anthropic

    settings, price, result = ctx.settings, ctx.price, ctx.result
    redactor = Redactor()
    prompt = _prepare(change, findings, title, body, redactor)

    budget, max_out = _budget(settings, price)
    budget -= FEEDBACK_RESERVE

    client = anthropic.Anthropic(
        api_key=key,
        base_url=settings.base_url,
        max_retries=0,  # retries are ours: bounded by the deadline, honouring retry-after
        timeout=settings.timeout_seconds,
    )
    try:
        text, sent, tokens = _fit(
            settings, prompt, budget, max_out, lambda params, est: _count(ctx, client, params, est)
        )
        result.coverage = coverage_for(change, prompt.pieces, sent, prompt.skipped)
        result.secrets_redacted = redactor.count
        result.usage.counted_input_tokens = tokens
        sections, errors = _ask(ctx, client, text, tokens, max_out)
        if errors:
            for name, items in _retry(ctx, client, prompt, sent, tokens, max_out, errors).items():
                sections.setdefault(name, items)
            for name in errors:
                if name not in sections:
                    result.note(
                        f"LLM {name.replace('_', ' ')} dropped: invalid output after one retry"
                    )
        index = DiffIndex(sent)
        apply_sections(
            result,
            sections,
            index,
            prompt.body_text,
            findings,
            settings.max_observations,
            lambda s: redactor.text(s, "model-output.md"),
        )
        result.status = (
            "ok" if len(sections) == len(SECTIONS) else ("partial" if sections else "failed")
        )
    finally:
        client.close()


@dataclass
class RequestPlan:
    """What a pass would send, estimated offline (no API call): for budgeting and benchmarks."""

    model: str
    budget_tokens: int
    max_output_tokens: int
    static_tokens: int
    input_tokens: int
    coverage: LlmCoverage
    price: ModelPrice
    user_text: str
    secrets_redacted: int

    @property
    def dynamic_tokens(self) -> int:
        return self.input_tokens - self.static_tokens

    def cost(self, cached: bool) -> tuple[float, float]:
        """(input cost, worst-case output cost) of one request; ``cached``: the prefix is a cache read."""
        dyn = max(self.dynamic_tokens, 0)
        if cached:
            inp = cost_usd(self.price, dyn, 0, cache_read=self.static_tokens)
        else:
            inp = cost_usd(self.price, dyn, 0, cache_write=self.static_tokens)
        return inp, cost_usd(self.price, 0, self.max_output_tokens)


def plan_request(
    *,
    change: LlmChange,
    findings: list[Finding],
    settings: LlmSettings,
    title: str = "",
    body: str = "",
) -> RequestPlan:
    """Pack and budget exactly as a pass would, with the local token estimate as the counter.

    Raises :class:`PassAbort` when the budget cannot hold a useful request.
    """
    price, _ = settings.price()
    redactor = Redactor()
    prompt = _prepare(change, findings, title, body, redactor)
    budget, max_out = _budget(settings, price)
    budget -= FEEDBACK_RESERVE
    text, sent, tokens = _fit(settings, prompt, budget, max_out, lambda _params, est: est)
    coverage = coverage_for(change, prompt.pieces, sent, prompt.skipped)
    return RequestPlan(
        model=settings.model,
        budget_tokens=budget + FEEDBACK_RESERVE,
        max_output_tokens=max_out,
        static_tokens=static_prefix_tokens(),
        input_tokens=tokens,
        coverage=coverage,
        price=price,
        user_text=text,
        secrets_redacted=redactor.count,
    )


def _budget(settings: LlmSettings, price: ModelPrice) -> tuple[int, int]:
    """(input token budget, max output tokens) that keep the worst case under max-usd.

    Output is reserved at its worst case; the rest of the money buys input,
    with the static prefix priced as a cache write (the first review's cost).
    """
    max_out = settings.max_output_tokens
    out_usd = max_out * price.output / 1e6
    if out_usd >= settings.max_usd * 0.8:
        max_out = int(settings.max_usd * 0.5 / (price.output / 1e6)) if price.output else max_out
        out_usd = max_out * price.output / 1e6
    if max_out < 512:
        raise PassAbort(f"LLM pass skipped: max-usd ${settings.max_usd:g} cannot pay for an answer")
    static_tokens = static_prefix_tokens()
    input_usd = settings.max_usd - out_usd
    per_token = price.input / 1e6 if price.input else 1e-9
    affordable = static_tokens + int(
        (input_usd - static_tokens * price.cache_write / 1e6) / per_token
    )
    return min(settings.max_input_tokens, affordable), max_out


def static_prefix_tokens() -> int:
    """Local estimate of the cached prefix: tool definition and system prompt."""
    return estimate_tokens(system_prompt()) + estimate_tokens(json.dumps(tool_definition()))


Counter = Callable[[dict[str, Any], int], int]


def _fit(
    settings: LlmSettings, prompt: _Prompt, budget: int, max_out: int, count: Counter
) -> tuple[str, list[Piece], int]:
    """Pack the diff into ``budget`` input tokens, checking with count_tokens; re-pack on overshoot."""
    fixed_text = prompt.message(
        [], prompt.pieces, "placeholder coverage line of typical length here"
    )
    fixed = static_prefix_tokens() + estimate_tokens(fixed_text) + 50
    ratio = 1.0
    last_tokens = 0
    for _ in range(COUNT_ATTEMPTS):
        diff_budget = int(budget / ratio) - fixed
        if diff_budget < MIN_DIFF_TOKENS and prompt.pieces:
            raise PassAbort(
                f"LLM pass skipped: budget exceeded (the prompt needs about {int(fixed * ratio):,} tokens "
                f"before any code; max-input-tokens/max-usd allow {budget:,})"
            )
        sent, left = pack(prompt.pieces, max(diff_budget, 0))
        cov = coverage_for_line(prompt, sent)
        text = prompt.message(sent, left, cov)
        params = _params(settings, text, max_out)
        estimate = static_prefix_tokens() + estimate_tokens(text)
        counted = count(params, estimate)
        last_tokens = counted
        if counted <= budget:
            return text, sent, counted
        ratio = max(ratio, counted / max(estimate, 1)) * 1.05
    raise PassAbort(
        f"LLM pass skipped: budget exceeded (the smallest prompt counted {last_tokens:,} input tokens, "
        f"over the {budget:,} allowed)"
    )


def coverage_for_line(prompt: _Prompt, sent: list[Piece]) -> str:
    total = sum(p.added for p in prompt.pieces)
    got = sum(p.added for p in sent)
    files = len({p.path for p in prompt.pieces})
    files_sent = len({p.path for p in sent})
    return f"{got:,} of {total:,} added lines in {files_sent} of {files} files are included"


def _count(ctx: _Ctx, client: Any, params: dict[str, Any], estimate: int) -> int:
    """Input tokens of the request per the API's counter; a padded estimate if counting fails."""
    if ctx.count_fallback:
        return int(estimate * 1.15)
    try:
        counted = _with_retries(
            ctx,
            "token count",
            lambda timeout: client.messages.count_tokens(**_count_params(params), timeout=timeout),
        )
        return int(counted.input_tokens)
    except CredentialAbort:
        raise
    except PassAbort as exc:
        if ctx.time_left() < MIN_REQUEST_SECONDS * 2:
            raise
        ctx.count_fallback = True
        ctx.result.note(
            f"token counting unavailable ({_short(str(exc))}); used a padded local estimate"
        )
        return int(estimate * 1.15)


def _ask(
    ctx: _Ctx, client: Any, text: str, tokens: int, max_out: int
) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """One Messages request; validated sections and per-section errors."""
    settings, price, result = ctx.settings, ctx.price, ctx.result
    static = estimate_tokens(system_prompt())
    worst = cost_usd(price, max(tokens - static, 0), max_out, cache_write=static)
    if ctx.over_budget:
        raise PassAbort("LLM pass stopped: the cost cap was reached; no further requests")
    if ctx.spent + worst > settings.max_usd + 1e-9:
        raise PassAbort(
            f"LLM pass stopped: budget exceeded (next request could cost ${worst:.3f}; "
            f"${ctx.spent:.3f} of ${settings.max_usd:g} already spent)"
        )
    params = _params(settings, text, max_out)
    message = _with_retries(
        ctx, "review", lambda timeout: client.messages.create(**params, timeout=timeout)
    )
    ctx.spent += result.usage.add(message.usage, price)
    if ctx.spent > settings.max_usd + 1e-9:
        ctx.over_budget = True
        result.note(
            f"LLM pass cost ${ctx.spent:.3f}, above the ${settings.max_usd:g} cap; no further requests"
        )
    stop = getattr(message, "stop_reason", None)
    if stop == "refusal":
        raise PassAbort("LLM pass: the model declined to review this change (refusal)")
    raw: object = None
    for block in getattr(message, "content", []) or []:
        if getattr(block, "type", "") == "tool_use" and getattr(block, "name", "") == TOOL_NAME:
            raw = getattr(block, "input", None)
            break
    if raw is None:
        raw = _json_from_text(message)
    if raw is None:
        reason = (
            "answer cut off at max-output-tokens"
            if stop == "max_tokens"
            else "no tool call in the answer"
        )
        return {}, {name: reason for name in SECTIONS}
    sections, errors = validate_sections(raw)
    if errors and stop == "max_tokens":
        errors = {
            k: f"answer cut off at the output limit, be briefer; {v}" for k, v in errors.items()
        }
    return sections, errors


def _json_from_text(message: Any) -> object:
    """Some gateways return the tool input as text; accept a bare JSON object, nothing looser."""
    for block in getattr(message, "content", []) or []:
        if getattr(block, "type", "") == "text":
            text = str(getattr(block, "text", "")).strip()
            if text.startswith("{") and text.endswith("}"):
                try:
                    return json.loads(text)
                except ValueError:
                    return None
    return None


def _retry(
    ctx: _Ctx,
    client: Any,
    prompt: _Prompt,
    sent: list[Piece],
    tokens: int,
    max_out: int,
    errors: dict[str, str],
) -> dict[str, list[Any]]:
    """The one repair request; valid sections of it. Its failure keeps the first answer's."""
    feedback = "; ".join(f"{name}: {err}" for name, err in errors.items())[:900]
    left = [p for p in prompt.pieces if p not in sent]
    text = prompt.message(sent, left, coverage_for_line(prompt, sent), feedback)
    try:
        sections, _ = _ask(ctx, client, text, tokens + estimate_tokens(feedback) + 60, max_out)
    except PassAbort as exc:
        ctx.result.note(str(exc))
        return {}
    return sections


# --- transport ------------------------------------------------------------------


def _with_retries(ctx: _Ctx, what: str, call: Callable[[float], T]) -> T:
    """Run ``call(timeout)`` with bounded retries on 429/529/5xx/connection errors."""
    import anthropic

    settings = ctx.settings
    attempts = settings.max_retries + 1
    for attempt in range(attempts):
        left = ctx.time_left()
        if left < MIN_REQUEST_SECONDS:
            raise PassAbort(f"LLM pass stopped: time budget of {settings.max_seconds:g}s used up")
        timeout = min(settings.timeout_seconds, left)
        try:
            return call(timeout)
        except anthropic.APITimeoutError as exc:
            raise PassAbort(f"LLM {what} request timed out after {timeout:.0f}s") from exc
        except anthropic.AuthenticationError as exc:
            raise CredentialAbort("LLM pass skipped: the API key was rejected (401)") from exc
        except anthropic.PermissionDeniedError as exc:
            raise CredentialAbort(
                "LLM pass skipped: the API key may not use this model (403)"
            ) from exc
        except anthropic.NotFoundError as exc:
            raise PassAbort(f"LLM pass skipped: model {settings.model!r} not found (404)") from exc
        except anthropic.BadRequestError as exc:
            raise PassAbort(f"LLM {what} request rejected (400: {_error_type(exc)})") from exc
        except (
            anthropic.RateLimitError,
            anthropic.InternalServerError,
            anthropic.APIConnectionError,
        ) as exc:
            status = getattr(exc, "status_code", None)
            label = {429: "rate limited (429)", 529: "API overloaded (529)"}.get(
                status or 0, f"server error ({status})" if status else "connection failed"
            )
            if attempt + 1 >= attempts:
                raise PassAbort(f"LLM {what} request failed: {label}, {attempts} attempts") from exc
            wait = _retry_after(exc)
            if wait is None:
                wait = min(8.0, 0.5 * 2**attempt) * (0.75 + 0.25 * random.random())
            elif wait > MAX_RETRY_AFTER:
                raise PassAbort(
                    f"LLM {what} request failed: {label}, retry-after {wait:.0f}s is too long"
                ) from exc
            if ctx.time_left() - wait < MIN_REQUEST_SECONDS:
                raise PassAbort(
                    f"LLM {what} request failed: {label}, retry-after {wait:.0f}s exceeds the time left"
                ) from exc
            ctx.sleep(wait)
        except anthropic.APIStatusError as exc:
            raise PassAbort(
                f"LLM {what} request failed ({exc.status_code}: {_error_type(exc)})"
            ) from exc
    raise PassAbort(
        f"LLM {what} request failed"
    )  # pragma: no cover - loop always returns or raises


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    return None


def _error_type(exc: Exception) -> str:
    """The API's error type only: messages can quote the request, which holds PR content."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and isinstance(err.get("type"), str):
            return str(err["type"])[:60]
    return type(exc).__name__


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
