"""Weekly job: refresh features, retrain, render the model report."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import papermill as pm

from churnpipe.features import build_features

REPORT_NOTEBOOK = "pipelines/weekly_report.ipynb"


def refresh_features(raw_path: str) -> Path:
    raw = pd.read_parquet(raw_path)
    out = Path("data/features_weekly.parquet")
    build_features(raw).to_parquet(out)
    return out


def load_segments() -> pd.DataFrame:
    # ruleid: MLR204
    return pd.read_csv("data/segment_labels.csv")


def load_features() -> pd.DataFrame:
    # ok: MLR204
    return pd.read_parquet("data/features_weekly.parquet")


def render_report(week: str) -> None:
    # ruleid: MLR204
    pm.execute_notebook(REPORT_NOTEBOOK, f"reports/weekly_{week}.ipynb", parameters={"week": week})


def export_html(week: str) -> None:
    # ok: MLR204
    subprocess.run(["jupyter", "nbconvert", "--to", "html", f"reports/weekly_{week}.ipynb"], check=True)
