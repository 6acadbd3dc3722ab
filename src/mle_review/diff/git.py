"""Diffs and file contents from a local git repository (for ``mle-review review`` without ``--diff``)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitError(Exception):
    """A git command failed; the message is one line fit for the CLI."""


def git(repo: Path, *args: str) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:2])}: {err[-1] if err else f'exit {proc.returncode}'}")
    return proc.stdout


def git_text(repo: Path, *args: str) -> str:
    return git(repo, *args).decode("utf-8", "replace").strip()


def is_repo(path: Path) -> bool:
    try:
        return git_text(path, "rev-parse", "--is-inside-work-tree") == "true"
    except GitError:
        return False


def repo_root(path: Path) -> Path:
    return Path(git_text(path, "rev-parse", "--show-toplevel"))


def rev_exists(repo: Path, rev: str) -> bool:
    try:
        git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except GitError:
        return False
    return True


def default_branch(repo: Path) -> str | None:
    """``origin/HEAD``'s target, else the first of main/master (remote, then local) that exists."""
    try:
        ref = git_text(repo, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
        if ref:
            return ref.removeprefix("refs/remotes/")
    except GitError:
        pass
    for candidate in (
        "origin/main",
        "origin/master",
        "main",
        "master",
        "origin/develop",
        "develop",
    ):
        if rev_exists(repo, candidate):
            return candidate
    return None


def resolve(repo: Path, rev: str) -> str:
    return git_text(repo, "rev-parse", "--verify", f"{rev}^{{commit}}")


def merge_base(repo: Path, a: str, b: str) -> str:
    return git_text(repo, "merge-base", a, b)


def default_base(repo: Path, head: str) -> tuple[str, str]:
    """``(base commit, how it was chosen)``: the merge-base with the default branch.

    On the default branch itself (merge-base == head) the last commit is
    reviewed instead, which is what someone running the tool there means.
    """
    branch = default_branch(repo)
    if branch is None:
        raise GitError(
            "cannot find the default branch (no origin/HEAD, main or master); pass --base"
        )
    head_sha = resolve(repo, head)
    base = merge_base(repo, branch, head_sha)
    if base == head_sha:
        if rev_exists(repo, f"{head_sha}~1"):
            return resolve(
                repo, f"{head_sha}~1"
            ), f"{head} is on {branch}; reviewing its last commit"
        return base, f"{head} has no parent commit"
    return base, f"merge-base with {branch}"


def diff(repo: Path, base: str, head: str, context: int = 3) -> bytes:
    """Unified diff base..head with renames detected and stable a/ b/ prefixes, whatever the user's git config."""
    return git(
        repo,
        "-c",
        "core.quotepath=true",
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--find-renames",
        f"--unified={context}",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        base,
        head,
        "--",
    )
