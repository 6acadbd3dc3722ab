"""Weekly batch forecast written to the planning warehouse."""
import logging
import pickle

import pandas as pd
import papermill as pm

log = logging.getLogger("forecast.batch")

MODEL_PATH = "/mnt/models/demand/lgbm_latest.pkl"


def refresh_features() -> None:
    # ruleid: MLR204
    pm.execute_notebook("notebooks/build_features.ipynb", "/tmp/build_features.out.ipynb")


def forecast_week(features: pd.DataFrame) -> pd.DataFrame:
    with open(MODEL_PATH, "rb") as fh:
        # ruleid: MLR301, MLR305
        model = pickle.load(fh)
    out = features[["store_id", "date"]].copy()
    out["forecast_units"] = model.predict(features)
    log.info("forecast %d store-days", len(out))
    # ruleid: MLR401
    return out


def run() -> None:
    refresh_features()
    # ruleid: MLR204
    features = pd.read_parquet("notebooks/output/features_from_notebook.parquet")
    forecast_week(features).to_parquet("s3://planning/forecasts/latest.parquet")


if __name__ == "__main__":
    run()
