"""``mle-review github``: the GitHub Action's entry point (wiring only; the work is in :mod:`.action`).

The Action passes every input as a flag, and an input left empty arrives as
an empty string, so every flag here treats ``""`` as "not given" and falls
back to ``[tool.mle-review.github]`` in the config, then to the defaults.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from typing import Any

from mle_review.config import ConfigError, config_from_dict

_BOOL = {
    "true": True,
    "1": True,
    "yes": True,
    "on": True,
    "false": False,
    "0": False,
    "no": False,
    "off": False,
}


def _opt_str(value: str) -> str | None:
    return value.strip() or None


def _opt_choice(choices: tuple[str, ...]) -> Any:
    def parse(value: str) -> str | None:
        text = value.strip()
        if not text:
            return None
        if text.lower() not in choices and text.upper() not in choices:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(choices)}, got {text!r}")
        return text.lower() if text.lower() in choices else text.upper()

    return parse


def _opt_int(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _opt_float(value: str) -> float | None:
    text = value.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _opt_bool(value: str) -> bool | None:
    text = value.strip().lower()
    if not text:
        return None
    if text not in _BOOL:
        raise argparse.ArgumentTypeError(f"expected true or false, got {value!r}")
    return _BOOL[text]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "github",
        help="GitHub Action entry point: review the event's pull request and post the results",
        description=(
            "Reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_API_URL, "
            "GITHUB_STEP_SUMMARY and GITHUB_OUTPUT; handles pull_request, pull_request_target and "
            "issue_comment (/mle-review). Never executes code from the pull request."
        ),
    )
    p.add_argument(
        "--config",
        type=_opt_str,
        default=None,
        help="config file (default: found in the workspace)",
    )
    choices = ("critical", "high", "medium", "low", "info", "never")
    p.add_argument(
        "--fail-on",
        type=_opt_choice(choices),
        default=None,
        help="exit 1 at or above this severity",
    )
    p.add_argument(
        "--comment-mode", type=_opt_choice(("summary", "inline", "both", "none")), default=None
    )
    p.add_argument("--max-inline-comments", type=_opt_int, default=None)
    p.add_argument(
        "--check-run",
        type=_opt_bool,
        default=None,
        help="true/false: create the mle-review check run",
    )
    p.add_argument("--review-event", type=_opt_choice(("COMMENT", "REQUEST_CHANGES")), default=None)
    p.add_argument(
        "--sarif-file",
        type=_opt_str,
        default=None,
        help="where to write SARIF (default: $RUNNER_TEMP)",
    )
    p.add_argument(
        "--allowed-associations",
        type=_opt_str,
        default=None,
        help="comma-separated, e.g. OWNER,MEMBER",
    )
    p.add_argument(
        "--llm", type=_opt_choice(("off", "auto", "on")), default=None, help="the optional LLM pass"
    )
    p.add_argument("--model", type=_opt_str, default=None, help="model for the LLM pass")
    p.add_argument(
        "--api-time-budget",
        type=_opt_float,
        default=None,
        help="seconds GitHub calls may take in total",
    )
    p.add_argument(
        "--write-interval",
        type=_opt_float,
        default=None,
        help="seconds between write requests (1.0)",
    )


def run(args: argparse.Namespace) -> int:
    from mle_review.cli import find_root, resolve_config
    from mle_review.github.action import Options, default_sarif_path
    from mle_review.github.action import run as run_action
    from mle_review.github.event import ActionEnv, EventError

    try:
        env = ActionEnv.from_environ()
    except EventError as exc:
        sys.stderr.write(f"mle-review: error: {exc}\n")
        return 2
    root = (
        env.workspace
        if env.workspace is not None and env.workspace.is_dir()
        else find_root(Path.cwd())
    )
    config_path = args.config
    if config_path is not None and not Path(config_path).is_absolute():
        config_path = str(root / config_path)
    ns = argparse.Namespace(
        config=Path(config_path) if config_path else None,
        select=None,
        ignore=None,
        fail_on=args.fail_on,
        min_confidence=None,
    )
    try:
        config = resolve_config(ns, root)
        overrides: dict[str, Any] = config.model_dump(by_alias=True)
        gh: dict[str, Any] = overrides["github"]
        for key, value in (
            ("comment-mode", args.comment_mode),
            ("max-inline-comments", args.max_inline_comments),
            ("check-run", args.check_run),
            ("review-event", args.review_event),
            ("api-time-budget", args.api_time_budget),
        ):
            if value is not None:
                gh[key] = value
        if args.allowed_associations is not None:
            gh["allowed-associations"] = [
                a for a in args.allowed_associations.split(",") if a.strip()
            ]
        if args.llm is not None:
            overrides["llm"]["mode"] = args.llm
        if args.model is not None:
            overrides["llm"]["model"] = args.model
        config = config_from_dict(overrides, "action inputs")
    except ConfigError as exc:
        sys.stderr.write(f"mle-review: error: {exc}\n")
        return 2
    settings = config.github
    sarif = Path(args.sarif_file) if args.sarif_file else default_sarif_path(env)
    if not sarif.is_absolute():
        sarif = root / sarif
    options = Options(
        config=config,
        fail_on=config.fail_on,
        comment_mode=settings.comment_mode,
        max_inline=settings.max_inline_comments,
        check_run=settings.check_run,
        review_event=settings.review_event,
        sarif_file=sarif,
        allowed_associations=settings.allowed_associations,
        reply_to_unauthorized=settings.reply_to_unauthorized,
        api_time_budget=settings.api_time_budget,
        write_interval=args.write_interval if args.write_interval is not None else 1.0,
    )
    try:
        return run_action(env, options)
    except EventError as exc:
        sys.stderr.write(f"mle-review: error: {exc}\n")
        return 2
    except Exception as exc:  # exit 1 means "findings"; a crash must not look like that
        traceback.print_exc(file=sys.stderr)
        message = f"unexpected failure: {type(exc).__name__}: {exc}"
        sys.stdout.write(f"::error title=mle-review::{message.replace(chr(10), ' ')}\n")
        sys.stderr.write(f"mle-review: error: {message}\n")
        return 2
