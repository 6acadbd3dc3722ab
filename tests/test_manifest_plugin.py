"""The repository installs as a Claude Code plugin; keep its manifests valid and in step."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mle_review import __version__
from mle_review.skillpack.bundle import AGENT_FILE, SKILL_DIR

REPO = (
    Path(__file__).resolve().parents[1]
)  # the checkout, also when mle_review is installed non-editable

PLUGIN_DIR = REPO / ".claude-plugin"
KEBAB = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


def _load(name: str) -> dict[str, Any]:
    data = json.loads((PLUGIN_DIR / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_plugin_manifest_fields() -> None:
    plugin = _load("plugin.json")
    for key in (
        "name",
        "version",
        "description",
        "author",
        "repository",
        "license",
        "keywords",
        "skills",
    ):
        assert key in plugin, key
    assert KEBAB.fullmatch(plugin["name"])
    assert isinstance(plugin["description"], str) and plugin["description"]
    assert isinstance(plugin["author"], dict) and plugin["author"].get("name")
    assert plugin["repository"].startswith("https://")
    assert plugin["license"] == "MIT"
    assert isinstance(plugin["keywords"], list) and all(
        isinstance(k, str) for k in plugin["keywords"]
    )


def test_plugin_manifest_has_no_keys_the_validator_rejects() -> None:
    # Agents under agents/ are discovered by convention; declaring them (or hooks) fails validation.
    assert not {"agents", "hooks"} & set(_load("plugin.json"))


def test_plugin_skills_are_an_array_of_existing_skill_folders() -> None:
    skills = _load("plugin.json")["skills"]
    assert isinstance(skills, list) and skills
    for path in skills:
        assert path.startswith("./")
        assert (REPO / path / "SKILL.md").is_file()
    assert f"./{SKILL_DIR}" in skills
    assert (REPO / AGENT_FILE).is_file()  # found by the plugin's default agents/ folder


def test_versions_follow_the_package() -> None:
    plugin, market = _load("plugin.json"), _load("marketplace.json")
    assert plugin["version"] == __version__
    assert market["metadata"]["version"] == __version__
    assert [p["version"] for p in market["plugins"]] == [__version__]


def test_marketplace_lists_this_repository_as_the_plugin() -> None:
    market, plugin = _load("marketplace.json"), _load("plugin.json")
    assert KEBAB.fullmatch(market["name"])
    assert market["owner"]["name"]
    [entry] = market["plugins"]
    assert entry["name"] == plugin["name"]
    assert entry["source"] == "./"
    assert entry["description"]
    assert not {"agents", "hooks"} & set(entry)
