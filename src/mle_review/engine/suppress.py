"""Inline suppressions: ``# mle-review: ignore[MLR301, MLR302] reason``.

A suppression covers findings on its own line and on the line after it (so
it can sit above a long call). A bare ``# mle-review: ignore`` names no rule,
suppresses nothing and is reported, so blanket silencing cannot creep in.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

from mle_review.config import ConfigError, resolve_rule_selector

_PATTERN = re.compile(r"#\s*mle-review\s*:\s*ignore\b(?:\[([^\]]*)\])?\s*(.*)$", re.IGNORECASE)


@dataclass
class Suppression:
    line: int
    rule_ids: list[str]
    reason: str
    unknown: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    @property
    def bare(self) -> bool:
        return not self.rule_ids and not self.unknown


def _comments_python(source: str) -> list[tuple[int, str]]:
    """Real comments only (not '#' inside strings); falls back to a line scan."""
    found: list[tuple[int, str]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                found.append((tok.start[0], tok.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _comments_text(source)
    return found


def _comments_text(text: str) -> list[tuple[int, str]]:
    return [
        (i, line[line.index("#") :]) for i, line in enumerate(text.splitlines(), 1) if "#" in line
    ]


def parse_suppressions(text: str, python: bool) -> dict[int, Suppression]:
    """Map line -> suppression written on that line."""
    result: dict[int, Suppression] = {}
    if "mle-review" not in text.lower():
        return result  # cheap pre-check: tokenizing every file costs as much as parsing it
    comments = _comments_python(text) if python else _comments_text(text)
    for line, comment in comments:
        m = _PATTERN.search(comment)
        if not m:
            continue
        ids: list[str] = []
        unknown: list[str] = []
        for token in (m.group(1) or "").split(","):
            token = token.strip()
            if not token:
                continue
            try:
                ids.extend(resolve_rule_selector(token))
            except ConfigError:
                unknown.append(token)
        result[line] = Suppression(line, ids, m.group(2).strip(), unknown)
    return result


def match(suppressions: dict[int, Suppression], rule_id: str, line: int) -> Suppression | None:
    for candidate in (line, line - 1):
        sup = suppressions.get(candidate)
        if sup and rule_id in sup.rule_ids:
            sup.used.add(rule_id)
            return sup
    return None
