"""One source of truth: the skill, its templates and the agent agree with ``knowledge.py``
and the rule catalogue, so the bot parses exactly what the skill teaches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mle_review import knowledge
from mle_review.rules.catalog import CATALOG
from mle_review.skillpack import render
from mle_review.skillpack.bundle import AGENT_FILE, SKILL_DIR

REPO = (
    Path(__file__).resolve().parents[1]
)  # the checkout, also when mle_review is installed non-editable

SKILL_ROOT = REPO / SKILL_DIR
SKILL_MD = SKILL_ROOT / "SKILL.md"
COMPACT_REF = SKILL_ROOT / "references" / "iteration-compact.md"
LEDGER_REF = SKILL_ROOT / "references" / "observation-ledger.md"
AGENT_MD = REPO / AGENT_FILE

_FENCE = re.compile(r"```[a-z]*\n(.*?)```", re.DOTALL)
_FIELD_LINE = re.compile(r"^([A-Z][A-Za-z /]*?):(?:\s|$)")


def _fenced_blocks(path: Path, heading: str) -> list[list[str]]:
    """Lines of every fenced block whose first line is ``heading``."""
    blocks = []
    for body in _FENCE.findall(path.read_text(encoding="utf-8")):
        lines = body.splitlines()
        if lines and lines[0].strip() == heading:
            blocks.append(lines[1:])
    return blocks


def _labels(lines: list[str]) -> list[str]:
    return [m.group(1) for line in lines if (m := _FIELD_LINE.match(line))]


@pytest.mark.parametrize("path", [SKILL_MD, COMPACT_REF], ids=lambda p: p.name)
def test_every_compact_block_uses_exactly_the_parser_labels(path: Path) -> None:
    blocks = _fenced_blocks(path, "## Iteration Compact")
    assert blocks, f"{path.name} has no Iteration Compact block"
    for lines in blocks:
        labels = _labels(lines)
        unknown = [label for label in labels if label not in knowledge.COMPACT_LABELS]
        assert not unknown, f"labels the parser does not know: {unknown}"
        assert labels == list(knowledge.COMPACT_LABELS)


def test_compact_reference_includes_a_filled_example() -> None:
    blocks = _fenced_blocks(COMPACT_REF, "## Iteration Compact")
    prompts = {f"<{f.prompt}>" for f in knowledge.COMPACT_FIELDS}
    filled = [b for b in blocks if not any(p in line for line in b for p in prompts)]
    assert filled, "expected a worked example with every field filled"
    for lines in filled:
        for line in lines:
            if m := _FIELD_LINE.match(line):
                assert line[len(m.group(0)) :].strip(), f"empty field in example: {m.group(1)}"


@pytest.mark.parametrize("path", [SKILL_MD, LEDGER_REF], ids=lambda p: p.name)
def test_ledger_blocks_match_the_ledger_fields(path: Path) -> None:
    blocks = _fenced_blocks(path, "## Observation Ledger")
    assert blocks
    for lines in blocks:
        assert _labels(lines) == list(knowledge.LEDGER_FIELDS)


def test_ledger_reference_explains_every_field() -> None:
    text = LEDGER_REF.read_text(encoding="utf-8")
    explained = re.findall(r"^\| ([A-Z][A-Za-z ]+) \| ", text, re.MULTILINE)
    assert [e for e in explained if e != "Line"] == list(knowledge.LEDGER_FIELDS)


def test_checklist_items_are_the_ones_the_review_reports() -> None:
    text = SKILL_MD.read_text(encoding="utf-8")
    items = re.findall(r"^- \[ \] \*\*(.+?)\*\* \(`([a-z-]+)`\)$", text, re.MULTILINE)
    by_id = {item.id: item.title for item in knowledge.CHECKLIST}
    for title, item_id in items:
        assert item_id in by_id, f"unknown checklist id {item_id}"
        assert title == by_id[item_id]
    assert [i for _, i in items] == list(knowledge.CHECKLIST_IDS)


def test_task_table_matches_knowledge() -> None:
    text = SKILL_MD.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (MLE-\d\d) \| (.+?) \| (.+?) \| (.+?) \|$", text, re.MULTILINE)
    assert [r[0] for r in rows] == list(knowledge.TASK_IDS)
    for (task_id, title, outputs, lanes), task in zip(rows, knowledge.TASKS, strict=True):
        assert (task_id, title) == (task.id, task.title)
        assert outputs.split("; ") == list(task.required_outputs)
        assert lanes.split(", ") == list(task.lanes)


def test_lanes_line_matches_knowledge() -> None:
    text = SKILL_MD.read_text(encoding="utf-8")
    assert render.lanes_list() in text
    assert re.findall(r"`([a-z/ ]+)`(?: →|$)", render.lanes_list()) == list(knowledge.LANES)


def test_generated_blocks_are_up_to_date() -> None:
    files = render.generated_files(SKILL_ROOT)
    assert {p.name for p in files} >= {"SKILL.md", "iteration-compact.md", "observation-ledger.md"}
    assert render.stale_files(SKILL_ROOT) == [], (
        "run: python -m mle_review.skillpack.render --write"
    )


def test_render_rejects_unknown_block_names() -> None:
    with pytest.raises(render.UnknownBlock):
        render.fill("<!-- generated:nope -->\nx\n<!-- /generated:nope -->")


def test_render_refreshes_a_stale_block() -> None:
    stale = "before\n<!-- generated:lanes -->\nold\n<!-- /generated:lanes -->\nafter\n"
    fresh = render.fill(stale)
    assert "old" not in fresh and render.lanes_list() in fresh
    assert fresh.startswith("before\n") and fresh.endswith("after\n")
    assert render.fill(fresh) == fresh


def _pack_texts() -> dict[str, str]:
    paths = [*SKILL_ROOT.rglob("*.md"), *SKILL_ROOT.rglob("*.py"), AGENT_MD]
    return {
        p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8")
        for p in paths
        if "__pycache__" not in p.parts
    }


def test_every_rule_id_mentioned_exists_in_the_catalogue() -> None:
    mentioned: dict[str, set[str]] = {}
    for rel, text in _pack_texts().items():
        for rule_id in re.findall(r"\bMLR\d{3}\b", text):
            mentioned.setdefault(rule_id, set()).add(rel)
    assert mentioned, "the skill should point at the rules that check it"
    unknown = {rid: sorted(files) for rid, files in mentioned.items() if rid not in CATALOG}
    assert not unknown


def test_rule_ids_cited_in_the_checklist_are_the_knowledge_evidence() -> None:
    text = SKILL_MD.read_text(encoding="utf-8")
    for item in knowledge.CHECKLIST:
        if item.rules:
            assert f"Bot evidence of a gap: {', '.join(item.rules)}." in text


# Topics the issue requires the skill to cover; each maps to a heading in SKILL.md.
REQUIRED_HEADINGS = (
    "When to use it",
    "Scale it to the change",
    "ML work is software work",
    "Ten task simulations",
    "Iteration Compact",
    "Decision loop",
    "Metric and mistake economics",
    "Features from hypotheses",
    "Error-analysis loop",
    "Observation Ledger",
    "Core workflow",
    "1. Write the prediction contract",
    "2. Lock the data contract",
    "3. Build a reproducible pipeline",
    "4. Evaluate before promotion",
    "5. Package for serving",
    "6. Operate the model",
    "Review Checklist",
    "Anti-patterns",
    "What to hand back",
    "Using the mle-review bot",
)


def test_skill_covers_every_required_topic() -> None:
    headings = re.findall(r"^#{2,3} (.+)$", SKILL_MD.read_text(encoding="utf-8"), re.MULTILINE)
    missing = [h for h in REQUIRED_HEADINGS if h not in headings]
    assert not missing


def test_bot_section_teaches_review_json_and_reasoned_suppression() -> None:
    text = SKILL_MD.read_text(encoding="utf-8")
    section = text[text.index("## Using the mle-review bot") :]
    assert "`mle-review review`" in section
    assert "mle-review review --format json" in section
    assert re.search(r"# mle-review: ignore\[MLR\d{3}\] \w+", section), (
        "suppression example needs a rule and a reason"
    )
    for key in ("decision", "findings[]", "compact.fields", "checklist[]", "coverage.skipped"):
        assert key in section
    for decision in ("BLOCK", "APPROVE WITH WARNINGS", "APPROVE"):
        assert f"**{decision}**" in section
