"""Quick retrain used by the on-call runbook when the nightly job fails.

Kept deliberately small; writes the model where the batch scorer picks it up.
"""
from __future__ import annotations

import pickle

import joblib
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier

from churnpipe.features import build_features

SCORER_MODEL_PATH = "/srv/churn/current/model.joblib"


def retrain(data_path: str) -> GradientBoostingClassifier:
    raw = pd.read_parquet(data_path)
    X = build_features(raw.drop(columns=["churned_within_30d"]))
    y = raw["churned_within_30d"]
    # ruleid: MLR205, MLR201
    model = GradientBoostingClassifier(n_estimators=300, max_depth=4, learning_rate=0.05, subsample=0.9)
    model.fit(X, y)
    # ruleid: MLR206
    joblib.dump(model, SCORER_MODEL_PATH)
    with open("/srv/churn/current/feature_names.pkl", "wb") as fh:
        # ok: MLR206
        pickle.dump(list(X.columns), fh)
    return model
