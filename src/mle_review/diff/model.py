"""The change model: a unified diff as files -> hunks -> lines.

Every line keeps its old and new line number and its ``position`` (1-based
index of the line in that file's diff, counting hunk headers after the first,
which is how GitHub's legacy review-comment ``position`` is counted). The
review layer only ever asks "was this line of the head file added or
modified?", so :meth:`FileChange.added_lines` and :meth:`FileChange.touched_lines`
are precomputed sets.
"""

from __future__ import annotations

from enum import Enum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field


class LineKind(str, Enum):
    ADDED = "added"
    REMOVED = "removed"
    CONTEXT = "context"


class Line(BaseModel):
    """One line of a hunk. ``text`` has no trailing newline or CR."""

    model_config = ConfigDict(frozen=True)

    kind: LineKind
    text: str
    old_lineno: int | None = None
    new_lineno: int | None = None
    position: int = 0
    # "\ No newline at end of file" followed this line
    no_newline: bool = False
    # the line ended in CRLF in the diff
    crlf: bool = False


class Hunk(BaseModel):
    model_config = ConfigDict(frozen=True)

    old_start: int
    old_length: int
    new_start: int
    new_length: int
    section: str = ""
    lines: list[Line] = Field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(1 for ln in self.lines if ln.kind is LineKind.ADDED)

    @property
    def removed(self) -> int:
        return sum(1 for ln in self.lines if ln.kind is LineKind.REMOVED)


class FileStatus(str, Enum):
    ADDED = "added"
    DELETED = "deleted"
    MODIFIED = "modified"
    RENAMED = "renamed"
    COPIED = "copied"


class FileChange(BaseModel):
    """One file of the diff. ``path`` is the head path (the old path for deletions)."""

    model_config = ConfigDict(frozen=True)

    path: str
    old_path: str | None = None
    status: FileStatus = FileStatus.MODIFIED
    binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    similarity: int | None = None
    hunks: list[Hunk] = Field(default_factory=list)

    @property
    def is_notebook(self) -> bool:
        return self.path.endswith(".ipynb")

    @property
    def mode_changed(self) -> bool:
        return (
            self.old_mode is not None
            and self.new_mode is not None
            and self.old_mode != self.new_mode
        )

    @property
    def exists_at_head(self) -> bool:
        return self.status is not FileStatus.DELETED

    @property
    def additions(self) -> int:
        return sum(h.added for h in self.hunks)

    @property
    def deletions(self) -> int:
        return sum(h.removed for h in self.hunks)

    def iter_lines(self) -> list[Line]:
        return [ln for h in self.hunks for ln in h.lines]

    @cached_property
    def added_lines(self) -> frozenset[int]:
        """Head line numbers the change added (a modified line is removed + added)."""
        return frozenset(
            ln.new_lineno
            for h in self.hunks
            for ln in h.lines
            if ln.kind is LineKind.ADDED and ln.new_lineno
        )

    @cached_property
    def deletion_points(self) -> frozenset[int]:
        """Head line numbers that now sit where removed lines used to be.

        A statement spanning several lines whose middle line was deleted was
        modified even though none of its remaining lines is new.
        """
        points: set[int] = set()
        for h in self.hunks:
            previous_removed = False
            next_new = h.new_start
            for ln in h.lines:
                if ln.kind is LineKind.REMOVED:
                    previous_removed = True
                    continue
                if ln.new_lineno is not None:
                    next_new = ln.new_lineno
                    if previous_removed:
                        points.add(next_new)
                    next_new += 1
                previous_removed = False
            if previous_removed:
                points.add(next_new)
        return frozenset(points)

    def position_of(self, new_lineno: int) -> int | None:
        """Diff position of a head line, when the line appears in the diff at all."""
        for h in self.hunks:
            if h.new_start <= new_lineno < h.new_start + max(h.new_length, 1):
                for ln in h.lines:
                    if ln.new_lineno == new_lineno:
                        return ln.position
        return None

    def touches(self, line: int, end_line: int | None = None) -> bool:
        """True when the head range ``line..end_line`` contains an added line or a deletion point."""
        end = max(end_line or line, line)
        added = self.added_lines
        if end - line < 64:
            if any(n in added for n in range(line, end + 1)):
                return True
        elif any(line <= n <= end for n in added):
            return True
        return any(line < p <= end for p in self.deletion_points)


class DiffProblem(BaseModel):
    """A part of the diff that could not be parsed; the rest of the change is still reviewed."""

    model_config = ConfigDict(frozen=True)

    path: str
    message: str


class ChangeSet(BaseModel):
    """A whole change. Files keep diff order; look-ups go through a path index."""

    model_config = ConfigDict(frozen=True)

    files: list[FileChange] = Field(default_factory=list)
    base_ref: str | None = None
    head_ref: str | None = None
    problems: list[DiffProblem] = Field(default_factory=list)

    @cached_property
    def _by_path(self) -> dict[str, FileChange]:
        return {f.path: f for f in self.files}

    def get(self, path: str) -> FileChange | None:
        return self._by_path.get(path)

    @property
    def paths(self) -> list[str]:
        return [f.path for f in self.files]

    def added_lines(self, path: str) -> frozenset[int]:
        fc = self.get(path)
        return fc.added_lines if fc is not None else frozenset()

    def touches(self, path: str, line: int, end_line: int | None = None) -> bool:
        fc = self.get(path)
        return fc is not None and fc.exists_at_head and fc.touches(line, end_line)

    @property
    def additions(self) -> int:
        return sum(f.additions for f in self.files)

    @property
    def deletions(self) -> int:
        return sum(f.deletions for f in self.files)

    @property
    def is_empty(self) -> bool:
        return not self.files
