"""Nightly batch scoring of yesterday's transactions."""
import logging
import pickle
from datetime import date

import mlflow
import pandas as pd

log = logging.getLogger("fraud.batch")


def run(day: date) -> pd.DataFrame:
    # ruleid: MLR305
    model = mlflow.pyfunc.load_model("models:/fraud-classifier/Production")
    txns = pd.read_parquet(f"s3://lake/transactions/dt={day.isoformat()}/")
    txns["score"] = model.predict(txns)
    log.info("scored %d transactions for %s", len(txns), day)
    # ruleid: MLR401
    return txns[["txn_id", "score"]]


def run_pinned(day: date, model_version: str) -> pd.DataFrame:
    # ok: MLR305
    model = mlflow.pyfunc.load_model(f"models:/fraud-classifier/{model_version}")
    txns = pd.read_parquet(f"s3://lake/transactions/dt={day.isoformat()}/")
    txns["score"] = model.predict(txns)
    txns["model_version"] = model_version
    # ok: MLR401
    return txns[["txn_id", "score", "model_version"]]


def load_legacy_encoder(path: str):
    with open(path, "rb") as fh:
        # ruleid: MLR301
        return pickle.load(fh)


if __name__ == "__main__":
    run(date.today())
