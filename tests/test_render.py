"""Snapshot tests for every scan format, on a small project that only MLR301 reads.

Set MLE_REVIEW_UPDATE_SNAPSHOTS=1 to rewrite the snapshots after an intended change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FINDING_KEYS, CliResult, check_snapshot


def _normalise(text: str) -> str:
    text = re.sub(r'"seconds": [0-9.]+', '"seconds": 0.0', text)
    text = re.sub(r"\[[0-9.]+s\]", "[0.00s]", text)
    return re.sub(r'"(semanticVersion|version)": "\d+\.\d+\.\d+"', r'"\1": "X"', text)


def _stable_sarif(text: str) -> str:
    """Drop the driver's full rule list (it grows with every rule; the schema tests cover it)."""
    log = json.loads(text)
    for run in log["runs"]:
        run["tool"]["driver"]["rules"] = []
        for result in run["results"]:
            result.pop("ruleIndex", None)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(
    "fmt,suffix", [("text", "txt"), ("json", "json"), ("sarif", "sarif"), ("markdown", "md")]
)
def test_scan_formats_snapshot(
    cli: Callable[..., CliResult], render_project: Path, fmt: str, suffix: str
) -> None:
    result = cli(
        "scan",
        str(render_project),
        "--root",
        str(render_project),
        "--select",
        "MLR301",
        "--format",
        fmt,
    )
    assert result.code == 1, result.err
    out = _stable_sarif(result.out) if fmt == "sarif" else result.out
    check_snapshot(f"scan.{suffix}", _normalise(out))


def test_json_is_only_json_and_matches_contract(
    cli: Callable[..., CliResult], render_project: Path
) -> None:
    result = cli(
        "scan",
        str(render_project),
        "--root",
        str(render_project),
        "--select",
        "MLR301",
        "--format",
        "json",
    )
    data = json.loads(result.out)
    assert set(data) >= {"tool", "findings", "errors", "stats"}
    assert data["tool"] == {"name": "mle-review", "version": data["tool"]["version"]}
    required = FINDING_KEYS
    for finding in data["findings"]:
        assert required <= set(finding)
        assert "/" in finding["path"] or finding["path"].endswith((".py", ".ipynb"))
        assert not finding["path"].startswith("/")
        assert finding["line"] >= 1
    assert set(data["stats"]) == {"files_analyzed", "files_skipped", "seconds"}
    assert data["errors"] == [
        {"path": "src/pipeline/legacy.py", "message": data["errors"][0]["message"]}
    ]
    assert "Python 2" in data["errors"][0]["message"]


def test_text_has_no_ansi_when_not_a_terminal(
    cli: Callable[..., CliResult], render_project: Path
) -> None:
    result = cli("scan", str(render_project), "--root", str(render_project), "--select", "MLR301")
    assert "\x1b[" not in result.out
    assert re.search(r"^src/pipeline/serve_api\.py:9:\d+: MLR301 \[critical\] ", result.out, re.M)


def test_text_colour_when_forced() -> None:
    from mle_review.config import Config
    from mle_review.engine.runner import scan_paths
    from mle_review.models import ScanReport
    from mle_review.render.text import render_text

    root = Path(__file__).parent / "fixtures" / "render_project"
    report: ScanReport = scan_paths([root], root, Config.model_validate({"select": ["MLR301"]}))
    assert "\x1b[" in render_text(report, color=True)


def test_markdown_escapes_table_cells() -> None:
    from mle_review.render.markdown import md_cell

    assert md_cell("a | b\nc <script>") == "a \\| b c &lt;script&gt;"
