"""``[tool.mle-review.review]``: what the review demands of a change and how it decides.

Kept free of engine imports because ``config.py`` imports it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mle_review.knowledge import COMPACT_LABELS, LANES
from mle_review.models import Severity

_LABEL_KEY = {label.lower(): label for label in COMPACT_LABELS}
# Keys of ``required-fields``: a lane name, "ml" (any ML lane) or "any" (every change).
CHANGE_KINDS: tuple[str, ...] = ("ml", "any", *LANES)


def _expand_labels(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        key = value.strip().lower()
        if key == "all":
            labels = list(COMPACT_LABELS)
        elif key in _LABEL_KEY:
            labels = [_LABEL_KEY[key]]
        else:
            raise ValueError(
                f"unknown Iteration Compact field {value!r} (known: {', '.join(COMPACT_LABELS)})"
            )
        out.extend(label for label in labels if label not in out)
    return out


class ReviewConfig(BaseModel):
    """Review settings. Keys use the hyphenated spelling users write in TOML."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    # change kind -> compact fields required when the change is of that kind
    required_fields: dict[str, list[str]] = Field(
        default_factory=lambda: {"ml": list(COMPACT_LABELS)}, alias="required-fields"
    )
    # lowest finding severity that makes the decision BLOCK
    block_on: Severity | Literal["never"] = Field(default=Severity.HIGH, alias="block-on")
    # lowest finding severity that makes the decision APPROVE WITH WARNINGS
    warn_on: Severity | Literal["never"] = Field(default=Severity.INFO, alias="warn-on")
    # what a compact gap does to the decision
    compact_gaps: Literal["warn", "block", "ignore"] = Field(default="warn", alias="compact-gaps")
    # drop findings whose fingerprint already exists at the base revision
    new_only: bool = Field(default=False, alias="new-only")
    # the most findings listed in full in the summary comment before folding into "more"
    max_summary_findings: int = Field(default=200, alias="max-summary-findings", gt=0)

    @field_validator("required_fields")
    @classmethod
    def _check_required(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for kind, labels in value.items():
            key = kind.strip().lower()
            if key not in CHANGE_KINDS:
                raise ValueError(f"unknown change kind {kind!r} (known: {', '.join(CHANGE_KINDS)})")
            out[key] = _expand_labels(labels)
        return out

    def required_for(self, lanes: list[str], ml: bool) -> list[str]:
        """Compact fields the change must fill, in template order."""
        wanted: set[str] = set(self.required_fields.get("any", []))
        if ml:
            wanted.update(self.required_fields.get("ml", []))
        for lane in lanes:
            wanted.update(self.required_fields.get(lane, []))
        return [label for label in COMPACT_LABELS if label in wanted]
