"""Feature engineering for card-transaction fraud."""
import numpy as np
import pandas as pd


def add_amount_features(df: pd.DataFrame) -> pd.DataFrame:
    # ruleid: MLR207
    df["log_amount"] = np.log1p(df["amount"])
    # ruleid: MLR207
    df.drop(columns=["raw_payload"], inplace=True)
    return df


def add_time_features(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    # ok: MLR207
    df["hour"] = df["event_time"].dt.hour
    # ok: MLR207
    df["is_night"] = (df["hour"] < 6).astype(int)
    return df


def merchant_risk_table(txns: pd.DataFrame) -> pd.DataFrame:
    out = txns.groupby("merchant_id")["is_fraud"].mean().rename("merchant_fraud_rate").reset_index()
    # ok: MLR207
    out["merchant_fraud_rate"] = out["merchant_fraud_rate"].clip(0, 1)
    return out


def amount_zscore(amount: float, mean: float, std: float) -> float:
    if std <= 0:
        return 0.0
    z = (amount - mean) / std
    z = max(min(z, 8.0), -8.0)
    return float(np.sign(z) * np.log1p(abs(z)))


def join_customer_profile(events: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    # profiles: static dimension table (customer_id, country, segment); no timestamps
    # ok: MLR106
    return events.merge(profiles[["customer_id", "country", "segment"]], on="customer_id", how="left")


def join_velocity_features(labels: pd.DataFrame, velocity: pd.DataFrame) -> pd.DataFrame:
    # labels: customer_id, event_time, is_fraud ; velocity: customer_id, feature_time, txn_count_24h
    labels = labels.sort_values("event_time")
    velocity = velocity.sort_values("feature_time")
    # ok: MLR106
    return pd.merge_asof(
        labels,
        velocity,
        left_on="event_time",
        right_on="feature_time",
        by="customer_id",
        direction="backward",
    )


def join_chargebacks(labels: pd.DataFrame, chargebacks: pd.DataFrame) -> pd.DataFrame:
    # both sides carry event timestamps: labels.event_time, chargebacks.chargeback_time
    # ruleid: MLR106
    joined = labels.merge(chargebacks[["customer_id", "chargeback_time", "chargeback_amt"]], on="customer_id", how="left")
    return joined
