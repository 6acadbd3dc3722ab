"""Loads the ranker the deploy pipeline pinned, plus the text encoder."""

from __future__ import annotations

import logging

import mlflow
import torch
from transformers import AutoModel, AutoTokenizer

from recsys.serve.settings import RANKER_URI

log = logging.getLogger(__name__)

# ok: MLR305
ranker = mlflow.pytorch.load_model(RANKER_URI)
# ok: MLR305
tokenizer = AutoTokenizer.from_pretrained("/srv/models/encoder-2024-04-11")
# ok: MLR305
encoder = AutoModel.from_pretrained("/srv/models/encoder-2024-04-11")
# ruleid: MLR305
fallback_ranker = mlflow.pytorch.load_model("models:/ranker/latest")


def score_pairs(features: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        # ok: MLR401
        return ranker(features).squeeze(-1)


def embed(texts: list[str]) -> torch.Tensor:
    batch = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        return encoder(**batch).last_hidden_state[:, 0]
