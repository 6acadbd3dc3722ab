"""FastAPI scoring service for card transactions."""
import hashlib
import logging
import os
import time

import joblib
import numpy as np
import requests
from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

from fraud.features import add_time_features

log = logging.getLogger("fraud.serve")
app = FastAPI()

MODEL_VERSION = os.environ["FRAUD_MODEL_VERSION"]
MODEL_URI = f"s3://ml-artifacts/fraud/{MODEL_VERSION}/model.joblib"
# versioned path (MLR305 must not fire); joblib is still pickle-based
# ruleid: MLR301
model = joblib.load(f"/models/fraud/{MODEL_VERSION}/model.joblib")
PROFILE_URL = os.environ.get("PROFILE_SERVICE_URL", "http://profiles.internal/v1/customers")
FLAG_THRESHOLD = float(os.environ.get("FRAUD_FLAG_THRESHOLD", "0.5"))


class Txn(BaseModel):
    customer_id: str
    amount: float = Field(gt=0)
    merchant_category: str
    country: str = Field(min_length=2, max_length=2)
    txn_count_24h: int = Field(ge=0)
    hour: int = Field(ge=0, le=23)


# ruleid: MLR404
def amount_zscore(amount: float, mean: float, std: float) -> float:
    if std <= 0:
        return 0.0
    z = (amount - mean) / std
    z = max(min(z, 8.0), -8.0)
    return float(np.sign(z) * np.log1p(abs(z)))


def fetch_profile(customer_id: str) -> dict:
    # ok: MLR403
    resp = requests.get(f"{PROFILE_URL}/{customer_id}", timeout=0.3)
    resp.raise_for_status()
    return resp.json()


@app.post("/v1/score")
def score(txn: Txn) -> dict:
    started = time.perf_counter()
    row = txn.model_dump()
    # ok: MLR402
    proba = float(model.predict_proba([[row["amount"], row["txn_count_24h"], row["hour"]]])[0, 1])
    customer_hash = hashlib.sha256(txn.customer_id.encode()).hexdigest()[:16]
    # ok: MLR304, MLR401
    log.info("scored customer=%s version=%s latency_ms=%.1f", customer_hash, MODEL_VERSION, (time.perf_counter() - started) * 1000)
    # ok: MLR401, MLR503
    return {"fraud_probability": proba, "flag": proba >= FLAG_THRESHOLD, "model_version": MODEL_VERSION}


@app.post("/v1/score_raw")
async def score_raw(request: Request) -> dict:
    payload = await request.json()
    # ruleid: MLR304
    log.info("raw scoring request: %s", payload)
    # ruleid: MLR402
    proba = float(model.predict_proba([[payload["amount"], payload["txn_count_24h"], payload["hour"]]])[0, 1])
    # ruleid: MLR401, MLR503
    return {"fraud_probability": proba, "flag": proba > 0.5}


@app.get("/v1/enrich/{customer_id}")
def enrich(customer_id: str) -> dict:
    # ruleid: MLR403
    resp = requests.get(f"{PROFILE_URL}/{customer_id}")
    profile = resp.json()
    # ruleid: MLR304
    log.info("profile for %s: email=%s phone=%s", customer_id, profile["email"], profile["phone"])
    return {"segment": profile.get("segment")}
