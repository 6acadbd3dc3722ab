"""Online CTR predictor behind the ad auction."""
import json
import logging
import math
import os
import urllib.request

import requests
import torch

from ctr.features import position_bias
from ctr.train import WideDeep

log = logging.getLogger("ctr.serve")

# ok: MLR202
torch.backends.cudnn.benchmark = True

MODEL_VERSION = os.environ["CTR_MODEL_VERSION"]
BUDGET_URL = os.environ["BUDGET_SERVICE_URL"]
SEGMENTS_URL = os.environ["SEGMENTS_URL"]

model = WideDeep(n_feats=24, hidden=256)
# ok: MLR301, MLR305
model.load_state_dict(torch.load(f"/models/ctr/{MODEL_VERSION}/model.pt", weights_only=True))
model.eval()


# ruleid: MLR404
def query_ad_overlap(query: str, title: str) -> float:
    q = {t for t in query.lower().split() if len(t) > 2}
    a = {t for t in title.lower().split() if len(t) > 2}
    if not q or not a:
        return 0.0
    return len(q & a) / len(q | a)


def remaining_budget(advertiser_id: str) -> float:
    # ruleid: MLR403
    with urllib.request.urlopen(f"{BUDGET_URL}/advertisers/{advertiser_id}") as resp:
        return json.loads(resp.read())["remaining"]


def user_segments(user_id: str) -> list[str]:
    try:
        # ok: MLR403
        r = requests.get(f"{SEGMENTS_URL}/{user_id}", timeout=0.1)
        r.raise_for_status()
        return r.json()["segments"]
    except requests.RequestException:
        return []


def predict_ctr(features: list[float], position: int) -> dict:
    x = torch.tensor([features], dtype=torch.float32)
    with torch.no_grad():
        p = torch.sigmoid(model(x)).item() * position_bias(position)
    # ok: MLR401
    return {"ctr": p, "model_version": MODEL_VERSION}
