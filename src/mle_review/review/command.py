"""``mle-review review``: review a change from a diff file, stdin, or git.

Contract: ``shared/spec/interface.md``. With no arguments inside a git
repository it reviews the current branch against the default branch.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from mle_review.config import ConfigError

REVIEW_FORMATS = ("markdown", "json", "sarif", "text")
FAIL_ON_CHOICES = ("critical", "high", "medium", "low", "info", "never")


def _ids(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "review",
        help="review a change (diff or git range) the way the bot reviews a pull request",
        description="Review the lines a change adds or modifies, the PR description's Iteration Compact and the Review Checklist.",
    )
    p.add_argument(
        "--diff", metavar="FILE|-", help="unified diff to review ('-' reads stdin); default: git"
    )
    p.add_argument("--base", help="base revision (default: merge-base with the default branch)")
    p.add_argument("--head", help="head revision (default: HEAD)")
    p.add_argument(
        "--repo",
        type=Path,
        help="repository folder holding the head files (default: current directory)",
    )
    p.add_argument("--pr-title", default="", help="pull request title")
    p.add_argument(
        "--pr-body",
        metavar="FILE|-",
        help="file holding the pull request description ('-' reads stdin)",
    )
    p.add_argument(
        "--format",
        choices=REVIEW_FORMATS,
        default="markdown",
        help="report format (default: markdown)",
    )
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        help="lowest severity that makes the exit code 1 (default: high)",
    )
    p.add_argument(
        "--new-only",
        action="store_true",
        default=None,
        help="drop findings that already exist at the base revision",
    )
    p.add_argument(
        "--config",
        type=Path,
        help="config file (default: .mle-review.toml or pyproject.toml in the repository)",
    )
    p.add_argument("--select", type=_ids, help="comma-separated rule IDs, slugs or prefixes to run")
    p.add_argument(
        "--ignore", type=_ids, help="comma-separated rule IDs, slugs or prefixes to skip"
    )
    p.add_argument(
        "--min-confidence",
        choices=("high", "medium", "low"),
        help="hide findings below this confidence",
    )
    p.add_argument(
        "--repo-url", help="https://github.com/OWNER/REPO, to link file:line in markdown"
    )
    from mle_review.cli import add_jobs_argument

    add_jobs_argument(p)
    p.add_argument(
        "--output", "-o", type=Path, help="write the report to this file instead of stdout"
    )
    from mle_review.llm.apply import add_llm_arguments

    add_llm_arguments(p)


def _read_input(name: str, what: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    path = Path(name)
    if not path.exists() or path.is_dir():
        raise _usage(f"{what} file not found: {name}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _usage(f"cannot read {what} file {name}: {exc.strerror or exc}") from exc


def _usage(message: str) -> Exception:
    from mle_review.cli import UsageError

    return UsageError(message)


def run(args: argparse.Namespace) -> int:
    from mle_review.cli import emit, exit_code_for, find_root, resolve_config
    from mle_review.diff import git as gitmod
    from mle_review.diff.parse import parse_diff
    from mle_review.render.review import (
        render_review_json,
        render_review_sarif,
        render_review_text,
        render_summary,
    )
    from mle_review.review.pipeline import run_review
    from mle_review.review.sources import DirSource, FileSource, GitRevSource

    if args.diff == "-" and args.pr_body == "-":
        raise _usage("--diff - and --pr-body - cannot both read stdin")
    repo = (args.repo or Path.cwd()).resolve()
    if not repo.is_dir():
        raise _usage(f"--repo is not a folder: {repo}")
    body = _read_input(args.pr_body, "--pr-body").decode("utf-8", "replace") if args.pr_body else ""
    source: FileSource
    base_source: FileSource | None = None
    note = ""
    if args.diff is not None:
        if args.base or args.head:
            raise _usage("--diff cannot be combined with --base/--head")
        root = repo if args.repo else find_root(repo)
        changes = parse_diff(_read_input(args.diff, "--diff"))
        if changes.is_empty and changes.problems:
            raise _usage(f"--diff input: {changes.problems[0].message}")
        source = DirSource(root)
    else:
        if not gitmod.is_repo(repo):
            raise _usage(
                f"{repo} is not a git repository; pass --diff FILE or run inside a repository"
            )
        try:
            root = gitmod.repo_root(repo)
            head = args.head or "HEAD"
            if not gitmod.rev_exists(root, head):
                raise _usage(f"unknown --head revision: {head}")
            if args.base:
                if not gitmod.rev_exists(root, args.base):
                    raise _usage(f"unknown --base revision: {args.base}")
                base = args.base
            else:
                base, note = gitmod.default_base(root, head)
            changes = parse_diff(gitmod.diff(root, base, head), base_ref=base, head_ref=head)
        except gitmod.GitError as exc:
            raise ConfigError(str(exc)) from exc
        source = GitRevSource(root, gitmod.resolve(root, head))
        base_source = GitRevSource(root, gitmod.resolve(root, base))
    config = resolve_config(args, root)
    report = run_review(
        changes,
        source,
        title=args.pr_title or "",
        body=body,
        config=config,
        base_source=base_source,
        new_only=args.new_only,
    )
    from mle_review.llm.apply import apply_llm_pass, gate_view, settings_from_args

    llm_settings = settings_from_args(config.llm, args)
    report = apply_llm_pass(
        report, changes, args.pr_title or "", body, llm_settings, review_config=config.review
    )
    if note and args.format in ("text", "markdown") and args.output is None and sys.stderr.isatty():
        sys.stderr.write(f"mle-review: {note}\n")
    repo_url = args.repo_url or os.environ.get("MLE_REVIEW_REPO_URL") or None
    if args.format == "json":
        text = render_review_json(report)
    elif args.format == "sarif":
        text = render_review_sarif(report)
    elif args.format == "text":
        text = render_review_text(report)
    else:
        text = render_summary(
            report,
            repo_url=repo_url,
            head_sha=changes.head_ref if repo_url else None,
            max_findings=config.review.max_summary_findings,
        )
    emit(text, args.output)
    return exit_code_for(gate_view(report), config.fail_on)
