"""Builders for scripted Messages API replies (bodies shaped like the real service's)."""

from __future__ import annotations

from typing import Any

from .server import Reply, _error

TOOL = "submit_review"


def tool_reply(
    tool_input: Any,
    *,
    stop: str = "tool_use",
    usage: dict[str, int] | None = None,
    delay: float = 0.0,
) -> Reply:
    """An answer that calls the review tool (with adaptive thinking's block before it)."""
    body: dict[str, Any] = {
        "type": "message",
        "content": [
            {"type": "thinking", "thinking": "", "signature": "sig-local"},
            {"type": "tool_use", "id": "toolu_local_1", "name": TOOL, "input": tool_input},
        ],
        "stop_reason": stop,
    }
    if usage is not None:
        body["usage"] = usage
    return Reply(body=body, delay=delay)


def text_reply(text: str, *, stop: str = "end_turn", usage: dict[str, int] | None = None) -> Reply:
    body: dict[str, Any] = {
        "type": "message",
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop,
    }
    if usage is not None:
        body["usage"] = usage
    return Reply(body=body)


def refusal_reply() -> Reply:
    return Reply(body={"type": "message", "content": [], "stop_reason": "refusal"})


def error_reply(
    status: int,
    kind: str,
    message: str = "error",
    headers: dict[str, str] | None = None,
    delay: float = 0.0,
) -> Reply:
    reply = _error(status, kind, message, headers)
    reply.delay = delay
    return reply


def rate_limited(retry_after: float = 1) -> Reply:
    return error_reply(
        429,
        "rate_limit_error",
        "Number of requests has exceeded your rate limit",
        {"retry-after": f"{retry_after:g}"},
    )


def overloaded() -> Reply:
    return error_reply(529, "overloaded_error", "Overloaded")


def review(
    *,
    checklist: list[dict[str, Any]] | None = None,
    compact_critique: list[dict[str, Any]] | None = None,
    triage: list[dict[str, Any]] | None = None,
    observations: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A complete, schema-valid tool input."""
    return {
        "checklist": checklist or [],
        "compact_critique": compact_critique or [],
        "triage": triage or [],
        "observations": observations or [],
    }
