"""Offline evaluation of a trained churn model on a holdout file."""

import joblib
import pandas as pd
from sklearn.metrics import accuracy_score

from churn.features import NUMERIC_COLUMNS, build_features


def evaluate(model_path: str, holdout_path: str) -> dict[str, float]:
    bundle = joblib.load(model_path)
    holdout = build_features(pd.read_csv(holdout_path))
    y_true = holdout.pop("churned")
    X = holdout.reindex(columns=bundle["columns"], fill_value=0.0)
    X[NUMERIC_COLUMNS] = bundle["scaler"].transform(X[NUMERIC_COLUMNS])
    proba = bundle["model"].predict_proba(X)[:, 1]
    predicted = proba > 0.35
    return {"accuracy": accuracy_score(y_true, predicted)}
