"""Terminal output: one line per finding, then a summary. Colour comes from rich, only on a TTY."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape

from mle_review.models import ScanReport, Severity

_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def render_text(report: ScanReport, color: bool = False) -> str:
    buf = io.StringIO()
    console = Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        soft_wrap=True,
        width=10_000,
    )
    for f in report.findings:
        style = _STYLE[f.severity]
        where = f"{f.path}:{f.line}:{f.column}"
        cell = f" (cell {f.cell})" if f.cell is not None else ""
        console.print(
            f"[bold]{escape(where)}[/]: [{style}]{f.rule_id} \\[{f.severity.value}][/] {escape(f.message)}{cell}"
        )
        for rel in f.related:
            console.print(
                f"    [dim]related {escape(rel.path)}:{rel.line}: {escape(rel.message)}[/]"
            )
        console.print(f"    [dim]fix: {escape(f.fix)}[/]")
    for s in report.suppressions:
        console.print(
            f"[bold]{escape(s.path)}:{s.line}[/]: [magenta]suppression[/] {escape(s.message)}"
        )
    for e in report.errors:
        console.print(f"[bold]{escape(e.path)}[/]: [magenta]error[/] {escape(e.message)}")
    counts = report.count_by_severity()
    parts = [f"{n} {sev}" for sev, n in counts.items() if n]
    total = len(report.findings)
    summary = (
        f"{total} finding{'s' if total != 1 else ''}"
        + (f" ({', '.join(parts)})" if parts else "")
        + f" in {report.stats.files_analyzed} file{'s' if report.stats.files_analyzed != 1 else ''}"
        + (f"; {report.stats.files_skipped} skipped" if report.stats.files_skipped else "")
        + f" [{report.stats.seconds:.2f}s]"
    )
    if report.findings or report.errors:
        console.print()
    console.print(escape(summary))
    return buf.getvalue()
