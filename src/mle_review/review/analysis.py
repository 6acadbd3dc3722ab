"""Run the scan engine over the head versions of the changed files.

Whole files are analysed (a leak needs the split *and* the earlier line that
made it one); which findings belong to the change is decided afterwards by
:func:`belongs_to_change`. When the head tree is a folder on disk the engine
reads it in place; any other :class:`FileSource` (git objects, the GitHub
contents API, a dict) is written to a private temporary folder first, along
with the dependency files of every enclosing folder, so rules that read pins
behave exactly as in ``scan``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from mle_review.config import Config
from mle_review.diff.model import ChangeSet, FileChange, FileStatus, LineKind
from mle_review.engine.context import ModuleContext
from mle_review.engine.deps import LOCK_FILES
from mle_review.engine.files import Candidate, FileKind, classify
from mle_review.engine.runner import Engine
from mle_review.models import FileError, Finding, SuppressionIssue
from mle_review.review.model import SkippedFile
from mle_review.review.sources import DirSource, FileSource
from mle_review.rules import Registry

# Dependency files probed in each enclosing folder when the source cannot list files.
_PROBED_DEPENDENCY_FILES: tuple[str, ...] = (
    "requirements.txt",
    "pyproject.toml",
    "setup.cfg",
    "environment.yml",
    "environment.yaml",
    "Pipfile",
    *sorted(LOCK_FILES),
)


@dataclass
class Analysis:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    modules: dict[str, ModuleContext] = field(default_factory=dict)
    analyzed: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    suppressions: list[SuppressionIssue] = field(default_factory=list)


def _safe_relpath(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return (
        bool(parts)
        and not PurePosixPath(path).is_absolute()
        and ".." not in parts
        and ":" not in parts[0]
    )


def select_files(
    changes: ChangeSet, config: Config
) -> tuple[list[tuple[str, FileKind]], list[SkippedFile]]:
    """Changed files the engine can analyse, and every other changed file with the reason."""
    wanted: list[tuple[str, FileKind]] = []
    skipped: list[SkippedFile] = []
    for fc in changes.files:
        reason = _skip_reason(fc, config)
        kind = classify(fc.path)
        if reason is None and kind is None:
            reason = "no rules for this file type"
        if reason is not None or kind is None:
            skipped.append(
                SkippedFile(path=fc.path, reason=reason or "no rules for this file type")
            )
            continue
        wanted.append((fc.path, kind))
    return wanted, skipped


def _skip_reason(fc: FileChange, config: Config) -> str | None:
    if fc.status is FileStatus.DELETED:
        return "deleted"
    if fc.binary:
        return "binary"
    if not _safe_relpath(fc.path):
        return "path outside the repository"
    if config.is_excluded(fc.path):
        return "excluded by config"
    return None


def _ancestors(paths: Iterable[str]) -> list[str]:
    folders: set[str] = {""}
    for path in paths:
        parent = PurePosixPath(path).parent
        while str(parent) not in (".", ""):
            folders.add(parent.as_posix())
            parent = parent.parent
    return sorted(folders)


def _materialize(
    source: FileSource,
    wanted: list[tuple[str, FileKind]],
    root: Path,
    max_size: int,
) -> tuple[list[Candidate], list[SkippedFile]]:
    candidates: list[Candidate] = []
    skipped: list[SkippedFile] = []
    for path, kind in wanted:
        try:
            data = source.read(path)
        except OSError as exc:
            skipped.append(SkippedFile(path=path, reason=f"cannot read: {exc.strerror or exc}"))
            continue
        if data is None:
            skipped.append(SkippedFile(path=path, reason="not found at head"))
            continue
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        candidates.append(Candidate(target, path, kind))
    # dependency context: pins and lock files of every enclosing folder
    listed = getattr(source, "list_files", None)
    names: list[str] = []
    folders = _ancestors(p for p, _ in wanted)
    if callable(listed):
        all_files = listed()
        if all_files is not None:
            folder_set = set(folders)
            for name in all_files:
                parent = PurePosixPath(name).parent.as_posix()
                if (("" if parent == "." else parent) in folder_set) and classify(name) in (
                    FileKind.DEPENDENCY,
                    FileKind.LOCK,
                ):
                    names.append(name)
    if not names:
        # without a listing, probe the root and top-level folders only: each probe may be a network call
        shallow = sorted({f for f in folders if "/" not in f})
        names = [
            f"{folder}/{n}" if folder else n for folder in shallow for n in _PROBED_DEPENDENCY_FILES
        ]
    for name in names:
        target = root / name
        if target.exists():
            continue
        try:
            data = source.read(name)
        except OSError:
            continue
        if data is None or len(data) > max_size:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return candidates, skipped


def analyze(
    changes: ChangeSet,
    source: FileSource,
    config: Config,
    registry: Registry | None = None,
    only: set[str] | None = None,
) -> Analysis:
    """Findings, parse errors and parsed modules for the changed files at head."""
    wanted, skipped = select_files(changes, config)
    if only is not None:
        wanted = [(p, k) for p, k in wanted if p in only]
    result = Analysis(skipped=skipped)
    if isinstance(source, DirSource):
        candidates: list[Candidate] = []
        for path, kind in wanted:
            abs_path = source.root / path
            if not abs_path.is_file():
                result.skipped.append(SkippedFile(path=path, reason="not found at head"))
                continue
            candidates.append(Candidate(abs_path, path, kind))
        _run(Engine(source.root, config, registry), candidates, result)
        return result
    with tempfile.TemporaryDirectory(prefix="mle-review-") as tmp:
        root = Path(tmp)
        candidates, missing = _materialize(source, wanted, root, config.max_file_size)
        result.skipped.extend(missing)
        _run(Engine(root, config, registry), candidates, result)
    return result


def _run(engine: Engine, candidates: list[Candidate], result: Analysis) -> None:
    project, errors, states = engine.load_project(candidates)
    findings, rule_errors = engine.run(project, states)
    result.findings = findings
    result.errors = sorted([*errors, *rule_errors], key=lambda e: e.path)
    result.modules = {m.path: m for m in project.modules}
    result.analyzed = sorted(states)
    result.suppressions = Engine.suppression_issues(states, False)
    failed = {e.path for e in errors}
    for c in candidates:
        if c.rel_path in failed:
            reason = next(e.message for e in errors if e.path == c.rel_path)
            result.skipped.append(SkippedFile(path=c.rel_path, reason=reason))


def belongs_to_change(finding: Finding, changes: ChangeSet) -> str | None:
    """Why ``finding`` is part of the change, or None when it is not.

    Its own lines were added or modified, or a line of its evidence chain was
    (an added line elsewhere can make an untouched line wrong).
    """
    if changes.touches(finding.path, finding.line, finding.end_line):
        return f"{finding.path}:{finding.line} is changed"
    for rel in finding.related:
        if changes.touches(rel.path, rel.line):
            return f"{rel.path}:{rel.line} ({rel.message}) is changed"
    return None


def reverse_apply(head_text: str, fc: FileChange) -> str | None:
    """The base version of a file rebuilt from its head version and its diff; None when they disagree."""
    head = head_text.splitlines()
    out: list[str] = []
    cursor = 0  # index into head lines
    for hunk in fc.hunks:
        start = max(hunk.new_start - 1, 0) if hunk.new_length else hunk.new_start
        if start < cursor or start > len(head):
            return None
        out.extend(head[cursor:start])
        cursor = start
        for ln in hunk.lines:
            if ln.kind is LineKind.REMOVED:
                out.append(ln.text)
            elif ln.kind is LineKind.ADDED:
                if cursor >= len(head) or head[cursor].rstrip("\r") != ln.text:
                    return None
                cursor += 1
            else:
                if cursor >= len(head) or head[cursor].rstrip("\r") != ln.text:
                    return None
                out.append(head[cursor])
                cursor += 1
    out.extend(head[cursor:])
    return "\n".join(out) + ("\n" if out else "")
