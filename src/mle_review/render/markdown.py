"""Markdown reports rendered from jinja2 templates shipped in ``render/templates``."""

from __future__ import annotations

import re
from functools import cache

import jinja2

from mle_review.models import ScanReport

RULE_DOCS_PATH = "docs/rules.md"


def md_cell(value: object) -> str:
    """Make text safe inside a markdown table cell (pipes, newlines, HTML)."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    text = text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\s+", " ", text).strip()


def rule_anchor(rule_id: str, slug: str) -> str:
    return f"{rule_id.lower()}-{slug}"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mle_review", "render/templates"),
        autoescape=False,  # markdown, not HTML; table cells go through md_cell
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md_cell"] = md_cell
    env.globals["rule_anchor"] = rule_anchor
    env.globals["rule_docs_path"] = RULE_DOCS_PATH
    return env


def render_markdown(report: ScanReport) -> str:
    template = environment().get_template("scan.md.j2")
    ordered = sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
    return template.render(report=report, findings=ordered, counts=report.count_by_severity())
