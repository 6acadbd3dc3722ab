"""Service settings, read once from the environment."""

import os

MODEL_URI = os.environ.get("FRAUD_MODEL_URI", "models:/fraud/17")
FEATURE_SERVICE_URL = os.environ.get("FEATURE_SERVICE_URL", "http://features.internal")
REDIS_URL = os.environ.get("REDIS_URL", "redis://cache.internal:6379/0")
REVIEW_THRESHOLD = float(os.environ.get("REVIEW_THRESHOLD", "0.4"))
DECLINE_THRESHOLD = float(os.environ.get("DECLINE_THRESHOLD", "0.8"))
