"""User and item features for the ranker (training side)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def user_activity(events: pd.DataFrame) -> pd.DataFrame:
    agg = events.groupby("user_id").agg(
        clicks_7d=("clicked", "sum"), views_7d=("item_id", "count"), last_seen=("ts", "max")
    )
    agg["ctr_7d"] = (agg["clicks_7d"] + 1) / (agg["views_7d"] + 20)
    agg["log_views_7d"] = np.log1p(agg["views_7d"])
    agg["heavy_user"] = (agg["views_7d"] > 200).astype(int)
    return agg.reset_index()


def pair_features(pairs: pd.DataFrame) -> pd.DataFrame:
    pairs = pairs.copy()
    pairs["price_ratio"] = pairs["item_price"] / (pairs["user_avg_price"] + 1.0)
    pairs["price_ratio_log"] = np.log(pairs["price_ratio"].clip(0.01, 100))
    pairs["same_category"] = (pairs["item_category"] == pairs["user_top_category"]).astype(int)
    pairs["age_days"] = (pairs["ts"] - pairs["item_created"]).dt.days.clip(lower=0)
    return pairs
