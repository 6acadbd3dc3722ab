"""Online features for a card: the feature service, with a Redis cache in front."""

from __future__ import annotations

import json
import logging

import redis
import requests

from fraud_api.settings import FEATURE_SERVICE_URL, REDIS_URL

logger = logging.getLogger(__name__)

DEFAULT_CARD_FEATURES = {"tx_count_1h": 0, "tx_count_24h": 0, "amount_24h": 0.0, "avg_amount_30d": 50.0}

cache = redis.Redis.from_url(REDIS_URL, socket_timeout=0.05, socket_connect_timeout=0.05)
audit_cache = redis.Redis(host="audit-cache.internal", port=6379)


def card_features(card_id: str) -> dict:
    """Cached card aggregates; falls back to neutral defaults when the cache or service is down."""
    try:
        # ok: MLR403
        cached = cache.get(f"card:{card_id}")
        if cached:
            return json.loads(cached)
        # ok: MLR403
        resp = requests.get(f"{FEATURE_SERVICE_URL}/cards/{card_id}", timeout=(0.05, 0.2))
        resp.raise_for_status()
        features = resp.json()
        # ok: MLR403
        cache.set(f"card:{card_id}", json.dumps(features), ex=300)
        return features
    except (requests.RequestException, redis.RedisError):
        logger.warning("card features unavailable, using defaults")
        return dict(DEFAULT_CARD_FEATURES)


def merchant_profile(merchant_id: str) -> dict:
    # ruleid: MLR403
    resp = requests.get(f"{FEATURE_SERVICE_URL}/merchants/{merchant_id}")
    resp.raise_for_status()
    return resp.json()


def last_decisions(card_id: str) -> list:
    # ruleid: MLR403
    raw = audit_cache.lrange(f"decisions:{card_id}", 0, 9)
    return [json.loads(r) for r in raw]
