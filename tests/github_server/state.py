"""What the fake GitHub remembers: users, tokens, one repository, its pull requests and their threads.

Tests build a scenario through :class:`GitHubState` (``add_pull``, ``push``,
``add_issue_comment``...) and assert on the same objects afterwards. Every
mutation happens under the server's lock.
"""

from __future__ import annotations

import base64
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from .diffing import (
    PatchLines,
    blob_sha,
    count_changes,
    is_binary,
    make_patch,
    parse_patch,
)

GITHUB_ACTIONS_BOT_ID = 41898282


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


@dataclass(frozen=True)
class User:
    login: str
    id: int
    type: str = "User"  # "User" | "Bot" | "Organization"


@dataclass(frozen=True)
class Token:
    """A credential: who it acts as and which write scopes it carries (GitHub's per-job permissions)."""

    user: User
    # subset of {"contents", "issues", "pull_requests", "checks"}; empty = read-only (fork PRs)
    write: frozenset[str] = frozenset({"issues", "pull_requests", "checks"})
    # personal tokens are refused by the Checks API whatever their scopes
    app: bool = True


@dataclass
class Commit:
    sha: str
    tree: dict[str, bytes]


@dataclass
class PullFile:
    filename: str
    status: str  # added | removed | modified | renamed
    sha: str | None
    additions: int
    deletions: int
    patch: str | None  # None: binary or too large, as GitHub omits it
    previous_filename: str | None = None
    binary: bool = False
    anchors: PatchLines = field(default_factory=PatchLines)


@dataclass
class IssueComment:
    id: int
    issue: int
    body: str
    user: User
    association: str
    created: float
    updated: float
    reactions: list[tuple[User, str, int]] = field(default_factory=list)


@dataclass
class Review:
    id: int
    pull: int
    user: User
    body: str
    state: str  # PENDING | COMMENTED | APPROVED | CHANGES_REQUESTED
    commit_id: str
    submitted: float | None


@dataclass
class ReviewComment:
    id: int
    pull: int
    review_id: int
    user: User
    body: str
    path: str
    line: int | None
    original_line: int
    side: str
    start_line: int | None
    commit_id: str
    original_commit_id: str
    diff_hunk: str
    created: float
    updated: float
    in_reply_to: int | None = None
    position: int | None = None


@dataclass
class CheckRun:
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    output: dict[str, Any]
    annotations: list[dict[str, Any]]
    details_url: str | None
    external_id: str | None
    started: float
    completed: float | None
    updates: int = 0


@dataclass
class Pull:
    number: int
    title: str
    body: str | None
    user: User
    author_association: str
    base_ref: str
    head_ref: str
    base_sha: str
    head_sha: str
    head_repo: str  # full name; differs from the base repository for a fork
    draft: bool = False
    renames: dict[str, str] = field(default_factory=dict)  # new path -> old path
    files: list[PullFile] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    head_history: list[str] = field(default_factory=list)


