"""Hidden HTML-comment markers that let a later run find what an earlier run posted.

GitHub gives a bot no place to keep state between workflow runs except the
comments themselves, so every comment carries a marker: the summary is found
again by :data:`SUMMARY_MARKER`, an inline comment by its finding's
fingerprint (the marker written by :func:`mle_review.render.review.inline_marker`),
a resolved inline comment by :data:`RESOLVED_PREFIX`. A marker only counts at
the start of a line, so quoting a bot comment in a reply (``> <!-- ...``)
never makes the quote look like the bot's own comment.
"""

from __future__ import annotations

import re

from mle_review.render.review import INLINE_MARKER_PREFIX, SUMMARY_MARKER, inline_marker

__all__ = [
    "REPLY_MARKER",
    "RESOLVED_PREFIX",
    "REVIEW_PREFIX",
    "SUMMARY_MARKER",
    "UNAUTHORIZED_MARKER",
    "active_fingerprint",
    "has_marker",
    "inline_marker",
    "is_ours",
    "resolved_fingerprint",
    "resolved_marker",
    "review_marker",
]

RESOLVED_PREFIX = "<!-- mle-review:resolved "
REVIEW_PREFIX = "<!-- mle-review:review "
REPLY_MARKER = "<!-- mle-review:reply -->"
UNAUTHORIZED_MARKER = "<!-- mle-review:unauthorized -->"

_FP = r"([0-9A-Za-z_-]+)"
_ACTIVE = re.compile(r"^" + re.escape(INLINE_MARKER_PREFIX) + _FP + r" -->\s*$", re.MULTILINE)
_RESOLVED = re.compile(r"^" + re.escape(RESOLVED_PREFIX) + _FP + r" -->\s*$", re.MULTILINE)
_ANY = re.compile(r"^<!-- mle-review:[a-z]+[ -]", re.MULTILINE)


def has_marker(body: str, marker: str) -> bool:
    """``marker`` on a line of its own (not inside a quote or code span)."""
    return re.search(r"^" + re.escape(marker) + r"\s*$", body or "", re.MULTILINE) is not None


def is_ours(body: str) -> bool:
    """Any mle-review marker at a line start: the comment was written by this bot."""
    return _ANY.search(body or "") is not None


def active_fingerprint(body: str) -> str | None:
    if resolved_fingerprint(body) is not None:
        return None
    m = _ACTIVE.search(body or "")
    return m.group(1) if m else None


def resolved_fingerprint(body: str) -> str | None:
    m = _RESOLVED.search(body or "")
    return m.group(1) if m else None


def resolved_marker(fingerprint: str) -> str:
    return f"{RESOLVED_PREFIX}{fingerprint} -->"


def review_marker(head_sha: str, run_id: str) -> str:
    """Identifies one run's review, so a retried POST can tell whether the first attempt landed."""
    safe_run = re.sub(r"[^0-9A-Za-z_-]", "", run_id) or "local"
    return f"{REVIEW_PREFIX}{head_sha[:40]} {safe_run} -->"
