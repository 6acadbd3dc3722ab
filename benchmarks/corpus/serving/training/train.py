"""Train the fraud model and register it in MLflow."""

from __future__ import annotations

import argparse
import logging

import joblib
import mlflow
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import TimeSeriesSplit

from training.features import add_amount_features, add_merchant_risk, add_time_features, add_velocity, merchant_rates

logger = logging.getLogger("training")
FEATURES = [
    "log_amount", "amount_to_avg", "is_large", "merchant_rate", "merchant_rate_log", "merchant_rate_high",
    "hour", "is_night", "weekday", "tx_per_hour_24h", "tx_ratio_1h_24h", "amount_ratio_1h_24h",
]


def build(df: pd.DataFrame, rates: dict[str, float]) -> pd.DataFrame:
    df = add_amount_features(df)
    df = add_merchant_risk(df, rates)
    df = add_time_features(df)
    return add_velocity(df)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="data/transactions.parquet")
    parser.add_argument("--out", default="artifacts/fraud_model.joblib")
    parser.add_argument("--max-iter", type=int, default=300)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    args = parser.parse_args()

    df = pd.read_parquet(args.data).sort_values("event_time")
    rates = merchant_rates(df)
    df = build(df, rates)
    # ok: MLR304
    logger.info("training rows=%d fraud_rate=%.4f", len(df), df["is_fraud"].mean())
    # ok: MLR304
    logger.info("email column present: %s", "cardholder_email" in df.columns)

    model = HistGradientBoostingClassifier(max_iter=args.max_iter, learning_rate=args.learning_rate, random_state=7)
    for train_idx, valid_idx in TimeSeriesSplit(n_splits=4).split(df):
        model.fit(df.iloc[train_idx][FEATURES], df.iloc[train_idx]["is_fraud"])
    # ruleid: MLR304
    print(df.loc[df["is_fraud"] == 1, ["transaction_id", "cardholder_email", "amount"]].head(20))
    joblib.dump(model, args.out)
    with mlflow.start_run():
        mlflow.sklearn.log_model(model, "model", registered_model_name="fraud")


if __name__ == "__main__":
    main()
