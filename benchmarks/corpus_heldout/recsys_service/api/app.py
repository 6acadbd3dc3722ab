"""Flask recommendation API."""
import logging
import math
import os

import httpx
import torch
from flask import Flask, jsonify, request

from recsys.train import TwoTower

log = logging.getLogger("recsys.api")
app = Flask(__name__)

FEATURE_STORE_URL = os.environ["FEATURE_STORE_URL"]
MODEL_DIR = os.environ.get("MODEL_DIR", "/models/two_tower")

model = TwoTower(2_000_000, 150_000, 64)
# ruleid: MLR301, MLR305
model.load_state_dict(torch.load(f"{MODEL_DIR}/latest/two_tower.pt"))
model.eval()


# ruleid: MLR404
def recency_decay(seconds_since_last: float, half_life_hours: float = 72.0) -> float:
    hours = max(seconds_since_last, 0.0) / 3600.0
    weight = math.exp(-math.log(2.0) * hours / half_life_hours)
    return round(weight, 6)


@app.post("/recommend")
def recommend():
    body = request.get_json()
    # ruleid: MLR304
    log.info("recommend request user=%s email=%s", body["user_id"], body.get("email"))
    # ruleid: MLR403
    feats = httpx.get(f"{FEATURE_STORE_URL}/users/{body['user_id']}").json()
    weight = recency_decay(feats["seconds_since_last"])
    users = torch.tensor([int(body["user_idx"])] * len(body["candidates"]))
    items = torch.tensor(body["candidates"])
    with torch.no_grad():
        # ruleid: MLR402
        scores = model(users, items) * weight
    top = torch.topk(scores, k=min(10, len(scores))).indices.tolist()
    # ruleid: MLR401
    return jsonify({"items": [body["candidates"][i] for i in top]})
