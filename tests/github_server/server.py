"""A local GitHub REST API for tests: ``http.server`` in a thread on 127.0.0.1.

It speaks the endpoints PyGithub calls for mle-review (checked against
PyGithub's source, not guessed), keeps state in :class:`GitHubState`, and
mimics GitHub's observable behaviour where the client has to cope with it:
absolute ``Link`` pagination, the diff media type and its 406, 422 for a
review anchor outside the diff, 403 for a read-only token, rate-limit
responses with ``Retry-After``/``x-ratelimit-reset``. Every ``url`` field it
returns points back at this server (under an optional GHES-style prefix).
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback import LoopbackServer

from .diffing import hunk_for_line
from .state import (
    CheckRun,
    GitHubState,
    IssueComment,
    Pull,
    Review,
    ReviewComment,
    StateError,
    Token,
    User,
    iso,
)

REACTIONS = {"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"}
DIFF_TYPES = ("application/vnd.github.diff", "application/vnd.github.v3.diff")
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


@dataclass
class Fault:
    """A canned failure served instead of the real answer, ``times`` times, to matching requests."""

    method: str
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int = 1


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class _Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: str | None = None
    content_type: str = "application/json; charset=utf-8"


Route = Callable[["_Ctx", re.Match[str]], _Reply]


@dataclass
class _Ctx:
    server: GitHubServer
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    token: Token

    @property
    def state(self) -> GitHubState:
        return self.server.state

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


class GitHubServer(LoopbackServer):
    """Start with ``with GitHubServer() as gh:``; ``gh.base_url`` is what ``GITHUB_API_URL`` should be."""

    thread_name = "fake-github"

    def __init__(self, state: GitHubState | None = None, prefix: str = "") -> None:
        self.state = state or GitHubState()
        self.prefix = prefix.rstrip("/")
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.hooks: list[list[Any]] = []  # [method, pattern, callback, times]
        super().__init__()
        self.rate_remaining = 4999
        self._routes: list[tuple[str, re.Pattern[str], Route]] = []
        self._install_routes()

    # -- lifecycle --------------------------------------------------------------------

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _make_handler(self)

    @property
    def base_url(self) -> str:
        return self.origin + self.prefix

    # -- scenario helpers -------------------------------------------------------------

    def inject(
        self,
        method: str,
        path_regex: str,
        status: int,
        message: str = "Server Error",
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Serve a failure to the next ``times`` requests matching ``method`` and the path regex."""
        body: dict[str, Any] = {
            "message": message,
            "documentation_url": "https://docs.github.com/rest",
        }
        with self.lock:
            self.faults.append(
                Fault(
                    method.upper(), re.compile(path_regex), status, body, dict(headers or {}), times
                )
            )

    def secondary_rate_limit(
        self, method: str, path_regex: str, retry_after: int = 1, times: int = 1
    ) -> None:
        self.inject(
            method, path_regex, 403, SECONDARY_MESSAGE, {"Retry-After": str(retry_after)}, times
        )

    def primary_rate_limit(
        self, method: str, path_regex: str, reset_in: int = 1, status: int = 403, times: int = 1
    ) -> None:
        reset = str(int(time.time()) + reset_in)
        headers = {
            "x-ratelimit-remaining": "0",
            "x-ratelimit-limit": "5000",
            "x-ratelimit-reset": reset,
        }
        self.inject(
            method,
            path_regex,
            status,
            "API rate limit exceeded for installation ID 1234.",
            headers,
            times,
        )

    def before(
        self, method: str, path_regex: str, callback: Callable[[GitHubState], None], times: int = 1
    ) -> None:
        """Run ``callback(state)`` just before a matching request is handled (e.g. a racing second run)."""
        with self.lock:
            self.hooks.append([method.upper(), re.compile(path_regex), callback, times])

    def calls(self, method: str | None = None, path_regex: str | None = None) -> list[Request]:
        with self.lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method.upper())
                and (path_regex is None or re.search(path_regex, r.path))
            ]

    # -- JSON shapes ------------------------------------------------------------------

    def api(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def html(self, path: str) -> str:
        return f"{self.origin}/html{path}"

    def repo_path(self, full_name: str | None = None) -> str:
        return f"/repos/{full_name or self.state.full_name}"

    def user_json(self, user: User) -> dict[str, Any]:
        return {
            "login": user.login,
            "id": user.id,
            "node_id": f"U_{user.id}",
            "type": user.type,
            "site_admin": False,
            "url": self.api(f"/users/{urllib.parse.quote(user.login)}"),
            "html_url": self.html(f"/{user.login}"),
            "avatar_url": self.html(f"/avatars/{user.id}"),
        }

    def repo_json(self, full_name: str | None = None) -> dict[str, Any]:
        s = self.state
        full = full_name or s.full_name
        owner, name = full.split("/")
        fork = full != s.full_name
        owner_user = s.owner_user if not fork else s.user(owner)
        return {
            "id": s.repo_id + (1 if fork else 0),
            "node_id": f"R_{full}",
            "name": name,
            "full_name": full,
            "owner": self.user_json(owner_user),
            "private": False,
            "fork": fork,
            "default_branch": s.default_branch,
            "url": self.api(self.repo_path(full)),
            "html_url": self.html(f"/{full}"),
            "pulls_url": self.api(self.repo_path(full) + "/pulls{/number}"),
            "issues_url": self.api(self.repo_path(full) + "/issues{/number}"),
            "contents_url": self.api(self.repo_path(full) + "/contents/{+path}"),
        }

    def pull_json(self, p: Pull) -> dict[str, Any]:
        rp = self.repo_path()
        url = self.api(f"{rp}/pulls/{p.number}")
        additions = sum(f.additions for f in p.files)
        deletions = sum(f.deletions for f in p.files)
        return {
            "url": url,
            "id": 90000 + p.number,
            "node_id": f"PR_{p.number}",
            "number": p.number,
            "state": "open",
            "locked": False,
            "title": p.title,
            "body": p.body,
            "user": self.user_json(p.user),
            "author_association": p.author_association,
            "draft": p.draft,
            "html_url": self.html(f"/{self.state.full_name}/pull/{p.number}"),
            "diff_url": self.html(f"/{self.state.full_name}/pull/{p.number}.diff"),
            "patch_url": self.html(f"/{self.state.full_name}/pull/{p.number}.patch"),
            "issue_url": self.api(f"{rp}/issues/{p.number}"),
            "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments",
            "review_comment_url": self.api(f"{rp}/pulls/comments{{/number}}"),
            "comments_url": self.api(f"{rp}/issues/{p.number}/comments"),
            "statuses_url": self.api(f"{rp}/statuses/{p.head_sha}"),
            "head": {
                "label": f"{p.head_repo.split('/')[0]}:{p.head_ref}",
                "ref": p.head_ref,
                "sha": p.head_sha,
                "user": self.user_json(self.state.user(p.head_repo.split("/")[0])),
                "repo": self.repo_json(p.head_repo),
            },
            "base": {
                "label": f"{self.state.owner_user.login}:{p.base_ref}",
                "ref": p.base_ref,
                "sha": p.base_sha,
                "user": self.user_json(self.state.owner_user),
                "repo": self.repo_json(),
            },
            "merged": False,
            "mergeable": True,
            "comments": len(self.state.comments_on(p.number)),
            "review_comments": len(self.state.review_comments_on(p.number)),
            "commits": len(p.head_history),
            "additions": additions,
            "deletions": deletions,
            "changed_files": len(p.files),
            "created_at": iso(p.created),
            "updated_at": iso(p.updated),
        }

    def issue_json(self, p: Pull) -> dict[str, Any]:
        rp = self.repo_path()
        url = self.api(f"{rp}/issues/{p.number}")
        return {
            "url": url,
            "id": 80000 + p.number,
            "node_id": f"I_{p.number}",
            "number": p.number,
            "title": p.title,
            "body": p.body,
            "state": "open",
            "user": self.user_json(p.user),
            "author_association": p.author_association,
            "comments": len(self.state.comments_on(p.number)),
            "comments_url": f"{url}/comments",
            "html_url": self.html(f"/{self.state.full_name}/pull/{p.number}"),
            "repository_url": self.api(rp),
            "pull_request": {
                "url": self.api(f"{rp}/pulls/{p.number}"),
                "html_url": self.html(f"/{self.state.full_name}/pull/{p.number}"),
                "diff_url": self.html(f"/{self.state.full_name}/pull/{p.number}.diff"),
                "patch_url": self.html(f"/{self.state.full_name}/pull/{p.number}.patch"),
            },
            "created_at": iso(p.created),
            "updated_at": iso(p.updated),
        }

    def issue_comment_json(self, c: IssueComment) -> dict[str, Any]:
        rp = self.repo_path()
        counts: dict[str, int] = {r: 0 for r in sorted(REACTIONS)}
        for _, content, _ in c.reactions:
            counts[content] += 1
        url = self.api(f"{rp}/issues/comments/{c.id}")
        return {
            "id": c.id,
            "node_id": f"IC_{c.id}",
            "url": url,
            "html_url": self.html(f"/{self.state.full_name}/pull/{c.issue}#issuecomment-{c.id}"),
            "issue_url": self.api(f"{rp}/issues/{c.issue}"),
            "body": c.body,
            "user": self.user_json(c.user),
            "author_association": c.association,
            "created_at": iso(c.created),
            "updated_at": iso(c.updated),
            "reactions": {"url": f"{url}/reactions", "total_count": len(c.reactions), **counts},
        }

    def review_json(self, r: Review) -> dict[str, Any]:
        rp = self.repo_path()
        pull_url = self.api(f"{rp}/pulls/{r.pull}")
        data: dict[str, Any] = {
            "id": r.id,
            "node_id": f"PRR_{r.id}",
            "user": self.user_json(r.user),
            "body": r.body,
            "state": r.state,
            "commit_id": r.commit_id,
            "author_association": "NONE",
            "html_url": self.html(
                f"/{self.state.full_name}/pull/{r.pull}#pullrequestreview-{r.id}"
            ),
            "pull_request_url": pull_url,
            "_links": {
                "html": {"href": self.html(f"/{self.state.full_name}/pull/{r.pull}")},
                "pull_request": {"href": pull_url},
            },
        }
        if r.submitted is not None:  # pending reviews have no submitted_at, like GitHub
            data["submitted_at"] = iso(r.submitted)
        return data

    def review_comment_json(self, c: ReviewComment) -> dict[str, Any]:
        rp = self.repo_path()
        url = self.api(f"{rp}/pulls/comments/{c.id}")
        pull_url = self.api(f"{rp}/pulls/{c.pull}")
        data: dict[str, Any] = {
            "id": c.id,
            "node_id": f"PRRC_{c.id}",
            "url": url,
            "pull_request_review_id": c.review_id,
            "diff_hunk": c.diff_hunk,
            "path": c.path,
            "position": c.position,
            "original_position": c.position,
            "commit_id": c.commit_id,
            "original_commit_id": c.original_commit_id,
            "user": self.user_json(c.user),
            "body": c.body,
            "created_at": iso(c.created),
            "updated_at": iso(c.updated),
            "html_url": self.html(f"/{self.state.full_name}/pull/{c.pull}#discussion_r{c.id}"),
            "pull_request_url": pull_url,
            "author_association": "NONE",
            "_links": {"self": {"href": url}, "pull_request": {"href": pull_url}},
            "start_line": c.start_line,
            "original_start_line": c.start_line,
            "start_side": c.side if c.start_line else None,
            "line": c.line,
            "original_line": c.original_line,
            "side": c.side,
            "subject_type": "line",
        }
        if c.in_reply_to is not None:
            data["in_reply_to_id"] = c.in_reply_to
        return data

    def check_run_json(self, c: CheckRun) -> dict[str, Any]:
        rp = self.repo_path()
        url = self.api(f"{rp}/check-runs/{c.id}")
        output = {
            "title": c.output.get("title"),
            "summary": c.output.get("summary"),
            "text": c.output.get("text"),
            "annotations_count": len(c.annotations),
            "annotations_url": f"{url}/annotations",
        }
        return {
            "id": c.id,
            "node_id": f"CR_{c.id}",
            "name": c.name,
            "head_sha": c.head_sha,
            "external_id": c.external_id,
            "url": url,
            "html_url": self.html(f"/{self.state.full_name}/runs/{c.id}"),
            "details_url": c.details_url,
            "status": c.status,
            "conclusion": c.conclusion,
            "started_at": iso(c.started),
            "completed_at": iso(c.completed) if c.completed else None,
            "output": output,
            "check_suite": {"id": 5000 + c.id},
            "app": {"id": 15368, "slug": "github-actions", "name": "GitHub Actions"},
            "pull_requests": [],
        }

    # -- routing ----------------------------------------------------------------------

    def _install_routes(self) -> None:
        R = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
        add = self._routes.append
        add(("GET", re.compile(rf"^{R}$"), _get_repo))
        add(("GET", re.compile(rf"^{R}/pulls/(?P<n>\d+)$"), _get_pull))
        add(("GET", re.compile(rf"^{R}/pulls/(?P<n>\d+)/files$"), _list_files))
        add(("GET", re.compile(rf"^{R}/issues/(?P<n>\d+)$"), _get_issue))
        add(("GET", re.compile(rf"^{R}/issues/(?P<n>\d+)/comments$"), _list_issue_comments))
        add(("POST", re.compile(rf"^{R}/issues/(?P<n>\d+)/comments$"), _create_issue_comment))
        add(("GET", re.compile(rf"^{R}/issues/comments/(?P<id>\d+)$"), _get_issue_comment))
        add(("PATCH", re.compile(rf"^{R}/issues/comments/(?P<id>\d+)$"), _edit_issue_comment))
        add(("DELETE", re.compile(rf"^{R}/issues/comments/(?P<id>\d+)$"), _delete_issue_comment))
        add(("POST", re.compile(rf"^{R}/issues/comments/(?P<id>\d+)/reactions$"), _create_reaction))
        add(("GET", re.compile(rf"^{R}/issues/comments/(?P<id>\d+)/reactions$"), _list_reactions))
        add(("GET", re.compile(rf"^{R}/pulls/(?P<n>\d+)/reviews$"), _list_reviews))
        add(("POST", re.compile(rf"^{R}/pulls/(?P<n>\d+)/reviews$"), _create_review))
        add(("GET", re.compile(rf"^{R}/pulls/(?P<n>\d+)/reviews/(?P<id>\d+)$"), _get_review))
        add(("DELETE", re.compile(rf"^{R}/pulls/(?P<n>\d+)/reviews/(?P<id>\d+)$"), _delete_review))
        add(
            (
                "PUT",
                re.compile(rf"^{R}/pulls/(?P<n>\d+)/reviews/(?P<id>\d+)/dismissals$"),
                _dismiss_review,
            )
        )
        add(("GET", re.compile(rf"^{R}/pulls/(?P<n>\d+)/comments$"), _list_review_comments))
        add(("GET", re.compile(rf"^{R}/pulls/comments/(?P<id>\d+)$"), _get_review_comment))
        add(("PATCH", re.compile(rf"^{R}/pulls/comments/(?P<id>\d+)$"), _edit_review_comment))
        add(("POST", re.compile(rf"^{R}/check-runs$"), _create_check_run))
        add(("PATCH", re.compile(rf"^{R}/check-runs/(?P<id>\d+)$"), _update_check_run))
        add(("GET", re.compile(rf"^{R}/check-runs/(?P<id>\d+)$"), _get_check_run))
        add(("GET", re.compile(rf"^{R}/check-runs/(?P<id>\d+)/annotations$"), _list_annotations))
        add(("GET", re.compile(rf"^{R}/contents/(?P<path>.+)$"), _get_contents))
        add(("GET", re.compile(rf"^{R}/git/trees/(?P<sha>[0-9a-f]{{40}})$"), _get_tree))
        add(("GET", re.compile(rf"^{R}/commits/(?P<sha>[0-9a-f]{{40}})$"), _get_commit))
        add(
            (
                "GET",
                re.compile(rf"^{R}/commits/(?P<sha>[0-9a-f]{{40}})/check-runs$"),
                _list_check_runs,
            )
        )
        add(("GET", re.compile(rf"^{R}/git/blobs/(?P<sha>[0-9a-f]{{40}})$"), _get_blob))
        add(("GET", re.compile(r"^/user$"), _get_user))
        add(("GET", re.compile(r"^/rate_limit$"), _get_rate_limit))

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes
    ) -> _Reply:
        parsed = urllib.parse.urlsplit(raw_path)
        path = urllib.parse.unquote(parsed.path)
        query = urllib.parse.parse_qs(parsed.query)
        try:
            body: Any = json.loads(raw_body) if raw_body else None
        except ValueError:
            return _error(400, "Problems parsing JSON")
        record = Request(method, path, query, headers, body)
        with self.lock:
            self.requests.append(record)
            reply = self._dispatch(record, path)
            record.status = reply.status
            return reply

    def _dispatch(self, record: Request, path: str) -> _Reply:
        if self.prefix:
            if not path.startswith(self.prefix + "/"):
                return _error(404, "Not Found")
            path = path[len(self.prefix) :]
        for fault in self.faults:
            if fault.times > 0 and fault.method == record.method and fault.pattern.search(path):
                fault.times -= 1
                return _Reply(fault.status, fault.body, dict(fault.headers))
        auth = record.headers.get("authorization", "")
        token_value = auth.split(" ", 1)[1] if " " in auth else ""
        token = self.state.tokens.get(token_value)
        if token is None:
            if not auth:
                return _error(401, "Requires authentication")
            return _error(401, "Bad credentials")
        repo_match = re.match(r"^/repos/([^/]+)/([^/]+)", path)
        if repo_match and f"{repo_match.group(1)}/{repo_match.group(2)}" != self.state.full_name:
            return _error(404, "Not Found")
        for hook in self.hooks:
            if hook[3] > 0 and hook[0] == record.method and hook[1].search(path):
                hook[3] -= 1
                hook[2](self.state)
        ctx = _Ctx(self, record.method, path, record.query, record.headers, record.body, token)
        for method, pattern, route in self._routes:
            m = pattern.match(path)
            if m is not None and method == record.method:
                try:
                    return route(ctx, m)
                except StateError as exc:
                    return _error(exc.status, exc.message, exc.errors, exc.doc)
        return _error(404, "Not Found")


