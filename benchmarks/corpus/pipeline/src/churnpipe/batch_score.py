"""Nightly batch scoring: writes one row per active customer for the retention team."""
from __future__ import annotations

import logging

import joblib
import pandas as pd

from churnpipe.config import load_config
from churnpipe.features import build_features

logger = logging.getLogger(__name__)
HIGH_RISK_CUTOFF = 0.8


def score(model_uri: str, customers: pd.DataFrame, config_path: str) -> pd.DataFrame:
    cfg = load_config(config_path)
    # ruleid: MLR301
    model = joblib.load(model_uri)
    proba = model.predict_proba(build_features(customers))[:, 1]
    out = customers[["customer_id"]].copy()
    out["churn_probability"] = proba
    out["model_uri"] = model_uri
    # ok: MLR503
    out["contact"] = proba >= cfg.decision_threshold
    # ok: MLR503
    out["high_risk"] = proba >= HIGH_RISK_CUTOFF
    # ruleid: MLR503
    out["vip_offer"] = (proba > 0.65) & (customers["plan"] == "premium")
    logger.info("scored %d customers with %s", len(out), model_uri)
    return out
