"""The Actions environment and webhook payload, parsed once and validated.

Only the fields the bot needs are read from the payload, and every one is
type-checked: the payload of an ``issue_comment`` event is written by
whoever commented, so nothing in it is trusted beyond its documented shape.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mle_review.github.client import DEFAULT_API_URL

PR_EVENTS = ("pull_request", "pull_request_target")
# "edited" is not in the example workflow's triggers, but a repository that wants the
# summary refreshed when the description (and its Iteration Compact) changes can add it
PR_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review", "edited")
COMMAND = "/mle-review"


class EventError(Exception):
    """The environment or payload is unusable; the CLI reports it on one line and exits 2."""


@dataclass(frozen=True)
class ActionEnv:
    event_name: str
    event_path: Path
    repository: str
    token: str
    api_url: str = DEFAULT_API_URL
    server_url: str = "https://github.com"
    step_summary: Path | None = None
    output: Path | None = None
    workspace: Path | None = None
    run_id: str = "local"
    run_attempt: str = "1"
    runner_temp: Path | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ActionEnv:
        env = os.environ if environ is None else environ

        def need(name: str, hint: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                raise EventError(f"{name} is not set ({hint})")
            return value

        def path(name: str) -> Path | None:
            value = env.get(name, "").strip()
            return Path(value) if value else None

        repository = need("GITHUB_REPOSITORY", "expected owner/name; run inside GitHub Actions")
        owner_repo = re.fullmatch(
            r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/([A-Za-z0-9_.-]{1,100})", repository
        )
        if owner_repo is None or owner_repo.group(1) in (".", ".."):
            raise EventError(f"GITHUB_REPOSITORY is not owner/name: {repository!r}")
        return cls(
            event_name=need("GITHUB_EVENT_NAME", "run inside GitHub Actions"),
            event_path=Path(need("GITHUB_EVENT_PATH", "run inside GitHub Actions")),
            repository=repository,
            token=need("GITHUB_TOKEN", "pass the action's github-token input, or set GITHUB_TOKEN"),
            api_url=(env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
            server_url=(env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/"),
            step_summary=path("GITHUB_STEP_SUMMARY"),
            output=path("GITHUB_OUTPUT"),
            workspace=path("GITHUB_WORKSPACE"),
            run_id=env.get("GITHUB_RUN_ID", "").strip() or "local",
            run_attempt=env.get("GITHUB_RUN_ATTEMPT", "").strip() or "1",
            runner_temp=path("RUNNER_TEMP"),
        )

    @property
    def repo_url(self) -> str:
        return f"{self.server_url}/{self.repository}"

    @property
    def run_key(self) -> str:
        """This attempt of this workflow run: a re-run must not mistake an earlier attempt's posts for its own."""
        return f"{self.run_id}-{self.run_attempt}"

    @property
    def run_url(self) -> str | None:
        return f"{self.repo_url}/actions/runs/{self.run_id}" if self.run_id != "local" else None


@dataclass(frozen=True)
class PullRequestEvent:
    number: int
    action: str
    head_sha: str
    draft: bool


@dataclass(frozen=True)
class CommentEvent:
    number: int
    action: str
    is_pull_request: bool
    comment_id: int
    body: str
    author: str
    author_type: str
    association: str


@dataclass(frozen=True)
class Request:
    """A parsed ``/mle-review`` command: ``kind`` is review, explain, compact or help."""

    kind: str
    args: list[str] = field(default_factory=list)
    problem: str = ""


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def load_payload(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise EventError(f"cannot read GITHUB_EVENT_PATH {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise EventError(f"GITHUB_EVENT_PATH {path} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise EventError(f"GITHUB_EVENT_PATH {path} is not a JSON object")
    return data


def parse_pull_request(payload: dict[str, Any]) -> PullRequestEvent:
    number = _get(payload, "pull_request", "number") or payload.get("number")
    sha = _get(payload, "pull_request", "head", "sha")
    if not isinstance(number, int) or not isinstance(sha, str):
        raise EventError("pull_request payload lacks pull_request.number or pull_request.head.sha")
    return PullRequestEvent(
        number=number,
        action=str(payload.get("action") or ""),
        head_sha=sha,
        draft=bool(_get(payload, "pull_request", "draft")),
    )


def parse_comment(payload: dict[str, Any]) -> CommentEvent:
    number = _get(payload, "issue", "number")
    comment_id = _get(payload, "comment", "id")
    if not isinstance(number, int) or not isinstance(comment_id, int):
        raise EventError("issue_comment payload lacks issue.number or comment.id")
    body = _get(payload, "comment", "body")
    return CommentEvent(
        number=number,
        action=str(payload.get("action") or ""),
        is_pull_request=isinstance(_get(payload, "issue", "pull_request"), dict),
        comment_id=comment_id,
        body=body if isinstance(body, str) else "",
        author=str(_get(payload, "comment", "user", "login") or ""),
        author_type=str(_get(payload, "comment", "user", "type") or ""),
        association=str(_get(payload, "comment", "author_association") or "NONE").upper(),
    )


_RULE_ARG = re.compile(r"^(MLR\d{3}|[a-z0-9]+(?:-[a-z0-9]+){0,8})$", re.IGNORECASE)


def is_command(body: str) -> bool:
    """The comment's first non-blank line starts with exactly ``/mle-review``."""
    first = next((ln.strip() for ln in (body or "").splitlines() if ln.strip()), "")
    return first == COMMAND or first.startswith(COMMAND + " ") or first.startswith(COMMAND + "\t")


def parse_command(body: str) -> Request:
    """Only an allowlist of words is understood; anything else is answered with the help text."""
    first = next((ln.strip() for ln in (body or "").splitlines() if ln.strip()), "")
    words = first[len(COMMAND) :].split()
    if not words or words == ["review"]:
        return Request("review")
    head, rest = words[0].lower(), words[1:]
    if head == "explain":
        if len(rest) != 1:
            return Request(
                "help", problem="`explain` takes one rule ID, e.g. `/mle-review explain MLR104`"
            )
        arg = rest[0].strip("`")
        if len(arg) > 64 or not _RULE_ARG.match(arg):
            return Request("help", problem="that is not a rule ID or slug")
        return Request("explain", [arg])
    if head == "compact" and not rest:
        return Request("compact")
    if head == "help" and not rest:
        return Request("help")
    return Request("help", problem="unknown command")
