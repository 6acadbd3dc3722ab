"""Unified diff text -> :class:`ChangeSet`, tolerant of whatever ``git diff`` and hosts emit.

``unidiff`` does the parsing. Around it: bytes are decoded without ever
failing (UTF-8, undecodable bytes replaced, so line numbers survive), CRLF is
stripped from line text but remembered, quoted git paths are unquoted, the
``a/``/``b/`` prefixes are dropped, and a file section that ``unidiff``
rejects is reported in :attr:`ChangeSet.problems` while the other files of
the diff are still parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from unidiff.constants import LINE_TYPE_NO_NEWLINE
from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

from mle_review.diff.model import (
    ChangeSet,
    DiffProblem,
    FileChange,
    FileStatus,
    Hunk,
    Line,
    LineKind,
)

_FILE_HEADER = re.compile(r"^diff --git ", re.MULTILINE)
_MODE = re.compile(r"^(old|new|deleted file|new file) mode (\d+)\s*$", re.MULTILINE)
_SIMILARITY = re.compile(r"^similarity index (\d+)%", re.MULTILINE)
_COPY = re.compile(r"^copy (from|to) ", re.MULTILINE)
_GIT_PATHS = re.compile(r"^diff --git (\"(?:[^\"\\]|\\.)*\"|\S+) (\"(?:[^\"\\]|\\.)*\"|\S+)\s*$")


def decode_diff(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def unquote_git_path(path: str) -> str:
    """Undo git's C-style quoting (``"caf\\303\\251.py"``) and the ``a/``/``b/`` prefix."""
    path = path.strip()
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        raw = bytearray()
        body = path[1:-1]
        i = 0
        escapes = {"n": 10, "t": 9, '"': 34, "\\": 92, "a": 7, "b": 8, "f": 12, "r": 13, "v": 11}
        while i < len(body):
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                nxt = body[i + 1]
                if nxt in "01234567" and i + 3 < len(body) + 1 and body[i + 1 : i + 4].isdigit():
                    raw.append(int(body[i + 1 : i + 4], 8) & 0xFF)
                    i += 4
                    continue
                raw.append(escapes.get(nxt, ord(nxt)))
                i += 2
                continue
            raw.extend(ch.encode("utf-8"))
            i += 1
        path = raw.decode("utf-8", errors="replace")
    if path.startswith(("a/", "b/")):
        path = path[2:]
    return path


