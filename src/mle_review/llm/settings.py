"""``[tool.mle-review.llm]``: whether the LLM pass runs, on which model, and what it may spend.

Kept free of SDK and engine imports because ``config.py`` imports it and every
command loads the config, including the ones that never talk to a model.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

LlmMode = Literal["off", "auto", "on"]
Effort = Literal["low", "medium", "high", "default"]

# The newest Sonnet-class alias in the installed SDK's ``ModelParam`` list
# (anthropic 2.14: claude-sonnet-5-5; claude-sonnet-4-5 is on its deprecation list).
# An alias, not a dated snapshot, so the default follows the model line.
DEFAULT_MODEL = "claude-sonnet-5-5"


class ModelPrice(BaseModel):
    """USD per million tokens. ``cache_write`` is the 5-minute cache write rate."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_write: float = Field(ge=0, alias="cache-write")
    cache_read: float = Field(ge=0, alias="cache-read")


def _price(inp: float, out: float, cache_read: float | None = None) -> ModelPrice:
    # Cache writes cost 1.25x input and reads 0.1x unless the price list says otherwise.
    read = round(inp * 0.1, 4) if cache_read is None else cache_read
    return ModelPrice.model_validate(
        {"input": inp, "output": out, "cache-write": round(inp * 1.25, 4), "cache-read": read}
    )


# Published list prices when this table was written. Where two published figures
# disagreed (Sonnet 5.5 cache reads: $0.10 and $0.20) the higher one is kept, so
# the cost cap errs towards spending less. Override or extend in config.
DEFAULT_PRICES: dict[str, ModelPrice] = {
    "claude-sonnet-5-5": _price(2.0, 10.0, cache_read=0.20),
    "claude-sonnet-5": _price(2.0, 10.0),
    "claude-sonnet-4-6": _price(3.0, 15.0),
    "claude-sonnet-4-5": _price(3.0, 15.0),
    "claude-opus-5-5": _price(4.0, 20.0),
    "claude-opus-5": _price(5.0, 25.0),
    "claude-opus-4-8": _price(5.0, 25.0),
    "claude-haiku-5-5": _price(1.0, 5.0),
    "claude-haiku-4-5": _price(1.0, 5.0),
    "claude-fable-5-2": _price(10.0, 50.0),
}


class LlmSettings(BaseModel):
    """Settings for the optional LLM review pass. Keys use the hyphenated TOML spelling."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    # off: never; auto: when the API key variable is set; on: always try (a missing key is a note)
    mode: LlmMode = "off"
    model: str = DEFAULT_MODEL
    # everything sent, system prompt and tool definition included
    max_input_tokens: int = Field(default=24_000, alias="max-input-tokens", ge=4_000, le=1_000_000)
    max_output_tokens: int = Field(default=6_000, alias="max-output-tokens", ge=512, le=128_000)
    # hard cap on the estimated spend of one review, retries included
    max_usd: float = Field(default=0.25, alias="max-usd", gt=0)
    # one HTTP request / the whole pass (waits for retry-after included)
    timeout_seconds: float = Field(default=90.0, alias="timeout-seconds", gt=0)
    max_seconds: float = Field(default=180.0, alias="max-seconds", gt=0)
    # retries of rate-limited / overloaded / 5xx requests, honouring retry-after
    max_retries: int = Field(default=2, alias="max-retries", ge=0, le=5)
    # output_config.effort; "default" sends none (for models without the effort parameter)
    effort: Effort = "medium"
    # let a finding the model judged a likely false positive drop one severity step
    demote_false_positives: bool = Field(default=False, alias="demote-false-positives")
    max_observations: int = Field(default=8, alias="max-observations", ge=0, le=50)
    # the variable holding the key; the SDK's other credential sources are never consulted
    api_key_env: str = Field(default="ANTHROPIC_API_KEY", alias="api-key-env")
    # a proxy or gateway; unset means the SDK's default (or ANTHROPIC_BASE_URL)
    base_url: str | None = Field(default=None, alias="base-url")
    prices: dict[str, ModelPrice] = Field(default_factory=lambda: dict(DEFAULT_PRICES))

    @field_validator("prices", mode="after")
    @classmethod
    def _merge_prices(cls, value: dict[str, ModelPrice]) -> dict[str, ModelPrice]:
        """Configured prices extend the built-in table instead of replacing it."""
        return {**DEFAULT_PRICES, **value}

    def price(self) -> tuple[ModelPrice, bool]:
        """The configured model's price, and whether it was known.

        An unknown model is priced at the most expensive known rate so that the
        cost cap still holds; the pass notes the assumption.
        """
        known = self.prices.get(self.model)
        if known is not None:
            return known, True
        # a dated snapshot ("claude-x-20260101") takes its alias's price: longest prefix wins
        prefixes = [name for name in self.prices if self.model.startswith(name + "-")]
        if prefixes:
            return self.prices[max(prefixes, key=len)], True
        worst = max(self.prices.values(), key=lambda p: (p.output, p.input))
        return worst, False
