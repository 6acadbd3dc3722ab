"""Shared test helpers: run the CLI in-process and capture what a user would see."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from mle_review.cli import main

FIXTURES = Path(__file__).parent / "fixtures"

# Keys every finding carries in the JSON report (shared/spec/interface.md).
FINDING_KEYS = frozenset(
    {
        "rule_id",
        "slug",
        "severity",
        "confidence",
        "path",
        "line",
        "end_line",
        "column",
        "message",
        "fix",
        "related",
        "fingerprint",
    }
)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli


@pytest.fixture
def render_project(tmp_path: Path) -> Path:
    """A copy of the small render project (so tests may add files to it)."""
    dest = tmp_path / "render_project"
    shutil.copytree(FIXTURES / "render_project", dest)
    return dest
