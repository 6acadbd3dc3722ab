"""Per-file patches and whole-PR diffs the way GitHub produces them, from two file trees.

The server computes everything from base and head contents so a test only
writes files; patch text, line anchors and the diff media type then agree
with each other exactly as they do on GitHub.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field

NO_NEWLINE = "\\ No newline at end of file"


def blob_sha(data: bytes) -> str:
    """Git's object id for a blob, so ``sha`` fields look and behave like the real ones."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:8000]


@dataclass
class PatchLines:
    """Which lines of each side a review comment may be anchored to, hunk by hunk."""

    right: set[int] = field(default_factory=set)
    left: set[int] = field(default_factory=set)
    # hunk index of each anchorable line, to check multi-line ranges stay in one hunk
    right_hunk: dict[int, int] = field(default_factory=dict)
    left_hunk: dict[int, int] = field(default_factory=dict)
    positions: int = 0  # number of lines below the first hunk header (legacy ``position``)
    position_to_right: dict[int, int] = field(default_factory=dict)


def _with_endings(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def make_patch(old: str, new: str, context: int = 3) -> str:
    """The ``patch`` field of the files API: hunks only, no ``---``/``+++`` header."""
    out: list[str] = []
    lines = list(difflib.unified_diff(_with_endings(old), _with_endings(new), n=context))
    for raw in lines[2:]:  # skip the ---/+++ header difflib always emits first
        if raw.startswith("@@"):
            out.append(raw.rstrip("\n"))
            continue
        if raw.endswith("\n"):
            out.append(raw[:-1])
        else:
            out.append(raw)
            out.append(NO_NEWLINE)
    return "\n".join(out)


def parse_patch(patch: str) -> PatchLines:
    """Anchorable lines of a patch; GitHub accepts comments on added, removed and context lines."""
    result = PatchLines()
    old_no = new_no = 0
    hunk = -1
    position = 0
    for line in patch.split("\n"):
        if line.startswith("@@"):
            hunk += 1
            header = line.split("@@")[1].strip()
            old_part, new_part = header.split(" ")[:2]
            old_no = int(old_part[1:].split(",")[0])
            new_no = int(new_part[1:].split(",")[0])
            if hunk > 0:
                position += 1
            continue
        if hunk < 0:
            continue
        if line.startswith("\\"):
            continue
        position += 1
        if line.startswith("+"):
            result.right.add(new_no)
            result.right_hunk[new_no] = hunk
            result.position_to_right[position] = new_no
            new_no += 1
        elif line.startswith("-"):
            result.left.add(old_no)
            result.left_hunk[old_no] = hunk
            old_no += 1
        else:
            result.right.add(new_no)
            result.left.add(old_no)
            result.right_hunk[new_no] = hunk
            result.left_hunk[old_no] = hunk
            result.position_to_right[position] = new_no
            old_no += 1
            new_no += 1
    result.positions = position
    return result


def hunk_for_line(patch: str, line: int) -> str:
    """The ``diff_hunk`` GitHub stores with a comment: the hunk up to and including the line."""
    kept: list[str] = []
    new_no = 0
    for text in patch.split("\n"):
        if text.startswith("@@"):
            kept = [text]
            new_no = int(text.split("@@")[1].strip().split(" ")[1][1:].split(",")[0])
            continue
        kept.append(text)
        if text.startswith("-") or text.startswith("\\"):
            continue
        if new_no == line:
            return "\n".join(kept)
        new_no += 1
    return "\n".join(kept)


def count_changes(patch: str) -> tuple[int, int]:
    adds = dels = 0
    for line in patch.split("\n"):
        if line.startswith("+"):
            adds += 1
        elif line.startswith("-"):
            dels += 1
    return adds, dels
