"""A local Anthropic Messages API for tests, reached by the real ``anthropic`` client.

``POST /v1/messages`` answers from a script (a queue of :class:`Reply`); when
the script is empty it answers 500 so a test that sends more requests than it
expected fails loudly. ``POST /v1/messages/count_tokens`` answers with a count
derived from the request text (``chars / chars_per_token``, scaled by
``count_scale``) unless a count script is queued.

Like the real service, the server:
- rejects what current models reject (forced ``tool_choice``, sampling
  parameters, an assistant turn at the end, a missing ``max_tokens``);
- emulates prompt caching: a system block with ``cache_control`` seen before
  is reported as ``cache_read_input_tokens``, the first time as
  ``cache_creation_input_tokens``;
- fills ``usage`` of scripted tool answers from the request unless the reply
  sets it.

Every request is recorded (path, headers, JSON body, arrival time) so tests
can assert on exactly what was sent.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback import LoopbackServer


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON; str -> raw text
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    fill_usage: bool = True


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float
    raw: str

    def text(self) -> str:
        """Everything the model would read: system, tools and messages as one string."""
        return self.raw


ReplyFactory = Callable[[Any], Reply]


def request_text(body: dict[str, Any]) -> str:
    """The textual content of a Messages request, for token counting."""
    parts: list[str] = []
    system = body.get("system")
    if isinstance(system, str):
        parts.append(system)
    elif isinstance(system, list):
        parts.extend(str(b.get("text", "")) for b in system if isinstance(b, dict))
    for tool in body.get("tools", []) or []:
        parts.append(json.dumps(tool, sort_keys=True))
    for msg in body.get("messages", []) or []:
        content = msg.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            for block in content:
                if isinstance(block, dict):
                    parts.append(str(block.get("text") or json.dumps(block.get("input", ""))))
    return "\n".join(parts)


class AnthropicServer(LoopbackServer):
    """Start with ``with AnthropicServer() as srv:``; point the client at ``srv.base_url``."""

    thread_name = "fake-anthropic"

    def __init__(self, chars_per_token: float = 3.6) -> None:
        self.chars_per_token = chars_per_token
        self.count_scale = 1.0
        self.messages_script: deque[Reply | ReplyFactory] = deque()
        self.count_script: deque[Reply | ReplyFactory] = deque()
        self.received: list[Received] = []
        # None accepts any key; a set makes other keys fail with 401 like a revoked key
        self.valid_keys: set[str] | None = None
        self._cache: set[str] = set()
        self._lock = threading.Lock()
        super().__init__()

    # -- lifecycle -------------------------------------------------------------

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _make_handler(self)

    @property
    def base_url(self) -> str:
        return self.origin

    # -- scripting ---------------------------------------------------------------

    def script(self, *replies: Reply | ReplyFactory) -> None:
        self.messages_script.extend(replies)

    def script_counts(self, *replies: Reply | ReplyFactory) -> None:
        self.count_script.extend(replies)

    def messages_requests(self) -> list[Received]:
        return [r for r in self.received if r.path == "/v1/messages"]

    def count_requests(self) -> list[Received]:
        return [r for r in self.received if r.path == "/v1/messages/count_tokens"]

    # -- behaviour ---------------------------------------------------------------

    def tokens(self, text: str) -> int:
        return max(1, math.ceil(len(text) / self.chars_per_token))

    def count_for(self, body: dict[str, Any]) -> int:
        return int(self.tokens(request_text(body)) * self.count_scale)

    def usage_for(self, body: dict[str, Any], output: Any) -> dict[str, int]:
        total = self.count_for(body)
        cached = 0
        created = 0
        system = body.get("system")
        if isinstance(system, list) and any(
            isinstance(b, dict) and b.get("cache_control") for b in system
        ):
            prefix = json.dumps([body.get("tools"), system], sort_keys=True)
            key = hashlib.sha256(prefix.encode()).hexdigest()
            prefix_tokens = self.tokens(
                "\n".join(str(b.get("text", "")) for b in system)
                + "".join(json.dumps(t, sort_keys=True) for t in body.get("tools", []) or [])
            )
            with self._lock:
                if key in self._cache:
                    cached = prefix_tokens
                else:
                    self._cache.add(key)
                    created = prefix_tokens
        out_tokens = self.tokens(json.dumps(output)) if output is not None else 1
        return {
            "input_tokens": max(total - cached - created, 0),
            "output_tokens": out_tokens,
            "cache_creation_input_tokens": created,
            "cache_read_input_tokens": cached,
        }

    def validate(self, body: Any) -> str | None:
        """What the real API would reject with 400 for current models."""
        if not isinstance(body, dict):
            return "body must be a JSON object"
        for key in ("model", "messages"):
            if key not in body:
                return f"{key}: Field required"
        if "max_tokens" in body and not isinstance(body["max_tokens"], int):
            return "max_tokens: must be an integer"
        choice = body.get("tool_choice")
        if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
            return "tool_choice: forced tool use is not supported for this model"
        for key in ("temperature", "top_p", "top_k"):
            if key in body:
                return f"{key}: sampling parameters are not supported for this model"
        msgs = body["messages"]
        if not msgs or msgs[-1].get("role") != "user":
            return "messages: the final message must be a user turn (prefill is not supported)"
        for tool in body.get("tools", []) or []:
            schema = tool.get("input_schema", {})
            if tool.get("strict") and schema.get("additionalProperties") is not False:
                return "tools: strict tools need additionalProperties: false"
        return None


def _make_handler(server: AnthropicServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            path = self.path.split("?", 1)[0]
            with server._lock:
                server.received.append(
                    Received(
                        "POST",
                        path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                        time.monotonic(),
                        raw,
                    )
                )
            key = self.headers.get("x-api-key") or (
                self.headers.get("authorization") or ""
            ).removeprefix("Bearer ")
            if not key or (server.valid_keys is not None and key not in server.valid_keys):
                reply = _error(401, "authentication_error", "invalid x-api-key")
            elif path == "/v1/messages/count_tokens":
                reply = self._next(server.count_script, body)
                if reply is None:
                    problem = server.validate({**(body or {}), "max_tokens": 1})
                    if problem:
                        reply = _error(400, "invalid_request_error", problem)
                    else:
                        reply = Reply(body={"input_tokens": server.count_for(body)})
            elif path == "/v1/messages":
                problem = server.validate(body)
                if problem:
                    reply = _error(400, "invalid_request_error", problem)
                else:
                    reply = self._next(server.messages_script, body) or _error(
                        500, "api_error", "test script exhausted: unexpected request"
                    )
                    reply = _complete(server, reply, body)
            else:
                reply = _error(404, "not_found_error", f"no route {path}")
            self._send(reply)

        def _next(self, queue: deque[Reply | ReplyFactory], body: Any) -> Reply | None:
            with server._lock:
                item = queue.popleft() if queue else None
            if item is None:
                return None
            return item(body) if callable(item) else item

        def _send(self, reply: Reply) -> None:
            if reply.delay:
                time.sleep(reply.delay)
            payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            data = payload.encode("utf-8")
            try:
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("request-id", "req_local_" + hashlib.sha1(data).hexdigest()[:12])
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                pass

    return Handler


def _error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status=status,
        body={"type": "error", "error": {"type": kind, "message": message}},
        headers=headers or {},
    )


def _complete(server: AnthropicServer, reply: Reply, body: dict[str, Any]) -> Reply:
    """Fill in the message envelope and usage the way the API returns them."""
    if (
        reply.status != 200
        or not isinstance(reply.body, dict)
        or reply.body.get("type") != "message"
    ):
        return reply
    msg = dict(reply.body)
    msg.setdefault("id", "msg_local")
    msg.setdefault("role", "assistant")
    msg.setdefault("model", body.get("model"))
    msg.setdefault("stop_sequence", None)
    if reply.fill_usage or "usage" not in msg:
        output = [b.get("input") or b.get("text") for b in msg.get("content", [])]
        msg["usage"] = {**server.usage_for(body, output), **(msg.get("usage") or {})}
    return Reply(status=200, body=msg, headers=reply.headers, delay=reply.delay)
