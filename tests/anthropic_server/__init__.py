"""A local Anthropic Messages API for tests (see ``server.py`` for what it emulates)."""

from .responses import (
    error_reply,
    overloaded,
    rate_limited,
    refusal_reply,
    review,
    text_reply,
    tool_reply,
)
from .server import AnthropicServer, Received, Reply, request_text

__all__ = [
    "AnthropicServer",
    "Received",
    "Reply",
    "error_reply",
    "overloaded",
    "rate_limited",
    "refusal_reply",
    "request_text",
    "review",
    "text_reply",
    "tool_reply",
]
