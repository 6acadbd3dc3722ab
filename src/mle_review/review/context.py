"""What change-level (MLR6xx) rules see, and their base class.

Change-level rules live in ``mle_review/rules/`` like every other rule, so
``mle-review rules MLR601`` documents them and ``select``/``ignore``/``severity``
apply; but their evidence is the pull request as a whole, which ``scan`` does
not have. They subclass :class:`ChangeRule`: the file hooks yield nothing and
the review pipeline calls :meth:`ChangeRule.check_change` instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mle_review.models import Finding, Severity
from mle_review.rules.base import Rule

if TYPE_CHECKING:
    from mle_review.config import Config
    from mle_review.diff.model import ChangeSet
    from mle_review.review.classify import ChangeFacts
    from mle_review.review.model import CompactResult


@dataclass
class ChangeHit:
    """A change-level result, anchored at the changed file and line it is most about.

    ``key`` makes the fingerprint stable when one rule reports several things
    about the same change (MLR601 reports one hit per compact field group).
    """

    path: str
    line: int
    message: str
    fix: str | None = None
    severity: Severity | None = None
    key: str = ""
    related: list[tuple[str, int, str]] = field(default_factory=list)


@dataclass
class ChangeContext:
    changes: ChangeSet
    title: str
    body: str
    compact: CompactResult
    facts: ChangeFacts
    findings: list[Finding]
    config: Config


class ChangeRule(Rule):
    """A rule about the change as a whole; see the module docstring."""

    def check_change(self, change: ChangeContext) -> Iterable[ChangeHit]:
        return ()
