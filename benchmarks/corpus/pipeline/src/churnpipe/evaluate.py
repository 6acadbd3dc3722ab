"""Offline evaluation of a trained churn model on the held-out month.

Writes reports/metrics.json, which the promotion gate reads.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    precision_score,
    recall_score,
    roc_auc_score,
)

from churnpipe.config import PipelineConfig

SEGMENTS = ("plan", "country")


def decide(proba: np.ndarray, threshold: float) -> np.ndarray:
    # ok: MLR503
    return (proba >= threshold).astype(int)


def recall_at_fpr(y_true: np.ndarray, proba: np.ndarray, max_fpr: float = 0.05) -> float:
    negatives = np.sort(proba[y_true == 0])[::-1]
    cutoff = negatives[int(len(negatives) * max_fpr)]
    # ok: MLR503
    return float((proba[y_true == 1] > cutoff).mean())


def evaluate(model, holdout: pd.DataFrame, features: pd.DataFrame, cfg: PipelineConfig) -> dict[str, float]:
    y_true = holdout[cfg.label].to_numpy()
    proba = model.predict_proba(features)[:, 1]
    y_pred = decide(proba, cfg.decision_threshold)
    tn, fp, fn, tp = confusion_matrix(y_true, y_pred).ravel()
    metrics = {
        "roc_auc": roc_auc_score(y_true, proba),
        "pr_auc": average_precision_score(y_true, proba),
        "brier": brier_score_loss(y_true, proba),
        "precision": precision_score(y_true, y_pred),
        "recall": recall_score(y_true, y_pred),
        "recall_at_5pct_fpr": recall_at_fpr(y_true, proba),
        "false_positives": int(fp),
        "false_negatives": int(fn),
    }
    # a quick look at how many customers would be contacted at the legacy 0.5 cutoff
    # ruleid: MLR503
    metrics["contact_rate_legacy"] = float((proba > 0.5).mean())
    for segment in SEGMENTS:
        for value, idx in holdout.groupby(segment).indices.items():
            if len(np.unique(y_true[idx])) == 2:
                metrics[f"roc_auc__{segment}={value}"] = roc_auc_score(y_true[idx], proba[idx])
    return metrics


def write_report(metrics: dict[str, float], path: str = "reports/metrics.json") -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(metrics, indent=2, sort_keys=True))


def summarise(metrics: dict[str, float]) -> str:
    # ok: MLR503
    verdict = "strong" if metrics["roc_auc"] > 0.85 else "weak"
    return f"model is {verdict}: AUC {metrics['roc_auc']:.3f}, PR AUC {metrics['pr_auc']:.3f}"
