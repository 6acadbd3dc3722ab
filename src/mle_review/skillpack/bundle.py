"""Where the skill pack's files are, and how a build copies them into the package.

Standard library only: ``setup.py`` loads this file by path while building a
wheel, before any dependency is installed, so it must not import
``mle_review`` or anything outside the standard library.
"""

from __future__ import annotations

import shutil
from pathlib import Path

SKILL_NAME = "mle-workflow"
AGENT_NAME = "mle-reviewer"
SKILL_DIR = f"skills/{SKILL_NAME}"
AGENT_FILE = f"agents/{AGENT_NAME}.md"

# Paths, relative to the repository root, that make up the pack.
PACK_PATHS: tuple[str, ...] = (SKILL_DIR, AGENT_FILE)

# Byproducts of importing the reference examples in tests; never shipped.
_SKIP_NAMES = {"__pycache__", ".DS_Store"}
_SKIP_SUFFIXES = (".pyc", ".pyo")

PACKAGED_DIR = Path(__file__).resolve().parent / "bundle"
CHECKOUT_ROOT = Path(__file__).resolve().parents[3]


class SkillPackMissing(RuntimeError):
    """Neither a packaged copy nor a source checkout holds the pack."""


def _shipped(path: Path) -> bool:
    return not any(part in _SKIP_NAMES for part in path.parts) and not path.name.endswith(
        _SKIP_SUFFIXES
    )


def pack_files(root: Path) -> list[str]:
    """Relative POSIX paths of every shipped file under ``root``, sorted."""
    found: list[str] = []
    for entry in PACK_PATHS:
        base = root / entry
        if base.is_file():
            found.append(entry)
            continue
        if not base.is_dir():
            raise SkillPackMissing(f"{base} is missing")
        for path in base.rglob("*"):
            rel = path.relative_to(root)
            if path.is_file() and _shipped(rel):
                found.append(rel.as_posix())
    return sorted(found)


def pack_root() -> Path:
    """The folder holding ``skills/`` and ``agents/``: the wheel's copy, else the source checkout.

    An editable install has no packaged copy, so it reads the checkout's
    top-level files directly; that keeps one set of files to edit.
    """
    for candidate in (PACKAGED_DIR, CHECKOUT_ROOT):
        if (candidate / SKILL_DIR / "SKILL.md").is_file() and (candidate / AGENT_FILE).is_file():
            return candidate
    raise SkillPackMissing(
        "the mle-review skill pack is not installed with this package; reinstall mle-review"
    )


def copy_pack(project_root: Path, dest: Path) -> list[Path]:
    """Copy the pack from a source tree into ``dest`` (the build step); returns the files written."""
    if dest.exists():
        shutil.rmtree(dest)
    written: list[Path] = []
    for rel in pack_files(project_root):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project_root / rel, target)
        written.append(target)
    return written
