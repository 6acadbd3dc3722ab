"""Airflow task body: refresh CTR features then retrain."""
import nbimporter  # noqa: F401  (lets us import .ipynb as modules)
import subprocess

# ruleid: MLR204
from pipelines import feature_exploration


def refresh() -> None:
    frame = feature_exploration.build_feature_frame("data/impressions.parquet")
    frame.to_parquet("data/ctr_train.parquet")
    subprocess.run(["python", "-m", "ctr.train"], check=True)
