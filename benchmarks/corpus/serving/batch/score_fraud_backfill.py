"""Re-score last month's transactions with the pinned fraud model (for the monthly audit)."""

from __future__ import annotations

import sys

import mlflow
import pandas as pd

FRAUD_MODEL_URI = "models:/fraud/17"
FRAUD_MODEL_VERSION = "17"


def main(month: str) -> None:
    # ok: MLR305
    model = mlflow.pyfunc.load_model(FRAUD_MODEL_URI)
    tx = pd.read_parquet(f"s3://lake/transactions/month={month}/")
    scored = tx.assign(fraud_probability=model.predict(tx), model_version=FRAUD_MODEL_VERSION)
    # ok: MLR401
    scored.to_parquet(f"s3://audit/fraud-backfill/month={month}/scores.parquet")


if __name__ == "__main__":
    main(sys.argv[1])
