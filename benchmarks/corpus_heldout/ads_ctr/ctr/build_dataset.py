"""Join impressions (labels) with user features for training."""
import pandas as pd


def build(impressions: pd.DataFrame, user_feats: pd.DataFrame, ad_meta: pd.DataFrame) -> pd.DataFrame:
    # impressions: user_id, ad_id, shown_at, clicked
    # user_feats:  user_id, computed_at, ctr_7d, sessions_7d  (daily snapshots)
    # ruleid: MLR106
    df = impressions.merge(user_feats, on="user_id", how="left")
    # ad_meta: ad_id, advertiser, category (static)
    # ok: MLR106
    df = df.merge(ad_meta, on="ad_id", how="left")
    return df


def build_asof(impressions: pd.DataFrame, user_feats: pd.DataFrame) -> pd.DataFrame:
    impressions = impressions.sort_values("shown_at")
    user_feats = user_feats.sort_values("computed_at")
    # ruleid: MLR106
    return pd.merge_asof(impressions, user_feats, left_on="shown_at", right_on="computed_at", by="user_id", direction="forward")


def build_filtered(impressions: pd.DataFrame, user_feats: pd.DataFrame) -> pd.DataFrame:
    # ok: MLR106
    df = impressions.merge(user_feats, on="user_id", how="inner")
    df = df[df["computed_at"] <= df["shown_at"]]
    return df.sort_values("computed_at").drop_duplicates(["user_id", "ad_id", "shown_at"], keep="last")
