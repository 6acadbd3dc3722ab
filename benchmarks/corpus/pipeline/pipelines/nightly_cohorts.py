"""Nightly job: rebuild the retention cohorts the dashboard reads."""

from __future__ import annotations

# ok: MLR204
import nbimporter  # noqa: F401  (registers the .ipynb importer)
import pandas as pd

# ok: MLR204
from churnpipe.features import build_features

# ruleid: MLR204
from pipelines import cohort_sandbox


def rebuild(events_path: str, out_path: str) -> None:
    events = pd.read_parquet(events_path)
    table = cohort_sandbox.cohort_table(events)
    table.to_parquet(out_path)


def features_for(events_path: str) -> pd.DataFrame:
    return build_features(pd.read_parquet(events_path))
