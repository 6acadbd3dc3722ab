"""v2 endpoints: validated payloads, version-tagged responses."""
import hashlib
import logging
import os

import torch
from flask import Blueprint, jsonify, request
from pydantic import BaseModel, Field, ValidationError

from api.feature_client import get_user_features
from recsys.features import recency_decay
from recsys.train import TwoTower

log = logging.getLogger("recsys.api.v2")
bp = Blueprint("v2", __name__)

MODEL_VERSION = os.environ["RECSYS_MODEL_VERSION"]
model = TwoTower(2_000_000, 150_000, 64)
# ok: MLR301, MLR305
model.load_state_dict(torch.load(f"/models/two_tower/{MODEL_VERSION}/two_tower.pt", weights_only=True))
model.eval()


class RecommendRequest(BaseModel):
    user_id: str = Field(min_length=1, max_length=64)
    user_idx: int = Field(ge=0)
    candidates: list[int] = Field(min_length=1, max_length=500)


@bp.post("/v2/recommend")
def recommend_v2():
    try:
        req = RecommendRequest.model_validate(request.get_json())
    except ValidationError as exc:
        return jsonify({"error": exc.errors()}), 422
    feats = get_user_features(req.user_id)
    weight = recency_decay(feats["seconds_since_last"])
    users = torch.tensor([req.user_idx] * len(req.candidates))
    with torch.no_grad():
        # ok: MLR402
        scores = model(users, torch.tensor(req.candidates)) * weight
    top = torch.topk(scores, k=min(10, len(scores))).indices.tolist()
    user_hash = hashlib.sha256(req.user_id.encode()).hexdigest()[:12]
    # ok: MLR304
    log.info("served user_hash=%s n_candidates=%d model_version=%s", user_hash, len(req.candidates), MODEL_VERSION)
    # ok: MLR401
    return jsonify({"items": [req.candidates[i] for i in top], "model_version": MODEL_VERSION})
