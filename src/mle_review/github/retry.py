"""Retries for GitHub calls, inside one time budget for the whole run.

PyGithub's own retry is switched off (``retry=None``) so that every wait is
decided here, where the budget is known: a Retry-After of ten minutes on a
five-minute budget fails at once with a clear message instead of hanging the
job. Writes that are not idempotent are only retried when GitHub refused
them outright (rate limits), or after a ``reconcile`` check proved that the
failed attempt left nothing behind.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import requests
from github import GithubException

T = TypeVar("T")

# GitHub asks for at least a minute when a secondary limit comes without a header
SECONDARY_DEFAULT_WAIT = 60.0
_RATE_MESSAGES = (
    "api rate limit exceeded",
    "you have exceeded a secondary rate limit",
    "secondary rate limit",
    "please retry your request again later",
    "please wait a few minutes before you try again",
)


class GitHubError(Exception):
    """A GitHub call failed for good; ``status`` is the HTTP status when there was one."""

    def __init__(self, what: str, status: int | None, message: str) -> None:
        self.what = what
        self.status = status
        self.message = message
        where = f"HTTP {status}" if status is not None else "no response"
        super().__init__(f"{what}: {where}: {message}")

    @property
    def permission(self) -> bool:
        """The token may not do this (fork PRs, read-only or personal tokens): skip, don't fail."""
        return self.status in (401, 403, 404)


def _header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return str(value)
    return None


def _message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict):
        msg = str(data.get("message") or "")
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            details = [
                e if isinstance(e, str) else str(e.get("message") or e.get("code") or e)
                for e in errors
            ]
            msg = f"{msg} ({'; '.join(details)})" if msg else "; ".join(details)
        return msg or str(exc.status)
    return str(data or exc.status)


def rate_limit_wait(exc: GithubException, now: float | None = None) -> float | None:
    """Seconds GitHub asks us to wait, or None when the error is not a rate limit.

    Order follows GitHub's guidance: ``retry-after`` first, then
    ``x-ratelimit-reset`` when ``x-ratelimit-remaining`` is 0, else a minute
    for a secondary limit that came without either header.
    """
    if exc.status not in (403, 429):
        return None
    headers = exc.headers
    retry_after = _header(headers, "retry-after")
    if retry_after is not None:
        try:
            return max(float(retry_after), 0.0)
        except ValueError:
            pass
    remaining = _header(headers, "x-ratelimit-remaining")
    reset = _header(headers, "x-ratelimit-reset")
    if remaining == "0" and reset is not None:
        try:
            return max(float(reset) - (now if now is not None else time.time()), 0.0) + 1.0
        except ValueError:
            pass
    message = _message(exc).lower()
    if exc.status == 429 or any(m in message for m in _RATE_MESSAGES):
        return SECONDARY_DEFAULT_WAIT
    return None


class RetryPolicy:
    """Runs calls with backoff until they succeed, fail for good, or the budget is spent."""

    def __init__(
        self,
        budget: float = 300.0,
        *,
        max_attempts: int = 6,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.deadline = clock() + budget
        self.budget = budget
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.clock = clock
        self.sleep = sleep
        self.log = log or (lambda _msg: None)
        self.waited = 0.0

    def remaining(self) -> float:
        return max(self.deadline - self.clock(), 0.0)

    def _backoff(self, attempt: int) -> float:
        delay: float = min(self.base_delay * (2**attempt), self.max_delay)
        return delay * (1.0 + random.uniform(0.0, 0.25))

    def call(
        self,
        what: str,
        fn: Callable[[], T],
        *,
        idempotent: bool = True,
        reconcile: Callable[[], T | None] | None = None,
    ) -> T:
        """Run ``fn``; on a transient failure wait and run it again.

        ``reconcile`` (for writes that are not idempotent) is asked after a 5xx
        or a dropped connection whether the write happened anyway; its
        non-None answer is returned instead of writing twice.
        """
        attempt = 0
        while True:
            try:
                return fn()
            except GithubException as exc:
                status = exc.status
                wait = rate_limit_wait(exc)
                reason = f"HTTP {status}: {_message(exc)}"
                if wait is None:
                    if status is None or status < 500:
                        raise GitHubError(what, status, _message(exc)) from exc
                    if not idempotent and reconcile is None:
                        raise GitHubError(what, status, _message(exc)) from exc
                    wait = self._backoff(attempt)
                failure: tuple[int | None, str] = (status, reason)
            except (
                requests.exceptions.RequestException
            ) as exc:  # dropped connection, timeout, truncated body
                if not idempotent and reconcile is None:
                    raise GitHubError(what, None, str(exc) or type(exc).__name__) from exc
                wait = self._backoff(attempt)
                failure = (None, f"{type(exc).__name__}: {exc}")
            attempt += 1
            if attempt >= self.max_attempts:
                raise GitHubError(
                    what, failure[0], f"gave up after {attempt} attempts; last error {failure[1]}"
                )
            if wait > self.remaining():
                raise GitHubError(
                    what,
                    failure[0],
                    f"GitHub asked to wait {wait:.0f}s but only {self.remaining():.0f}s of the "
                    f"{self.budget:.0f}s time budget is left; last error {failure[1]}",
                )
            self.log(f"{what}: {failure[1]}; retrying in {wait:.1f}s")
            self.sleep(wait)
            self.waited += wait
            if reconcile is not None and (failure[0] is None or (failure[0] or 0) >= 500):
                try:
                    found = reconcile()
                except (GithubException, requests.exceptions.RequestException):
                    found = None
                if found is not None:
                    return found
