"""The skill's frontmatter is what agent tools read to decide when to load it; keep it valid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mle_review.skillpack.bundle import SKILL_DIR, SKILL_NAME
from mle_review.skillpack.targets import AgentFileError, split_frontmatter

REPO = (
    Path(__file__).resolve().parents[1]
)  # the checkout, also when mle_review is installed non-editable

SKILL_MD = REPO / SKILL_DIR / "SKILL.md"


def _raw_frontmatter_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return text[4 : text.index("\n---\n", 4)].splitlines()


def test_skill_has_required_keys_and_name_matches_folder() -> None:
    meta, body = split_frontmatter(SKILL_MD.read_text(encoding="utf-8"))
    assert {"name", "description"} <= set(meta)
    assert meta["name"] == SKILL_NAME == SKILL_MD.parent.name
    # Agent Skills naming rules: lowercase letters, digits and hyphens, at most 64 characters.
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", SKILL_NAME) and len(SKILL_NAME) <= 64
    assert body.strip()


def test_skill_description_is_a_single_inline_string() -> None:
    meta, _ = split_frontmatter(SKILL_MD.read_text(encoding="utf-8"))
    description = meta["description"]
    assert isinstance(description, str)
    assert 40 <= len(description) <= 1024
    assert "\n" not in description
    assert description.lower().startswith("use when")
    [line] = [ln for ln in _raw_frontmatter_lines(SKILL_MD) if ln.startswith("description:")]
    value = line.split(":", 1)[1].strip()
    assert value and value[0] not in "|>", "description must not be a YAML block scalar"


def test_skill_body_is_scannable() -> None:
    assert len(SKILL_MD.read_text(encoding="utf-8").splitlines()) < 500


@pytest.mark.parametrize(
    "text",
    ["no frontmatter\n", "---\nname: x\n", "---\n- a\n- b\n---\nbody\n"],
)
def test_frontmatter_parser_rejects_malformed_files(text: str) -> None:
    with pytest.raises(AgentFileError):
        split_frontmatter(text)


def test_references_linked_from_the_skill_exist() -> None:
    text = SKILL_MD.read_text(encoding="utf-8")
    linked = set(re.findall(r"`(references/[\w./-]+)`", text))
    assert linked, "SKILL.md should point at its references"
    for rel in linked:
        assert (SKILL_MD.parent / rel).is_file(), rel
    shipped = {
        p.relative_to(SKILL_MD.parent).as_posix()
        for p in (SKILL_MD.parent / "references").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped <= linked, f"references not mentioned in SKILL.md: {sorted(shipped - linked)}"
