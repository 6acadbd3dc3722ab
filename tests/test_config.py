"""Configuration: selection, per-file ignores, severity overrides, excludes, roles, fail-on."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliResult

from mle_review.config import ConfigError, config_from_dict, path_matches, resolve_rule_selector

LOADER = "import joblib\n\nmodel = joblib.load('m.joblib')\n"


def _findings(cli: Callable[..., CliResult], root: Path, *extra: str) -> list[dict]:
    result = cli("scan", str(root), "--root", str(root), "--format", "json", *extra)
    assert result.code in (0, 1), result.err
    return json.loads(result.out)["findings"]


def test_selectors_accept_ids_slugs_and_prefixes() -> None:
    assert resolve_rule_selector("MLR301") == ["MLR301"]
    assert resolve_rule_selector("mlr301") == ["MLR301"]
    assert resolve_rule_selector("unsafe-deserialization") == ["MLR301"]
    assert "MLR101" in resolve_rule_selector("MLR1") and "MLR201" not in resolve_rule_selector(
        "MLR1"
    )
    with pytest.raises(ConfigError):
        resolve_rule_selector("MLR77")
    with pytest.raises(ConfigError):
        resolve_rule_selector("E501")


def test_path_globs() -> None:
    assert path_matches("tests/test_x.py", "tests/*")
    assert path_matches("a/tests/x.py", "tests")
    assert path_matches("src/api/app.py", "src/api/")
    assert path_matches("src/api/app.py", "src/api/**")
    assert path_matches("notebooks/deep/a.ipynb", "notebooks")
    assert not path_matches("src/app.py", "tests/*")


def test_per_file_ignores_severity_and_exclude(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "legacy").mkdir()
    (tmp_path / "jobs" / "score.py").write_text(LOADER)
    (tmp_path / "jobs" / "refit.py").write_text(LOADER)
    (tmp_path / "legacy" / "old.py").write_text(LOADER)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.mle-review]\n"
        "exclude = ['legacy/']\n"
        "[tool.mle-review.per-file-ignores]\n"
        "'jobs/refit.py' = ['unsafe-deserialization']\n"
        "[tool.mle-review.severity]\n"
        "MLR301 = 'low'\n"
    )
    findings = _findings(cli, tmp_path)
    assert [(f["path"], f["severity"]) for f in findings] == [("jobs/score.py", "low")]


def test_low_severity_override_changes_exit_code(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    (tmp_path / "a.py").write_text(LOADER)
    assert cli("scan", str(tmp_path), "--root", str(tmp_path)).code == 1
    (tmp_path / ".mle-review.toml").write_text("[severity]\nMLR301 = 'medium'\n")
    assert cli("scan", str(tmp_path), "--root", str(tmp_path)).code == 0
    assert cli("scan", str(tmp_path), "--root", str(tmp_path), "--fail-on", "medium").code == 1
    (tmp_path / ".mle-review.toml").write_text("fail-on = 'never'\n")
    assert cli("scan", str(tmp_path), "--root", str(tmp_path)).code == 0


def test_cli_select_and_ignore(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(LOADER)
    assert _findings(cli, tmp_path, "--ignore", "MLR301") == []
    assert len(_findings(cli, tmp_path, "--select", "MLR3")) == 1
    assert _findings(cli, tmp_path, "--select", "MLR2") == []


def test_role_globs_override_heuristics(tmp_path: Path) -> None:
    import ast

    from mle_review.config import Config
    from mle_review.engine.context import ImportMap, Role, detect_roles

    src = "import flask\n"
    cfg = config_from_dict({"roles": {"training": ["jobs/*"]}})
    assert detect_roles("jobs/app.py", src, ImportMap(ast.parse(src)), cfg) == frozenset(
        {Role.TRAINING}
    )
    assert Role.SERVING in detect_roles("jobs/app.py", src, ImportMap(ast.parse(src)), Config())
    assert detect_roles("tests/test_app.py", src, ImportMap(ast.parse(src)), Config()) == frozenset(
        {Role.TEST}
    )


def test_dedicated_config_file_wins(tmp_path: Path) -> None:
    from mle_review.config import find_config

    (tmp_path / "pyproject.toml").write_text("[tool.mle-review]\nfail-on = 'low'\n")
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    (tmp_path / ".mle-review.toml").write_text("fail-on = 'medium'\n")
    assert find_config(tmp_path) == tmp_path / ".mle-review.toml"
    (tmp_path / ".mle-review.toml").unlink()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(tmp_path) is None
