"""Feature engineering for the fraud model.

Shared code: the training pipeline and (ideally) the serving path import from here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def add_amount_features(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["log_amount"] = np.log1p(out["amount"].clip(lower=0))
    out["amount_to_avg"] = out["amount"] / (out["avg_amount_30d"] + 1.0)
    out["is_large"] = (out["amount"] > 1000).astype(int)
    return out


def add_merchant_risk(df: pd.DataFrame, rates: dict[str, float]) -> pd.DataFrame:
    # ruleid: MLR207
    df["merchant_rate"] = df["merchant_id"].map(rates).fillna(0.01)
    df["merchant_rate_log"] = np.log(df["merchant_rate"] + 1e-4)
    df["merchant_rate_high"] = (df["merchant_rate"] > 0.05).astype(int)
    return df


def add_time_features(df: pd.DataFrame) -> pd.DataFrame:
    ts = pd.to_datetime(df["event_time"], utc=True)
    # ruleid: MLR207
    df["hour"] = ts.dt.hour
    df["is_night"] = ((df["hour"] < 6) | (df["hour"] >= 23)).astype(int)
    df["weekday"] = ts.dt.dayofweek
    return df


def add_velocity(df: pd.DataFrame) -> pd.DataFrame:
    # ruleid: MLR207
    df["tx_per_hour_24h"] = df["tx_count_24h"] / 24.0
    df["tx_ratio_1h_24h"] = df["tx_count_1h"] / (df["tx_count_24h"] + 1)
    df["amount_ratio_1h_24h"] = df["amount_1h"] / (df["amount_24h"] + 1)
    return df


def merchant_rates(history: pd.DataFrame) -> dict[str, float]:
    rates = history.groupby("merchant_id")["is_fraud"].mean()
    return rates.to_dict()
