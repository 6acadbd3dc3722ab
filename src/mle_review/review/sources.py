"""Where head (and base) file contents come from.

The review never assumes a checked-out tree: the CLI reads a folder or a git
revision, the GitHub Action reads the contents API. Anything with
``read(path) -> bytes | None`` is a :class:`FileSource`; a plain callable or a
folder path is wrapped by :func:`as_source`.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable


@runtime_checkable
class FileSource(Protocol):
    """Read one file at the reviewed revision.

    ``path`` is repository-relative with ``/`` separators. Return the raw
    bytes, or ``None`` when the file does not exist there. Raise ``OSError``
    for a file that exists but cannot be read (it is reported as skipped).

    Optionally also define ``list_files() -> list[str] | None`` (every path
    at the revision, e.g. from one git-trees API call): dependency and lock
    files of every enclosing folder are then read exactly; without it only
    the root and top-level folders are probed for them.
    """

    def read(self, path: str) -> bytes | None: ...


class DirSource:
    """Files of a folder on disk (a checkout of the head revision)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def read(self, path: str) -> bytes | None:
        target = (self.root / path).resolve()
        try:
            target.relative_to(self.root)
        except ValueError:
            return None  # a diff path must not escape the repository
        if not target.is_file():
            return None
        return target.read_bytes()


class GitRevSource:
    """Files of one git revision, read with a single ``git cat-file --batch`` process."""

    def __init__(self, repo: Path, rev: str) -> None:
        self.repo = repo
        self.rev = rev
        self._proc: subprocess.Popen[bytes] | None = None

    def _process(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            self._proc = subprocess.Popen(
                ["git", "-C", str(self.repo), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        return self._proc

    def read(self, path: str) -> bytes | None:
        proc = self._process()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(f"{self.rev}:{path}\n".encode())
        proc.stdin.flush()
        header = proc.stdout.readline().decode("utf-8", "replace").split()
        if len(header) < 3 or header[-1] == "missing" or header[1] != "blob":
            if len(header) == 3 and header[1] != "blob":
                proc.stdout.read(int(header[2]) + 1)
            return None
        size = int(header[2])
        data = proc.stdout.read(size)
        proc.stdout.read(1)  # trailing newline
        return data

    def list_files(self) -> list[str] | None:
        """Every file path at the revision, so dependency files need not be guessed."""
        try:
            out = subprocess.run(
                ["git", "-C", str(self.repo), "ls-tree", "-r", "-z", "--name-only", self.rev],
                capture_output=True,
                check=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
        return [p.decode("utf-8", "replace") for p in out.split(b"\0") if p]

    def close(self) -> None:
        if self._proc is not None:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
            self._proc.wait()
            self._proc = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown
            self.close()


class MappingSource:
    """In-memory files (tests, or contents fetched ahead of time)."""

    def __init__(self, files: Mapping[str, bytes | str]) -> None:
        self.files = {k: v.encode() if isinstance(v, str) else v for k, v in files.items()}

    def read(self, path: str) -> bytes | None:
        return self.files.get(path)


class CallableSource:
    def __init__(self, fn: Callable[[str], bytes | str | None]) -> None:
        self.fn = fn

    def read(self, path: str) -> bytes | None:
        data = self.fn(path)
        return data.encode() if isinstance(data, str) else data


SourceLike = (
    FileSource | Callable[[str], "bytes | str | None"] | Path | str | Mapping[str, "bytes | str"]
)


def as_source(value: SourceLike) -> FileSource:
    """Accept a FileSource, a callable, a folder path or a mapping of path -> contents."""
    if isinstance(value, (str, Path)):
        return DirSource(Path(value))
    if isinstance(value, Mapping):
        return MappingSource(value)
    if isinstance(value, FileSource):
        return value
    if callable(value):
        return CallableSource(value)
    raise TypeError(f"not a file source: {type(value).__name__}")
