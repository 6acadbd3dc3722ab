"""Iteration Compact parsing: the shapes people write, the four states, the template and ``compact --check``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mle_review.config import ConfigError, config_from_dict
from mle_review.knowledge import COMPACT_FIELDS, COMPACT_LABELS
from mle_review.review.compact import classify_value, compact_template, match_label, parse_compact

FILLED = {
    f.label: f"real answer for {f.label.lower()} number {i}" for i, f in enumerate(COMPACT_FIELDS)
}


def states(body: str, title: str = "") -> dict[str, str]:
    return dict(parse_compact(title, body).fields)


def test_template_lists_every_field_and_parses_as_empty() -> None:
    template = compact_template()
    for label in COMPACT_LABELS:
        assert f"**{label}:**" in template
    result = parse_compact("", template)
    assert result.present
    assert set(result.fields.values()) == {"empty"}
    assert len(result.gaps) == 19


def test_template_filled_in_place_is_complete() -> None:
    body = compact_template()
    for f in COMPACT_FIELDS:
        body = body.replace(
            f"**{f.label}:** <!-- {f.prompt} -->", f"**{f.label}:** {FILLED[f.label]}"
        )
    result = parse_compact("", body)
    assert set(result.fields.values()) == {"filled"} and not result.gaps
    assert result.value("Goal") == FILLED["Goal"]


@pytest.mark.parametrize(
    "line",
    [
        "Goal: grow retention",
        "goal - grow retention",
        "**Goal:** grow retention",
        "**Goal**: grow retention",
        "__Goal:__ grow retention",
        "- Goal: grow retention",
        "* **Goal:** grow retention",
        "1. Goal: grow retention",
        "- [x] Goal: grow retention",
        "GOAL : grow retention",
        "Goal\uff1a grow retention",
        "| Goal | grow retention |",
        "| **Goal** | grow retention |",
    ],
)
def test_inline_shapes(line: str) -> None:
    result = parse_compact("", f"Intro text.\n\n{line}\n")
    assert result.fields["Goal"] == "filled"
    assert result.value("Goal").strip(" *") == "grow retention"


def test_headings_paragraphs_and_bullets() -> None:
    body = """# Change
Adds the churn model.

## Goal
Grow 90-day retention by two points
for new users.

### Known risks
- leakage through signup date
- drift after the pricing change

## Notes
Unrelated prose that belongs to no field.

**Baseline**
Logistic regression v3 (AUC 0.71).
"""
    result = parse_compact("", body)
    assert result.value("Goal").startswith("Grow 90-day retention")
    assert "for new users." in result.value("Goal")
    assert "drift after the pricing change" in result.value("Known risks")
    assert "Unrelated" not in result.value("Known risks")
    assert result.value("Baseline").startswith("Logistic regression")


def test_table_inside_details_with_html() -> None:
    body = """<details>
<summary>Iteration Compact</summary>

| Field | Value |
|:--|--:|
| Who cares? | Retention team |
| Decision owner | @ana |
| Rollback/fallback | keep churn-v12; flag `churn_model=v12` |
| Eval slices | new users<br>mobile |
| Guardrail metric | p95 latency < 50 ms |

