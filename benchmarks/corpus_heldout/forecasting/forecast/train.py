"""Train the LightGBM demand model with rolling-origin CV.

    python -m forecast.train --config conf/lgbm.yaml
"""
import argparse
import json
from pathlib import Path

import joblib
import lightgbm as lgb
import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import KFold, TimeSeriesSplit, train_test_split

from forecast.prepare import add_lag_features, load_sales

FEATURES = ["lag_7", "roll_28", "price", "dow", "month"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())
    np.random.seed(cfg["seed"])

    sales = add_lag_features(load_sales(cfg["sales_path"])).dropna(subset=["lag_7", "roll_28"])
    sales["dow"] = sales["date"].dt.dayofweek
    sales["month"] = sales["date"].dt.month
    sales = sales.sort_values("date").reset_index(drop=True)

    X, y = sales[FEATURES], sales["units"]
    params = cfg["lgbm"]
    params["random_state"] = cfg["seed"]

    # ok: MLR104
    tscv = TimeSeriesSplit(n_splits=5, gap=7)
    scores = []
    for tr, va in tscv.split(X):
        m = lgb.LGBMRegressor(**params)
        m.fit(X.iloc[tr], y.iloc[tr])
        scores.append(mean_absolute_error(y.iloc[va], m.predict(X.iloc[va])))

    # ok: MLR104
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.15, shuffle=False)
    final = lgb.LGBMRegressor(**params)
    final.fit(X_tr, y_tr)
    holdout_mae = mean_absolute_error(y_te, final.predict(X_te))

    out = Path(cfg["artifact_root"]) / cfg["run_id"]
    out.mkdir(parents=True, exist_ok=True)
    # ok: MLR206
    joblib.dump(final, out / "lgbm.joblib")
    (out / "metrics.json").write_text(json.dumps({"cv_mae": scores, "holdout_mae": holdout_mae}))


def legacy_experiment(cfg: dict) -> None:
    sales = load_sales(cfg["sales_path"])
    sales = add_lag_features(sales)
    # ruleid: MLR101
    sales["price"] = sales["price"].fillna(sales["price"].median())
    sales["dow"] = sales["date"].dt.dayofweek
    sales["month"] = sales["date"].dt.month
    X, y = sales[FEATURES].fillna(0), sales["units"]
    # ruleid: MLR104
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=cfg["seed"])
    m = lgb.LGBMRegressor(n_estimators=cfg["n_estimators"], random_state=cfg["seed"])
    m.fit(X_tr, y_tr)
    print("legacy MAE", mean_absolute_error(y_te, m.predict(X_te)))

    kf = KFold(n_splits=5, shuffle=True, random_state=cfg["seed"])
    # ruleid: MLR104
    for tr, va in kf.split(X):
        m.fit(X.iloc[tr], y.iloc[tr])


if __name__ == "__main__":
    main()
