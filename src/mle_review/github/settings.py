"""``[tool.mle-review.github]``: how the bot behaves on GitHub.

Kept free of engine and PyGithub imports because ``config.py`` imports it.
Action inputs and ``mle-review github`` flags override these values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CommentMode = Literal["summary", "inline", "both", "none"]
ReviewEvent = Literal["COMMENT", "REQUEST_CHANGES"]
ASSOCIATIONS = (
    "OWNER",
    "MEMBER",
    "COLLABORATOR",
    "CONTRIBUTOR",
    "FIRST_TIME_CONTRIBUTOR",
    "FIRST_TIMER",
    "MANNEQUIN",
    "NONE",
)


class GitHubConfig(BaseModel):
    """Settings for ``mle-review github``. Keys use the hyphenated TOML spelling."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    comment_mode: CommentMode = Field(default="both", alias="comment-mode")
    max_inline_comments: int = Field(default=20, alias="max-inline-comments", ge=0, le=200)
    check_run: bool = Field(default=True, alias="check-run")
    # event of the inline review; REQUEST_CHANGES only when the decision is BLOCK
    review_event: ReviewEvent = Field(default="COMMENT", alias="review-event")
    # who may ask for a review with a `/mle-review` comment
    allowed_associations: list[str] = Field(
        default_factory=lambda: ["OWNER", "MEMBER", "COLLABORATOR"], alias="allowed-associations"
    )
    # answer an unauthorised `/mle-review` once per pull request (False: never answer)
    reply_to_unauthorized: bool = Field(default=True, alias="reply-to-unauthorized")
    # upper bound on the time spent waiting for GitHub (retries, rate limits), in seconds
    api_time_budget: float = Field(default=300.0, alias="api-time-budget", gt=0, le=3600)

    @field_validator("allowed_associations")
    @classmethod
    def _check_associations(cls, values: list[str]) -> list[str]:
        out: list[str] = []
        for value in values:
            key = value.strip().upper()
            if key not in ASSOCIATIONS:
                raise ValueError(
                    f"unknown author association {value!r} (known: {', '.join(ASSOCIATIONS)})"
                )
            if key not in out:
                out.append(key)
        return out
