"""The command line contract: commands, exit codes, rule docs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import CliResult

from mle_review.rules.base import RuleDoc


def test_rules_list_and_doc(cli: Callable[..., CliResult]) -> None:
    listing = cli("rules")
    assert listing.code == 0 and "MLR301" in listing.out
    doc = cli("rules", "MLR301")
    assert doc.code == 0
    for _attr, heading in RuleDoc.HEADINGS:
        assert f"## {heading}" in doc.out
    assert cli("rules", "unsafe-deserialization").out == doc.out
    assert cli("rules", "mlr301").out == doc.out
    bad = cli("rules", "MLR999")
    assert bad.code == 2 and "unknown rule" in bad.err
    rows = json.loads(cli("rules", "--format", "json").out)
    assert {"id", "slug", "severity", "confidence", "family", "title"} <= set(rows[0])


def test_exit_codes(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text("x = 1\n")
    assert cli("scan", str(tmp_path), "--root", str(tmp_path)).code == 0
    (tmp_path / "bad.py").write_text("import pickle\npickle.loads(b)\n")
    assert cli("scan", str(tmp_path), "--root", str(tmp_path)).code == 1
    assert cli("scan", str(tmp_path), "--root", str(tmp_path), "--fail-on", "critical").code == 0
    assert cli("scan", str(tmp_path), "--root", str(tmp_path), "--fail-on", "never").code == 0


def test_output_file(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("import pickle\npickle.loads(b)\n")
    out = tmp_path / "report.sarif"
    result = cli(
        "scan",
        str(tmp_path / "bad.py"),
        "--root",
        str(tmp_path),
        "--format",
        "sarif",
        "-o",
        str(out),
    )
    assert result.out == "" and json.loads(out.read_text())["version"] == "2.1.0"


def test_console_script_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mle_review.cli", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout.startswith("mle-review ")


def test_paths_relative_to_root(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "bad.py").write_text("import pickle\npickle.loads(b)\n")
    data = json.loads(
        cli("scan", str(tmp_path / "pkg"), "--root", str(tmp_path), "--format", "json").out
    )
    assert data["findings"][0]["path"] == "pkg/bad.py"
