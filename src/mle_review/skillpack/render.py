"""Skill-pack Markdown generated from ``knowledge.py``, so the skill cannot drift from the bot.

Files under ``skills/`` mark generated regions with
``<!-- generated:NAME -->`` ... ``<!-- /generated:NAME -->``; everything
between the markers is rewritten from the knowledge tuples. Prose around the
markers is hand-written.

    python -m mle_review.skillpack.render --check   # exit 1 when a block is stale
    python -m mle_review.skillpack.render --write   # refresh the blocks in place
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from mle_review import knowledge

FENCE = "```"


def compact_template() -> str:
    """The copyable Iteration Compact; each value is the field's prompt in angle brackets.

    The parser treats a value equal to its prompt as unfilled, so a template
    pasted without edits is reported as gaps rather than accepted.
    """
    lines = ["## Iteration Compact", ""]
    lines += [f"{field.label}: <{field.prompt}>" for field in knowledge.COMPACT_FIELDS]
    return "\n".join([f"{FENCE}markdown", *lines, FENCE])


def compact_guide() -> str:
    """One row per compact field: the group it belongs to and what a good answer says."""
    rows = ["| Field | Group | What to write |", "|---|---|---|"]
    rows += [f"| {f.label} | {f.group} | {f.prompt} |" for f in knowledge.COMPACT_FIELDS]
    return "\n".join(rows)


def ledger_template() -> str:
    lines = ["## Observation Ledger", ""]
    lines += [f"{name}:" for name in knowledge.LEDGER_FIELDS]
    return "\n".join([f"{FENCE}markdown", *lines, FENCE])


def checklist() -> str:
    """The Review Checklist as task-list items; rule IDs name the bot's evidence for a gap."""
    out: list[str] = []
    for item in knowledge.CHECKLIST:
        evidence = ", ".join(item.rules) if item.rules else "none (human judgement only)"
        out.append(f"- [ ] **{item.title}** (`{item.id}`)")
        out.append(f"  - Confirm: {item.human_check}.")
        out.append(f"  - Bot evidence of a gap: {evidence}.")
    return "\n".join(out)


def tasks_table() -> str:
    rows = ["| ID | Task | Required outputs | Lanes |", "|---|---|---|---|"]
    for task in knowledge.TASKS:
        outputs = "; ".join(task.required_outputs)
        lanes = ", ".join(task.lanes)
        rows.append(f"| {task.id} | {task.title} | {outputs} | {lanes} |")
    return "\n".join(rows)


def lanes_list() -> str:
    return " → ".join(f"`{lane}`" for lane in knowledge.LANES)


BLOCKS: dict[str, Callable[[], str]] = {
    "compact": compact_template,
    "compact-guide": compact_guide,
    "ledger": ledger_template,
    "checklist": checklist,
    "tasks": tasks_table,
    "lanes": lanes_list,
}

_BLOCK = re.compile(
    r"(?P<open><!-- generated:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(?P<close><!-- /generated:(?P=name) -->)",
    re.DOTALL,
)


class UnknownBlock(ValueError):
    pass


def block_names(text: str) -> list[str]:
    return [m.group("name") for m in _BLOCK.finditer(text)]


def fill(text: str) -> str:
    """``text`` with every generated block rewritten; an unknown block name is an error."""

    def _replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in BLOCKS:
            raise UnknownBlock(f"unknown generated block {name!r}")
        return f"{match.group('open')}{BLOCKS[name]()}\n{match.group('close')}"

    return _BLOCK.sub(_replace, text)


def generated_files(root: Path) -> list[Path]:
    """Markdown files under ``root`` that contain at least one generated block."""
    return sorted(p for p in root.rglob("*.md") if block_names(p.read_text(encoding="utf-8")))


def stale_files(root: Path) -> list[Path]:
    return [
        p
        for p in generated_files(root)
        if fill(p.read_text(encoding="utf-8")) != p.read_text(encoding="utf-8")
    ]


def main(argv: Sequence[str] | None = None) -> int:
    from mle_review.skillpack.bundle import CHECKOUT_ROOT, SKILL_DIR

    parser = argparse.ArgumentParser(prog="python -m mle_review.skillpack.render")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="exit 1 when a generated block is stale")
    mode.add_argument(
        "--write", action="store_true", help="rewrite stale generated blocks in place"
    )
    args = parser.parse_args(argv)
    skill_root = CHECKOUT_ROOT / SKILL_DIR  # generated blocks are edited in the source checkout
    stale = stale_files(skill_root)
    for path in stale:
        if args.write:
            path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
        sys.stdout.write(f"{'rewrote' if args.write else 'stale'}: {path}\n")
    return 1 if stale and args.check else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
