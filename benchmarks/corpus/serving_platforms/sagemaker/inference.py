"""SageMaker inference script for the sentiment classifier (model_fn/input_fn/predict_fn/output_fn)."""

import json
import logging
import os

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

logger = logging.getLogger(__name__)
MAX_LEN = 256


def model_fn(model_dir):
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir)
    model.eval()
    version = open(os.path.join(model_dir, "VERSION")).read().strip()
    return model, tokenizer, version


def input_fn(request_body, content_type="application/json"):
    if content_type != "application/json":
        raise ValueError(f"unsupported content type {content_type}")
    data = json.loads(request_body)
    texts = data.get("texts")
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise ValueError("'texts' must be a non-empty list of strings")
    # ok: MLR304
    logger.info("received %d texts", len(texts))
    return texts


def predict_fn(texts, model_bundle):
    model, tokenizer, version = model_bundle
    batch = tokenizer(texts, padding=True, truncation=True, max_length=MAX_LEN, return_tensors="pt")
    with torch.no_grad():
        probs = torch.softmax(model(**batch).logits, dim=-1)
    # ok: MLR401
    logger.info("scored batch of %d with model %s", probs.shape[0], version)
    return {"probabilities": probs.tolist(), "model_version": version}


def output_fn(prediction, accept="application/json"):
    return json.dumps(prediction), accept
