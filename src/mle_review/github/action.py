"""One run of ``mle-review github``: read the event, review the pull request, deliver the results.

Delivery order matters. The SARIF file, the job summary and the step
outputs are written first, from the report alone, so nothing GitHub does
afterwards can lose the review. Then the inline review, the check run and
finally the summary comment, which reports what happened to the other two.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mle_review.config import Config
from mle_review.diff.model import ChangeSet, FileStatus
from mle_review.diff.parse import parse_diff
from mle_review.github.changes import Anchors, Unreviewed, diff_from_files
from mle_review.github.client import DiffTooLarge, GitHubClient, PullInfo
from mle_review.github.event import (
    PR_ACTIONS,
    PR_EVENTS,
    ActionEnv,
    Request,
    is_command,
    load_payload,
    parse_command,
    parse_comment,
    parse_pull_request,
)
from mle_review.github.markers import (
    REPLY_MARKER,
    SUMMARY_MARKER,
    UNAUTHORIZED_MARKER,
    has_marker,
    is_ours,
)
from mle_review.github.publish import (
    Delivery,
    annotations_for,
    dismiss_stale_change_requests,
    publish_check_run,
    publish_inline,
    upsert_summary,
)
from mle_review.github.retry import GitHubError, RetryPolicy
from mle_review.github.sources import ApiSource, WorkspaceSource, checked_out_sha
from mle_review.models import Finding, Severity
from mle_review.review.model import ReviewReport, SkippedFile
from mle_review.review.sources import FileSource

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
COMMENT_LIMIT = 65_536
JOB_SUMMARY_LIMIT = 1_000_000  # GitHub accepts up to 1 MiB per step
MAX_LISTED_UNREVIEWED = 40  # in the delivery notes; the summary's coverage section has the rest


@dataclass
class Options:
    """Everything a run needs besides the environment; built by the CLI from flags and config."""

    config: Config
    fail_on: str
    comment_mode: str
    max_inline: int
    check_run: bool
    review_event: str
    sarif_file: Path
    allowed_associations: list[str]
    reply_to_unauthorized: bool
    api_time_budget: float
    write_interval: float = 1.0


@dataclass
class Outcome:
    report: ReviewReport | None = None
    pull: PullInfo | None = None
    changes: ChangeSet | None = None
    blocking: list[Finding] = field(default_factory=list)
    delivery: Delivery = field(default_factory=Delivery)
    unreviewed: list[Unreviewed] = field(default_factory=list)


def log(message: str) -> None:
    sys.stderr.write(f"mle-review: {message}\n")
    sys.stderr.flush()


def _escape_command(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_command(kind: str, message: str) -> None:
    """``::notice::``/``::warning::``/``::error::`` lines make a message visible on the run page."""
    sys.stdout.write(f"::{kind} title=mle-review::{_escape_command(message)}\n")
    sys.stdout.flush()


def threshold_of(fail_on: str) -> Severity | None:
    return None if fail_on == "never" else Severity(fail_on)


def blocking_findings(findings: list[Finding], fail_on: str) -> list[Finding]:
    threshold = threshold_of(fail_on)
    if threshold is None:
        return []
    return [f for f in findings if f.severity.at_least(threshold)]


# -- files written before anything is posted ------------------------------------------


def write_outputs(path: Path | None, values: dict[str, str]) -> None:
    if path is None:
        return
    with path.open("a", encoding="utf-8") as fh:
        for key, value in values.items():
            clean = value.replace("\r", " ").replace("\n", " ")
            fh.write(f"{key}={clean}\n")


def append_job_summary(path: Path | None, text: str) -> None:
    if path is None:
        return
    if len(text) > JOB_SUMMARY_LIMIT:
        text = (
            text[: JOB_SUMMARY_LIMIT - 200]
            + "\n\n_(job summary truncated; the SARIF file has every finding)_\n"
        )
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text if text.endswith("\n") else text + "\n")


def write_sarif(path: Path, report: ReviewReport) -> None:
    from mle_review.render.review import render_review_sarif

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_review_sarif(report), encoding="utf-8")


# -- the review ----------------------------------------------------------------------


def fetch_change(
    client: GitHubClient, pull: PullInfo
) -> tuple[ChangeSet, list[Unreviewed], str | None]:
    """The parsed change; on GitHub's 406 rebuilt from file patches, with what was left out."""
    files = client.files(pull.number)
    try:
        text = client.diff(pull.number)
        note = None
        unreviewed: list[Unreviewed] = []
    except DiffTooLarge as exc:
        text, unreviewed = diff_from_files(files, pull.changed_files)
        note = f"GitHub refused the full diff ({exc}); the change was rebuilt from the files API, file by file."
    changes = parse_diff(text, base_ref=pull.base_sha, head_ref=pull.head_sha)
    return changes, unreviewed, note


