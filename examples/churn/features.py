"""Feature engineering shared by training and batch scoring."""

import numpy as np
import pandas as pd

NUMERIC_COLUMNS = ["tenure_months", "monthly_charges", "support_tickets_90d", "logins_30d"]
CATEGORICAL_COLUMNS = ["plan", "region", "payment_method"]


def load_customers(path: str) -> pd.DataFrame:
    return pd.read_csv(path, parse_dates=["signup_date", "snapshot_date"])


def add_ratios(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["charges_per_month_of_tenure"] = out["monthly_charges"] / (out["tenure_months"] + 1)
    out["tickets_per_login"] = out["support_tickets_90d"] / (out["logins_30d"] + 1)
    out["log_monthly_charges"] = np.log1p(out["monthly_charges"])
    return out


def encode_categoricals(df: pd.DataFrame) -> pd.DataFrame:
    return pd.get_dummies(df, columns=CATEGORICAL_COLUMNS, dtype=float)


def build_features(df: pd.DataFrame) -> pd.DataFrame:
    return encode_categoricals(add_ratios(df))
