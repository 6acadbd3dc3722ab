"""SARIF output against the 2.1.0 object definitions and GitHub code scanning's requirements."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
from conftest import CliResult

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0-subset.schema.json").read_text())


def _sarif(cli: Callable[..., CliResult], root: Path) -> dict:
    result = cli("scan", str(root), "--root", str(root), "--format", "sarif", "--fail-on", "never")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_sarif_validates_against_schema(
    cli: Callable[..., CliResult], render_project: Path
) -> None:
    log = _sarif(cli, render_project)
    jsonschema.validate(log, SCHEMA, format_checker=jsonschema.FormatChecker())


def test_sarif_meets_github_requirements(
    cli: Callable[..., CliResult], render_project: Path
) -> None:
    log = _sarif(cli, render_project)
    assert log["version"] == "2.1.0" and log["$schema"]
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mle-review"
    from mle_review.rules import load_all

    assert [r["id"] for r in driver["rules"]] == load_all().ids()
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["properties"]["precision"] in {"very-high", "high", "medium", "low"}
        if "security" in rule["properties"]["tags"]:
            assert 0.0 < float(rule["properties"]["security-severity"]) <= 10.0
    assert run["results"], "the render project has findings"
    for res in run["results"]:
        assert res["ruleId"] == driver["rules"][res["ruleIndex"]]["id"]
        assert res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith(("/", "file:"))
        assert loc["region"]["startLine"] >= 1
        assert res["partialFingerprints"]["primaryLocationLineHash"]
