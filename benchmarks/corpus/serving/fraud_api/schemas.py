"""Request and response contracts of the fraud scoring API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Transaction(BaseModel):
    transaction_id: str
    card_id: str
    merchant_id: str
    amount: float = Field(ge=0, le=1_000_000)
    currency: Literal["EUR", "USD", "GBP"]
    channel: Literal["pos", "ecom", "atm"]
    event_time: str


class ScoreRequest(BaseModel):
    transaction: Transaction
    cardholder_email: str | None = None


class ScoreResponse(BaseModel):
    transaction_id: str
    fraud_probability: float
    decision: Literal["approve", "review", "decline"]
    model_version: str


class BatchScoreResponse(BaseModel):
    scores: list[float]
