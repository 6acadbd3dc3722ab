"""Bad input never stops a run: each case is reported in `errors` and every other file is still analysed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliResult

GOOD = "import pickle\n\n\ndef load(fh):\n    return pickle.load(fh)\n"


def _scan(cli: Callable[..., CliResult], root: Path, *extra: str) -> tuple[int, dict]:
    result = cli(
        "scan", str(root), "--root", str(root), "--format", "json", "--select", "MLR301", *extra
    )
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)


CASES: dict[str, tuple[bytes, str]] = {
    "py2.py": (b'print "hello"\n', "Python 2 syntax"),
    "syntax.py": (b"def broken(:\n    pass\n", "could not parse"),
    "binary.py": (b"\x00\x01\x02PK\x03\x04" * 10, "binary file"),
    "latin1.py": ("x = 'caf\u00e9'\n".encode("latin-1"), "not valid UTF-8"),
    "notjson.ipynb": (b"{not json", "invalid notebook JSON"),
    "nocells.ipynb": (b'{"metadata": {}}', "no 'cells' list"),
    "v3.ipynb": (b'{"worksheets": [], "metadata": {}}', "nbformat 3"),
    "badsource.ipynb": (
        json.dumps({"cells": [{"cell_type": "code", "source": 5}]}).encode(),
        "cell source",
    ),
    "badcode.ipynb": (
        json.dumps(
            {"cells": [{"cell_type": "code", "source": ["def f(:\n"]}], "nbformat": 4}
        ).encode(),
        "could not parse",
    ),
    "pyproject.toml": (b"[project\nname = 1\n", "could not parse dependency file"),
    "environment.yml": (b"dependencies: [numpy\n  - : :\n", "could not parse dependency file"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_reported_and_others_still_analysed(
    cli: Callable[..., CliResult], tmp_path: Path, name: str
) -> None:
    content, reason = CASES[name]
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.py").write_text(GOOD)
    code, report = _scan(cli, tmp_path)
    assert [e["path"] for e in report["errors"]] == [name]
    message = report["errors"][0]["message"]
    assert reason in message
    assert "\n" not in message
    assert [f["path"] for f in report["findings"]] == ["good.py"], (
        "the good file must still be analysed"
    )
    assert code == 1


def test_oversized_file_is_skipped(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text("x = 1\n" * 5000)
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / ".mle-review.toml").write_text("max-file-size = 10000\n")
    _code, report = _scan(cli, tmp_path)
    assert report["errors"][0]["path"] == "big.py"
    assert "larger than max-file-size" in report["errors"][0]["message"]
    assert report["findings"][0]["path"] == "good.py"
    assert report["stats"]["files_skipped"] == 1  # good.py and .mle-review.toml are analysed


def test_rule_crash_is_contained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mle_review.config import Config
    from mle_review.engine.runner import scan_paths
    from mle_review.rules import load_all

    rule = load_all().get("MLR301")
    assert rule is not None

    def boom(ctx: object) -> list[object]:
        raise RuntimeError("synthetic")

    monkeypatch.setattr(rule, "check_module", boom)
    (tmp_path / "a.py").write_text(GOOD)
    report = scan_paths([tmp_path], tmp_path, Config())
    assert any("internal error in MLR301" in e.message for e in report.errors)


@pytest.mark.parametrize(
    "config_text,needle",
    [
        ("selct = ['MLR301']\n", "unknown key"),
        ("ignore = ['MLR999']\n", "unknown rule ID"),
        ("select = [\n", "invalid TOML"),
        ("[severity]\nMLR301 = 'urgent'\n", "severity"),
        ("[per-file-ignores]\n'tests/*' = ['nope']\n", "unknown rule ID"),
        ("fail-on = 'sometimes'\n", "fail-on"),
        ("[roles]\nserving = 'api/'\n", "roles"),
        ("[roles]\nbatch = ['jobs/']\n", "unknown key"),
    ],
)
def test_bad_config_is_a_clear_error(
    cli: Callable[..., CliResult], tmp_path: Path, config_text: str, needle: str
) -> None:
    (tmp_path / ".mle-review.toml").write_text(config_text)
    (tmp_path / "good.py").write_text(GOOD)
    result = cli("scan", str(tmp_path), "--root", str(tmp_path))
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("mle-review: error:") and needle in result.err
    assert result.err.count("\n") == 1


def test_bad_pyproject_table_is_a_clear_error(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.mle-review]\nselect = ['MLR301']\ncolour = true\n"
    )
    result = cli("scan", str(tmp_path), "--root", str(tmp_path))
    assert result.code == 2 and "colour: unknown key" in result.err


def test_missing_path_and_config_are_usage_errors(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    assert cli("scan", str(tmp_path / "nope")).code == 2
    missing_config = cli("scan", str(tmp_path), "--config", str(tmp_path / "nope.toml"))
    assert missing_config.code == 2 and "config file not found" in missing_config.err
    assert cli("scan").code == 2
    assert cli("scan", str(tmp_path), "--format", "yaml").code == 2
    assert cli("scan", str(tmp_path), "--select", "MLR9999").code == 2
