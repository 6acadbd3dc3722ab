"""The change model (files -> hunks -> lines) and the ways to obtain one.

* :func:`parse_diff` turns unified diff text or bytes into a :class:`ChangeSet`.
* :mod:`mle_review.diff.git` produces diffs from a local repository.
"""

from __future__ import annotations

from mle_review.diff.model import (
    ChangeSet,
    DiffProblem,
    FileChange,
    FileStatus,
    Hunk,
    Line,
    LineKind,
)
from mle_review.diff.parse import parse_diff

__all__ = [
    "ChangeSet",
    "DiffProblem",
    "FileChange",
    "FileStatus",
    "Hunk",
    "Line",
    "LineKind",
    "parse_diff",
]
