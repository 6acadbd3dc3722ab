"""Head-revision file contents for the review, without trusting the pull request.

Under ``pull_request_target`` and ``issue_comment`` the workspace holds the
base branch (or nothing), so contents come from the API at the head SHA. When
the workspace *is* a checkout of exactly the head SHA, files are read from
disk instead, saving one request per file. Either way the bytes are only
parsed, never executed, imported or installed, and a symlink in the pull
request can never make the bot read a file outside the checkout (a link to a
runner secret would otherwise end up quoted in a public comment).
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from mle_review.github.client import GitHubClient

_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def _git_dir(root: Path) -> Path | None:
    dot = root / ".git"
    if dot.is_dir():
        return dot
    if dot.is_file():  # worktrees and submodules: "gitdir: <path>"
        text = dot.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text[len("gitdir:") :].strip())
            return target if target.is_absolute() else (root / target).resolve()
    return None


def checked_out_sha(root: Path) -> str | None:
    """The commit checked out in ``root``, read from ``.git`` files (no git process, no config, no hooks)."""
    try:
        git = _git_dir(root)
        if git is None:
            return None
        head = (git / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
        if _SHA.match(head):
            return head
        if not head.startswith("ref:"):
            return None
        ref = head[4:].strip()
        common = git
        commondir = git / "commondir"
        if commondir.is_file():
            common = (git / commondir.read_text(encoding="utf-8").strip()).resolve()
        for base in (git, common):
            loose = base / ref
            if loose.is_file():
                value = loose.read_text(encoding="utf-8", errors="replace").strip()
                return value if _SHA.match(value) else None
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8", errors="replace").splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref and _SHA.match(parts[0]):
                    return parts[0]
    except OSError:
        return None
    return None


def safe_relpath(path: str) -> str | None:
    """A repository-relative posix path, or None for anything that could escape the repository."""
    if not path or "\0" in path or path.startswith("/") or "\\" in path:
        return None
    parts = PurePosixPath(path).parts
    if any(p in ("..", "") for p in parts) or (parts and parts[0] == ".git"):
        return None
    return path


class WorkspaceSource:
    """Regular files of a checkout of the reviewed head; symlinks and escapes read as absent."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def read(self, path: str) -> bytes | None:
        rel = safe_relpath(path)
        if rel is None:
            return None
        current = self.root
        for part in PurePosixPath(rel).parts:
            current = current / part
            if current.is_symlink():
                return None
        if not current.is_file():
            return None
        resolved = current.resolve()
        try:
            resolved.relative_to(self.root)
        except ValueError:
            return None
        return resolved.read_bytes()

    def list_files(self) -> list[str]:
        """Regular files of the checkout (no ``.git``, no symlinks), for the review's dependency look-up."""
        out: list[str] = []
        for folder, dirs, files in os.walk(self.root, followlinks=False):
            dirs[:] = [
                d for d in dirs if d != ".git" and not os.path.islink(os.path.join(folder, d))
            ]
            rel = Path(folder).relative_to(self.root).as_posix()
            for name in files:
                full = os.path.join(folder, name)
                if not os.path.islink(full):
                    out.append(name if rel == "." else f"{rel}/{name}")
        return sorted(out)


class ApiSource:
    """Files at the head SHA from the contents API, each fetched at most once.

    ``existing`` (path -> size at head, from one tree listing) spares a
    request for every file that is not there and for files over
    ``max_size``; ``None`` means unknown: ask for each file.
    """

    def __init__(
        self,
        client: GitHubClient,
        sha: str,
        existing: dict[str, int] | None = None,
        absent: set[str] | None = None,
        max_size: int | None = None,
    ) -> None:
        self.client = client
        self.sha = sha
        self.existing = existing
        self.absent = set(absent or ())
        self.max_size = max_size
        self._cache: dict[str, bytes | None] = {}
        self.requests = 0

    def list_files(self) -> list[str] | None:
        return sorted(set(self.existing) - self.absent) if self.existing is not None else None

    def read(self, path: str) -> bytes | None:
        rel = safe_relpath(path)
        if (
            rel is None
            or rel in self.absent
            or (self.existing is not None and rel not in self.existing)
        ):
            return None
        size = self.existing.get(rel) if self.existing is not None else None
        if size is not None and self.max_size is not None and size > self.max_size:
            raise OSError(f"larger than max-file-size ({size} > {self.max_size} bytes)")
        if rel not in self._cache:
            self.requests += 1
            self._cache[rel] = self.client.read_file(rel, self.sha)
        return self._cache[rel]
