"""Starlette app for address-matching scores."""

import logging

import joblib
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

logger = logging.getLogger("matcher")
MATCHER_VERSION = "matcher-v9"
# ruleid: MLR301
matcher = joblib.load(f"/srv/models/{MATCHER_VERSION}.joblib")


class MatchRequest(BaseModel):
    left_address: str
    right_address: str


async def match(request: Request):
    try:
        req = MatchRequest.model_validate(await request.json())
    except ValidationError as exc:
        return JSONResponse({"error": exc.errors()}, status_code=422)
    # ok: MLR402
    score = float(matcher.predict_proba([[req.left_address, req.right_address]])[0, 1])
    # ruleid: MLR304, MLR401
    logger.info("match %s <-> %s score=%.3f", req.left_address, req.right_address, score)
    # ok: MLR401
    return JSONResponse({"score": score, "model_version": MATCHER_VERSION})


async def match_loose(request: Request):
    body = await request.json()
    # ruleid: MLR402
    score = float(matcher.predict_proba([[body["left_address"], body["right_address"]]])[0, 1])
    # ruleid: MLR401
    return JSONResponse({"score": score})


async def health(request: Request):
    # ok: MLR401
    return JSONResponse({"ok": True, "model": MATCHER_VERSION})


app = Starlette(routes=[Route("/match", match, methods=["POST"]), Route("/match-loose", match_loose, methods=["POST"]), Route("/health", health)])