def head_source(
    client: GitHubClient,
    env: ActionEnv,
    pull: PullInfo,
    changes: ChangeSet,
    max_size: int | None = None,
) -> tuple[FileSource, str]:
    """The checkout when it is exactly the head commit, else the contents API at the head SHA."""
    if env.workspace is not None and env.workspace.is_dir():
        sha = checked_out_sha(env.workspace)
        if sha == pull.head_sha:
            return WorkspaceSource(env.workspace), "workspace checkout"
    absent = {fc.path for fc in changes.files if fc.status is FileStatus.DELETED}
    try:
        existing = client.tree_files(pull.head_sha)
    except GitHubError as exc:
        log(f"could not list the files at head ({exc}); asking for each file instead")
        existing = None
    source = ApiSource(client, pull.head_sha, existing, absent, max_size=max_size)
    return source, f"contents API at {pull.head_sha[:7]}"


def review_pull(client: GitHubClient, env: ActionEnv, options: Options, pull: PullInfo) -> Outcome:
    from mle_review.review.pipeline import run_review

    changes, unreviewed, note = fetch_change(client, pull)
    source, where = head_source(client, env, pull, changes, options.config.max_file_size)
    log(
        f"reviewing #{pull.number} at {pull.head_sha[:7]}: {len(changes.files)} files, contents from the {where}"
    )
    report = run_review(changes, source, title=pull.title, body=pull.body, config=options.config)
    report = _maybe_llm(report, changes, pull, options.config)
    for item in unreviewed:
        report.coverage.skipped.append(SkippedFile(path=item.path, reason=item.reason))
    outcome = Outcome(report=report, pull=pull, changes=changes, unreviewed=unreviewed)
    if note:
        outcome.delivery.notices.append(note)
    # LLM observations (MLR900) inform the summary but never fail the check
    from mle_review.llm.apply import gate_view

    outcome.blocking = blocking_findings(gate_view(report).findings, options.fail_on)
    return outcome


def _maybe_llm(
    report: ReviewReport, changes: ChangeSet, pull: PullInfo, config: Config
) -> ReviewReport:
    """The optional LLM pass; it only runs when configured and never fails the review."""
    if config.llm.mode == "off":
        return report
    try:
        from mle_review.llm.apply import apply_llm_pass

        return apply_llm_pass(
            report, changes, pull.title, pull.body, config.llm, review_config=config.review
        )
    except Exception as exc:  # the LLM pass is optional; the deterministic review stands
        log(f"LLM pass failed ({type(exc).__name__}: {exc}); deterministic review only")
        return report


# -- rendering -----------------------------------------------------------------------


def _notes_section(outcome: Outcome, options: Options, head_sha: str, env: ActionEnv) -> str:
    d = outcome.delivery
    lines: list[str] = []
    for u in outcome.unreviewed[:MAX_LISTED_UNREVIEWED]:
        lines.append(f"- ⚠️ Not reviewed: `{u.path}`: {u.reason}")
    if len(outcome.unreviewed) > MAX_LISTED_UNREVIEWED:
        rest = len(outcome.unreviewed) - MAX_LISTED_UNREVIEWED
        lines.append(f"- ⚠️ {rest} more files not reviewed (see the coverage section above).")
    if d.inline_posted or d.inline_kept or d.inline_resolved:
        parts = [f"{len(d.inline_posted)} new inline comment(s)"]
        if d.inline_kept:
            parts.append(f"{d.inline_kept} kept from earlier runs")
        if d.inline_resolved:
            parts.append(f"{d.inline_resolved} marked resolved")
        lines.append("- " + ", ".join(parts) + ".")
    if d.inline_overflow:
        lines.append(
            f"- {len(d.inline_overflow)} finding(s) on diff lines are listed here only: "
            f"`max-inline-comments` is {options.max_inline}."
        )
    if d.inline_rejected:
        where = ", ".join(f"`{f.path}:{f.line}`" for f in d.inline_rejected[:10])
        lines.append(
            f"- GitHub refused the inline anchor for {len(d.inline_rejected)} finding(s) ({where}); listed here instead."
        )
    for n in d.notices:
        lines.append(f"- {n}")
    for e in d.errors:
        lines.append(f"- ❗ {e}")
    run = f" · [workflow run]({env.run_url})" if env.run_url else ""
    footer = f"<sub>Reviewed commit `{head_sha[:7]}` ({head_sha}){run}</sub>"
    if not lines:
        return footer
    return "#### Delivery notes\n\n" + "\n".join(lines) + "\n\n" + footer


