"""``mle-review compact``: print the Iteration Compact template, or check a description file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from mle_review.review.settings import CHANGE_KINDS


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "compact",
        help="print the Iteration Compact template, or check a PR description for gaps",
        description=(
            "Without --check: print the compact as markdown for .github/pull_request_template.md. "
            "With --check FILE: print each field's state and exit 1 when a required field is not filled."
        ),
    )
    p.add_argument("--check", metavar="FILE|-", help="PR description to check ('-' reads stdin)")
    p.add_argument("--title", default="", help="PR title (checked together with the description)")
    p.add_argument(
        "--kind",
        action="append",
        choices=CHANGE_KINDS,
        help="change kind(s) whose required fields apply (default: ml); repeatable",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--config", type=Path, help="config file (default: .mle-review.toml or pyproject.toml)"
    )


def run(args: argparse.Namespace) -> int:
    from mle_review.cli import UsageError, find_root
    from mle_review.config import find_config, load_config
    from mle_review.review.compact import compact_template, parse_compact

    if args.check is None:
        sys.stdout.write(compact_template())
        return 0
    if args.check == "-":
        text = sys.stdin.buffer.read().decode("utf-8", "replace")
    else:
        path = Path(args.check)
        if not path.exists() or path.is_dir():
            raise UsageError(f"file not found: {args.check}")
        text = path.read_bytes().decode("utf-8", "replace")
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"config file not found: {args.config}")
    config = load_config(args.config or find_config(find_root(Path.cwd())))
    kinds = args.kind or ["ml"]
    lanes = [k for k in kinds if k not in ("ml", "any")]
    required = config.review.required_for(lanes, ml="ml" in kinds)
    result = parse_compact(args.title, text, required)
    gaps = result.gaps
    if args.format == "json":
        payload = {
            "present": result.present,
            "fields": result.fields,
            "required": result.required,
            "gaps": [{"field": g.label, "state": g.state} for g in gaps],
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        width = max(len(d.label) for d in result.details)
        if not result.present:
            sys.stdout.write(
                "No Iteration Compact found (run `mle-review compact` for the template).\n"
            )
        for d in result.details:
            flag = "required" if d.required else "optional"
            sys.stdout.write(f"{d.label:<{width}}  {d.state:<11}  {flag}\n")
        if gaps:
            sys.stdout.write(
                f"\n{len(gaps)} required field(s) not filled: {', '.join(g.label for g in gaps)}\n"
            )
        else:
            sys.stdout.write("\nEvery required field is filled.\n")
    return 1 if gaps else 0