class StateError(Exception):
    """An HTTP error the handler turns into GitHub's JSON error shape."""

    def __init__(
        self, status: int, message: str, errors: list[Any] | None = None, doc: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.doc = doc or "https://docs.github.com/rest"


class GitHubState:
    """One repository's worth of GitHub.

    Limits default to GitHub's: the diff media type refuses a PR with more
    than 300 files or 20,000 diff lines (406), the files API lists at most
    3,000 files, a file's ``patch`` is omitted past ``max_patch_lines``.
    """

    def __init__(
        self, owner: str = "acme", repo: str = "churn", default_branch: str = "main"
    ) -> None:
        self.owner_user = User(owner, 1001, "Organization")
        self.repo = repo
        self.default_branch = default_branch
        self.repo_id = 424242
        self.bot = User("github-actions[bot]", GITHUB_ACTIONS_BOT_ID, "Bot")
        self.users: dict[str, User] = {"github-actions[bot]": self.bot}
        self.tokens: dict[str, Token] = {
            "ghs_write": Token(self.bot),
            "ghs_readonly": Token(self.bot, write=frozenset()),
            "ghs_nochecks": Token(self.bot, write=frozenset({"issues", "pull_requests"})),
        }
        self.commits: dict[str, Commit] = {}
        self.branches: dict[str, str] = {}
        self.pulls: dict[int, Pull] = {}
        self.issue_comments: dict[int, IssueComment] = {}
        self.reviews: dict[int, Review] = {}
        self.review_comments: dict[int, ReviewComment] = {}
        self.check_runs: dict[int, CheckRun] = {}
        self._ids = itertools.count(1_000_001)
        self._clock = itertools.count(1)
        self.max_diff_files = 300
        self.max_diff_lines = 20_000
        self.max_list_files = 3000
        self.max_patch_lines = 3000
        self.max_tree_entries = 100_000
        # (path, line) pairs GitHub will refuse although they look fine in the diff
        self.unresolvable_anchors: set[tuple[str, int]] = set()

    # -- identities -------------------------------------------------------------------

    @property
    def full_name(self) -> str:
        return f"{self.owner_user.login}/{self.repo}"

    def user(self, login: str, type: str = "User") -> User:
        if login not in self.users:
            self.users[login] = User(login, 2000 + len(self.users), type)
        return self.users[login]

    def add_token(
        self, token: str, login: str, write: set[str] | None = None, app: bool = False
    ) -> None:
        """A personal token for ``login`` (not an app: the Checks API refuses it)."""
        scopes = frozenset(write if write is not None else {"issues", "pull_requests", "checks"})
        self.tokens[token] = Token(self.user(login), scopes, app)

    def next_id(self) -> int:
        return next(self._ids)

    def now(self) -> float:
        # strictly increasing timestamps keep list order and "updated" checks deterministic
        return 1_700_000_000.0 + next(self._clock)

    # -- commits and pulls ------------------------------------------------------------

    def commit(self, tree: dict[str, str | bytes]) -> str:
        data = {p: (c.encode("utf-8") if isinstance(c, str) else c) for p, c in tree.items()}
        digest = blob_sha(repr(sorted(data.items())).encode() + str(len(self.commits)).encode())
        self.commits[digest] = Commit(digest, data)
        return digest

    def add_pull(
        self,
        base: dict[str, str | bytes],
        head: dict[str, str | bytes],
        *,
        number: int = 7,
        title: str = "Add churn model",
        body: str | None = "",
        author: str = "alice",
        author_association: str = "CONTRIBUTOR",
        head_ref: str = "feature",
        fork: str | None = None,
        renames: dict[str, str] | None = None,
    ) -> Pull:
        base_sha = self.commit(base)
        self.branches[self.default_branch] = base_sha
        head_sha = self.commit(head)
        pull = Pull(
            number=number,
            title=title,
            body=body,
            user=self.user(author),
            author_association=author_association,
            base_ref=self.default_branch,
            head_ref=head_ref,
            base_sha=base_sha,
            head_sha=head_sha,
            head_repo=fork or self.full_name,
            renames=dict(renames or {}),
            head_history=[head_sha],
        )
        pull.files = self._pull_files(pull)
        self.pulls[number] = pull
        return pull

    def push(
        self, number: int, head: dict[str, str | bytes], renames: dict[str, str] | None = None
    ) -> str:
        """A new head commit (``synchronize``): files recomputed, stale comments become outdated."""
        pull = self.pulls[number]
        pull.head_sha = self.commit(head)
        pull.head_history.append(pull.head_sha)
        if renames is not None:
            pull.renames = dict(renames)
        pull.files = self._pull_files(pull)
        pull.updated = self.now()
        anchors = {f.filename: f for f in pull.files}
        for comment in self.review_comments.values():
            if comment.pull != number or comment.line is None:
                continue
            f = anchors.get(comment.path)
            old_text = self._line_at(comment.commit_id, comment.path, comment.line)
            new_text = self._line_at(pull.head_sha, comment.path, comment.line)
            still = f is not None and comment.line in f.anchors.right and old_text == new_text
            if still:
                comment.commit_id = pull.head_sha
            else:  # GitHub keeps original_line but the comment no longer has a current line
                comment.line = None
                comment.position = None
        return pull.head_sha

    def _line_at(self, sha: str, path: str, line: int) -> bytes | None:
        data = self.commits[sha].tree.get(path) if sha in self.commits else None
        if data is None:
            return None
        lines = data.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else None

    def _pull_files(self, pull: Pull) -> list[PullFile]:
        base = self.commits[pull.base_sha].tree
        head = self.commits[pull.head_sha].tree
        renamed_from = {old: new for new, old in pull.renames.items()}
        out: list[PullFile] = []
        for path in sorted(set(base) | set(head)):
            if path in renamed_from and path not in head:
                continue  # reported under its new name
            old_path = pull.renames.get(path, path)
            old = base.get(old_path)
            new = head.get(path)
            if old == new:
                continue
            if new is None:
                status = "removed"
            elif old is None:
                status = "added"
            elif old_path != path:
                status = "renamed"
            else:
                status = "modified"
            binary = is_binary(old or b"") or is_binary(new or b"")
            patch: str | None = None
            adds = dels = 0
            if not binary:
                patch = make_patch((old or b"").decode("utf-8"), (new or b"").decode("utf-8"))
                adds, dels = count_changes(patch)
                if patch.count("\n") + 1 > self.max_patch_lines:
                    patch = None
            anchors = parse_patch(patch) if patch else PatchLines()
            out.append(
                PullFile(
                    filename=path,
                    status=status,
                    sha=blob_sha(new) if new is not None else None,
                    additions=adds,
                    deletions=dels,
                    patch=patch,
                    previous_filename=old_path if status == "renamed" else None,
                    binary=binary,
                    anchors=anchors,
                )
            )
        return out

    def diff_text(self, pull: Pull) -> str:
        """The ``application/vnd.github.diff`` body, or a 406 exactly when GitHub would refuse it."""
        if len(pull.files) > self.max_diff_files:
            raise StateError(
                406,
                f"Sorry, the diff exceeded the maximum number of files ({self.max_diff_files}). "
                "Consider using 'List pull requests files' API or locally cloning the repository instead.",
                [{"resource": "PullRequest", "field": "diff", "code": "too_large"}],
                "https://docs.github.com/rest/pulls/pulls#list-pull-requests-files",
            )
        base = self.commits[pull.base_sha].tree
        head = self.commits[pull.head_sha].tree
        chunks: list[str] = []
        for f in pull.files:
            old_path = f.previous_filename or f.filename
            old_blob = blob_sha(base[old_path])[:7] if old_path in base else "0000000"
            new_blob = blob_sha(head[f.filename])[:7] if f.filename in head else "0000000"
            lines = [f"diff --git a/{old_path} b/{f.filename}"]
            if f.status == "added":
                lines += ["new file mode 100644", f"index {old_blob}..{new_blob}"]
            elif f.status == "removed":
                lines += ["deleted file mode 100644", f"index {old_blob}..{new_blob}"]
            elif f.status == "renamed":
                lines += [
                    "similarity index 90%",
                    f"rename from {old_path}",
                    f"rename to {f.filename}",
                ]
                lines += [f"index {old_blob}..{new_blob} 100644"]
            else:
                lines += [f"index {old_blob}..{new_blob} 100644"]
            if f.binary:
                a = "/dev/null" if f.status == "added" else f"a/{old_path}"
                b = "/dev/null" if f.status == "removed" else f"b/{f.filename}"
                lines.append(f"Binary files {a} and {b} differ")
            else:
                old_text = (base.get(old_path) or b"").decode("utf-8")
                new_text = (head.get(f.filename) or b"").decode("utf-8")
                patch = make_patch(old_text, new_text)
                if patch:
                    lines.append("--- /dev/null" if f.status == "added" else f"--- a/{old_path}")
                    lines.append(
                        "+++ /dev/null" if f.status == "removed" else f"+++ b/{f.filename}"
                    )
                    lines.append(patch)
            chunks.append("\n".join(lines))
        text = "\n".join(chunks) + ("\n" if chunks else "")
        if text.count("\n") > self.max_diff_lines:
            raise StateError(
                406,
                f"Sorry, the diff exceeded the maximum number of lines ({self.max_diff_lines}). "
                "Consider using 'List pull requests files' API or locally cloning the repository instead.",
                [{"resource": "PullRequest", "field": "diff", "code": "too_large"}],
                "https://docs.github.com/rest/pulls/pulls#list-pull-requests-files",
            )
        return text

    # -- conversation -----------------------------------------------------------------

    def add_issue_comment(
        self, number: int, body: str, login: str, association: str = "NONE", type: str = "User"
    ) -> IssueComment:
        user = self.user(login, type)
        ts = self.now()
        comment = IssueComment(self.next_id(), number, body, user, association, ts, ts)
        self.issue_comments[comment.id] = comment
        return comment

    def add_reply(self, comment_id: int, body: str, login: str) -> ReviewComment:
        """Someone answers one of the bot's inline comments."""
        parent = self.review_comments[comment_id]
        ts = self.now()
        reply = ReviewComment(
            id=self.next_id(),
            pull=parent.pull,
            review_id=self.next_id(),
            user=self.user(login),
            body=body,
            path=parent.path,
            line=parent.line,
            original_line=parent.original_line,
            side=parent.side,
            start_line=None,
            commit_id=parent.commit_id,
            original_commit_id=parent.original_commit_id,
            diff_hunk=parent.diff_hunk,
            created=ts,
            updated=ts,
            in_reply_to=parent.id,
        )
        self.review_comments[reply.id] = reply
        return reply

    def comments_on(self, number: int) -> list[IssueComment]:
        return sorted(
            (c for c in self.issue_comments.values() if c.issue == number), key=lambda c: c.id
        )

    def reviews_on(self, number: int) -> list[Review]:
        return sorted((r for r in self.reviews.values() if r.pull == number), key=lambda r: r.id)

    def review_comments_on(self, number: int, include_pending: bool = False) -> list[ReviewComment]:
        pending = {r.id for r in self.reviews.values() if r.state == "PENDING"}
        return sorted(
            (
                c
                for c in self.review_comments.values()
                if c.pull == number and (include_pending or c.review_id not in pending)
            ),
            key=lambda c: c.id,
        )

    def check_runs_for(self, sha: str) -> list[CheckRun]:
        return sorted(
            (c for c in self.check_runs.values() if c.head_sha == sha), key=lambda c: c.id
        )

    def contents(self, ref: str | None, path: str) -> bytes | None:
        sha = self.branches.get(ref or self.default_branch, ref or "")
        commit = self.commits.get(sha)
        return None if commit is None else commit.tree.get(path)

    def blob(self, sha: str) -> bytes | None:
        for commit in self.commits.values():
            for data in commit.tree.values():
                if blob_sha(data) == sha:
                    return data
        return None

    @staticmethod
    def b64(data: bytes) -> str:
        raw = base64.b64encode(data).decode("ascii")
        # GitHub wraps base64 content at 60 characters per line
        return "\n".join(raw[i : i + 60] for i in range(0, len(raw), 60)) + "\n"
