"""Ticket sentiment inference service."""
import logging
import os

import yaml
from fastapi import FastAPI, Request
from huggingface_hub import hf_hub_download
from pydantic import BaseModel, Field
from safetensors.torch import load_file
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

log = logging.getLogger("sentiment.inference")
app = FastAPI()

with open("configs/serving.yaml") as fh:
    # ruleid: MLR301
    SERVING_CFG = yaml.load(fh, Loader=yaml.Loader)

MODEL_DIR = SERVING_CFG["model_dir"]
MODEL_VERSION = SERVING_CFG["model_version"]
ESCALATE_AT = SERVING_CFG["escalation_threshold"]

# ok: MLR302, MLR305
tokenizer = AutoTokenizer.from_pretrained(f"{MODEL_DIR}/{MODEL_VERSION}")
# ok: MLR302
model = AutoModelForSequenceClassification.from_pretrained(f"{MODEL_DIR}/{MODEL_VERSION}")
clf = pipeline("text-classification", model=model, tokenizer=tokenizer, top_k=None)

# ruleid: MLR302
calib_path = hf_hub_download(repo_id="acme-research/ticket-calibration", filename="temperature.safetensors")
# ok: MLR301
calibration = load_file(calib_path)


class Ticket(BaseModel):
    ticket_id: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=5000)
    customer_email: str | None = None


@app.post("/v1/sentiment")
def sentiment(ticket: Ticket) -> dict:
    # ok: MLR402
    scores = clf(ticket.text)[0]
    neg = next(s["score"] for s in scores if s["label"] == "negative")
    # ruleid: MLR304
    log.info("ticket %s from %s: %s", ticket.ticket_id, ticket.customer_email, ticket.text)
    # ok: MLR503
    escalate = neg >= ESCALATE_AT
    # ok: MLR401
    return {"ticket_id": ticket.ticket_id, "negative": neg, "escalate": escalate, "model_version": MODEL_VERSION}


@app.get("/v1/sentiment_quick")
def sentiment_quick(request: Request) -> dict:
    text = request.query_params.get("text", "")
    # ruleid: MLR402
    scores = clf(text)[0]
    # ruleid: MLR401
    return {"scores": scores}
