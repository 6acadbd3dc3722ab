"""Purchase propensity from web sessions, with order history as features."""
from __future__ import annotations

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, KFold, cross_val_score

SESSIONS = "warehouse/web_sessions.parquet"
ORDERS = "warehouse/orders.parquet"


def load_sessions() -> pd.DataFrame:
    sessions = pd.read_parquet(SESSIONS)
    sessions["session_start"] = pd.to_datetime(sessions["session_start"])
    sessions["pages_per_min"] = sessions["pageviews"] / (sessions["duration_s"] / 60 + 1)
    sessions["customer_sessions"] = sessions.groupby("customer_id")["session_id"].transform("count")
    return sessions


def load_orders() -> pd.DataFrame:
    orders = pd.read_parquet(ORDERS)
    orders["order_time"] = pd.to_datetime(orders["order_time"])
    orders["customer_orders"] = orders.groupby("customer_id")["order_id"].transform("count")
    return orders[["customer_id", "order_time", "order_value", "customer_orders"]]


def with_order_history(sessions: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    # ruleid: MLR106
    joined = sessions.merge(orders, on="customer_id", how="left")
    return joined.groupby("session_id").agg(
        pages_per_min=("pages_per_min", "first"),
        customer_sessions=("customer_sessions", "first"),
        n_orders=("order_value", "count"),
        converted=("converted", "first"),
        customer_id=("customer_id", "first"),
    )


def with_order_history_as_of(sessions: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    s = sessions.sort_values("session_start")
    o = orders.sort_values("order_time")
    # ok: MLR106
    return pd.merge_asof(s, o, left_on="session_start", right_on="order_time", by="customer_id", allow_exact_matches=False)


def evaluate(table: pd.DataFrame) -> None:
    X = table[["pages_per_min", "customer_sessions", "customer_orders"]]
    y = table["converted"]
    model = HistGradientBoostingClassifier(random_state=0)
    # ruleid: MLR104, MLR105
    naive = cross_val_score(model, X, y, cv=KFold(5, shuffle=True, random_state=0), scoring="roc_auc")
    # ok: MLR105
    grouped = cross_val_score(model, X, y, cv=GroupKFold(5), groups=table["customer_id"], scoring="roc_auc")
    print(naive.mean(), grouped.mean())


if __name__ == "__main__":
    evaluate(with_order_history_as_of(load_sessions(), load_orders()))
