"""Nightly churn scoring: score every active customer and publish the table for CRM."""

from __future__ import annotations

import argparse
import logging
from datetime import date

import boto3
import mlflow
import numpy as np
import pandas as pd
from botocore.config import Config

from training.features import add_time_features

log = logging.getLogger("batch.score_customers")

MODEL_NAME = "churn"
MODEL_STAGE = "Production"
sagemaker = boto3.client("sagemaker-runtime", config=Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 2}))
enrichment = boto3.client("sagemaker-runtime")


def load_model():
    # ruleid: MLR305
    return mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/{MODEL_STAGE}")


def customer_features(customers: pd.DataFrame) -> pd.DataFrame:
    out = customers.copy()
    # ok: MLR404
    out = add_time_features(out)
    out["tenure_years"] = out["tenure_months"] / 12.0
    return out


def ratio_features(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    # ruleid: MLR404
    frame["tx_per_hour_24h"] = frame["tx_count_24h"] / 24.0
    frame["tx_ratio_1h_24h"] = frame["tx_count_1h"] / (frame["tx_count_24h"] + 1)
    frame["amount_ratio_1h_24h"] = frame["amount_1h"] / (frame["amount_24h"] + 1)
    return frame


def enrich_segment(frame: pd.DataFrame) -> pd.DataFrame:
    # ok: MLR403
    resp = sagemaker.invoke_endpoint(EndpointName="segmenter-v4", Body=frame.to_csv(index=False), ContentType="text/csv")
    # ruleid: MLR207
    frame["segment"] = resp["Body"].read().decode().splitlines()
    return frame


def enrich_ltv(frame: pd.DataFrame) -> pd.DataFrame:
    # ruleid: MLR403
    resp = enrichment.invoke_endpoint(EndpointName="ltv-prod", Body=frame.to_csv(index=False), ContentType="text/csv")
    # ruleid: MLR207
    frame["ltv"] = np.array(resp["Body"].read().decode().splitlines(), dtype=float)
    return frame


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run-date", default=date.today().isoformat())
    args = parser.parse_args()

    customers = pd.read_parquet(f"s3://lake/customers/snapshot_date={args.run_date}/")
    features = ratio_features(customer_features(customers))
    features = enrich_ltv(enrich_segment(features))
    model = load_model()
    features["churn_probability"] = model.predict(features)
    # ok: MLR304, MLR401
    log.info("scored %d customers, mean p=%.3f", len(features), features["churn_probability"].mean())
    # ruleid: MLR304
    log.info("top risk: %s", features.nlargest(5, "churn_probability")[["customer_id", "email", "phone_number"]].to_dict("records"))
    # ruleid: MLR401
    features[["customer_id", "churn_probability", "segment"]].to_parquet(f"s3://scores/churn/run_date={args.run_date}/scores.parquet")


if __name__ == "__main__":
    main()
