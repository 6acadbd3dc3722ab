"""Feature engineering shared by training and batch scoring.

Every function takes the raw customer frame and returns a frame; callers keep
using the raw frame afterwards (for logging and for the label join), so these
functions must not change their input.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PLAN_ORDER = {"basic": 0, "standard": 1, "premium": 2}
ACTIVITY_COLUMNS = ["logins_7d", "logins_30d", "tickets_30d"]


def add_tenure_features(customers: pd.DataFrame) -> pd.DataFrame:
    out = customers.copy()
    # ok: MLR207
    out["tenure_years"] = out["tenure_months"] / 12.0
    out["is_new_customer"] = out["tenure_months"] < 3
    return out


def encode_plan(customers: pd.DataFrame) -> pd.DataFrame:
    # ruleid: MLR207
    customers["plan_level"] = customers["plan"].map(PLAN_ORDER).fillna(-1).astype(int)
    return customers


def fill_activity(customers: pd.DataFrame) -> pd.DataFrame:
    # ruleid: MLR207
    customers.fillna({col: 0 for col in ACTIVITY_COLUMNS}, inplace=True)
    return customers


def add_spend_ratios(df: pd.DataFrame) -> pd.DataFrame:
    # ok: MLR207
    return df.assign(
        spend_per_month=df["total_spend"] / df["tenure_months"].clip(lower=1),
        support_intensity=df["tickets_30d"] / (df["logins_30d"] + 1),
    )


def activity_trend(df: pd.DataFrame) -> pd.DataFrame:
    trend = pd.DataFrame(index=df.index)
    # ok: MLR207
    trend["login_trend"] = np.log1p(df["logins_7d"] * 4) - np.log1p(df["logins_30d"])
    return trend


def drop_identifiers(df: pd.DataFrame) -> pd.DataFrame:
    # ok: MLR207
    return df.drop(columns=["email", "phone", "customer_name"], errors="ignore")


def clip_outliers(X):
    X = X.copy()
    for col in ("total_spend", "tenure_months"):
        upper = X[col].quantile(0.99)
        # ok: MLR207
        X[col] = X[col].clip(upper=upper)
    return X


def normalise_country(df):
    # ruleid: MLR207
    df.loc[df["country"].isin(["UK", "GB"]), "country"] = "GB"
    return df


def build_features(customers: pd.DataFrame) -> pd.DataFrame:
    frame = add_tenure_features(customers)
    frame = add_spend_ratios(frame)
    frame = frame.join(activity_trend(frame))
    return drop_identifiers(frame)
