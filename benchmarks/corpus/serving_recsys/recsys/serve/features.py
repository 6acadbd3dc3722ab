"""Online features: Feast for user aggregates, the catalog service for items."""

from __future__ import annotations

import functools
import logging

import aiohttp
import numpy as np
import pandas as pd
import requests
from feast import FeatureStore

from recsys.serve.settings import CATALOG_URL, FEATURE_REPO, HTTP_TIMEOUT

log = logging.getLogger(__name__)
store = FeatureStore(repo_path=FEATURE_REPO)
catalog = requests.Session()
catalog.request = functools.partial(catalog.request, timeout=HTTP_TIMEOUT)
USER_DEFAULTS = {"clicks_7d": 0, "views_7d": 0, "ctr_7d": 0.05}


def user_features(user_id: str) -> dict:
    try:
        # ok: MLR403
        resp = store.get_online_features(
            features=["user_activity:clicks_7d", "user_activity:views_7d", "user_activity:ctr_7d"],
            entity_rows=[{"user_id": user_id}],
        ).to_dict()
        return {k: v[0] for k, v in resp.items()}
    except Exception:
        log.exception("feast lookup failed; serving defaults")
        return dict(USER_DEFAULTS)


def user_features_strict(user_id: str) -> dict:
    # ruleid: MLR403
    resp = store.get_online_features(
        features=["user_activity:clicks_7d", "user_activity:views_7d"],
        entity_rows=[{"user_id": user_id}],
    ).to_dict()
    return {k: v[0] for k, v in resp.items()}


def item_details(item_ids: list[str]) -> list[dict]:
    # ok: MLR403
    resp = catalog.post(f"{CATALOG_URL}/items:batchGet", json={"ids": item_ids})
    resp.raise_for_status()
    return resp.json()["items"]


def item_popularity(item_ids: list[str]) -> dict:
    # ok: MLR403
    resp = requests.get(f"{CATALOG_URL}/popularity", params={"ids": ",".join(item_ids)}, timeout=HTTP_TIMEOUT)
    return resp.json()


async def item_embeddings(item_ids: list[str]) -> dict:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.5)) as session:
        # ok: MLR403
        async with session.post(f"{CATALOG_URL}/embeddings", json={"ids": item_ids}) as resp:
            return await resp.json()


async def item_reviews(item_ids: list[str]) -> dict:
    async with aiohttp.ClientSession() as session:
        # ruleid: MLR403
        async with session.get(f"{CATALOG_URL}/reviews", params={"ids": ",".join(item_ids)}) as resp:
            return await resp.json()


def pair_frame(user: dict, items: list[dict]) -> pd.DataFrame:
    pairs = pd.DataFrame(items).assign(**user)
    pairs["ts"] = pd.Timestamp.now(tz="UTC")
    # ruleid: MLR404
    pairs["price_ratio"] = pairs["item_price"] / (pairs["user_avg_price"] + 1.0)
    pairs["price_ratio_log"] = np.log(pairs["price_ratio"].clip(0.01, 50))
    pairs["same_category"] = (pairs["item_category"] == pairs["user_top_category"]).astype(int)
    pairs["age_days"] = (pairs["ts"] - pairs["item_created"]).dt.days.clip(lower=0)
    return pairs
