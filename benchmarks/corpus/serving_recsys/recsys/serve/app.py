"""Home-feed recommendations."""

from __future__ import annotations

import logging
import time
import uuid

import torch
from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field

from recsys.common.text import item_text
from recsys.serve.features import item_details, pair_frame, user_features
from recsys.serve.ranker import embed, score_pairs
from recsys.serve.settings import RANKER_URI

log = logging.getLogger("recsys.api")
app = FastAPI()
NUMERIC = ["price_ratio", "price_ratio_log", "same_category", "age_days", "clicks_7d", "views_7d", "ctr_7d"]


class FeedRequest(BaseModel):
    user_id: str
    candidate_ids: list[str] = Field(min_length=1, max_length=500)
    client_ip: str | None = None


class FeedItem(BaseModel):
    item_id: str
    score: float


class FeedResponse(BaseModel):
    request_id: str
    items: list[FeedItem]
    ranker: str = RANKER_URI


def tenant(request: Request) -> str:
    tenant_id = request.headers.get("x-tenant")
    if not tenant_id:
        raise HTTPException(status_code=401)
    return tenant_id


@app.middleware("http")
async def timing(request: Request, call_next):
    started = time.perf_counter()
    response = await call_next(request)
    # ok: MLR304
    log.info("%s %s %d %.1fms", request.method, request.url.path, response.status_code, (time.perf_counter() - started) * 1000)
    return response


@app.post("/feed", response_model=FeedResponse)
def feed(req: FeedRequest, tenant_id: str = Depends(tenant)) -> FeedResponse:
    request_id = str(uuid.uuid4())
    user = user_features(req.user_id)
    items = item_details(req.candidate_ids)
    # ok: MLR402
    pairs = pair_frame(user, items)
    scores = score_pairs(torch.tensor(pairs[NUMERIC].to_numpy(), dtype=torch.float32))
    # ok: MLR304
    log.info("feed request=%s tenant=%s user=%s candidates=%d", request_id, tenant_id, req.user_id, len(items))
    # ruleid: MLR304
    log.info("feed client_ip=%s", req.client_ip)
    ranked = sorted(zip(req.candidate_ids, scores.tolist()), key=lambda p: -p[1])
    # ok: MLR401
    return FeedResponse(request_id=request_id, items=[FeedItem(item_id=i, score=s) for i, s in ranked])


@app.post("/similar")
async def similar(request: Request):
    body = await request.json()
    # ruleid: MLR402
    vectors = embed([item_text(body["title"], body.get("description", ""))])
    # ruleid: MLR401
    return {"embedding": vectors[0].tolist()}


@app.get("/explain/{item_id}")
def explain(item_id: str, user_id: str):
    user = user_features(user_id)
    pairs = pair_frame(user, item_details([item_id]))
    contributions = {name: float(pairs[name].iloc[0]) for name in NUMERIC}
    # ok: MLR401
    return {"item_id": item_id, "feature_values": contributions}
