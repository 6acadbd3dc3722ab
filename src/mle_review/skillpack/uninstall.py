"""``mle-review uninstall``: remove exactly what ``mle-review install`` put there.

The install record lists every file (with its hash) and every folder the
install created; files edited since are kept unless ``--force``. Exit codes
match ``install``: 0 done, 1 edited files kept, 2 error.
"""

from __future__ import annotations

import argparse
import sys

from mle_review.skillpack.install import (
    EXIT_ERROR,
    EXIT_HELD_BACK,
    EXIT_OK,
    add_target_options,
    summary,
)
from mle_review.skillpack.installer import InstallError, apply_uninstall, describe, plan_uninstall
from mle_review.skillpack.targets import record_layout


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "uninstall",
        help="remove the skill pack that `mle-review install` installed",
        description="Remove the files `mle-review install` recorded for a target; files you edited are kept unless --force.",
    )
    add_target_options(parser, "removed")


def run(args: argparse.Namespace) -> int:
    try:
        layout = record_layout(args.target, args.dest)
        plan = plan_uninstall(layout, force=args.force)
        if plan.previous is None:
            sys.stdout.write(f"nothing to uninstall: no install record at {layout.record}\n")
            return EXIT_OK
        mode = " (dry run)" if args.dry_run else ""
        sys.stdout.write(
            f"removing the mle-review skill pack for {layout.target} under {layout.root}{mode}\n"
        )
        sys.stdout.write("\n".join(describe(plan, args.dry_run)) + "\n")
        if not args.dry_run:
            apply_uninstall(plan)
    except (InstallError, OSError) as exc:
        sys.stderr.write(f"mle-review: error: {exc}\n")
        return EXIT_ERROR
    sys.stdout.write(f"{summary(plan)}\n")
    if plan.held_back:
        sys.stderr.write(
            f"mle-review: kept {len(plan.held_back)} file(s) changed by hand since install; "
            "rerun with --force to remove them too\n"
        )
        return EXIT_HELD_BACK
    return EXIT_OK
