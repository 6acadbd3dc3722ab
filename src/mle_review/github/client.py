"""The only code that talks to GitHub: a thin layer over PyGithub with our retry policy.

Everything returned is a plain frozen dataclass so the publishing logic can
be read (and tested) without knowing PyGithub's lazy objects. PyGithub runs
with ``lazy=True`` (no request until a value is needed), its own retries off
(see :mod:`mle_review.github.retry`) and a pause between writes, which is
GitHub's advice for staying under the secondary rate limits.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from github import Auth, Github, GithubException
from github.CheckRun import CheckRun
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest
from github.PullRequestComment import PullRequestComment
from github.Repository import Repository

from mle_review import __version__
from mle_review.github.retry import GitHubError, RetryPolicy

DIFF_MEDIA_TYPE = "application/vnd.github.diff"
DEFAULT_API_URL = "https://api.github.com"


class DiffTooLarge(Exception):
    """GitHub refused the diff media type (HTTP 406: over 300 files or 20,000 lines)."""


@dataclass(frozen=True)
class PullInfo:
    number: int
    title: str
    body: str
    head_sha: str
    base_sha: str
    head_repo: str
    base_repo: str
    author: str
    html_url: str
    changed_files: int
    draft: bool

    @property
    def from_fork(self) -> bool:
        return self.head_repo != self.base_repo


@dataclass(frozen=True)
class ChangedFile:
    filename: str
    status: str
    patch: str | None
    previous_filename: str | None
    additions: int
    deletions: int


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    author: str
    author_type: str


@dataclass(frozen=True)
class ReviewComment:
    id: int
    body: str
    author: str
    author_type: str
    path: str
    line: int | None
    in_reply_to: int | None
    review_id: int | None


@dataclass(frozen=True)
class ReviewInfo:
    id: int
    body: str
    state: str
    author: str


@dataclass(frozen=True)
class CheckRunInfo:
    id: int
    name: str
    external_id: str | None


class GitHubClient:
    """One repository, one token, one retry budget."""

    def __init__(
        self,
        token: str,
        repo: str,
        api_url: str = DEFAULT_API_URL,
        policy: RetryPolicy | None = None,
        write_interval: float = 1.0,
        timeout: int = 30,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.repo_name = repo
        self.gh = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            timeout=timeout,
            user_agent=f"mle-review/{__version__}",
            per_page=100,
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=write_interval or None,
            lazy=True,
        )
        self._repo: Repository = self.gh.get_repo(repo)
        self._pulls: dict[int, PullRequest] = {}
        self._issue_comments: dict[int, IssueComment] = {}
        self._review_comments: dict[int, PullRequestComment] = {}

    def close(self) -> None:
        self.gh.close()

    # -- helpers ----------------------------------------------------------------------

    def _call(self, what: str, fn: Callable[[], Any], **kw: Any) -> Any:
        return self.policy.call(what, fn, **kw)

    def _pull_obj(self, number: int) -> PullRequest:
        if number not in self._pulls:
            self._pulls[number] = self._repo.get_pull(number)
        return self._pulls[number]

    # -- pull request -----------------------------------------------------------------

    def pull(self, number: int) -> PullInfo:
        def load() -> PullInfo:
            pr = self._repo.get_pull(number)
            head, base = pr.head, pr.base  # completes the lazy object (one GET)
            self._pulls[number] = pr
            return PullInfo(
                number=pr.number,
                title=pr.title or "",
                body=pr.body or "",
                head_sha=head.sha,
                base_sha=base.sha,
                head_repo=head.repo.full_name if head.repo is not None else "",
                base_repo=base.repo.full_name,
                author=pr.user.login,
                html_url=pr.html_url,
                changed_files=pr.changed_files,
                draft=bool(pr.draft),
            )

        result: PullInfo = self._call("get pull request", load)
        return result

    def files(self, number: int) -> list[ChangedFile]:
        """Every changed file, all pages (GitHub lists at most 3,000)."""

        def load() -> list[ChangedFile]:
            return [
                ChangedFile(
                    filename=f.filename,
                    status=f.status,
                    patch=f.patch,
                    previous_filename=f.previous_filename,
                    additions=f.additions,
                    deletions=f.deletions,
                )
                for f in self._pull_obj(number).get_files()
            ]

        result: list[ChangedFile] = self._call("list pull request files", load)
        return result

    def diff(self, number: int) -> str:
        """The whole unified diff; raises :class:`DiffTooLarge` on GitHub's 406."""
        url = self._repo_url(f"/pulls/{number}")

        def load() -> str:
            _, data = self.gh.requester.requestJsonAndCheck(
                "GET", url, headers={"Accept": DIFF_MEDIA_TYPE}
            )
            if data is None:
                return ""
            if isinstance(data, dict) and isinstance(data.get("data"), str):
                return str(data["data"])
            raise GithubException(500, {"message": "diff media type answered with JSON"}, None)

        try:
            result: str = self._call("get pull request diff", load)
        except GitHubError as exc:
            if exc.status == 406:
                raise DiffTooLarge(exc.message) from exc
            raise
        return result

    def _repo_url(self, suffix: str) -> str:
        # relative to base_url, which PyGithub prefixes (GHES /api/v3 included)
        return f"/repos/{self.repo_name}{suffix}"

    # -- contents ---------------------------------------------------------------------

    def read_file(self, path: str, ref: str) -> bytes | None:
        """A file at a commit from the contents API (blob API past 1 MB); None when absent."""

        def load() -> bytes | None:
            try:
                content = self._repo.get_contents(path, ref=ref)
            except GithubException as exc:
                if exc.status == 404:
                    return None
                raise
            if isinstance(content, list) or content.type != "file":
                return None
            if content.encoding == "base64":
                return content.decoded_content
            blob = self._repo.get_git_blob(content.sha)
            return base64.b64decode(blob.content)

        result: bytes | None = self._call(f"read {path}", load)
        return result

    def tree_files(self, sha: str) -> dict[str, int] | None:
        """Every regular file at a commit with its size, in one request; None when GitHub truncates the tree.

        The review asks for many files that usually do not exist (dependency
        manifests and lock files next to each changed file); the listing
        answers those without a contents request each, and the sizes let
        oversized files be skipped without downloading them. Symlinks
        (mode 120000) are left out, as in the workspace.
        """

        def load() -> dict[str, int] | None:
            tree = self._repo.get_git_tree(sha, recursive=True)
            if tree.truncated:
                return None
            return {
                e.path: int(e.size or 0)
                for e in tree.tree
                if e.type == "blob" and e.mode != "120000"
            }

        result: dict[str, int] | None = self._call("list files at head", load)
        return result

    # -- issue comments ---------------------------------------------------------------

    def issue_comments(self, number: int) -> list[Comment]:
        def load() -> list[Comment]:
            out: list[Comment] = []
            for c in self._pull_obj(number).get_issue_comments():
                self._issue_comments[c.id] = c
                out.append(Comment(c.id, c.body or "", c.user.login, c.user.type))
            return out

        result: list[Comment] = self._call("list comments", load)
        return result

    def create_issue_comment(
        self, number: int, body: str, reconcile: Callable[[], Comment | None] | None = None
    ) -> Comment:
        def create() -> Comment:
            c = self._pull_obj(number).create_issue_comment(body)
            self._issue_comments[c.id] = c
            return Comment(c.id, c.body or "", c.user.login, c.user.type)

        result: Comment = self._call(
            "create comment", create, idempotent=False, reconcile=reconcile
        )
        return result

    def _issue_comment_obj(self, number: int, comment_id: int) -> IssueComment:
        if comment_id not in self._issue_comments:
            self._issue_comments[comment_id] = self._repo.get_issue(number).get_comment(comment_id)
        return self._issue_comments[comment_id]

    def edit_issue_comment(self, number: int, comment_id: int, body: str) -> None:
        obj = self._issue_comment_obj(number, comment_id)
        self._call("edit comment", lambda: obj.edit(body))

    def delete_issue_comment(self, number: int, comment_id: int) -> None:
        obj = self._issue_comment_obj(number, comment_id)
        self._call("delete comment", obj.delete)

    def react(self, number: int, comment_id: int, content: str) -> None:
        """Adding the same reaction twice is a no-op on GitHub, so this may be retried freely."""
        obj = self._issue_comment_obj(number, comment_id)
        self._call("add reaction", lambda: obj.create_reaction(content))

    # -- reviews ----------------------------------------------------------------------

    def review_comments(self, number: int) -> list[ReviewComment]:
        def load() -> list[ReviewComment]:
            out: list[ReviewComment] = []
            for c in self._pull_obj(number).get_review_comments():
                self._review_comments[c.id] = c
                raw = c.raw_data
                out.append(
                    ReviewComment(
                        id=c.id,
                        body=c.body or "",
                        author=c.user.login,
                        author_type=c.user.type,
                        path=c.path,
                        line=raw.get("line"),
                        in_reply_to=raw.get("in_reply_to_id"),
                        review_id=raw.get("pull_request_review_id"),
                    )
                )
            return out

        result: list[ReviewComment] = self._call("list review comments", load)
        return result

    def reviews(self, number: int) -> list[ReviewInfo]:
        def load() -> list[ReviewInfo]:
            return [
                ReviewInfo(r.id, r.body or "", r.state, r.user.login if r.user else "")
                for r in self._pull_obj(number).get_reviews()
            ]

        result: list[ReviewInfo] = self._call("list reviews", load)
        return result

    def create_review(
        self,
        number: int,
        commit_sha: str,
        body: str,
        event: str | None,
        comments: list[dict[str, Any]],
        reconcile: Callable[[], int | None] | None = None,
    ) -> int:
        """Post a review (``event=None``: a pending review, visible only to us). Returns its id."""
        url = self._repo_url(f"/pulls/{number}/reviews")
        payload: dict[str, Any] = {"commit_id": commit_sha, "body": body, "comments": comments}
        if event is not None:
            payload["event"] = event

        def create() -> int:
            _, data = self.gh.requester.requestJsonAndCheck("POST", url, input=payload)
            return int(data["id"])

        result: int = self._call("create review", create, idempotent=False, reconcile=reconcile)
        return result

    def dismiss_review(self, number: int, review_id: int, message: str) -> None:
        url = self._repo_url(f"/pulls/{number}/reviews/{review_id}/dismissals")
        payload = {"message": message, "event": "DISMISS"}
        self._call(
            "dismiss review",
            lambda: self.gh.requester.requestJsonAndCheck("PUT", url, input=payload),
        )

    def delete_pending_review(self, number: int, review_id: int) -> None:
        url = self._repo_url(f"/pulls/{number}/reviews/{review_id}")
        self._call(
            "delete pending review", lambda: self.gh.requester.requestJsonAndCheck("DELETE", url)
        )

    def edit_review_comment(self, number: int, comment_id: int, body: str) -> None:
        obj = self._review_comments.get(comment_id) or self._pull_obj(number).get_review_comment(
            comment_id
        )
        self._call("edit review comment", lambda: obj.edit(body))

    # -- check runs -------------------------------------------------------------------

    def check_runs(self, sha: str, name: str) -> list[CheckRunInfo]:
        def load() -> list[CheckRunInfo]:
            runs = self._repo.get_commit(sha).get_check_runs(check_name=name)
            return [CheckRunInfo(r.id, r.name, r.external_id) for r in runs]

        result: list[CheckRunInfo] = self._call("list check runs", load)
        return result

    def create_check_run(
        self,
        name: str,
        head_sha: str,
        *,
        conclusion: str,
        output: dict[str, Any],
        external_id: str,
        details_url: str | None = None,
        reconcile: Callable[[], CheckRunInfo | None] | None = None,
    ) -> CheckRunInfo:
        def create() -> CheckRunInfo:
            kwargs: dict[str, Any] = {}
            if details_url:
                kwargs["details_url"] = details_url
            run: CheckRun = self._repo.create_check_run(
                name=name,
                head_sha=head_sha,
                status="completed",
                conclusion=conclusion,
                output=output,
                external_id=external_id,
                **kwargs,
            )
            return CheckRunInfo(run.id, run.name, run.external_id)

        result: CheckRunInfo = self._call(
            "create check run", create, idempotent=False, reconcile=reconcile
        )
        return result

    def update_check_run(self, run_id: int, output: dict[str, Any]) -> None:
        """Appends ``output['annotations']`` to the run (GitHub keeps earlier batches)."""
        url = self._repo_url(f"/check-runs/{run_id}")
        self._call(
            "update check run",
            lambda: self.gh.requester.requestJsonAndCheck("PATCH", url, input={"output": output}),
            # a repeated batch would duplicate annotations: only rate-limit refusals are retried
            idempotent=False,
        )
