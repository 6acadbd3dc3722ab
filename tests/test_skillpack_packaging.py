"""The wheel carries a copy of the top-level skill pack; the copy must equal the original.

The real proof is a non-editable install (see the README); these tests pin the pieces it
relies on without building a wheel, so they stay fast and offline.
"""

from __future__ import annotations

import ast
import filecmp
from pathlib import Path

import pytest

from mle_review.skillpack import bundle

REPO = (
    Path(__file__).resolve().parents[1]
)  # the checkout, also when mle_review is installed non-editable


def test_pack_is_the_skill_folder_and_the_agent() -> None:
    files = bundle.pack_files(REPO)
    assert "skills/mle-workflow/SKILL.md" in files
    assert "agents/mle-reviewer.md" in files
    assert all(f.startswith(("skills/mle-workflow/", "agents/mle-reviewer.md")) for f in files)
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]


def test_build_copy_equals_the_top_level_files(tmp_path: Path) -> None:
    """``copy_pack`` is what setup.py runs while building; compare its output file by file."""
    written = bundle.copy_pack(REPO, tmp_path / "bundle")
    copied = sorted(p.relative_to(tmp_path / "bundle").as_posix() for p in written)
    assert copied == bundle.pack_files(REPO)
    _same, mismatch, errors = filecmp.cmpfiles(REPO, tmp_path / "bundle", copied, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert bundle.pack_files(tmp_path / "bundle") == copied


def test_bytecode_is_never_shipped(tmp_path: Path) -> None:
    skill = tmp_path / "skills" / "mle-workflow"
    (skill / "references" / "__pycache__").mkdir(parents=True)
    (skill / "SKILL.md").write_text("x", encoding="utf-8")
    (skill / "references" / "gates.py").write_text("x", encoding="utf-8")
    (skill / "references" / "__pycache__" / "gates.cpython-311.pyc").write_bytes(b"x")
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "mle-reviewer.md").write_text("x", encoding="utf-8")
    assert bundle.pack_files(tmp_path) == [
        "agents/mle-reviewer.md",
        "skills/mle-workflow/SKILL.md",
        "skills/mle-workflow/references/gates.py",
    ]


def test_copy_replaces_a_stale_bundle(tmp_path: Path) -> None:
    stale = tmp_path / "bundle" / "skills" / "mle-workflow" / "old.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", encoding="utf-8")
    bundle.copy_pack(REPO, tmp_path / "bundle")
    assert not stale.exists()


def test_pack_root_prefers_the_packaged_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = tmp_path / "bundle"
    monkeypatch.setattr(bundle, "PACKAGED_DIR", packaged)
    monkeypatch.setattr(bundle, "CHECKOUT_ROOT", REPO)
    assert bundle.pack_root() == REPO  # editable/source checkout: no copy yet
    bundle.copy_pack(REPO, packaged)
    assert bundle.pack_root() == packaged


def test_missing_pack_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle, "PACKAGED_DIR", tmp_path / "none")
    monkeypatch.setattr(bundle, "CHECKOUT_ROOT", tmp_path)
    with pytest.raises(bundle.SkillPackMissing):
        bundle.pack_root()


def test_the_copy_this_package_runs_from_equals_the_top_level_files() -> None:
    """Editable install: the checkout itself. Wheel install (as in CI): the bundled copy."""
    root = bundle.pack_root()
    files = bundle.pack_files(root)
    assert files == bundle.pack_files(REPO)
    _same, mismatch, errors = filecmp.cmpfiles(REPO, root, files, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_bundle_module_is_standard_library_only() -> None:
    """setup.py executes bundle.py before any dependency is installed."""
    tree = ast.parse(Path(bundle.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "").split(".")[0]
        if isinstance(node, ast.ImportFrom)
        else alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert imported <= {"__future__", "shutil", "pathlib"}


def test_build_hooks_are_wired() -> None:
    setup_py = (REPO / "setup.py").read_text(encoding="utf-8")
    assert "copy_pack" in setup_py and "build_py" in setup_py
    assert '"skillpack" / "bundle"' in setup_py
    manifest = (REPO / "MANIFEST.in").read_text(encoding="utf-8").splitlines()
    assert "graft skills" in manifest and "graft agents" in manifest
