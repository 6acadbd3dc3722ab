"""Shared feature code for the two-tower recommender."""
import math

import pandas as pd


def recency_decay(seconds_since_last: float, half_life_hours: float = 72.0) -> float:
    hours = max(seconds_since_last, 0.0) / 3600.0
    weight = math.exp(-math.log(2.0) * hours / half_life_hours)
    return round(weight, 6)


def user_activity_features(events: pd.DataFrame) -> pd.DataFrame:
    # ruleid: MLR207
    events.sort_values(["user_id", "ts"], inplace=True)
    # ruleid: MLR207
    events["gap_s"] = events.groupby("user_id")["ts"].diff().dt.total_seconds()
    return events.groupby("user_id").agg(n_events=("item_id", "size"), mean_gap_s=("gap_s", "mean")).reset_index()


def item_popularity(events: pd.DataFrame) -> pd.DataFrame:
    pop = events.groupby("item_id").size().rename("n").reset_index()
    # ok: MLR207
    pop["log_pop"] = pop["n"].map(math.log1p)
    return pop
