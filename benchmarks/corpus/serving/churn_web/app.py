"""Churn scores for the retention dashboard (Flask)."""

from __future__ import annotations

import logging

from flask import Flask, abort, jsonify, request
from marshmallow import Schema, ValidationError, fields, validate

from churn_web.model import MODEL_VERSION, predict_churn, predict_envelope

app = Flask(__name__)
app.logger.setLevel(logging.INFO)


class ChurnSchema(Schema):
    customer_id = fields.String(required=True)
    tenure_months = fields.Integer(required=True, validate=validate.Range(min=0, max=600))
    monthly_charges = fields.Float(required=True, validate=validate.Range(min=0))
    support_tickets_90d = fields.Integer(required=True, validate=validate.Range(min=0))
    email = fields.Email(load_default=None)


churn_schema = ChurnSchema()


@app.after_request
def stamp_version(response):
    response.headers["X-Model-Version"] = MODEL_VERSION
    return response


@app.post("/churn")
def churn():
    try:
        record = churn_schema.load(request.get_json(force=True))
    except ValidationError as err:
        return jsonify({"errors": err.messages}), 400
    # ok: MLR402
    proba = predict_churn(record)
    # ok: MLR304
    app.logger.info("churn scored customer=%s tickets=%d", record["customer_id"], record["support_tickets_90d"])
    # ok: MLR401
    return jsonify({"customer_id": record["customer_id"], "churn_probability": proba})


@app.post("/churn/quick")
def churn_quick():
    body = request.get_json(force=True)
    # ruleid: MLR304
    app.logger.info("quick score for %s <%s>", body.get("full_name"), body.get("email"))
    # ruleid: MLR402
    return jsonify(predict_envelope(body))


@app.get("/churn/<customer_id>")
def churn_by_id(customer_id: str):
    tenure = request.args.get("tenure", type=int)
    charges = request.args.get("charges", type=float)
    if tenure is None or charges is None or tenure < 0 or charges < 0:
        abort(400)
    # ok: MLR402
    return jsonify(predict_envelope({"customer_id": customer_id, "tenure_months": tenure, "monthly_charges": charges, "support_tickets_90d": 0}))


@app.get("/version")
def version():
    # ok: MLR401
    return jsonify({"model_version": MODEL_VERSION})
