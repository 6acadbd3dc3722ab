"""Where each agent tool looks for skills and agents, and what the pack looks like there.

Layouts (``ROOT`` is ``--dest`` when given, else the default shown):

claude (ROOT = home) and claude-project (ROOT = current folder)
    ROOT/.claude/skills/mle-workflow/...      the skill, verbatim
    ROOT/.claude/agents/mle-reviewer.md       the agent, verbatim
cursor (ROOT = current folder; Cursor's project scope)
    ROOT/.cursor/skills/mle-workflow/...      Agent Skills folder Cursor scans
    ROOT/.cursor/agents/mle-reviewer.md       Cursor subagent (``model: inherit``, ``readonly: true``)
    ROOT/.cursor/rules/mle-workflow.mdc       agent-requested project rule pointing at the skill,
                                              for Cursor builds that only read rules
codex (ROOT = home)
    ROOT/.agents/skills/mle-workflow/...      Codex's user skill folder
    CODEX/agents/mle-reviewer.toml            Codex custom agent (``sandbox_mode = "read-only"``)
    CODEX/AGENTS.md                           a marked block telling Codex when to use both
    where CODEX is ``$CODEX_HOME`` when set (and no ``--dest``), else ``ROOT/.codex``.

Each layout also names the install record that ``uninstall`` reads.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from mle_review.skillpack.bundle import AGENT_FILE, AGENT_NAME, SKILL_DIR, SKILL_NAME, pack_files

TARGETS: tuple[str, ...] = ("claude", "claude-project", "cursor", "codex")
RECORD_NAME = "mle-review-install.json"

BLOCK_BEGIN = "<!-- mle-review:begin (managed by `mle-review install`; edits inside are kept) -->"
BLOCK_END = "<!-- mle-review:end -->"

Kind = Literal["file", "block"]


@dataclass(frozen=True)
class PlannedFile:
    """One thing to put on disk. A ``block`` is a marked section inside a file the user also owns."""

    path: Path
    content: str
    kind: Kind = "file"


@dataclass(frozen=True)
class Layout:
    target: str
    root: Path
    record: Path
    files: tuple[PlannedFile, ...]
    next_steps: str


class AgentFileError(ValueError):
    pass


def split_frontmatter(text: str) -> tuple[dict[str, object], str]:
    """YAML frontmatter and body of a Markdown file; the frontmatter must be a mapping."""
    if not text.startswith("---\n"):
        raise AgentFileError("no YAML frontmatter")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise AgentFileError("unterminated YAML frontmatter")
    data = yaml.safe_load(text[4:end])
    if not isinstance(data, dict):
        raise AgentFileError("frontmatter is not a mapping")
    return {str(k): v for k, v in data.items()}, text[end + len("\n---\n") :]


def _quoted(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar and a valid TOML basic string.
    return json.dumps(value, ensure_ascii=False)


def _agent_parts(pack: Path) -> tuple[str, str]:
    meta, body = split_frontmatter((pack / AGENT_FILE).read_text(encoding="utf-8"))
    description = meta.get("description")
    if not isinstance(description, str) or not description.strip():
        raise AgentFileError(f"{AGENT_FILE}: description must be a non-empty string")
    return description.strip(), body.lstrip("\n")


def cursor_agent(pack: Path) -> str:
    """The reviewer as a Cursor subagent: Cursor takes ``readonly`` instead of a tool list."""
    description, body = _agent_parts(pack)
    head = [
        "---",
        f"name: {AGENT_NAME}",
        f"description: {_quoted(description)}",
        "model: inherit",
        "readonly: true",
        "---",
        "",
    ]
    return "\n".join(head) + body


def _toml_multiline(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"""\n' + escaped + '"""'


def codex_agent(pack: Path) -> str:
    """The reviewer as a Codex custom agent (TOML); read-only through the sandbox setting."""
    description, body = _agent_parts(pack)
    lines = [
        "# Installed by `mle-review install --target codex`; `mle-review uninstall --target codex` removes it.",
        f"name = {_quoted(AGENT_NAME)}",
        f"description = {_quoted(description)}",
        'sandbox_mode = "read-only"',
        f"developer_instructions = {_toml_multiline(body)}",
        "",
    ]
    return "\n".join(lines)


def cursor_rule() -> str:
    return "\n".join(
        [
            "---",
            "description: ML engineering workflow for model, feature, training, evaluation, serving and"
            " rollout changes; use before planning such work and before opening its pull request.",
            "alwaysApply: false",
            "---",
            "",
            f"# {SKILL_NAME}",
            "",
            f"Read `.cursor/skills/{SKILL_NAME}/SKILL.md` and follow it for this task. In short:",
            "",
            "- Write an Iteration Compact before touching model code and put it in the PR description.",
            "- Run `mle-review review --format json` before opening the pull request; fix each finding",
            "  or suppress it on its line with `# mle-review: ignore[MLRxxx] reason`.",
            f"- For an independent review, delegate to the `{AGENT_NAME}` subagent.",
            "",
        ]
    )


def codex_block() -> str:
    return "\n".join(
        [
            BLOCK_BEGIN,
            "## ML engineering changes (mle-review)",
            "",
            f"- Use the `{SKILL_NAME}` skill when planning or changing model, feature, training,",
            "  evaluation, serving or rollout code.",
            "- Before opening a pull request run `mle-review review --format json`; fix every finding",
            "  or suppress it on its line with `# mle-review: ignore[MLRxxx] reason`, and put an",
            "  Iteration Compact in the pull-request description.",
            f"- For an independent, read-only review, spawn the `{AGENT_NAME}` custom agent.",
            BLOCK_END,
        ]
    )


def default_root(target: str) -> Path:
    return Path.cwd() if target in ("claude-project", "cursor") else Path.home()


def _skill_files(pack: Path, dest: Path) -> list[PlannedFile]:
    """The skill folder copied file for file under ``dest/mle-workflow``."""
    out: list[PlannedFile] = []
    for rel in pack_files(pack):
        if rel.startswith(SKILL_DIR + "/"):
            inner = rel[len(SKILL_DIR) + 1 :]
            out.append(
                PlannedFile(dest / SKILL_NAME / inner, (pack / rel).read_text(encoding="utf-8"))
            )
    return out


def _tool_dir(target: str, root: Path, dest: Path | None, env: Mapping[str, str]) -> Path:
    """The folder holding the tool's own config (and the install record) for ``target``."""
    if target in ("claude", "claude-project"):
        return root / ".claude"
    if target == "cursor":
        return root / ".cursor"
    codex_env = env.get("CODEX_HOME")
    return Path(codex_env).expanduser().resolve() if codex_env and dest is None else root / ".codex"


