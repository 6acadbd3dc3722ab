"""Webhook payloads in GitHub's documented shape, built from the fake server's own state.

A ``pull_request`` webhook carries the same pull request object the REST API
returns, and an ``issue_comment`` webhook the issue and comment objects, so
the payloads reuse the server's JSON builders plus the envelope fields
(``action``, ``number``, ``repository``, ``sender``).
"""

from __future__ import annotations

from typing import Any

from .server import GitHubServer
from .state import IssueComment


def pull_request_event(gh: GitHubServer, number: int, action: str = "opened") -> dict[str, Any]:
    pull = gh.state.pulls[number]
    payload: dict[str, Any] = {
        "action": action,
        "number": number,
        "pull_request": gh.pull_json(pull),
        "repository": gh.repo_json(),
        "organization": gh.user_json(gh.state.owner_user),
        "sender": gh.user_json(pull.user),
    }
    if action == "synchronize":
        history = pull.head_history
        payload["before"] = history[-2] if len(history) > 1 else pull.base_sha
        payload["after"] = pull.head_sha
    return payload


def issue_comment_event(
    gh: GitHubServer, comment: IssueComment, action: str = "created"
) -> dict[str, Any]:
    pull = gh.state.pulls[comment.issue]
    return {
        "action": action,
        "issue": gh.issue_json(pull),
        "comment": gh.issue_comment_json(comment),
        "repository": gh.repo_json(),
        "organization": gh.user_json(gh.state.owner_user),
        "sender": gh.user_json(comment.user),
    }
