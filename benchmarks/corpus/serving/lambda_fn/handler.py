"""AWS Lambda behind API Gateway: scores loan applications for the partner portal."""

from __future__ import annotations

import json
import logging
import os

import joblib
from pydantic import BaseModel, Field, ValidationError

logger = logging.getLogger()
logger.setLevel(logging.INFO)

MODEL_VERSION = os.environ["MODEL_VERSION"]
# ruleid: MLR301
model = joblib.load(f"/opt/ml/loan/{MODEL_VERSION}/model.joblib")


class Application(BaseModel):
    income: float = Field(ge=0)
    loan_amount: float = Field(gt=0)
    term_months: int = Field(ge=6, le=360)
    credit_score: int = Field(ge=300, le=850)


def lambda_handler(event, context):
    try:
        app = Application.model_validate_json(event["body"])
    except (KeyError, ValidationError) as exc:
        return {"statusCode": 400, "body": json.dumps({"error": str(exc)})}
    row = [[app.income, app.loan_amount, app.term_months, app.credit_score]]
    # ok: MLR402
    score = float(model.predict_proba(row)[0, 1])
    # ok: MLR401
    logger.info(json.dumps({"score": score, "model_version": MODEL_VERSION}))
    # ok: MLR401
    return {"statusCode": 200, "body": json.dumps({"default_probability": score, "model_version": MODEL_VERSION})}


def legacy_handler(event, context):
    # ruleid: MLR304
    logger.info("event: %s", json.dumps(event))
    body = json.loads(event["body"])
    row = [[body["income"], body["loan_amount"], body["term_months"], body["credit_score"]]]
    # ruleid: MLR402
    score = float(model.predict_proba(row)[0, 1])
    # ruleid: MLR401
    return {"statusCode": 200, "body": json.dumps({"default_probability": score})}
