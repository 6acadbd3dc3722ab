"""Seldon Core Python wrapper for the income classifier."""

import logging

import joblib
import numpy as np

logger = logging.getLogger(__name__)


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

    def init_metadata(self):
        return {"name": "income-classifier", "versions": [self.version]}
