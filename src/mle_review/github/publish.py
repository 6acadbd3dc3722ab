"""Posting a review to a pull request: sticky summary, one inline review, one check run.

Each step is independent: a step that GitHub refuses (a read-only fork
token, a personal token and the Checks API) is skipped with a one-line
notice, a step that fails for good is recorded as an error, and neither
stops the other steps. The review itself was already written to the job
summary and the SARIF file before any of this ran.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mle_review.github.changes import Anchors
from mle_review.github.client import CheckRunInfo, Comment, GitHubClient, ReviewComment
from mle_review.github.markers import (
    REVIEW_PREFIX,
    SUMMARY_MARKER,
    active_fingerprint,
    has_marker,
    is_ours,
    resolved_marker,
    review_marker,
)
from mle_review.github.retry import GitHubError
from mle_review.models import Finding, Severity

CHECK_NAME = "mle-review"
ANNOTATIONS_PER_REQUEST = 50  # the Checks API limit
CHECK_TEXT_LIMIT = 65_535
PROBE_MARKER = "<!-- mle-review:probe -->"


@dataclass
class Delivery:
    """What happened to each part of the review, for the summary comment and the job log."""

    notices: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    inline_posted: list[tuple[Finding, int]] = field(default_factory=list)
    inline_kept: int = 0
    inline_resolved: int = 0
    inline_overflow: list[Finding] = field(default_factory=list)
    inline_rejected: list[Finding] = field(default_factory=list)
    summary_comment_id: int | None = None
    check_run_id: int | None = None

    def failed(self, step: str, exc: GitHubError, log: Callable[[str], None]) -> None:
        """Permission refusals are expected (forks, personal tokens): notice. Anything else: error."""
        if exc.permission:
            msg = f"{step} skipped: the token may not do this (HTTP {exc.status}: {exc.message})"
            self.notices.append(msg)
        else:
            msg = f"{step} failed: {exc}"
            self.errors.append(msg)
        log(msg)


def _sort(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.sort_key()))


# -- summary comment ------------------------------------------------------------------


def _summary_candidates(comments: list[Comment]) -> list[Comment]:
    found = [c for c in comments if has_marker(c.body, SUMMARY_MARKER)]
    # prefer the bot's own comments; a human pasting the marker must not capture the summary
    return sorted(found, key=lambda c: (c.author_type != "Bot", c.id))


def upsert_summary(client: GitHubClient, number: int, body: str, log: Callable[[str], None]) -> int:
    """Edit the one summary comment in place, creating it only when none exists.

    Two runs racing on the same PR can both see "no summary" and both
    create one. So the list is read again right after creating, and every
    run keeps the oldest summary comment and deletes its own newer one:
    whatever the interleaving, one comment survives.
    """
    candidates = _summary_candidates(client.issue_comments(number))
    for existing in candidates:
        try:
            client.edit_issue_comment(number, existing.id, body)
        except GitHubError as exc:
            if not exc.permission:
                raise
            log(f"summary comment {existing.id} cannot be edited by this token; looking further")
            continue
        # duplicates left by an earlier race whose clean-up failed: best effort, same author only
        for extra in candidates:
            if extra.id != existing.id and extra.author == existing.author:
                try:
                    client.delete_issue_comment(number, extra.id)
                    log(f"removed duplicate summary comment {extra.id}")
                except GitHubError as exc:
                    log(f"could not remove duplicate summary comment {extra.id}: {exc}")
        return existing.id

    def reconcile() -> Comment | None:
        mine = [c for c in _summary_candidates(client.issue_comments(number)) if c.body == body]
        return mine[0] if mine else None

    created = client.create_issue_comment(number, body, reconcile=reconcile)
    same_author = [
        c for c in _summary_candidates(client.issue_comments(number)) if c.author == created.author
    ]
    if same_author and same_author[0].id != created.id:
        keep = same_author[0]
        log(
            f"another run created summary comment {keep.id} concurrently; keeping it and removing {created.id}"
        )
        try:
            client.delete_issue_comment(number, created.id)
        except GitHubError as exc:
            log(f"could not remove duplicate summary comment {created.id}: {exc}")
            return created.id
        client.edit_issue_comment(number, keep.id, body)
        return keep.id
    return created.id


# -- inline review --------------------------------------------------------------------


def resolved_body(old_body: str, fingerprint: str, head_sha: str) -> str:
    kept = [ln for ln in old_body.splitlines() if not is_ours(ln)]
    original = "\n".join(kept).strip()
    return (
        f"✅ **Resolved** in `{head_sha[:7]}`: mle-review no longer reports this finding.\n\n"
        f"<details><summary>Original comment</summary>\n\n{original}\n\n</details>\n\n"
        f"{resolved_marker(fingerprint)}\n"
    )


@dataclass(frozen=True)
class InlinePlan:
    post: list[tuple[Finding, int]]
    overflow: list[Finding]
    existing: dict[str, ReviewComment]
    gone: list[tuple[str, ReviewComment]]


def plan_inline(
    findings: list[Finding],
    anchors: Anchors,
    existing_comments: list[ReviewComment],
    max_inline: int,
    eligible: Callable[[Finding], bool] = lambda f: True,
) -> InlinePlan:
    """Which findings get a new comment, which are already commented, which comments are stale.

    ``max_inline`` bounds the bot's open inline comments on the pull
    request, counting those kept from earlier runs, so re-runs never add up
    to more than the limit.
    """
    existing: dict[str, ReviewComment] = {}
    for c in existing_comments:
        fp = active_fingerprint(c.body) if c.in_reply_to is None else None
        if fp is not None and fp not in existing:
            existing[fp] = c
    current = {f.fingerprint for f in findings}
    gone = [(fp, c) for fp, c in existing.items() if fp not in current]
    kept = sum(1 for fp in existing if fp in current)
    room = max(max_inline - kept, 0)
    post: list[tuple[Finding, int]] = []
    overflow: list[Finding] = []
    for f in _sort(findings):
        if f.fingerprint in existing or not eligible(f):
            continue
        line = anchors.line_for(f)
        if line is None:
            continue  # not on a diff line: the summary lists it
        if len(post) < room:
            post.append((f, line))
        else:
            overflow.append(f)
    return InlinePlan(post, overflow, existing, gone)


def _find_rejected(
    client: GitHubClient,
    number: int,
    head_sha: str,
    comments: list[dict[str, Any]],
    log: Callable[[str], None],
) -> set[int]:
    """Indices of the comments GitHub refuses, found with pending reviews that are deleted at once.

    GitHub answers 422 for the whole review without saying which comment is
    off the diff. A pending review is visible only to its author and sends
    no notification, so halving the set with pending reviews finds the bad
    anchors without anyone seeing the probes.
    """
    bad: set[int] = set()
    budget = [2 * len(comments) + 2]

    def probe(idx: list[int]) -> bool:
        budget[0] -= 1
        try:
            rid = client.create_review(
                number, head_sha, PROBE_MARKER, None, [comments[i] for i in idx]
            )
        except GitHubError as exc:
            if exc.status == 422:
                return False
            raise
        client.delete_pending_review(number, rid)
        return True

    def search(idx: list[int]) -> None:
        if not idx or budget[0] <= 0:
            bad.update(idx)
            return
        if probe(idx):
            return
        if len(idx) == 1:
            bad.add(idx[0])
            return
        mid = len(idx) // 2
        search(idx[:mid])
        search(idx[mid:])

    for review in client.reviews(number):  # a crashed earlier probe would block new pending reviews
        if review.state == "PENDING" and is_ours(review.body):
            client.delete_pending_review(number, review.id)
    search(list(range(len(comments))))
    log(f"GitHub refused {len(bad)} of {len(comments)} inline anchors; posting the rest")
    return bad


def publish_inline(
    client: GitHubClient,
    number: int,
    head_sha: str,
    run_id: str,
    findings: list[Finding],
    anchors: Anchors,
    render: Callable[[Finding], str],
    review_body: Callable[[list[tuple[Finding, int]]], str],
    *,
    max_inline: int,
    event: str,
    delivery: Delivery,
    log: Callable[[str], None],
    eligible: Callable[[Finding], bool] = lambda f: True,
) -> None:
    """One review per run with only new comments; stale comments of earlier runs marked resolved."""
    plan = plan_inline(findings, anchors, client.review_comments(number), max_inline, eligible)
    delivery.inline_kept = len(plan.existing) - len(plan.gone)
    delivery.inline_overflow = plan.overflow
    for fp, comment in plan.gone:
        try:
            # edited, never deleted: a reply may hang off it, and the history stays readable
            client.edit_review_comment(
                number, comment.id, resolved_body(comment.body, fp, head_sha)
            )
            delivery.inline_resolved += 1
        except GitHubError as exc:
            delivery.failed(f"marking inline comment {comment.id} resolved", exc, log)

    posting = list(plan.post)
    must_post = event == "REQUEST_CHANGES"
    if not posting and not must_post:
        return
    marker = review_marker(head_sha, run_id)

    def payload(items: list[tuple[Finding, int]]) -> list[dict[str, Any]]:
        return [
            {"path": f.path, "line": line, "side": "RIGHT", "body": render(f)} for f, line in items
        ]

    def reconcile() -> int | None:
        for review in client.reviews(number):
            if marker in review.body and review.state != "PENDING":
                return review.id
        return None

    body = review_body(posting).rstrip() + "\n\n" + marker + "\n"
    try:
        client.create_review(number, head_sha, body, event, payload(posting), reconcile=reconcile)
        delivery.inline_posted = posting
        return
    except GitHubError as exc:
        if exc.status != 422 or not posting:
            raise
        log(f"GitHub refused the review ({exc.message}); checking which anchors it rejects")
    rejected = _find_rejected(client, number, head_sha, payload(posting), log)
    delivery.inline_rejected = [posting[i][0] for i in sorted(rejected)]
    posting = [item for i, item in enumerate(posting) if i not in rejected]
    if not posting and not must_post:
        return
    body = review_body(posting).rstrip() + "\n\n" + marker + "\n"
    client.create_review(number, head_sha, body, event, payload(posting), reconcile=reconcile)
    delivery.inline_posted = posting


def dismiss_stale_change_requests(
    client: GitHubClient, number: int, head_sha: str, delivery: Delivery, log: Callable[[str], None]
) -> None:
    """Once the decision is no longer BLOCK, our earlier "changes requested" must not keep blocking the merge."""
    for review in client.reviews(number):
        if review.state == "CHANGES_REQUESTED" and REVIEW_PREFIX in review.body:
            try:
                client.dismiss_review(
                    number,
                    review.id,
                    f"mle-review no longer blocks this pull request (commit {head_sha[:7]}).",
                )
                delivery.notices.append(
                    f"dismissed the earlier request for changes (review {review.id})"
                )
            except GitHubError as exc:
                delivery.failed(f"dismissing review {review.id}", exc, log)


# -- check run ------------------------------------------------------------------------


def annotation_level(severity: Severity, threshold: Severity | None) -> str:
    if threshold is not None and severity.at_least(threshold):
        return "failure"
    if severity.at_least(Severity.MEDIUM):
        return "warning"
    return "notice"


def annotations_for(
    findings: list[Finding], paths: set[str], threshold: Severity | None
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for f in _sort(findings):
        if f.path not in paths or f.line < 1:
            continue
        out.append(
            {
                "path": f.path,
                "start_line": f.line,
                "end_line": max(f.end_line, f.line),
                "annotation_level": annotation_level(f.severity, threshold),
                "title": f"{f.rule_id} {f.slug} ({f.severity.value})",
                "message": f.message[:60_000],
                "raw_details": f"Fix: {f.fix}"[:60_000],
            }
        )
    return out


def _cap(text: str, limit: int = CHECK_TEXT_LIMIT) -> str:
    if len(text) <= limit:
        return text
    note = "\n\n_(truncated; the PR summary comment and the SARIF file have everything)_"
    return text[: limit - len(note)] + note


def publish_check_run(
    client: GitHubClient,
    head_sha: str,
    run_id: str,
    *,
    conclusion: str,
    title: str,
    summary: str,
    annotations: list[dict[str, Any]],
    details_url: str | None,
) -> CheckRunInfo:
    """One completed check run; annotations beyond the first 50 follow in updates of 50."""
    external_id = f"{head_sha[:12]}-{run_id}"[:100]
    batches = [
        annotations[i : i + ANNOTATIONS_PER_REQUEST]
        for i in range(0, len(annotations), ANNOTATIONS_PER_REQUEST)
    ]
    first = batches[0] if batches else []
    output: dict[str, Any] = {"title": title, "summary": _cap(summary), "annotations": first}

    def reconcile() -> CheckRunInfo | None:
        for run in client.check_runs(head_sha, CHECK_NAME):
            if run.external_id == external_id:
                return run
        return None

    run = client.create_check_run(
        CHECK_NAME,
        head_sha,
        conclusion=conclusion,
        output=output,
        external_id=external_id,
        details_url=details_url,
        reconcile=reconcile,
    )
    for batch in batches[1:]:
        client.update_check_run(
            run.id, {"title": title, "summary": _cap(summary), "annotations": batch}
        )
    return run
