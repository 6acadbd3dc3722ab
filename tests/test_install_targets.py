"""``mle-review install`` / ``uninstall`` in throwaway homes and projects, for every target."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from mle_review.cli import main
from mle_review.skillpack.bundle import AGENT_FILE, SKILL_DIR, pack_files
from mle_review.skillpack.targets import BLOCK_BEGIN, BLOCK_END, RECORD_NAME, split_frontmatter

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = (
    Path(__file__).resolve().parents[1]
)  # the checkout, also when mle_review is installed non-editable

SKILL_FILES = [
    rel[len(SKILL_DIR) + 1 :] for rel in pack_files(REPO) if rel.startswith(SKILL_DIR + "/")
]

# target -> (skills folder, agent file, extra files, record), relative to the root
LAYOUTS: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "claude": (".claude/skills", ".claude/agents/mle-reviewer.md", (), f".claude/{RECORD_NAME}"),
    "claude-project": (
        ".claude/skills",
        ".claude/agents/mle-reviewer.md",
        (),
        f".claude/{RECORD_NAME}",
    ),
    "cursor": (
        ".cursor/skills",
        ".cursor/agents/mle-reviewer.md",
        (".cursor/rules/mle-workflow.mdc",),
        f".cursor/{RECORD_NAME}",
    ),
    "codex": (
        ".agents/skills",
        ".codex/agents/mle-reviewer.toml",
        (".codex/AGENTS.md",),
        f".codex/{RECORD_NAME}",
    ),
}


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fake home and a fake project folder, so defaults never touch the real ones."""
    (tmp_path / "home").mkdir()
    (tmp_path / "project").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CODEX_HOME", raising=False)
    monkeypatch.chdir(tmp_path / "project")


def _install(root: Path, target: str, *extra: str) -> int:
    return main(["install", "--target", target, "--dest", str(root), *extra])


def _uninstall(root: Path, target: str, *extra: str) -> int:
    return main(["uninstall", "--target", target, "--dest", str(root), *extra])


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _expected_paths(target: str) -> set[str]:
    skills, agent, extra, record = LAYOUTS[target]
    return {f"{skills}/mle-workflow/{f}" for f in SKILL_FILES} | {agent, record, *extra}


@pytest.mark.parametrize("target", list(LAYOUTS))
def test_fresh_install_writes_the_layout(tmp_path: Path, target: str) -> None:
    root = tmp_path / "dest"
    assert _install(root, target) == 0
    assert set(_tree(root)) == _expected_paths(target)
    skills = LAYOUTS[target][0]
    for rel in SKILL_FILES:  # the skill is copied byte for byte
        assert (root / skills / "mle-workflow" / rel).read_bytes() == (
            REPO / SKILL_DIR / rel
        ).read_bytes()


