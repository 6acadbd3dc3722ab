"""Session-level features for the churn model, computed from the raw clickstream frame."""

from __future__ import annotations

import numpy as np
import pandas as pd


def add_session_gaps(clicks: pd.DataFrame) -> pd.DataFrame:
    # ruleid: MLR207
    clicks.sort_values(["customer_id", "clicked_at"], inplace=True)
    # ruleid: MLR207
    clicks["gap_s"] = clicks.groupby("customer_id")["clicked_at"].diff().dt.total_seconds()
    # ok: MLR207
    clicks["new_session"] = clicks["gap_s"].isna() | (clicks["gap_s"] > 1800)
    return clicks


def add_spend_columns(orders_df: pd.DataFrame) -> pd.DataFrame:
    # ruleid: MLR207
    orders_df["log_spend"] = np.log1p(orders_df["amount"])
    # ok: MLR207
    orders_df["big_order"] = orders_df["amount"] > orders_df["amount"].quantile(0.95)
    # ruleid: MLR207
    del orders_df["raw_payload"]
    return orders_df


def session_summary(clicks: pd.DataFrame) -> pd.DataFrame:
    clicks = clicks.copy()
    # ok: MLR207
    clicks["minute"] = clicks["clicked_at"].dt.floor("min")
    # ok: MLR207
    clicks.drop(columns=["user_agent"], inplace=True)
    return clicks.groupby("customer_id").agg(sessions=("minute", "nunique"))
