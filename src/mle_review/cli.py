"""Command-line wiring only: parse arguments, call the engine or review layer, print, exit.

The contract for commands, options and exit codes is ``shared/spec/interface.md``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from mle_review import __version__
from mle_review.config import Config, ConfigError, config_from_dict, find_config, load_config
from mle_review.models import ScanReport, Severity
from mle_review.render import FORMATS, get_formatter

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_ON_CHOICES = ("critical", "high", "medium", "low", "info", "never")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _split_ids(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _add_common(p: argparse.ArgumentParser, formats: Sequence[str], default_format: str) -> None:
    p.add_argument("--format", choices=formats, default=default_format, help="report format")
    p.add_argument("--root", type=Path, help="repository root that paths are reported relative to")
    p.add_argument(
        "--config",
        type=Path,
        help="config file (default: .mle-review.toml or pyproject.toml in the root)",
    )
    p.add_argument(
        "--select", type=_split_ids, help="comma-separated rule IDs, slugs or prefixes to run"
    )
    p.add_argument(
        "--ignore", type=_split_ids, help="comma-separated rule IDs, slugs or prefixes to skip"
    )
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        help="lowest severity that makes the exit code 1 (default: high)",
    )
    p.add_argument(
        "--min-confidence",
        choices=("high", "medium", "low"),
        help="hide findings below this confidence",
    )
    p.add_argument(
        "--output", "-o", type=Path, help="write the report to this file instead of stdout"
    )
    p.add_argument("--no-color", action="store_true", help="never colour text output")
    add_jobs_argument(p)


def add_jobs_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="processes that run rules (default: one per core on big scans; 1 = no workers)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mle-review",
        description="ML-engineering review: leakage, reproducibility, promotion gates, serving safety.",
    )
    parser.add_argument("--version", action="version", version=f"mle-review {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    scan = sub.add_parser("scan", help="analyse files and folders")
    scan.add_argument("paths", nargs="+", type=Path)
    _add_common(scan, FORMATS, "text")
    scan.add_argument(
        "--report-unused-ignores",
        action="store_true",
        help="report suppressions that suppress nothing",
    )

    rules = sub.add_parser("rules", help="list rules or show one rule's documentation")
    rules.add_argument("rule", nargs="?", help="rule ID or slug")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    from mle_review import commands

    commands.register_extra(sub)
    return parser


def find_root(start: Path) -> Path:
    """The enclosing git work tree, else the start folder."""
    cur = start.resolve()
    for candidate in (cur, *cur.parents):
        if (candidate / ".git").exists():
            return candidate
    return cur


def resolve_config(args: argparse.Namespace, root: Path) -> Config:
    """File config with command-line overrides applied; all validation errors are ConfigError."""
    path = args.config if getattr(args, "config", None) else find_config(root)
    if args.config is not None and not args.config.is_file():
        raise ConfigError(f"config file not found: {args.config}")
    config = load_config(path)
    overrides: dict[str, object] = config.model_dump(by_alias=True)
    if getattr(args, "select", None):
        overrides["select"] = args.select
    if getattr(args, "ignore", None):
        overrides["ignore"] = [*config.ignore, *args.ignore]
    if getattr(args, "fail_on", None):
        overrides["fail-on"] = args.fail_on
    if getattr(args, "min_confidence", None):
        overrides["min-confidence"] = args.min_confidence
    if getattr(args, "jobs", None) is not None:
        overrides["jobs"] = args.jobs
    return config_from_dict(overrides, "command line")


def exit_code_for(report: ScanReport, fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity(fail_on)
    worst = report.max_severity()
    return EXIT_FINDINGS if worst is not None and worst.at_least(threshold) else EXIT_OK


def emit(text: str, output: Path | None) -> None:
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def cmd_scan(args: argparse.Namespace) -> int:
    from mle_review.engine.runner import scan_paths

    root = (args.root or find_root(Path.cwd())).resolve()
    if not root.is_dir():
        raise UsageError(f"--root is not a folder: {root}")
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise UsageError(f"path not found: {', '.join(missing)}")
    config = resolve_config(args, root)
    report = scan_paths(
        [p.resolve() for p in args.paths],
        root,
        config,
        report_unused_ignores=args.report_unused_ignores,
    )
    color = (
        args.format == "text"
        and args.output is None
        and sys.stdout.isatty()
        and not args.no_color
        and "NO_COLOR" not in os.environ
    )
    emit(get_formatter(args.format, color=color)(report), args.output)
    return exit_code_for(report, config.fail_on)


def cmd_rules(args: argparse.Namespace) -> int:
    import json

    from mle_review.rules import load_all

    registry = load_all()
    if args.rule:
        rule = registry.get(args.rule)
        if rule is None:
            raise UsageError(f"unknown rule: {args.rule} (run `mle-review rules` for the list)")
        if args.format == "json":
            sys.stdout.write(
                json.dumps({"id": rule.id, "slug": rule.slug, "doc": rule.render_doc()}, indent=2)
                + "\n"
            )
        else:
            sys.stdout.write(rule.render_doc())
        return EXIT_OK
    rows = [
        {
            "id": r.id,
            "slug": r.slug,
            "family": r.family,
            "severity": r.severity.value,
            "confidence": r.confidence.value,
            "title": r.title,
        }
        for r in registry
    ]
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    width = max((len(r["slug"]) for r in rows), default=10)
    for r in rows:
        sys.stdout.write(f"{r['id']}  {r['slug']:<{width}}  {r['severity']:<8}  {r['title']}\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    from mle_review import commands

    parser = build_parser()
    handlers = {"scan": cmd_scan, "rules": cmd_rules, **commands.HANDLERS}
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help(sys.stderr)
            return EXIT_ERROR
        return handlers[args.command](args)
    except (UsageError, ConfigError) as exc:
        sys.stderr.write(f"mle-review: error: {exc}\n")
        return EXIT_ERROR
    except BrokenPipeError:  # pragma: no cover - e.g. piped into `head`
        return EXIT_OK


def console_main() -> int:
    """The ``mle-review`` command: ``main``, then a cheap exit.

    Whatever the run left alive is frozen first, so the interpreter's final
    collection does not walk every tree of the scan only to free memory the
    operating system takes back anyway (half a second on 50,000 lines).
    """
    code = main()
    sys.stdout.flush()
    gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(console_main())
