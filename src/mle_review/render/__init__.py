"""Formatters. Each turns a report into text; none of them touches the network."""

from __future__ import annotations

from collections.abc import Callable

from mle_review.models import ScanReport

Formatter = Callable[[ScanReport], str]

FORMATS = ("text", "json", "sarif", "markdown")


def get_formatter(name: str, color: bool = False) -> Formatter:
    if name == "json":
        from mle_review.render.json import render_json

        return render_json
    if name == "sarif":
        from mle_review.render.sarif import render_sarif

        return render_sarif
    if name == "markdown":
        from mle_review.render.markdown import render_markdown

        return render_markdown
    if name == "text":
        from mle_review.render.text import render_text

        return lambda report: render_text(report, color=color)
    raise ValueError(f"unknown format {name!r}")
