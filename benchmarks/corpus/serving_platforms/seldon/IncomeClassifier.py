"""Seldon Core Python wrapper for the income classifier."""

import logging

import joblib
import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)


FEATURES = ["age", "education_num", "capital_net", "log_capital_net", "hours_ratio", "is_married"]


def engineer(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    # ruleid: MLR404
    frame["capital_net"] = frame["capital_gain"] - frame["capital_loss"]
    frame["log_capital_net"] = np.sign(frame["capital_net"]) * np.log1p(np.abs(frame["capital_net"]))
    frame["hours_ratio"] = frame["hours_per_week"] / 40.0
    frame["is_married"] = frame["marital_status"].str.startswith("Married").astype(int)
    return frame[FEATURES]


class IncomeClassifier:
    def __init__(self, model_uri: str = "/mnt/models/income-v5/model.joblib"):
        # ruleid: MLR301
        self.model = joblib.load(model_uri)
        self.version = "income-v5"

    def predict(self, X, features_names=None, meta=None):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != 12:
            raise ValueError(f"expected (n, 12) features, got {X.shape}")
        # ok: MLR402
        proba = self.model.predict_proba(X)
        # ok: MLR304
        logger.info("scored %d rows", X.shape[0])
        # ruleid: MLR401
        return proba

    def predict_raw(self, request):
        frame = pd.DataFrame(request["data"]["ndarray"], columns=request["data"]["names"])
        # ruleid: MLR402
        features = engineer(frame)
        # ruleid: MLR401
        return {"data": {"ndarray": self.model.predict_proba(features).tolist()}}

    def init_metadata(self):
        return {"name": "income-classifier", "versions": [self.version]}