def _resolve(target: str, dest: Path | None, env: Mapping[str, str] | None) -> tuple[Path, Path]:
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose from {', '.join(TARGETS)}")
    root = (dest if dest is not None else default_root(target)).expanduser().resolve()
    return root, _tool_dir(target, root, dest, os.environ if env is None else env)


def record_layout(
    target: str, dest: Path | None = None, env: Mapping[str, str] | None = None
) -> Layout:
    """Root and record location only; enough for uninstall, which needs no pack files."""
    root, tool_dir = _resolve(target, dest, env)
    return Layout(target, root, tool_dir / RECORD_NAME, (), "")


def build_layout(
    target: str,
    pack: Path,
    dest: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Layout:
    """Everything ``target`` needs, with absolute paths, for the pack at ``pack``."""
    root, tool_dir = _resolve(target, dest, env)
    agent = f"{AGENT_NAME}.md"
    files: list[PlannedFile]
    if target in ("claude", "claude-project"):
        files = [
            *_skill_files(pack, tool_dir / "skills"),
            PlannedFile(
                tool_dir / "agents" / agent, (pack / AGENT_FILE).read_text(encoding="utf-8")
            ),
        ]
        steps = "Start a new Claude Code session: the skill loads by its description and /agents lists the reviewer."
    elif target == "cursor":
        files = [
            *_skill_files(pack, tool_dir / "skills"),
            PlannedFile(tool_dir / "agents" / agent, cursor_agent(pack)),
            PlannedFile(tool_dir / "rules" / f"{SKILL_NAME}.mdc", cursor_rule()),
        ]
        steps = "Reload Cursor: the skill is listed under Settings > Rules and the subagent can be delegated to."
    else:
        files = [
            *_skill_files(pack, root / ".agents" / "skills"),
            PlannedFile(tool_dir / "agents" / f"{AGENT_NAME}.toml", codex_agent(pack)),
            PlannedFile(tool_dir / "AGENTS.md", codex_block(), kind="block"),
        ]
        steps = "Restart Codex: /skills lists the skill and the reviewer can be spawned by name."
    return Layout(target, root, tool_dir / RECORD_NAME, tuple(files), steps)
