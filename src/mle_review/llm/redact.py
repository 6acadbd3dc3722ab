"""Secret redaction with detect-secrets, before text is sent and after the model answers.

The model must never see a credential a pull request leaks (the request leaves
the runner) nor repeat one into a public comment. detect-secrets' line scanner
is run with its false-positive filters and the file's own name (so its
per-language keyword heuristics apply); prose additionally has its long tokens
scanned as if quoted, because entropy plugins only look at quoted strings.
A whole token is replaced, not just the matched part: some plugins report only
a prefix (``ghp`` for a GitHub token).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

REDACTED = "[REDACTED]"

_TOKEN_CHARS = r"[^\s\"'`,;()\[\]{}<>]"
_LONG_TOKEN = re.compile(_TOKEN_CHARS + r"{16,}")
_HEX_ID = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_ENTROPY_ONLY = {"Hex High Entropy String"}


@dataclass
class Redactor:
    """Redacts and remembers what it removed, so the same values can be caught on the way back."""

    seen: set[str] = field(default_factory=set)
    count: int = 0

    def lines(self, lines: list[str], filename: str, prose: bool = False) -> list[str]:
        """Redact a block of lines of one file (line count and order kept)."""
        if not lines:
            return lines
        hits = _scan(lines, filename, prose)
        if not hits and not self.seen:
            return lines
        out: list[str] = []
        for idx, line in enumerate(lines):
            new, removed = _redact_values(line, hits.get(idx, set()))
            self.seen.update(t for t in removed if len(t) >= 8)
            new = self._known(new)
            if new != line:
                self.count += 1
            out.append(new)
        return out

    def text(self, text: str, filename: str = "pr-description.md") -> str:
        """Redact free text (a PR body, or the model's prose)."""
        if not text:
            return text
        return "\n".join(self.lines(text.split("\n"), filename, prose=True))

    def _known(self, line: str) -> str:
        for value in self.seen:
            if value in line:
                line = line.replace(value, REDACTED)
        return line


def _scan(lines: list[str], filename: str, prose: bool) -> dict[int, set[str]]:
    """Line index -> secret values found there: MLR303's scanner, then detect-secrets' line scan."""
    found = _project_scan(lines, filename)
    for idx, values in _detect_secrets_scan(lines, filename, prose).items():
        found.setdefault(idx, set()).update(values)
    return found


def _project_scan(lines: list[str], filename: str) -> dict[int, set[str]]:
    """The project's MLR303 scanner (ML-platform tokens, whole-token values), when available."""
    try:
        from mle_review.rules._secret_scan import scan_lines
    except ImportError:  # pragma: no cover - the rule ships with the package
        return {}
    suffix = PurePosixPath(filename).suffix
    found: dict[int, set[str]] = {}
    try:
        for hit in scan_lines(
            enumerate(lines, start=1), suffix, test_file=False, quoted_only=False
        ):
            if hit.value:
                found.setdefault(hit.line - 1, set()).add(hit.value)
    except Exception:  # pragma: no cover - a scanner bug must not stop redaction by the other one
        return {}
    return found


def _detect_secrets_scan(lines: list[str], filename: str, prose: bool) -> dict[int, set[str]]:
    try:
        from detect_secrets.core.scan import _process_line_based_plugins
        from detect_secrets.settings import default_settings
    except ImportError:  # pragma: no cover - detect-secrets is a hard dependency
        return {}
    found: dict[int, set[str]] = {}
    with default_settings():
        numbered = [(i + 1, line) for i, line in enumerate(lines)]
        _collect(found, _process_line_based_plugins(numbered, filename))
        if filename.endswith((".md", ".txt", ".rst")) or prose:
            # prose: key: value pairs as YAML would read them, and bare tokens as quoted strings
            _collect(found, _process_line_based_plugins(numbered, "pr-text.yaml"))
            probes: list[tuple[int, str]] = []
            owners: dict[int, int] = {}
            for i, line in enumerate(lines):
                for m in _LONG_TOKEN.finditer(line):
                    owners[len(probes) + 1] = i + 1
                    probes.append((len(probes) + 1, f'value = "{m.group(0)}"'))
            if probes:
                probe_hits: dict[int, set[str]] = {}
                _collect(probe_hits, _process_line_based_plugins(probes, "probe.py"))
                for probe_idx, values in probe_hits.items():
                    found.setdefault(owners[probe_idx + 1] - 1, set()).update(values)
    return found


def _collect(found: dict[int, set[str]], secrets: Iterable[Any]) -> None:
    for secret in secrets:
        value = getattr(secret, "secret_value", None)
        line_no = getattr(secret, "line_number", 0)
        kind = getattr(secret, "type", "")
        if not value or not line_no:
            continue
        if kind in _ENTROPY_ONLY and _HEX_ID.fullmatch(value):
            # a 40/64-hex string is a commit or digest: the pin reviewers need to see
            continue
        found.setdefault(line_no - 1, set()).add(value)


def _redact_values(line: str, values: set[str]) -> tuple[str, list[str]]:
    """The line with each value's whole token replaced, and the secret parts removed."""
    removed: list[str] = []
    for value in sorted(values, key=len, reverse=True):
        start = line.find(value)
        while start >= 0:
            # widen to the whole token around the match
            left = start
            while left > 0 and re.match(_TOKEN_CHARS, line[left - 1]):
                left -= 1
            right = start + len(value)
            while right < len(line) and re.match(_TOKEN_CHARS, line[right]):
                right += 1
            token = line[left:right]
            # keep "key=" or "scheme://user:" prefixes readable when the secret is a suffix
            prefix_end = max(
                token.rfind("=", 0, start - left + 1), token.rfind(":", 0, start - left + 1)
            )
            keep = token[: prefix_end + 1] if prefix_end >= 0 and start - left > prefix_end else ""
            removed.append(token[len(keep) :])
            line = line[:left] + keep + REDACTED + line[right:]
            start = line.find(value, left + len(keep) + len(REDACTED))
    return line, removed


def redact_model_text(text: str, redactor: Redactor) -> str:
    """The model's words with anything secret-like removed (known values and fresh matches)."""
    return redactor.text(text, "model-output.md")