@pytest.mark.parametrize("target", list(LAYOUTS))
def test_reinstall_is_idempotent(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "dest"
    assert _install(root, target) == 0
    before = _tree(root)
    capsys.readouterr()
    assert _install(root, target) == 0
    out = capsys.readouterr().out
    assert _tree(root) == before
    assert "create" not in out and "update" not in out
    assert f"{len(_expected_paths(target)) - 1} unchanged" in out


@pytest.mark.parametrize("target", list(LAYOUTS))
def test_dry_run_changes_nothing(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "dest"
    assert _install(root, target, "--dry-run") == 0
    assert not root.exists()
    out = capsys.readouterr().out
    assert "(dry run)" in out and "would create" in out
    assert out.count("would create") == len(_expected_paths(target)) - 1
    _install(root, target)
    before = _tree(root)
    assert _uninstall(root, target, "--dry-run") == 0
    assert "would remove" in capsys.readouterr().out
    assert _tree(root) == before


@pytest.mark.parametrize("target", list(LAYOUTS))
def test_edited_file_survives_reinstall_and_uninstall_unless_forced(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "dest"
    _install(root, target)
    skill_md = root / LAYOUTS[target][0] / "mle-workflow" / "SKILL.md"
    skill_md.write_text(
        skill_md.read_text(encoding="utf-8") + "\nmy team's note\n", encoding="utf-8"
    )
    edited = skill_md.read_text(encoding="utf-8")
    capsys.readouterr()

    assert _install(root, target) == 1
    captured = capsys.readouterr()
    assert "skip" in captured.out and "--force" in captured.err
    assert skill_md.read_text(encoding="utf-8") == edited

    assert _uninstall(root, target) == 1
    assert skill_md.read_text(encoding="utf-8") == edited
    assert set(_tree(root)) == {skill_md.relative_to(root).as_posix(), LAYOUTS[target][3]}

    assert _uninstall(root, target, "--force") == 0
    assert not root.exists() or _tree(root) == {}


def test_force_overwrites_an_edited_file(tmp_path: Path) -> None:
    root = tmp_path / "dest"
    _install(root, "claude")
    agent = root / ".claude/agents/mle-reviewer.md"
    agent.write_text("mine\n", encoding="utf-8")
    assert _install(root, "claude", "--force") == 0
    assert agent.read_text(encoding="utf-8") == (REPO / AGENT_FILE).read_text(encoding="utf-8")
    assert _install(root, "claude") == 0  # and the new content is recorded as ours


def test_a_foreign_file_is_never_adopted_silently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "dest"
    agent = root / ".claude/agents/mle-reviewer.md"
    agent.parent.mkdir(parents=True)
    agent.write_text("someone else's agent\n", encoding="utf-8")
    assert _install(root, "claude") == 1
    assert "not installed by mle-review" in capsys.readouterr().out
    assert agent.read_text(encoding="utf-8") == "someone else's agent\n"
    assert _uninstall(root, "claude") == 0
    assert agent.read_text(encoding="utf-8") == "someone else's agent\n"  # not ours: left alone


@pytest.mark.parametrize("target", list(LAYOUTS))
def test_uninstall_removes_exactly_what_was_installed(tmp_path: Path, target: str) -> None:
    root = tmp_path / "dest"
    neighbour = root / LAYOUTS[target][0] / "other-skill" / "SKILL.md"
    neighbour.parent.mkdir(parents=True)
    neighbour.write_text("---\nname: other-skill\n---\n", encoding="utf-8")
    assert _install(root, target) == 0
    assert _uninstall(root, target) == 0
    assert _tree(root) == {neighbour.relative_to(root).as_posix(): "---\nname: other-skill\n---\n"}
    # folders the install created are gone; folders that held the user's files stay
    assert not (root / LAYOUTS[target][0] / "mle-workflow").exists()
    assert neighbour.parent.is_dir()


def test_uninstall_without_record_is_a_no_op(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _uninstall(tmp_path / "dest", "claude") == 0
    assert "nothing to uninstall" in capsys.readouterr().out


def test_upgrade_removes_files_no_longer_shipped(tmp_path: Path) -> None:
    root = tmp_path / "dest"
    _install(root, "claude")
    record_path = root / LAYOUTS["claude"][3]
    record = json.loads(record_path.read_text(encoding="utf-8"))
    old = root / ".claude/skills/mle-workflow/references/retired.md"
    old.write_text("old\n", encoding="utf-8")
    record["entries"].append(
        {"path": str(old), "kind": "file", "sha256": _sha("old\n"), "created_file": False}
    )
    record_path.write_text(json.dumps(record), encoding="utf-8")
    assert _install(root, "claude") == 0
    assert not old.exists()
    assert str(old) not in record_path.read_text(encoding="utf-8")


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def test_corrupt_record_is_an_error_not_a_guess(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "dest"
    _install(root, "claude")
    (root / LAYOUTS["claude"][3]).write_text("{not json", encoding="utf-8")
    assert _install(root, "claude") == 2
    assert _uninstall(root, "claude") == 2
    assert "unreadable" in capsys.readouterr().err


# --- default roots ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "where"),
    [("claude", "home"), ("codex", "home"), ("claude-project", "project"), ("cursor", "project")],
)
def test_default_root(tmp_path: Path, target: str, where: str) -> None:
    assert main(["install", "--target", target]) == 0
    assert (tmp_path / where / LAYOUTS[target][3]).is_file()
    other = "project" if where == "home" else "home"
    assert not any((tmp_path / other).iterdir())
    assert main(["uninstall", "--target", target]) == 0
    assert not any((tmp_path / where).iterdir())


def test_install_defaults_to_claude(tmp_path: Path) -> None:
    assert main(["install"]) == 0
    assert (tmp_path / "home/.claude/skills/mle-workflow/SKILL.md").is_file()


def test_codex_home_is_respected_without_dest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    codex_home = tmp_path / "custom-codex"
    monkeypatch.setenv("CODEX_HOME", str(codex_home))
    assert main(["install", "--target", "codex"]) == 0
    assert (codex_home / "agents/mle-reviewer.toml").is_file()
    assert (codex_home / RECORD_NAME).is_file()
    assert (tmp_path / "home/.agents/skills/mle-workflow/SKILL.md").is_file()
    assert main(["uninstall", "--target", "codex"]) == 0
    assert not codex_home.exists()


# --- per-target content -------------------------------------------------------------


def test_claude_agent_is_the_canonical_file(tmp_path: Path) -> None:
    _install(tmp_path, "claude-project")
    assert (tmp_path / ".claude/agents/mle-reviewer.md").read_bytes() == (
        REPO / AGENT_FILE
    ).read_bytes()


def test_cursor_agent_and_rule(tmp_path: Path) -> None:
    _install(tmp_path, "cursor")
    canonical_meta, canonical_body = split_frontmatter(
        (REPO / AGENT_FILE).read_text(encoding="utf-8")
    )
    meta, body = split_frontmatter(
        (tmp_path / ".cursor/agents/mle-reviewer.md").read_text(encoding="utf-8")
    )
    assert meta == {
        "name": "mle-reviewer",
        "description": canonical_meta["description"],
        "model": "inherit",
        "readonly": True,
    }
    assert body.strip() == canonical_body.strip()
    rule_meta, rule_body = split_frontmatter(
        (tmp_path / ".cursor/rules/mle-workflow.mdc").read_text(encoding="utf-8")
    )
    assert rule_meta["alwaysApply"] is False
    assert isinstance(rule_meta["description"], str) and rule_meta["description"]
    assert ".cursor/skills/mle-workflow/SKILL.md" in rule_body
    assert "mle-review review --format json" in rule_body


def test_codex_agent_is_valid_read_only_toml(tmp_path: Path) -> None:
    _install(tmp_path, "codex")
    data = tomllib.loads((tmp_path / ".codex/agents/mle-reviewer.toml").read_text(encoding="utf-8"))
    canonical_meta, canonical_body = split_frontmatter(
        (REPO / AGENT_FILE).read_text(encoding="utf-8")
    )
    assert data["name"] == "mle-reviewer"
    assert data["description"] == canonical_meta["description"]
    assert data["sandbox_mode"] == "read-only"
    assert data["developer_instructions"].strip() == canonical_body.strip()


def test_codex_block_joins_and_leaves_the_users_agents_md(tmp_path: Path) -> None:
    agents_md = tmp_path / ".codex/AGENTS.md"
    agents_md.parent.mkdir(parents=True)
    mine = "# My rules\n\nAlways run the tests.\n"
    agents_md.write_text(mine, encoding="utf-8")
    assert _install(tmp_path, "codex") == 0
    text = agents_md.read_text(encoding="utf-8")
    assert text.startswith(mine) and text.count(BLOCK_BEGIN) == 1 and BLOCK_END in text
    assert _install(tmp_path, "codex") == 0
    assert agents_md.read_text(encoding="utf-8") == text  # no duplicate block
    agents_md.write_text(
        text + "\nA later note of mine.\n", encoding="utf-8"
    )  # edits outside the block are fine
    assert _install(tmp_path, "codex") == 0
    assert _uninstall(tmp_path, "codex") == 0
    assert agents_md.read_text(encoding="utf-8") == mine + "\nA later note of mine.\n"


def test_codex_block_edited_inside_is_kept(tmp_path: Path) -> None:
    _install(tmp_path, "codex")
    agents_md = tmp_path / ".codex/AGENTS.md"
    agents_md.write_text(
        agents_md.read_text(encoding="utf-8").replace("custom agent", "custom agent (ours)"),
        encoding="utf-8",
    )
    assert _install(tmp_path, "codex") == 1
    assert "(ours)" in agents_md.read_text(encoding="utf-8")
    assert _uninstall(tmp_path, "codex") == 1
    assert "(ours)" in agents_md.read_text(encoding="utf-8")
    assert _uninstall(tmp_path, "codex", "--force") == 0
    assert not agents_md.exists()  # the install created it, and nothing else was in it


def test_record_lists_every_installed_file(tmp_path: Path) -> None:
    _install(tmp_path, "claude")
    record = json.loads((tmp_path / LAYOUTS["claude"][3]).read_text(encoding="utf-8"))
    assert record["tool"] == "mle-review" and record["target"] == "claude"
    recorded = {Path(e["path"]).relative_to(tmp_path).as_posix() for e in record["entries"]}
    assert recorded == _expected_paths("claude") - {LAYOUTS["claude"][3]}
    for entry in record["entries"]:
        assert entry["sha256"] == _sha(Path(entry["path"]).read_text(encoding="utf-8"))


def test_unknown_target_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install", "--target", "vim"]) == 2
    assert "invalid choice" in capsys.readouterr().err
