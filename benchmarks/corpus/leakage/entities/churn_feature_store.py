"""Offline training set for the churn model, joined from the event lake."""
from __future__ import annotations

import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split


def snapshot_labels(path: str) -> pd.DataFrame:
    return pd.read_parquet(path).assign(snapshot_date=lambda d: pd.to_datetime(d["snapshot_date"]))


def usage_events(path: str) -> pd.DataFrame:
    usage = pd.read_parquet(path)
    usage["event_ts"] = pd.to_datetime(usage["event_ts"])
    return usage


def lifetime_usage(usage: pd.DataFrame) -> pd.DataFrame:
    return usage.groupby("customer_id").agg(
        total_minutes=("minutes", "sum"), sessions=("session_id", "nunique"), last_seen=("event_ts", "max")
    )


def training_table_leaky(labels: pd.DataFrame, usage: pd.DataFrame) -> pd.DataFrame:
    per_customer = lifetime_usage(usage)
    # ruleid: MLR106
    return labels.join(per_customer, on="customer_id")


def training_table(labels: pd.DataFrame, usage: pd.DataFrame, cutoff: str) -> pd.DataFrame:
    before = usage[usage["event_ts"] < cutoff]
    per_customer = lifetime_usage(before)
    # ok: MLR106
    return labels.join(per_customer, on="customer_id")


def fit(table: pd.DataFrame) -> float:
    customers = table["customer_id"].drop_duplicates()
    # ok: MLR105
    train_ids, test_ids = train_test_split(customers, test_size=0.2, random_state=5)
    train = table[table["customer_id"].isin(train_ids)]
    test = table[table["customer_id"].isin(test_ids)]
    cols = ["total_minutes", "sessions"]
    model = GradientBoostingClassifier(random_state=5).fit(train[cols].fillna(0), train["churned"])
    return average_precision_score(test["churned"], model.predict_proba(test[cols].fillna(0))[:, 1])


def main() -> None:
    labels = snapshot_labels("lake/churn_labels/")
    usage = usage_events("lake/usage_events/")
    print(fit(training_table(labels, usage, cutoff="2024-01-01")))


if __name__ == "__main__":
    main()
