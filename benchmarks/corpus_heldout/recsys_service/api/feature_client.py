"""Feature-store client used by the serving layer."""
import logging
import os

import httpx

log = logging.getLogger("recsys.features")

_client = httpx.Client(base_url=os.environ["FEATURE_STORE_URL"], timeout=httpx.Timeout(0.25))

DEFAULT_FEATURES = {"seconds_since_last": 86_400.0, "n_events": 0}


def get_user_features(user_id: str) -> dict:
    try:
        # ok: MLR403
        resp = _client.get(f"/users/{user_id}")
        resp.raise_for_status()
        return resp.json()
    except httpx.HTTPError:
        log.warning("feature store unavailable; using defaults")
        return dict(DEFAULT_FEATURES)


def get_item_features(item_ids: list[int]) -> dict:
    # ok: MLR403
    resp = httpx.post(os.environ["ITEM_FEATURES_URL"], json={"ids": item_ids}, timeout=0.5)
    return resp.json()
