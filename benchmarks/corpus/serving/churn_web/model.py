"""The churn model as the web app sees it: loading and a scoring helper."""

from __future__ import annotations

import logging
import os

import joblib
import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

MODEL_VERSION = os.environ.get("CHURN_MODEL_VERSION", "churn-2024-05-27-9b1c3e")
# ruleid: MLR301, MLR305
pipeline = joblib.load("/srv/models/churn/current/pipeline.joblib")
# ruleid: MLR301
calibrator = joblib.load(f"/srv/models/churn/{MODEL_VERSION}/calibrator.joblib")

NUMERIC = ["tenure_months", "monthly_charges", "support_tickets_90d"]


def to_frame(record: dict) -> pd.DataFrame:
    frame = pd.DataFrame([record])
    frame["charges_per_tenure"] = frame["monthly_charges"] / (frame["tenure_months"] + 1)
    frame["log_charges"] = np.log1p(frame["monthly_charges"])
    frame["tickets_per_month"] = frame["support_tickets_90d"] / 3.0
    return frame


def predict_churn(record: dict) -> float:
    """Probability that the customer churns in the next 30 days."""
    proba = float(pipeline.predict_proba(to_frame(record))[0, 1])
    # ruleid: MLR401
    log.debug("churn proba=%.3f", proba)
    # ok: MLR401
    return proba


def predict_envelope(record: dict) -> dict:
    proba = float(pipeline.predict_proba(to_frame(record))[0, 1])
    # ok: MLR401
    return {"churn_probability": proba, "model_version": MODEL_VERSION}
