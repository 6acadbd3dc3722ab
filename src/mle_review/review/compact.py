"""Find the Iteration Compact in a PR title and body, the way people actually write it.

Accepted shapes, mixed freely: ``Field: value``, ``**Field:** value``,
``**Field**: value``, bullets (``- Field: value``), ``## Field`` headings (or
a line holding only ``**Field**``) followed by a paragraph or bullets, rows of
a two-column markdown table, all of it possibly inside ``<details>``. Labels
match case-, punctuation- and plural-insensitively (``Rollback/fallback`` is
``Rollback or fallback``).

A field is ``missing`` (label not found), ``empty`` (found, nothing written;
HTML comments do not count), ``placeholder`` (TBD, TODO, ``?``, ``...``, a
bare ``n/a`` with no reason, or the template's own prompt text) or ``filled``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mle_review.knowledge import COMPACT_FIELDS, COMPACT_LABELS
from mle_review.review.model import CompactField, CompactResult, FieldState

_STOPWORDS = {"the", "a", "an", "of", "for", "to"}


def normalize_label(text: str) -> str:
    text = text.lower().replace("&", " and ").replace("/", " or ").replace("+", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    out = []
    for word in words:
        if word in _STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return " ".join(out)


_ALIASES: dict[str, str] = {
    "goal": "Goal",
    "stakeholder": "Who cares",
    "decision maker": "Decision owner",
    "candidate feature": "Candidate signals",
    "action changed by model": "User or system action changed by the model",
    "user action changed by model": "User or system action changed by the model",
    "system action changed by model": "User or system action changed by the model",
    "success metric and target": "Success metric",
    "guardrail": "Guardrail metrics",
    "error budget": "Mistake budget",
    "data snapshot": "Labels and data snapshot",
    "label and snapshot": "Labels and data snapshot",
    "label and data": "Labels and data snapshot",
    "baseline model": "Baseline",
    "signal": "Candidate signals",
    "threshold plan": "Threshold or config plan",
    "config plan": "Threshold or config plan",
    "threshold and config plan": "Threshold or config plan",
    "slice": "Eval slices",
    "evaluation slice": "Eval slices",
    "risk": "Known risks",
    "next step": "Next experiment",
    "rollback": "Rollback or fallback",
    "fallback": "Rollback or fallback",
    "rollback plan": "Rollback or fallback",
    "rollback and fallback": "Rollback or fallback",
}
_LABEL_INDEX: dict[str, str] = {normalize_label(label): label for label in COMPACT_LABELS}
for _alias, _label in _ALIASES.items():
    _LABEL_INDEX.setdefault(normalize_label(_alias), _label)
_PROMPTS = {normalize_label(f.prompt): f.label for f in COMPACT_FIELDS}


def match_label(text: str) -> str | None:
    """The compact label ``text`` names, if any."""
    cleaned = re.sub(r"^[\s*_`>#-]+|[\s*_`:\uff1a?.]+$", "", text)
    if not cleaned or len(cleaned) > 80:
        return None
    return _LABEL_INDEX.get(normalize_label(cleaned))


_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.DOTALL)
_TAGS = re.compile(r"</?(details|summary|p|div|b|strong|em|i|sub|sup|span)\b[^>]*>", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary\b[^>]*>.*?</summary>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BOLD_ONLY = re.compile(r"^\s*(\*\*|__)(.+?)\1\s*[:\uff1a]?\s*$")
_SEPARATORS = re.compile(r"\s*[:\uff1a]\s*|\s+[—\u2013-]\s+")

_PLACEHOLDER_TOKENS = {
    "tbd",
    "tba",
    "todo",
    "to do",
    "tbc",
    "fixme",
    "xxx",
    "fill in",
    "fill me",
    "fill this in",
    "?",
    "??",
    "???",
    "...",
    "…",
    "-",
    "--",
    "—",
    "_",
    "n a",
    "na",
    "n/a",
    "none yet",
    "pending",
    "placeholder",
    "coming soon",
    "later",
    "to be decided",
    "to be determined",
    "same as above",
}
_NA = re.compile(r"^\s*(n\s*/\s*a|na|not applicable|none)\b[\s:,.;()\-—\u2013]*", re.IGNORECASE)
_TODO_PREFIX = re.compile(r"^\s*(tbd|tba|tbc|todo|fixme|xxx)\b", re.IGNORECASE)
_ANGLE = re.compile(r"^\s*(<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\})\s*$")


def classify_value(label: str, value: str) -> FieldState:
    """State of one found field from its value."""
    text = re.sub(r"[*_`]+", "", value)
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", text, flags=re.MULTILINE).strip()
    if not text or not re.search(r"\w|\?|…|\.\.\.", text):
        return "placeholder" if text else "empty"
    lowered = " ".join(text.lower().split())
    if lowered.strip(" .:") in _PLACEHOLDER_TOKENS or lowered in _PLACEHOLDER_TOKENS:
        return "placeholder"
    if _TODO_PREFIX.match(text) or _ANGLE.match(text):
        return "placeholder"
    na = _NA.match(text)
    if na:
        reason = text[na.end() :].strip()
        word = na.group(1).lower()
        if word == "none":
            return "filled"  # "none" is an answer (no known risks), not a gap
        return "filled" if len(re.findall(r"\w+", reason)) >= 2 else "placeholder"
    norm = normalize_label(text)
    if norm in _PROMPTS or norm == normalize_label(label):
        return "placeholder"
    return "filled"


@dataclass
class _Found:
    label: str
    lines: list[str] = field(default_factory=list)
    block: bool = False  # heading-style: the value runs to the next heading


def _clean_html(text: str) -> str:
    text = _COMMENT.sub("", text)
    text = _SUMMARY.sub("\n", text)
    text = _BR.sub("\n", text)
    return _TAGS.sub("\n", text)


def _table_cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if not stripped.startswith("|") and stripped.count("|") < 1:
        return None
    if "|" not in stripped:
        return None
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", stripped.strip("|"))]
    return cells if len(cells) >= 2 else None


def _label_line(line: str) -> tuple[str, str] | None:
    """``(label, value)`` when the line starts a field written inline."""
    body = _BULLET.sub("", line, count=1).strip()
    if not body:
        return None
    bold = _BOLD_ONLY.match(body)
    if bold:
        label = match_label(bold.group(2))
        return (label, "") if label else None
    for sep in _SEPARATORS.finditer(body[:100]):
        candidate = body[: sep.start()]
        label = match_label(candidate)
        if label is None:
            continue
        value = body[sep.end() :]
        value = re.sub(r"^[*_]+\s*", "", value)
        return label, value
    label = match_label(body)
    if label is not None and re.fullmatch(r"[\s*_]*[\w /&?'-]+[\s*_]*", body):
        return label, ""  # a bare label line ("Goal" alone) opens a block like a heading
    return None


def _scan(text: str) -> list[_Found]:
    found: list[_Found] = []
    current: _Found | None = None
    blank_after_value = False
    for raw in _clean_html(text).splitlines():
        line = raw.rstrip()
        heading = _HEADING.match(line)
        if heading:
            label = match_label(heading.group(2))
            current = _Found(label, block=True) if label else None
            if current:
                found.append(current)
            blank_after_value = False
            continue
        cells = _table_cells(line)
        if cells is not None:
            if _TABLE_SEP.match(line):
                continue
            label = match_label(cells[0])
            if label:
                found.append(_Found(label, [" ".join(c for c in cells[1:] if c)]))
                current = None
                continue
        inline = _label_line(line)
        if inline is not None:
            label, value = inline
            current = _Found(label, [value] if value.strip() else [], block=not value.strip())
            found.append(current)
            blank_after_value = False
            continue
        if current is None:
            continue
        if not line.strip():
            if current.lines and not current.block:
                blank_after_value = True
            continue
        if blank_after_value and not current.block:
            current = None  # prose after an inline field's paragraph is not part of it
            continue
        current.lines.append(line.strip())
    return found


def parse_compact(title: str, body: str, required: list[str] | None = None) -> CompactResult:
    """Field states for all 19 labels; ``required`` marks which ones count as gaps."""
    found = _scan(body or "") + _scan(title or "")
    values: dict[str, tuple[FieldState, str]] = {}
    rank = {"filled": 3, "placeholder": 2, "empty": 1, "missing": 0}
    for item in found:
        value = "\n".join(item.lines).strip()
        state = classify_value(item.label, value)
        previous = values.get(item.label)
        if previous is None or rank[state] > rank[previous[0]]:
            values[item.label] = (state, value)
    wanted = set(required if required is not None else COMPACT_LABELS)
    details: list[CompactField] = []
    for label in COMPACT_LABELS:
        state, value = values.get(label, ("missing", ""))
        details.append(
            CompactField(label=label, state=state, value=value[:1000], required=label in wanted)
        )
    heading_named = re.search(r"iteration\s+compact", body or "", re.IGNORECASE) is not None
    return CompactResult(
        present=bool(values) or heading_named,
        fields={d.label: d.state for d in details},
        details=details,
        required=[label for label in COMPACT_LABELS if label in wanted],
    )


def compact_template() -> str:
    """The compact as a PR-description template (``.github/pull_request_template.md``)."""
    out = [
        "## Iteration Compact",
        "",
        "<!-- mle-review reads this section. Fill every field; write `n/a: <reason>` when one",
        "     does not apply. Prompts in comments are invisible once the PR is opened. -->",
        "",
    ]
    for f in COMPACT_FIELDS:
        out.append(f"- **{f.label}:** <!-- {f.prompt} -->")
    out.append("")
    return "\n".join(out)
