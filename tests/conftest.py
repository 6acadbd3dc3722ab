"""Shared test helpers: run the CLI in-process and capture what a user would see."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from mle_review.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
SNAPSHOTS = Path(__file__).parent / "snapshots"


def check_snapshot(name: str, text: str) -> None:
    """Compare with ``tests/snapshots/<name>``; MLE_REVIEW_UPDATE_SNAPSHOTS=1 rewrites it.

    A missing snapshot is written and the test fails, so a new snapshot is
    always looked at once before it guards anything.
    """
    path = SNAPSHOTS / name
    updating = bool(os.environ.get("MLE_REVIEW_UPDATE_SNAPSHOTS"))
    if updating or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not updating:
            pytest.fail(f"snapshot {name} was missing and has been written; re-run")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} changed; MLE_REVIEW_UPDATE_SNAPSHOTS=1 to accept"
    )


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
