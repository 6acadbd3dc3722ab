"""``mle-review install``: put the skill pack where an agent tool finds it.

Targets and their layouts are described in ``mle_review.skillpack.targets``.
Exit codes: 0 done (or nothing to do), 1 some files were left alone because
the user edited them (rerun with ``--force``), 2 usage or file-system error.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from mle_review.skillpack.bundle import SkillPackMissing, pack_root
from mle_review.skillpack.installer import InstallError, Plan, apply_install, describe, plan_install
from mle_review.skillpack.targets import TARGETS, AgentFileError, build_layout

EXIT_OK, EXIT_HELD_BACK, EXIT_ERROR = 0, 1, 2

_TARGET_HELP = (
    "claude: ~/.claude/skills + ~/.claude/agents; claude-project: ./.claude/...; "
    "cursor: ./.cursor/skills, ./.cursor/agents, ./.cursor/rules; "
    "codex: ~/.agents/skills, ~/.codex/agents, ~/.codex/AGENTS.md (default: claude)"
)


def add_target_options(parser: argparse.ArgumentParser, verb: str) -> None:
    parser.add_argument("--target", choices=TARGETS, default="claude", help=_TARGET_HELP)
    parser.add_argument(
        "--dest",
        type=Path,
        help="root folder to use instead of the target's default (your home folder, or the current folder for project targets)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help=f"list what would be {verb} and change nothing"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="also replace or remove files you edited after installing",
    )


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "install",
        help="install the mle-workflow skill and mle-reviewer agent for an agent tool",
        description="Install the mle-workflow skill and the mle-reviewer agent for Claude Code, Cursor or Codex.",
    )
    add_target_options(parser, "installed")


def summary(plan: Plan) -> str:
    counts = Counter(step.verb for step in plan.steps)
    return ", ".join(f"{n} {verb}" for verb, n in sorted(counts.items())) or "nothing to do"


def run(args: argparse.Namespace) -> int:
    try:
        layout = build_layout(args.target, pack_root(), args.dest)
        plan = plan_install(layout, force=args.force)
        mode = " (dry run)" if args.dry_run else ""
        sys.stdout.write(f"mle-review skill pack for {layout.target} under {layout.root}{mode}\n")
        sys.stdout.write("\n".join(describe(plan, args.dry_run)) + "\n")
        if not args.dry_run:
            apply_install(plan)
    except (SkillPackMissing, InstallError, AgentFileError, OSError) as exc:
        sys.stderr.write(f"mle-review: error: {exc}\n")
        return EXIT_ERROR
    sys.stdout.write(f"{summary(plan)}\n")
    if plan.held_back:
        sys.stderr.write(
            f"mle-review: {len(plan.held_back)} file(s) left as they are because they were changed by hand; "
            "rerun with --force to replace them\n"
        )
        return EXIT_HELD_BACK
    if not args.dry_run:
        sys.stdout.write(f"install record: {layout.record}\n{layout.next_steps}\n")
    return EXIT_OK