def summary_comment(
    report: ReviewReport, outcome: Outcome, options: Options, env: ActionEnv, head_sha: str
) -> str:
    from mle_review.render.review import render_summary

    notes = _notes_section(outcome, options, head_sha, env)
    room = COMMENT_LIMIT - len(notes) - len(SUMMARY_MARKER) - 16
    body = render_summary(report, env.repo_url, SUMMARY_MARKER, head_sha=head_sha, max_chars=room)
    text = body.rstrip() + "\n\n" + notes + "\n"
    if not has_marker(text, SUMMARY_MARKER):
        text = SUMMARY_MARKER + "\n" + text
    return text


def check_summary(report: ReviewReport, outcome: Outcome, options: Options) -> tuple[str, str]:
    counts = report.count_by_severity()
    shown = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n) or "no findings"
    blocking = len(outcome.blocking)
    title = f"{report.decision.value}: {len(report.findings)} finding(s)"
    if options.fail_on != "never":
        title += f", {blocking} at or above {options.fail_on}"
    lines = [
        f"**Decision: {report.decision.value}** ({shown}).",
        "",
        *[f"- {r}" for r in report.decision_reasons[:10]],
        "",
        "The pull request's summary comment has the full review; annotations mark each finding in the change.",
    ]
    return title, "\n".join(lines).strip() + "\n"


# -- delivery ------------------------------------------------------------------------


def deliver(client: GitHubClient, env: ActionEnv, options: Options, outcome: Outcome) -> None:
    from mle_review.render.review import render_inline

    report, pull, delivery, changes = (
        outcome.report,
        outcome.pull,
        outcome.delivery,
        outcome.changes,
    )
    assert report is not None and pull is not None and changes is not None
    head = pull.head_sha
    anchors = Anchors(changes, {u.path for u in outcome.unreviewed})

    if options.comment_mode in ("inline", "both"):
        event = (
            "REQUEST_CHANGES"
            if options.review_event == "REQUEST_CHANGES" and report.decision.value == "BLOCK"
            else "COMMENT"
        )

        def render(f: Finding) -> str:
            return render_inline(
                f, env.repo_url, head_sha=head, anchor=report.anchors.get(f.fingerprint)
            )

        def review_body(posted: list[tuple[Finding, int]]) -> str:
            text = f"**mle-review: {report.decision.value}** on `{head[:7]}`: {len(posted)} new inline comment(s)."
            if options.comment_mode == "both":
                return text + " The summary comment has the whole review."
            rest = [
                f
                for f in report.findings
                if f.fingerprint not in {p.fingerprint for p, _ in posted}
            ]
            listed = "\n".join(
                f"- **{f.rule_id}** `{f.path}:{f.line}`: {f.message}" for f in rest[:30]
            )
            return text + ("\n\nNot commented inline:\n" + listed if listed else "")

        try:
            publish_inline(
                client,
                pull.number,
                head,
                env.run_key,
                report.findings,
                anchors,
                render,
                review_body,
                max_inline=options.max_inline,
                event=event,
                delivery=delivery,
                log=log,
                # change-level findings (no compact, no tests...) are about the whole PR: summary only
                eligible=lambda f: report.anchors.get(f.fingerprint) != "change-level",
            )
        except GitHubError as exc:
            delivery.failed("inline review", exc, log)
        if options.review_event == "REQUEST_CHANGES" and event != "REQUEST_CHANGES":
            try:
                dismiss_stale_change_requests(client, pull.number, head, delivery, log)
            except GitHubError as exc:
                delivery.failed("listing reviews", exc, log)

    if options.check_run:
        title, summary = check_summary(report, outcome, options)
        conclusion = "failure" if outcome.blocking else "success"
        annotations = annotations_for(
            report.findings, anchors.paths(), threshold_of(options.fail_on)
        )
        try:
            run = publish_check_run(
                client,
                head,
                env.run_key,
                conclusion=conclusion,
                title=title,
                summary=summary,
                annotations=annotations,
                details_url=env.run_url,
            )
            delivery.check_run_id = run.id
        except GitHubError as exc:
            if exc.permission:
                msg = (
                    f"check run skipped: this token cannot create check runs (HTTP {exc.status}; "
                    "fork pull requests and personal tokens cannot). The job summary and SARIF file have the review."
                )
                delivery.notices.append(msg)
                log(msg)
            else:
                delivery.failed("check run", exc, log)

    if options.comment_mode in ("summary", "both"):
        body = summary_comment(report, outcome, options, env, head)
        try:
            delivery.summary_comment_id = upsert_summary(client, pull.number, body, log)
        except GitHubError as exc:
            delivery.failed("summary comment", exc, log)