def _clean_path(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.strip()
    if name == "/dev/null" or not name:
        return None
    name = unquote_git_path(name)
    return name.replace("\\", "/")


def _line_text(value: str) -> tuple[str, bool]:
    crlf = value.endswith("\r\n")
    text = value[:-2] if crlf else value.rstrip("\n")
    return text, crlf


def _convert(pf: PatchedFile) -> FileChange:
    info = str(getattr(pf, "patch_info", "") or "")
    source = _clean_path(pf.source_file)
    target = _clean_path(pf.target_file)
    header = _GIT_PATHS.match(info.splitlines()[0]) if info else None
    if header is not None:
        # binary and mode-only sections have no ---/+++ lines; take names from the git header
        git_old, git_new = unquote_git_path(header.group(1)), unquote_git_path(header.group(2))
        source = source if source is not None or pf.is_added_file else git_old
        target = target if target is not None or pf.is_removed_file else git_new
    modes = {kind: mode for kind, mode in _MODE.findall(info)}
    old_mode = modes.get("old") or modes.get("deleted file")
    new_mode = modes.get("new") or modes.get("new file")
    sim = _SIMILARITY.search(info)
    if pf.is_added_file or "new file" in modes:
        status = FileStatus.ADDED
    elif pf.is_removed_file or "deleted file" in modes:
        status = FileStatus.DELETED
    elif source and target and source != target:
        status = FileStatus.COPIED if _COPY.search(info) else FileStatus.RENAMED
    else:
        status = FileStatus.MODIFIED
    path = (source if status is FileStatus.DELETED else target) or source or target or ""
    hunks: list[Hunk] = []
    position = 0
    for index, h in enumerate(pf):
        if index > 0:
            position += 1  # the hunk header itself occupies a position after the first hunk
        lines: list[Line] = []
        for ln in h:
            if ln.line_type == LINE_TYPE_NO_NEWLINE:
                if lines:
                    lines[-1] = lines[-1].model_copy(update={"no_newline": True})
                position += 1
                continue
            position += 1
            text, crlf = _line_text(ln.value)
            if ln.is_added:
                kind = LineKind.ADDED
            elif ln.is_removed:
                kind = LineKind.REMOVED
            else:
                kind = LineKind.CONTEXT
            lines.append(
                Line(
                    kind=kind,
                    text=text,
                    old_lineno=ln.source_line_no,
                    new_lineno=ln.target_line_no,
                    position=position,
                    crlf=crlf,
                )
            )
        hunks.append(
            Hunk(
                old_start=h.source_start,
                old_length=h.source_length,
                new_start=h.target_start,
                new_length=h.target_length,
                section=(h.section_header or "").strip(),
                lines=lines,
            )
        )
    return FileChange(
        path=path,
        old_path=source
        if status in (FileStatus.RENAMED, FileStatus.COPIED, FileStatus.DELETED)
        else None,
        status=status,
        binary=bool(pf.is_binary_file),
        old_mode=old_mode,
        new_mode=new_mode,
        similarity=int(sim.group(1)) if sim else None,
        hunks=hunks,
    )


def _sections(text: str) -> list[str]:
    starts = [m.start() for m in _FILE_HEADER.finditer(text)]
    if not starts:
        return [text]
    head = text[: starts[0]]
    out = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    if head.strip() and "\n+++ " in head:
        out.insert(0, head)
    return out


def _section_path(section: str) -> str:
    m = _GIT_PATHS.match(section.splitlines()[0]) if section else None
    if m:
        return unquote_git_path(m.group(2))
    for line in section.splitlines():
        if line.startswith("+++ "):
            return _clean_path(line[4:].split("\t")[0]) or "?"
    return "?"


def _parse_text(text: str) -> Iterable[PatchedFile]:
    return PatchSet(text.splitlines(keepends=True))


def parse_diff(
    data: bytes | str, base_ref: str | None = None, head_ref: str | None = None
) -> ChangeSet:
    """Parse a unified diff. Never raises on bad input; broken sections become problems."""
    text = decode_diff(data)
    if not text.strip():
        return ChangeSet(base_ref=base_ref, head_ref=head_ref)
    files: list[FileChange] = []
    problems: list[DiffProblem] = []
    try:
        files = [_convert(pf) for pf in _parse_text(text)]
    except (UnidiffParseError, ValueError, IndexError) as exc:
        first_error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        files = []
        sections = _sections(text)
        for section in sections:
            try:
                files.extend(_convert(pf) for pf in _parse_text(section))
            except (UnidiffParseError, ValueError, IndexError) as sec_exc:
                msg = str(sec_exc).splitlines()[0] if str(sec_exc) else type(sec_exc).__name__
                problems.append(
                    DiffProblem(
                        path=_section_path(section), message=f"unparseable diff section: {msg}"
                    )
                )
        if not files and not problems:
            problems.append(DiffProblem(path="?", message=f"unparseable diff: {first_error}"))
    if not files and not problems and text.strip():
        problems.append(DiffProblem(path="?", message="input is not a unified diff"))
    merged: dict[str, FileChange] = {}
    for fc in files:
        if fc.path in merged:  # the same path twice (concatenated diffs): keep the later version
            merged.pop(fc.path)
        merged[fc.path] = fc
    return ChangeSet(
        files=list(merged.values()), base_ref=base_ref, head_ref=head_ref, problems=problems
    )
