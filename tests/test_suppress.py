"""Inline suppressions: scoped to rule IDs, on the line or the line before; bare ones are reported."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from conftest import CliResult


def _scan(cli: Callable[..., CliResult], root: Path, *extra: str) -> dict:
    result = cli(
        "scan", str(root), "--root", str(root), "--format", "json", "--fail-on", "never", *extra
    )
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_suppression_forms(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "import pickle\n"
        "a = pickle.loads(b)  # mle-review: ignore[MLR301] fixture bytes we generate\n"
        "# mle-review: ignore[unsafe-deserialization, MLR302] written by our own exporter\n"
        "b = pickle.loads(b)\n"
        "c = pickle.loads(b)  # mle-review: ignore[MLR302]\n"
        "d = pickle.loads(b)  # mle-review: ignore\n"
        "s = '# mle-review: ignore[MLR301] inside a string does not count'; e = pickle.loads(b)\n"
        "f = pickle.loads(b)  # mle-review: ignore[MLR3O1] typo\n"
    )
    report = _scan(cli, tmp_path, "--report-unused-ignores")
    assert sorted(f["line"] for f in report["findings"]) == [5, 6, 7, 8]
    kinds = {(s["line"], s["kind"]) for s in report["suppressions"]}
    assert (6, "bare") in kinds
    assert (8, "unknown-rule") in kinds
    assert (5, "unused") in kinds and (3, "unused") in kinds  # MLR302 named but nothing of it fired


def test_unused_only_on_request(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1  # mle-review: ignore[MLR301] reason\n")
    assert "suppressions" not in _scan(cli, tmp_path)
    assert _scan(cli, tmp_path, "--report-unused-ignores")["suppressions"][0]["kind"] == "unused"


def test_suppression_in_notebook_cell(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": 1,
                "source": [
                    "import pickle\n",
                    "# mle-review: ignore[MLR301] our own cache\n",
                    "m = pickle.load(open('m.pkl', 'rb'))\n",
                    "n = pickle.load(open('n.pkl', 'rb'))",
                ],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb, indent=1))
    report = _scan(cli, tmp_path)
    assert len(report["findings"]) == 1
    raw = (tmp_path / "nb.ipynb").read_text().splitlines()
    assert "n = pickle.load" in raw[report["findings"][0]["line"] - 1]