</details>
"""
    s = states(body)
    assert s["Who cares"] == s["Decision owner"] == s["Rollback or fallback"] == "filled"
    assert s["Eval slices"] == "filled" and s["Guardrail metrics"] == "filled"
    assert s["Goal"] == "missing"


@pytest.mark.parametrize(
    ("value", "state"),
    [
        ("TBD", "placeholder"),
        ("tbd.", "placeholder"),
        ("TODO: add link", "placeholder"),
        ("?", "placeholder"),
        ("...", "placeholder"),
        ("\u2026", "placeholder"),
        ("n/a", "placeholder"),
        ("N/A", "placeholder"),
        ("<fill in>", "placeholder"),
        ("[describe]", "placeholder"),
        ("-", "placeholder"),
        ("the product outcome this change should move", "placeholder"),
        ("n/a: no serving change in this PR", "filled"),
        ("N/A - offline analysis only", "filled"),
        ("not applicable, batch job without users", "filled"),
        ("none", "filled"),
        ("", "empty"),
        ("**", "empty"),
        ("Increase recall at 1% FPR to 0.6", "filled"),
    ],
)
def test_value_states(value: str, state: str) -> None:
    assert classify_value("Goal", value) == state


def test_prompt_copy_counts_as_placeholder_in_a_body() -> None:
    body = "\n".join(f"{f.label}: {f.prompt}" for f in COMPACT_FIELDS)
    assert set(states(body).values()) == {"placeholder"}


def test_html_comment_only_is_empty_and_missing_stays_missing() -> None:
    s = states("Goal: <!-- write it -->\nWho cares:\n")
    assert s["Goal"] == "empty" and s["Who cares"] == "empty" and s["Baseline"] == "missing"


def test_a_filled_repeat_wins_over_a_placeholder() -> None:
    assert states("Goal: TBD\n\nGoal: real goal here")["Goal"] == "filled"


def test_title_fields_count_but_do_not_swallow_body() -> None:
    result = parse_compact("Goal: faster scoring", "Constraints:\n- p95 < 50ms\n")
    assert result.fields["Goal"] == "filled" and result.value("Constraints") == "- p95 < 50ms"


def test_absent_compact() -> None:
    result = parse_compact("Fix typo", "Just a typo fix.")
    assert not result.present and set(result.fields.values()) == {"missing"}


def test_label_matching_tolerates_punctuation_and_plurals() -> None:
    assert match_label("Rollback / Fallback") == "Rollback or fallback"
    assert (
        match_label("user/system action changed by model")
        == "User or system action changed by the model"
    )
    assert match_label("Guardrail metric") == "Guardrail metrics"
    assert match_label("eval slice") == "Eval slices"
    assert match_label("Labels & data snapshot") == "Labels and data snapshot"
    assert match_label("Summary") is None


def test_required_fields_mark_gaps_only_for_required() -> None:
    result = parse_compact("", "Goal: x y z\n", required=["Goal", "Baseline"])
    assert [g.label for g in result.gaps] == ["Baseline"]
    assert result.required == ["Goal", "Baseline"]


def test_required_fields_config() -> None:
    cfg = config_from_dict(
        {
            "review": {
                "required-fields": {"serving": ["rollback or fallback"], "any": ["Goal"], "ml": []}
            }
        }
    )
    assert cfg.review.required_for(["serving"], ml=True) == ["Goal", "Rollback or fallback"]
    assert cfg.review.required_for([], ml=False) == ["Goal"]
    assert config_from_dict({}).review.required_for([], ml=True) == list(COMPACT_LABELS)
    assert config_from_dict({}).review.required_for(["serving"], ml=False) == []
    with pytest.raises(ConfigError):
        config_from_dict({"review": {"required-fields": {"ml": ["Nonsense"]}}})
    with pytest.raises(ConfigError):
        config_from_dict({"review": {"required-fields": {"mystery": ["Goal"]}}})
    with pytest.raises(ConfigError):
        config_from_dict({"review": {"unknown-key": 1}})


def test_compact_command_prints_template(cli: Callable[..., object]) -> None:
    result = cli("compact")
    assert result.code == 0  # type: ignore[attr-defined]
    assert result.out == compact_template()  # type: ignore[attr-defined]


def test_compact_check_exit_codes(cli: Callable[..., object], tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text(compact_template(), encoding="utf-8")
    r = cli("compact", "--check", str(empty))
    assert r.code == 1 and "19 required field(s) not filled" in r.out  # type: ignore[attr-defined]
    full = tmp_path / "full.md"
    full.write_text("\n".join(f"- **{k}:** {v}" for k, v in FILLED.items()), encoding="utf-8")
    r = cli("compact", "--check", str(full))
    assert r.code == 0 and "Every required field is filled" in r.out  # type: ignore[attr-defined]
    partial = tmp_path / "partial.md"
    partial.write_text(
        "Rollback or fallback: keep v3 registered and flip the flag back\n", encoding="utf-8"
    )
    assert cli("compact", "--check", str(partial), "--kind", "serving").code == 0  # type: ignore[attr-defined]
    r = cli("compact", "--check", str(partial), "--format", "json")
    assert r.code == 1 and '"Goal": "missing"' in r.out  # type: ignore[attr-defined]
    assert cli("compact", "--check", str(tmp_path / "nope.md")).code == 2  # type: ignore[attr-defined]
