"""Offline evaluation of candidate fraud models."""
import json
import logging

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    precision_recall_curve,
    roc_auc_score,
)

log = logging.getLogger(__name__)

DECISION_THRESHOLD = 0.35


def evaluate_final(model, X_test: pd.DataFrame, y_test: pd.Series) -> dict:
    proba = model.predict_proba(X_test)[:, 1]
    # ok: MLR503
    preds = proba >= DECISION_THRESHOLD
    # ok: MLR502
    acc = accuracy_score(y_test, preds)
    return {
        "accuracy": acc,
        "f1": f1_score(y_test, preds),
        "roc_auc": roc_auc_score(y_test, proba),
        "confusion": confusion_matrix(y_test, preds).tolist(),
    }


def pick_threshold_on_test(model, X_test: pd.DataFrame, y_test: pd.Series) -> float:
    # ruleid: MLR103
    proba = model.predict_proba(X_test)[:, 1]
    precision, recall, thresholds = precision_recall_curve(y_test, proba)
    f1 = 2 * precision * recall / (precision + recall + 1e-9)
    return float(thresholds[np.argmax(f1[:-1])])


def compare_candidates(candidate_paths: list[str], X_test: pd.DataFrame, y_test: pd.Series) -> str:
    best_path, best_auc = None, -1.0
    for path in candidate_paths:
        # ruleid: MLR301
        model = joblib.load(path)
        # ruleid: MLR103
        auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
        if auc > best_auc:
            best_path, best_auc = path, auc
    return best_path


def quick_report(model, X_test, y_test) -> None:
    # ruleid: MLR503
    flagged = model.predict_proba(X_test)[:, 1] > 0.8
    print(classification_report(y_test, flagged))