# -- helpers --------------------------------------------------------------------------


def _error(
    status: int,
    message: str,
    errors: list[Any] | None = None,
    doc: str = "https://docs.github.com/rest",
) -> _Reply:
    body: dict[str, Any] = {"message": message, "documentation_url": doc, "status": str(status)}
    if errors is not None:
        body["errors"] = errors
    return _Reply(status, body)


def _require_write(ctx: _Ctx, scope: str) -> None:
    if scope not in ctx.token.write:
        raise StateError(403, "Resource not accessible by integration")


def _pull(ctx: _Ctx, m: re.Match[str]) -> Pull:
    pull = ctx.state.pulls.get(int(m.group("n")))
    if pull is None:
        raise StateError(404, "Not Found")
    return pull


def _paginate(ctx: _Ctx, items: list[Any], list_key: str | None = None) -> _Reply:
    """GitHub's page/per_page pagination with an absolute ``Link`` header."""
    try:
        per_page = min(max(int(ctx.q("per_page", "30") or "30"), 1), 100)
        page = max(int(ctx.q("page", "1") or "1"), 1)
    except ValueError:
        raise StateError(422, "Invalid pagination parameters") from None
    total_pages = max((len(items) + per_page - 1) // per_page, 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    links: list[str] = []

    def url_for(n: int) -> str:
        params = {k: v[0] for k, v in ctx.query.items()}
        params["page"] = str(n)
        params["per_page"] = str(per_page)
        prefix = ctx.server.prefix
        return f"{ctx.server.origin}{prefix}{ctx.path}?{urllib.parse.urlencode(params)}"

    if page > 1:
        links.append(f'<{url_for(page - 1)}>; rel="prev"')
    if page < total_pages:
        links.append(f'<{url_for(page + 1)}>; rel="next"')
        links.append(f'<{url_for(total_pages)}>; rel="last"')
    if page > 1:
        links.append(f'<{url_for(1)}>; rel="first"')
    headers = {"Link": ", ".join(links)} if links else {}
    if list_key is not None:  # e.g. check runs: {"total_count": n, "check_runs": [...]}
        return _Reply(200, {"total_count": len(items), list_key: chunk}, headers)
    return _Reply(200, chunk, headers)


# -- routes ---------------------------------------------------------------------------


def _get_repo(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    return _Reply(200, ctx.server.repo_json())


def _get_pull(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    pull = _pull(ctx, m)
    accept = ctx.headers.get("accept", "")
    if any(t in accept for t in DIFF_TYPES):
        text = ctx.state.diff_text(pull)
        return _Reply(200, None, raw=text, content_type="text/plain; charset=utf-8")
    return _Reply(200, ctx.server.pull_json(pull))


def _list_files(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    pull = _pull(ctx, m)
    rp = ctx.server.repo_path()
    items: list[dict[str, Any]] = []
    for f in pull.files[: ctx.state.max_list_files]:
        item: dict[str, Any] = {
            "sha": f.sha,
            "filename": f.filename,
            "status": f.status,
            "additions": f.additions,
            "deletions": f.deletions,
            "changes": f.additions + f.deletions,
            "blob_url": ctx.server.html(
                f"/{ctx.state.full_name}/blob/{pull.head_sha}/{f.filename}"
            ),
            "raw_url": ctx.server.html(f"/{ctx.state.full_name}/raw/{pull.head_sha}/{f.filename}"),
            "contents_url": ctx.server.api(
                f"{rp}/contents/{urllib.parse.quote(f.filename)}?ref={pull.head_sha}"
            ),
        }
        if f.patch is not None:
            item["patch"] = f.patch
        if f.previous_filename:
            item["previous_filename"] = f.previous_filename
        items.append(item)
    return _paginate(ctx, items)


def _get_issue(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    return _Reply(200, ctx.server.issue_json(_pull(ctx, m)))


def _list_issue_comments(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    pull = _pull(ctx, m)
    return _paginate(
        ctx, [ctx.server.issue_comment_json(c) for c in ctx.state.comments_on(pull.number)]
    )


def _body_text(ctx: _Ctx, key: str = "body", required: bool = True) -> str | None:
    if not isinstance(ctx.body, dict):
        raise StateError(400, "Problems parsing JSON")
    value = ctx.body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise StateError(422, "Invalid request.", [f'"{key}" wasn\'t supplied.'])
    if len(value) > 65536:
        raise StateError(
            422,
            "Validation Failed",
            [
                {
                    "resource": "IssueComment",
                    "code": "custom",
                    "field": "body",
                    "message": "body is too long (maximum is 65536 characters)",
                }
            ],
        )
    return value


def _create_issue_comment(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    pull = _pull(ctx, m)
    _require_write(ctx, "issues")
    body = _body_text(ctx)
    assert body is not None
    ts = ctx.state.now()
    comment = IssueComment(ctx.state.next_id(), pull.number, body, ctx.token.user, "NONE", ts, ts)
    ctx.state.issue_comments[comment.id] = comment
    return _Reply(201, ctx.server.issue_comment_json(comment))


def _comment(ctx: _Ctx, m: re.Match[str]) -> IssueComment:
    comment = ctx.state.issue_comments.get(int(m.group("id")))
    if comment is None:
        raise StateError(404, "Not Found")
    return comment


def _get_issue_comment(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    return _Reply(200, ctx.server.issue_comment_json(_comment(ctx, m)))


def _edit_issue_comment(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    comment = _comment(ctx, m)
    _require_write(ctx, "issues")
    if comment.user != ctx.token.user:
        # repository writers may edit others' comments on GitHub; the Actions bot may not edit a human's
        raise StateError(403, "Resource not accessible by integration")
    body = _body_text(ctx)
    assert body is not None
    comment.body = body
    comment.updated = ctx.state.now()
    return _Reply(200, ctx.server.issue_comment_json(comment))


def _delete_issue_comment(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    comment = _comment(ctx, m)
    _require_write(ctx, "issues")
    if comment.user != ctx.token.user:
        raise StateError(403, "Resource not accessible by integration")
    del ctx.state.issue_comments[comment.id]
    return _Reply(204, None)


def _create_reaction(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    comment = _comment(ctx, m)
    _require_write(ctx, "issues")
    content = ctx.body.get("content") if isinstance(ctx.body, dict) else None
    if content not in REACTIONS:
        raise StateError(
            422,
            "Validation Failed",
            [{"resource": "Reaction", "code": "invalid", "field": "content"}],
        )
    for user, existing, rid in comment.reactions:
        if user == ctx.token.user and existing == content:
            return _Reply(200, _reaction_json(ctx, user, content, rid))
    rid = ctx.state.next_id()
    comment.reactions.append((ctx.token.user, content, rid))
    return _Reply(201, _reaction_json(ctx, ctx.token.user, content, rid))


def _reaction_json(ctx: _Ctx, user: User, content: str, rid: int) -> dict[str, Any]:
    return {
        "id": rid,
        "node_id": f"REA_{rid}",
        "user": ctx.server.user_json(user),
        "content": content,
        "created_at": iso(ctx.state.now()),
    }


def _list_reactions(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    comment = _comment(ctx, m)
    return _paginate(ctx, [_reaction_json(ctx, u, c, rid) for u, c, rid in comment.reactions])


def _list_reviews(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    pull = _pull(ctx, m)
    reviews = [
        r
        for r in ctx.state.reviews_on(pull.number)
        if r.state != "PENDING" or r.user == ctx.token.user
    ]
    return _paginate(ctx, [ctx.server.review_json(r) for r in reviews])


def _review(ctx: _Ctx, m: re.Match[str]) -> Review:
    review = ctx.state.reviews.get(int(m.group("id")))
    if review is None or review.pull != int(m.group("n")):
        raise StateError(404, "Not Found")
    return review


def _get_review(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    return _Reply(200, ctx.server.review_json(_review(ctx, m)))


def _delete_review(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    review = _review(ctx, m)
    _require_write(ctx, "pull_requests")
    if review.state != "PENDING":
        raise StateError(
            422, "Unprocessable Entity", ["Can not delete a non-pending pull request review"]
        )
    del ctx.state.reviews[review.id]
    for cid in [c.id for c in ctx.state.review_comments.values() if c.review_id == review.id]:
        del ctx.state.review_comments[cid]
    return _Reply(200, ctx.server.review_json(review))


def _dismiss_review(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    review = _review(ctx, m)
    _require_write(ctx, "pull_requests")
    if review.state not in ("APPROVED", "CHANGES_REQUESTED"):
        raise StateError(
            422,
            "Unprocessable Entity",
            [f"Can not dismiss a {review.state.lower()} pull request review"],
        )
    if not isinstance(ctx.body, dict) or not ctx.body.get("message"):
        raise StateError(422, "Invalid request.", ['"message" wasn\'t supplied.'])
    review.state = "DISMISSED"
    return _Reply(200, ctx.server.review_json(review))


_EVENTS = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}


def _create_review(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    pull = _pull(ctx, m)
    _require_write(ctx, "pull_requests")
    data = ctx.body if isinstance(ctx.body, dict) else {}
    event = data.get("event")
    body = data.get("body") or ""
    commit_id = data.get("commit_id") or pull.head_sha
    comments = data.get("comments") or []
    if event is not None and event not in _EVENTS:
        raise StateError(422, "Unprocessable Entity", [f"Unknown event {event!r}"])
    if event in ("REQUEST_CHANGES", "COMMENT") and not body and not comments:
        raise StateError(
            422,
            "Unprocessable Entity",
            [f"Review Can not {event.lower().replace('_', ' ')} without a body"],
        )
    if event in ("APPROVE", "REQUEST_CHANGES") and pull.user == ctx.token.user:
        raise StateError(
            422,
            "Unprocessable Entity",
            ["Can not approve or request changes on your own pull request"],
        )
    if commit_id not in pull.head_history:
        raise StateError(422, "Unprocessable Entity", ["Commit is not part of the pull request"])
    state = "PENDING" if event is None else _EVENTS[event]
    if state == "PENDING" and any(
        r.state == "PENDING" and r.user == ctx.token.user for r in ctx.state.reviews_on(pull.number)
    ):
        raise StateError(
            422, "Unprocessable Entity", ["User can only have one pending review per pull request"]
        )
    files = {f.filename: f for f in pull.files}
    planned: list[tuple[dict[str, Any], int | None, int]] = []
    for c in comments:
        if (
            not isinstance(c, dict)
            or not isinstance(c.get("path"), str)
            or not isinstance(c.get("body"), str)
        ):
            raise StateError(
                422, "Invalid request.", ['"path" and "body" are required for each comment.']
            )
        f = files.get(c["path"])
        if f is None or f.patch is None:
            raise StateError(422, "Unprocessable Entity", ["Path could not be resolved"])
        side = c.get("side", "RIGHT")
        line: int | None = c.get("line")
        position: int | None = c.get("position")
        if line is None and position is not None:
            line = f.anchors.position_to_right.get(position)
            if line is None:
                raise StateError(422, "Unprocessable Entity", ["Position could not be resolved"])
            side = "RIGHT"
        if not isinstance(line, int) or side not in ("RIGHT", "LEFT"):
            raise StateError(422, "Unprocessable Entity", ["Line could not be resolved"])
        valid = f.anchors.right if side == "RIGHT" else f.anchors.left
        hunks = f.anchors.right_hunk if side == "RIGHT" else f.anchors.left_hunk
        if line not in valid or (c["path"], line) in ctx.state.unresolvable_anchors:
            # all-or-nothing, and GitHub does not say which comment was at fault
            raise StateError(422, "Unprocessable Entity", ["Line could not be resolved"])
        start = c.get("start_line")
        if start is not None and (
            start not in valid or hunks.get(start) != hunks.get(line) or start > line
        ):
            raise StateError(
                422,
                "Unprocessable Entity",
                ["Start line must be part of the same hunk as the line."],
            )
        planned.append((c, start, line))
    ts = ctx.state.now()
    review = Review(
        ctx.state.next_id(),
        pull.number,
        ctx.token.user,
        body,
        state,
        commit_id,
        None if state == "PENDING" else ts,
    )
    ctx.state.reviews[review.id] = review
    for c, start, line in planned:
        f = files[c["path"]]
        assert f.patch is not None
        comment = ReviewComment(
            id=ctx.state.next_id(),
            pull=pull.number,
            review_id=review.id,
            user=ctx.token.user,
            body=c["body"],
            path=c["path"],
            line=line,
            original_line=line,
            side=c.get("side", "RIGHT"),
            start_line=start,
            commit_id=commit_id,
            original_commit_id=commit_id,
            diff_hunk=hunk_for_line(f.patch, line),
            created=ts,
            updated=ts,
            position=c.get("position"),
        )
        ctx.state.review_comments[comment.id] = comment
    return _Reply(200, ctx.server.review_json(review))


def _list_review_comments(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    pull = _pull(ctx, m)
    return _paginate(
        ctx, [ctx.server.review_comment_json(c) for c in ctx.state.review_comments_on(pull.number)]
    )


def _review_comment(ctx: _Ctx, m: re.Match[str]) -> ReviewComment:
    comment = ctx.state.review_comments.get(int(m.group("id")))
    if comment is None:
        raise StateError(404, "Not Found")
    return comment


def _get_review_comment(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    return _Reply(200, ctx.server.review_comment_json(_review_comment(ctx, m)))


def _edit_review_comment(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    comment = _review_comment(ctx, m)
    _require_write(ctx, "pull_requests")
    if comment.user != ctx.token.user:
        raise StateError(403, "Resource not accessible by integration")
    body = _body_text(ctx)
    assert body is not None
    comment.body = body
    comment.updated = ctx.state.now()
    return _Reply(200, ctx.server.review_comment_json(comment))


_LEVELS = {"notice", "warning", "failure"}
_CONCLUSIONS = {
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "stale",
    "timed_out",
}


def _check_output(data: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    output = data.get("output") or {}
    if not isinstance(output, dict):
        raise StateError(422, "Invalid request.", ["output is not an object"])
    annotations = output.get("annotations") or []
    if output and ("title" not in output or "summary" not in output):
        raise StateError(422, "Invalid request.", ['"title" and "summary" are required in output.'])
    if len(annotations) > 50:
        raise StateError(422, "Invalid request.", ["Only 50 annotations are allowed per request."])
    for a in annotations:
        for key in ("path", "start_line", "end_line", "annotation_level", "message"):
            if key not in a:
                raise StateError(422, "Invalid request.", [f'"{key}" wasn\'t supplied.'])
        if a["annotation_level"] not in _LEVELS:
            raise StateError(
                422, "Invalid request.", ["annotation_level is not included in the list"]
            )
    if (
        len(str(output.get("summary", ""))) > 65535
        or len(str(output.get("text", "") or "")) > 65535
    ):
        raise StateError(
            422,
            "Invalid request.",
            ["output summary or text is too long (maximum is 65535 characters)"],
        )
    return {k: v for k, v in output.items() if k != "annotations"}, list(annotations)


def _require_checks(ctx: _Ctx) -> None:
    if not ctx.token.app:
        raise StateError(403, "You must authenticate via a GitHub App.")
    _require_write(ctx, "checks")


def _create_check_run(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    _require_checks(ctx)
    data = ctx.body if isinstance(ctx.body, dict) else {}
    if not data.get("name") or not data.get("head_sha"):
        raise StateError(422, "Invalid request.", ['"name" and "head_sha" are required.'])
    if data["head_sha"] not in ctx.state.commits:
        raise StateError(
            422, "Unprocessable Entity", ["No commit found for SHA: " + str(data["head_sha"])]
        )
    conclusion = data.get("conclusion")
    if conclusion is not None and conclusion not in _CONCLUSIONS:
        raise StateError(422, "Invalid request.", ["conclusion is not included in the list"])
    output, annotations = _check_output(data)
    ts = ctx.state.now()
    status = "completed" if conclusion else data.get("status", "queued")
    run = CheckRun(
        id=ctx.state.next_id(),
        name=data["name"],
        head_sha=data["head_sha"],
        status=status,
        conclusion=conclusion,
        output=output,
        annotations=annotations,
        details_url=data.get("details_url"),
        external_id=data.get("external_id"),
        started=ts,
        completed=ts if status == "completed" else None,
    )
    ctx.state.check_runs[run.id] = run
    return _Reply(201, ctx.server.check_run_json(run))


def _check_run(ctx: _Ctx, m: re.Match[str]) -> CheckRun:
    run = ctx.state.check_runs.get(int(m.group("id")))
    if run is None:
        raise StateError(404, "Not Found")
    return run


def _update_check_run(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    run = _check_run(ctx, m)
    _require_checks(ctx)
    data = ctx.body if isinstance(ctx.body, dict) else {}
    output, annotations = _check_output(data)
    if output:
        run.output = output
    run.annotations.extend(annotations)  # annotations append across updates, like GitHub
    if data.get("conclusion"):
        if data["conclusion"] not in _CONCLUSIONS:
            raise StateError(422, "Invalid request.", ["conclusion is not included in the list"])
        run.conclusion = data["conclusion"]
        run.status = "completed"
        run.completed = ctx.state.now()
    elif data.get("status"):
        run.status = data["status"]
    run.updates += 1
    return _Reply(200, ctx.server.check_run_json(run))


def _get_check_run(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    return _Reply(200, ctx.server.check_run_json(_check_run(ctx, m)))


def _list_annotations(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    return _paginate(ctx, list(_check_run(ctx, m).annotations))


def _get_contents(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    path = m.group("path").strip("/")
    ref = ctx.q("ref")
    data = ctx.state.contents(ref, path)
    if data is None:
        raise StateError(
            404,
            "Not Found",
            doc="https://docs.github.com/rest/repos/contents#get-repository-content",
        )
    rp = ctx.server.repo_path()
    from .diffing import blob_sha

    sha = blob_sha(data)
    too_big = len(data) > 1_000_000  # 1-100 MB: metadata only, content via the blob API
    return _Reply(
        200,
        {
            "type": "file",
            "encoding": "none" if too_big else "base64",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": "" if too_big else GitHubState.b64(data),
            "sha": sha,
            "url": ctx.server.api(
                f"{rp}/contents/{urllib.parse.quote(path)}?ref={ref or ctx.state.default_branch}"
            ),
            "git_url": ctx.server.api(f"{rp}/git/blobs/{sha}"),
            "html_url": ctx.server.html(f"/{ctx.state.full_name}/blob/{ref}/{path}"),
            "download_url": ctx.server.html(f"/raw/{ctx.state.full_name}/{ref}/{path}"),
        },
    )


def _get_tree(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    """Recursive trees list every blob; ``truncated`` once past ``max_tree_entries``, like GitHub's 100,000."""
    commit = ctx.state.commits.get(m.group("sha"))
    if commit is None:
        raise StateError(404, "Not Found")
    from .diffing import blob_sha

    rp = ctx.server.repo_path()
    paths = sorted(commit.tree)
    recursive = ctx.q("recursive") not in (None, "", "0", "false")
    entries: list[dict[str, Any]] = []
    dirs: set[str] = set()
    for path in paths:
        parts = path.split("/")
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
        if recursive or "/" not in path:
            sha = blob_sha(commit.tree[path])
            entries.append(
                {
                    "path": path,
                    "mode": "100644",
                    "type": "blob",
                    "sha": sha,
                    "size": len(commit.tree[path]),
                    "url": ctx.server.api(f"{rp}/git/blobs/{sha}"),
                }
            )
    for d in sorted(dirs):
        if recursive or "/" not in d:
            entries.append(
                {
                    "path": d,
                    "mode": "040000",
                    "type": "tree",
                    "sha": "0" * 40,
                    "url": ctx.server.api(f"{rp}/git/trees/{'0' * 40}"),
                }
            )
    truncated = len(entries) > ctx.state.max_tree_entries
    return _Reply(
        200,
        {
            "sha": commit.sha,
            "url": ctx.server.api(f"{rp}/git/trees/{commit.sha}"),
            "tree": entries[: ctx.state.max_tree_entries],
            "truncated": truncated,
        },
    )


def _get_commit(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    commit = ctx.state.commits.get(m.group("sha"))
    if commit is None:
        raise StateError(422, "No commit found for SHA: " + m.group("sha"))
    rp = ctx.server.repo_path()
    return _Reply(
        200,
        {
            "sha": commit.sha,
            "node_id": f"C_{commit.sha}",
            "url": ctx.server.api(f"{rp}/commits/{commit.sha}"),
            "html_url": ctx.server.html(f"/{ctx.state.full_name}/commit/{commit.sha}"),
            "commit": {"message": "commit", "tree": {"sha": commit.sha}},
            "parents": [],
            "files": [],
        },
    )


def _list_check_runs(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    name = ctx.q("check_name")
    runs = [
        ctx.server.check_run_json(r)
        for r in ctx.state.check_runs_for(m.group("sha"))
        if name is None or r.name == name
    ]
    return _paginate(ctx, runs, list_key="check_runs")


def _get_blob(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    data = ctx.state.blob(m.group("sha"))
    if data is None:
        raise StateError(404, "Not Found")
    rp = ctx.server.repo_path()
    return _Reply(
        200,
        {
            "sha": m.group("sha"),
            "node_id": f"B_{m.group('sha')}",
            "size": len(data),
            "url": ctx.server.api(f"{rp}/git/blobs/{m.group('sha')}"),
            "content": GitHubState.b64(data),
            "encoding": "base64",
        },
    )


def _get_user(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    if ctx.token.app:  # installation tokens (GITHUB_TOKEN) cannot read /user
        raise StateError(403, "Resource not accessible by integration")
    return _Reply(200, ctx.server.user_json(ctx.token.user))


def _get_rate_limit(ctx: _Ctx, m: re.Match[str]) -> _Reply:
    reset = int(time.time()) + 3600
    core = {
        "limit": 5000,
        "remaining": ctx.server.rate_remaining,
        "reset": reset,
        "used": 5000 - ctx.server.rate_remaining,
    }
    return _Reply(200, {"resources": {"core": core}, "rate": core})


# -- HTTP plumbing --------------------------------------------------------------------


def _make_handler(server: GitHubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "fake-github/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = server.handle(self.command, self.path, headers, raw)
            if reply.raw is not None:
                payload = reply.raw.encode("utf-8")
            elif reply.body is None:
                payload = b""
            else:
                payload = json.dumps(reply.body).encode("utf-8")
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("X-GitHub-Request-Id", f"FAKE:{len(server.requests)}")
            if "x-ratelimit-remaining" not in {k.lower() for k in reply.headers}:
                self.send_header("x-ratelimit-limit", "5000")
                self.send_header("x-ratelimit-remaining", str(server.rate_remaining))
                self.send_header("x-ratelimit-reset", str(int(time.time()) + 3600))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return Handler