# -- entry points --------------------------------------------------------------------


def _empty_outputs(env: ActionEnv) -> None:
    write_outputs(
        env.output, {"decision": "", "findings-count": "0", "blocking-count": "0", "sarif-file": ""}
    )


def run(env: ActionEnv, options: Options) -> int:
    """Dispatch on the event; returns the process exit code."""
    payload = load_payload(env.event_path)
    policy = RetryPolicy(options.api_time_budget, log=log)
    client = GitHubClient(env.token, env.repository, env.api_url, policy, options.write_interval)
    try:
        if env.event_name in PR_EVENTS:
            event = parse_pull_request(payload)
            if event.action not in PR_ACTIONS:
                log(f"nothing to do for {env.event_name}.{event.action}")
                _empty_outputs(env)
                return EXIT_OK
            return review_flow(client, env, options, event.number)
        if env.event_name == "issue_comment":
            return comment_flow(client, env, options, payload)
        log(
            f"event {env.event_name!r} is not handled (use pull_request, pull_request_target or issue_comment)"
        )
        _empty_outputs(env)
        return EXIT_OK
    finally:
        client.close()


def review_flow(client: GitHubClient, env: ActionEnv, options: Options, number: int) -> int:
    try:
        pull = client.pull(number)
        outcome = review_pull(client, env, options, pull)
    except GitHubError as exc:
        msg = f"could not read pull request #{number} from GitHub: {exc}"
        workflow_command("error", msg)
        append_job_summary(env.step_summary, f"## mle-review\n\n❗ {msg}\n")
        _empty_outputs(env)
        log(msg)
        return EXIT_ERROR
    report = outcome.report
    assert report is not None
    head = pull.head_sha

    # 1. the review is safe on disk before anything is posted
    write_sarif(options.sarif_file, report)
    from mle_review.render.review import render_summary

    job = render_summary(report, env.repo_url, "", head_sha=head, max_chars=JOB_SUMMARY_LIMIT // 2)
    append_job_summary(env.step_summary, f"## mle-review: #{pull.number} at `{head[:7]}`\n\n{job}")
    write_outputs(
        env.output,
        {
            "decision": report.decision.value,
            "findings-count": str(len(report.findings)),
            "blocking-count": str(len(outcome.blocking)),
            "sarif-file": str(options.sarif_file),
        },
    )

    # 2. post
    deliver(client, env, options, outcome)

    # 3. say what happened
    delivery = outcome.delivery
    for notice in delivery.notices:
        workflow_command("notice", notice)
    for error in delivery.errors:
        workflow_command("error", error)
    append_job_summary(env.step_summary, "\n" + _notes_section(outcome, options, head, env) + "\n")
    log(
        f"{report.decision.value}: {len(report.findings)} finding(s), {len(outcome.blocking)} blocking; "
        f"{len(delivery.inline_posted)} inline comment(s) posted; SARIF at {options.sarif_file}"
    )
    if delivery.errors:
        log(
            "posting to GitHub failed (see above); the review is in the job summary and the SARIF file"
        )
        return EXIT_ERROR
    return EXIT_FINDINGS if outcome.blocking else EXIT_OK


HELP = (
    "**mle-review** answers these commands in a pull request comment:\n\n"
    "- `/mle-review`: review this pull request now\n"
    "- `/mle-review explain MLR104`: a rule's documentation (rule ID or slug)\n"
    "- `/mle-review compact`: the Iteration Compact template and what this description is missing\n"
    "- `/mle-review help`: this list\n"
)


def help_text(problem: str = "") -> str:
    lead = f"I did not understand that ({problem}).\n\n" if problem else ""
    return lead + HELP


def explain_text(arg: str) -> str | None:
    from mle_review.rules import load_all
    from mle_review.rules.catalog import CATALOG, SLUG_TO_ID

    rule = load_all().get(arg)
    if rule is not None:
        return rule.render_doc()
    rid = SLUG_TO_ID.get(arg.lower(), arg.upper())
    entry = CATALOG.get(rid)
    if entry is None:
        return None
    return (
        f"# {entry.id} {entry.slug}\n\n{entry.title}. Default severity: `{entry.severity.value}`.\n\n"
        "This version of mle-review has no detector or documentation for this rule yet.\n"
    )


def compact_text(pull: PullInfo, config: Config) -> str:
    from mle_review.review.compact import compact_template, parse_compact

    required = config.review.required_for([], True)
    result = parse_compact(pull.title, pull.body, required)
    gaps = result.gaps
    if not result.present:
        status = "This pull request's description has no Iteration Compact yet."
    elif gaps:
        listed = ", ".join(f"**{g.label}** ({g.state})" for g in gaps)
        status = f"The description's Iteration Compact still needs: {listed}."
    else:
        status = "The description's Iteration Compact has every required field filled."
    return (
        f"{status}\n\nPaste this into the description and fill every field "
        "(`n/a: <reason>` when one does not apply):\n\n"
        f"```markdown\n{compact_template().strip()}\n```\n"
    )


def _reply(client: GitHubClient, number: int, text: str) -> None:
    body = text.rstrip() + "\n\n" + REPLY_MARKER + "\n"
    if len(body) > COMMENT_LIMIT:
        body = text[: COMMENT_LIMIT - 200].rstrip() + "\n\n_(truncated)_\n\n" + REPLY_MARKER + "\n"
    client.create_issue_comment(number, body)


def _reply_unauthorized(client: GitHubClient, number: int) -> None:
    """At most one such reply per pull request, however many times outsiders ask."""
    try:
        if any(has_marker(c.body, UNAUTHORIZED_MARKER) for c in client.issue_comments(number)):
            return
        text = (
            "Only the repository's owners, members and collaborators can ask for a review with `/mle-review` "
            "(configurable: `allowed-associations`). The review also runs on every push.\n\n"
            + UNAUTHORIZED_MARKER
        )
        _reply(client, number, text)
    except GitHubError as exc:
        log(f"could not answer the unauthorised request: {exc}")


def comment_flow(
    client: GitHubClient, env: ActionEnv, options: Options, payload: dict[str, object]
) -> int:
    event = parse_comment(payload)
    if event.action != "created":
        reason = f"comment was {event.action or 'changed'}, only new comments are commands"
    elif not event.is_pull_request:
        reason = "the comment is on an issue, not a pull request"
    elif not is_command(event.body):
        reason = "the comment is not a /mle-review command"
    elif event.author_type == "Bot" or event.author.endswith("[bot]") or is_ours(event.body):
        reason = f"the comment is from a bot ({event.author})"
    elif event.association not in options.allowed_associations:
        log(
            f"ignoring /mle-review from {event.author} ({event.association}): not in allowed-associations"
        )
        if options.reply_to_unauthorized:
            _reply_unauthorized(client, event.number)
        _empty_outputs(env)
        return EXIT_OK
    else:
        reason = ""
    if reason:
        log(f"nothing to do: {reason}")
        _empty_outputs(env)
        return EXIT_OK

    try:
        client.react(event.number, event.comment_id, "eyes")
    except GitHubError as exc:
        log(f"could not add the 👀 reaction: {exc}")
    request: Request = parse_command(event.body)
    log(
        f"/mle-review {request.kind} requested by {event.author} ({event.association}) on #{event.number}"
    )
    if request.kind == "review":
        return review_flow(client, env, options, event.number)
    _empty_outputs(env)
    try:
        if request.kind == "explain":
            doc = explain_text(request.args[0])
            _reply(
                client,
                event.number,
                doc if doc is not None else help_text("no rule with that ID or slug"),
            )
        elif request.kind == "compact":
            _reply(client, event.number, compact_text(client.pull(event.number), options.config))
        else:
            _reply(client, event.number, help_text(request.problem))
        append_job_summary(
            env.step_summary,
            f"## mle-review\n\nAnswered `/mle-review {request.kind}` from {event.author} on #{event.number}.\n",
        )
    except GitHubError as exc:
        msg = f"could not answer /mle-review {request.kind}: {exc}"
        workflow_command("error", msg)
        log(msg)
        return EXIT_ERROR
    return EXIT_OK


def default_sarif_path(env: ActionEnv) -> Path:
    base = env.runner_temp or Path(os.getcwd())
    return base / "mle-review.sarif"
