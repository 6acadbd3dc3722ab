import os

RANKER_URI = os.environ["RANKER_URI"]  # e.g. models:/ranker/31, set by the deploy pipeline
FEATURE_REPO = os.environ.get("FEATURE_REPO", "/srv/feature_repo")
CATALOG_URL = os.environ.get("CATALOG_URL", "http://catalog.internal")
HTTP_TIMEOUT = float(os.environ.get("HTTP_TIMEOUT", "0.3"))
