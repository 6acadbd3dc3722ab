"""Real-time card fraud scoring.

POST /v1/score is called by the payment gateway for every card transaction.
"""

from __future__ import annotations

import hashlib
import logging
import time

import httpx
import numpy as np
import pandas as pd
from fastapi import FastAPI, HTTPException, Request

from fraud_api.features_client import card_features, last_decisions, merchant_profile
from fraud_api.model_loader import load_pinned_model, load_shadow_model
from fraud_api.schemas import BatchScoreResponse, ScoreRequest, ScoreResponse
from fraud_api.settings import DECLINE_THRESHOLD, MODEL_URI, REVIEW_THRESHOLD
from training.features import add_amount_features

logger = logging.getLogger("fraud_api")
app = FastAPI(title="fraud-api")

model, MODEL_VERSION = load_pinned_model()
shadow = load_shadow_model()
rules_engine = httpx.Client(base_url="http://rules-engine.internal", timeout=0.3)
MERCHANT_RATES: dict[str, float] = {}
FEATURE_COLUMNS = ["amount", "log_amount", "amount_to_avg", "is_large", "tx_count_1h", "tx_count_24h"]


def pseudonymise(value: str) -> str:
    return hashlib.sha256(f"fraud-v1:{value}".encode()).hexdigest()[:16]


# ruleid: MLR404
def merchant_risk_features(frame: pd.DataFrame) -> pd.DataFrame:
    # ruleid: MLR207
    frame["merchant_rate"] = frame["merchant_id"].map(MERCHANT_RATES).fillna(0.02)
    frame["merchant_rate_log"] = np.log(frame["merchant_rate"] + 1e-4)
    frame["merchant_rate_high"] = (frame["merchant_rate"] > 0.05).astype(int)
    return frame


def build_frame(txn: dict, card: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{**txn, **card}])
    # ok: MLR404
    frame = add_amount_features(frame)
    frame = merchant_risk_features(frame)
    return frame


def decide(probability: float) -> str:
    if probability >= DECLINE_THRESHOLD:
        return "decline"
    if probability >= REVIEW_THRESHOLD:
        return "review"
    return "approve"


@app.post("/v1/score", response_model=ScoreResponse)
def score(req: ScoreRequest) -> ScoreResponse:
    started = time.perf_counter()
    txn = req.transaction
    # ok: MLR304
    logger.info("scoring transaction=%s card=%s", txn.transaction_id, pseudonymise(txn.card_id))
    card = card_features(txn.card_id)
    # ok: MLR402
    frame = build_frame(txn.model_dump(), card)
    probability = float(model.predict(frame[FEATURE_COLUMNS])[0])
    decision = decide(probability)
    # ok: MLR304, MLR401
    logger.info(
        "scored transaction=%s p=%.4f decision=%s model_version=%s latency_ms=%.1f",
        txn.transaction_id,
        probability,
        decision,
        MODEL_VERSION,
        (time.perf_counter() - started) * 1000,
    )
    # ok: MLR401
    return ScoreResponse(
        transaction_id=txn.transaction_id,
        fraud_probability=probability,
        decision=decision,
        model_version=MODEL_VERSION,
    )


@app.post("/v1/score/debug")
def score_debug(req: ScoreRequest):
    # ruleid: MLR304
    logger.debug("debug scoring request %s", req)
    # ruleid: MLR304
    logger.info("cardholder %s", req.cardholder_email)
    card = card_features(req.transaction.card_id)
    frame = build_frame(req.transaction.model_dump(), card)
    probability = float(model.predict(frame[FEATURE_COLUMNS])[0])
    # ruleid: MLR401
    return {"fraud_probability": probability, "features": frame.iloc[0].to_dict()}


@app.post("/v1/score/raw")
async def score_raw(request: Request):
    """Legacy endpoint kept for the old gateway, which posts loose JSON."""
    payload = await request.json()
    # ruleid: MLR304
    logger.info("legacy payload %s", payload)
    # ruleid: MLR402
    card = card_features(payload["card_id"])
    frame = build_frame(payload, card)
    probability = float(model.predict(frame[FEATURE_COLUMNS])[0])
    # ok: MLR401
    return {"fraud_probability": probability, "model_version": MODEL_VERSION}


@app.post("/v1/score/batch", response_model=BatchScoreResponse)
def score_batch(rows: list[dict]):
    # ruleid: MLR402
    frames = [build_frame(row, card_features(row.get("card_id", ""))) for row in rows]
    scores = model.predict(pd.concat(frames)[FEATURE_COLUMNS])
    # ruleid: MLR401
    return BatchScoreResponse(scores=[float(s) for s in scores])


@app.post("/v1/score/checked")
async def score_checked(request: Request):
    payload = await request.json()
    try:
        req = ScoreRequest.model_validate(payload)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    card = card_features(req.transaction.card_id)
    # ok: MLR402
    frame = build_frame(req.transaction.model_dump(), card)
    probability = float(model.predict(frame[FEATURE_COLUMNS])[0])
    shadow_probability = float(shadow.predict(frame[FEATURE_COLUMNS])[0])
    # ruleid: MLR401
    logger.info("shadow comparison live=%.4f shadow=%.4f", probability, shadow_probability)
    # ok: MLR401
    return {"fraud_probability": probability, "model_version": MODEL_VERSION, "model_uri": MODEL_URI}


@app.get("/v1/cards/{card_id}/context")
def card_context(card_id: str):
    merchant = merchant_profile("m-unknown")
    # ok: MLR403
    rules = rules_engine.get(f"/cards/{card_id}").json()
    history = last_decisions(card_id)
    # ok: MLR304
    logger.info("context card=%s rules=%d history=%d", pseudonymise(card_id), len(rules), len(history))
    return {"merchant": merchant, "rules": rules, "history": history}


@app.get("/healthz")
def healthz():
    # ok: MLR401
    return {"status": "ok", "model_uri": MODEL_URI}
