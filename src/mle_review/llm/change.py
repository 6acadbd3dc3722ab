"""The LLM pass's own view of a change: files -> hunks -> lines, nothing more.

The pass needs only head line numbers and text, so it keeps a small model of
its own instead of depending on the review pipeline's richer one;
:func:`from_changeset` adapts the pipeline's ``ChangeSet`` and
:func:`parse_unified_diff` reads diff text directly (tests, benchmarks).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

LineKind = Literal["add", "del", "ctx"]
FileStatus = Literal["added", "modified", "deleted", "renamed"]


class DiffLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: LineKind
    text: str
    new_line: int | None = None


class DiffHunk(BaseModel):
    model_config = ConfigDict(frozen=True)

    old_start: int
    new_start: int
    lines: list[DiffLine] = Field(default_factory=list)


class DiffFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    status: FileStatus = "modified"
    binary: bool = False
    hunks: list[DiffHunk] = Field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(1 for h in self.hunks for ln in h.lines if ln.kind == "add")


class LlmChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    files: list[DiffFile] = Field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)


def parse_unified_diff(text: str) -> LlmChange:
    """Unified diff text -> :class:`LlmChange` (unparseable input gives an empty change)."""
    from unidiff.errors import UnidiffParseError
    from unidiff.patch import PatchSet

    try:
        patch = PatchSet(text)
    except UnidiffParseError:
        return LlmChange()
    files: list[DiffFile] = []
    for pf in patch:
        status: FileStatus = "modified"
        if pf.is_added_file:
            status = "added"
        elif pf.is_removed_file:
            status = "deleted"
        elif pf.is_rename:
            status = "renamed"
        path = pf.path
        hunks: list[DiffHunk] = []
        for h in pf:
            lines: list[DiffLine] = []
            for ln in h:
                kind: LineKind = "add" if ln.is_added else "del" if ln.is_removed else "ctx"
                new_line = ln.target_line_no if kind != "del" else None
                lines.append(DiffLine(kind=kind, text=ln.value.rstrip("\r\n"), new_line=new_line))
            hunks.append(DiffHunk(old_start=h.source_start, new_start=h.target_start, lines=lines))
        files.append(
            DiffFile(path=path, status=status, binary=bool(pf.is_binary_file), hunks=hunks)
        )
    return LlmChange(files=files)


def from_changeset(changeset: Any) -> LlmChange:
    """Adapt the review pipeline's ``mle_review.diff.model.ChangeSet`` (duck-typed)."""
    if isinstance(changeset, LlmChange):
        return changeset
    kinds: dict[str, LineKind] = {"added": "add", "removed": "del", "context": "ctx"}
    files: list[DiffFile] = []
    for fc in getattr(changeset, "files", []):
        raw_status = str(getattr(getattr(fc, "status", None), "value", "modified"))
        status: FileStatus = (
            raw_status if raw_status in ("added", "modified", "deleted", "renamed") else "modified"  # type: ignore[assignment]
        )
        hunks = [
            DiffHunk(
                old_start=h.old_start,
                new_start=h.new_start,
                lines=[
                    DiffLine(
                        kind=kinds.get(str(getattr(ln.kind, "value", ln.kind)), "ctx"),
                        text=ln.text,
                        new_line=ln.new_lineno,
                    )
                    for ln in h.lines
                ],
            )
            for h in fc.hunks
        ]
        files.append(DiffFile(path=fc.path, status=status, binary=bool(fc.binary), hunks=hunks))
    return LlmChange(files=files)
