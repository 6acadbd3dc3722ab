"""Train the churn model.

    python -m churnpipe.train --config configs/prod.yaml
"""
from __future__ import annotations

import argparse
import json
import logging
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from xgboost import XGBClassifier

from churnpipe.config import PipelineConfig, load_config
from churnpipe.features import build_features

logger = logging.getLogger(__name__)


def git_sha() -> str:
    return subprocess.check_output(["git", "rev-parse", "HEAD"], text=True).strip()


def fit_model(X: pd.DataFrame, y: pd.Series, cfg: PipelineConfig) -> XGBClassifier:
    # ok: MLR205
    model = XGBClassifier(
        n_estimators=cfg.model.n_estimators,
        max_depth=cfg.model.max_depth,
        learning_rate=cfg.model.learning_rate,
        subsample=cfg.model.subsample,
        colsample_bytree=cfg.model.colsample_bytree,
        min_child_weight=cfg.model.min_child_weight,
        random_state=cfg.seed,
        eval_metric="aucpr",
    )
    return model.fit(X, y)


def fit_baseline(X: pd.DataFrame, y: pd.Series, cfg: PipelineConfig) -> LogisticRegression:
    # ok: MLR205
    return LogisticRegression(C=1.0, max_iter=2000, random_state=cfg.seed).fit(X, y)


def save_run(model: XGBClassifier, cfg: PipelineConfig, metrics: dict[str, float]) -> Path:
    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    out = Path(cfg.output_dir) / run_id
    out.mkdir(parents=True, exist_ok=True)
    # ok: MLR206
    joblib.dump(model, out / "model.joblib")
    (out / "metadata.json").write_text(
        json.dumps({"git_sha": git_sha(), "config": cfg.to_dict(), "metrics": metrics}, indent=2)
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="configs/prod.yaml")
    args = parser.parse_args()
    cfg = load_config(args.config)
    np.random.seed(cfg.seed)
    raw = pd.read_parquet(cfg.data_path)
    X = build_features(raw.drop(columns=[cfg.label]))
    y = raw[cfg.label]
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, stratify=y, random_state=cfg.seed)
    model = fit_model(X_train, y_train, cfg)
    baseline = fit_baseline(X_train, y_train, cfg)
    metrics = {"val_logloss": float(model.evals_result().get("validation_0", {}).get("logloss", [0.0])[-1])}
    logger.info("baseline coef norm %.3f", float(np.abs(baseline.coef_).sum()))
    out = save_run(model, cfg, metrics)
    logger.info("saved run to %s", out)


if __name__ == "__main__":
    main()
