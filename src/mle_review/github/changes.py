"""The change as GitHub sees it: diff text (or its rebuild from file patches) and comment anchors.

GitHub refuses the diff media type past 300 files or 20,000 lines (HTTP 406).
The files API still lists up to 3,000 files, each with its own ``patch``
unless that patch is itself too large or the file is binary, so the diff is
rebuilt from those patches and every file that could not be included is
named with its reason: a large pull request must never look like a clean one.
"""

from __future__ import annotations

from dataclasses import dataclass

from mle_review.diff.model import ChangeSet, FileChange, LineKind
from mle_review.github.client import ChangedFile
from mle_review.models import Finding

FILES_API_LIMIT = 3000


@dataclass(frozen=True)
class Unreviewed:
    path: str
    reason: str


def _header(f: ChangedFile) -> list[str]:
    old = f.previous_filename or f.filename
    lines = [f"diff --git a/{old} b/{f.filename}"]
    if f.status == "added":
        lines.append("new file mode 100644")
    elif f.status == "removed":
        lines.append("deleted file mode 100644")
    elif f.status in ("renamed", "copied") and f.previous_filename:
        word = "rename" if f.status == "renamed" else "copy"
        lines += [f"{word} from {old}", f"{word} to {f.filename}"]
    return lines


def diff_from_files(
    files: list[ChangedFile], changed_files: int | None = None
) -> tuple[str, list[Unreviewed]]:
    """A unified diff assembled from per-file patches, and the files it had to leave out."""
    chunks: list[str] = []
    missing: list[Unreviewed] = []
    for f in files:
        lines = _header(f)
        if f.patch is None:
            if f.status in ("renamed", "copied") and f.additions == 0 and f.deletions == 0:
                chunks.append("\n".join(lines))  # a pure rename has nothing to review
                continue
            if f.additions == 0 and f.deletions == 0:
                reason = "binary file (GitHub sends no patch)"
            else:
                reason = f"its diff is too large for GitHub's files API (+{f.additions}/-{f.deletions} lines, no patch sent)"
            missing.append(Unreviewed(f.filename, reason))
            continue
        old = "/dev/null" if f.status == "added" else f"a/{f.previous_filename or f.filename}"
        new = "/dev/null" if f.status == "removed" else f"b/{f.filename}"
        lines += [f"--- {old}", f"+++ {new}", f.patch.rstrip("\n")]
        chunks.append("\n".join(lines))
    if changed_files is not None and changed_files > len(files):
        missing.append(
            Unreviewed(
                f"({changed_files - len(files)} more files)",
                f"GitHub's files API lists only the first {min(len(files), FILES_API_LIMIT)} of {changed_files} changed files",
            )
        )
    text = "\n".join(chunks)
    return (text + "\n" if text else ""), missing


def commentable_lines(change: FileChange) -> frozenset[int]:
    """Head lines GitHub accepts a ``side: RIGHT`` comment on: added and context lines of any hunk."""
    return frozenset(
        ln.new_lineno
        for h in change.hunks
        for ln in h.lines
        if ln.new_lineno is not None and ln.kind in (LineKind.ADDED, LineKind.CONTEXT)
    )


class Anchors:
    """Where each finding may be commented on, validated against the parsed diff before posting.

    GitHub rejects a whole review when one comment is off the diff, so a
    finding gets an inline anchor only when its line (or, failing that, the
    first added line of its statement) is in a hunk of its file.
    """

    def __init__(self, changes: ChangeSet, unreviewable: set[str] | None = None) -> None:
        self._lines: dict[str, frozenset[int]] = {}
        self._added: dict[str, frozenset[int]] = {}
        skip = unreviewable or set()
        for fc in changes.files:
            if not fc.exists_at_head or fc.binary or fc.path in skip:
                continue
            self._lines[fc.path] = commentable_lines(fc)
            self._added[fc.path] = fc.added_lines

    def line_for(self, finding: Finding) -> int | None:
        lines = self._lines.get(finding.path)
        if not lines or finding.line < 1:
            return None
        if finding.line in lines:
            return finding.line
        end = max(finding.end_line, finding.line)
        added = self._added.get(finding.path, frozenset())
        for n in range(finding.line, min(end, finding.line + 500) + 1):
            if n in added:
                return n
        return None

    def paths(self) -> set[str]:
        """Files of the change that exist at head and have a reviewable patch."""
        return set(self._lines)

    def valid(self, path: str, line: int) -> bool:
        return line in self._lines.get(path, frozenset())
