"""Train the two-tower ranker and log it to MLflow."""

from __future__ import annotations

import logging

import mlflow
import pandas as pd
import torch

from recsys.common.text import item_text
from recsys.train.features import pair_features, user_activity

log = logging.getLogger(__name__)


def load_pairs(path: str) -> pd.DataFrame:
    pairs = pd.read_parquet(path)
    pairs["text"] = [item_text(t, d) for t, d in zip(pairs["title"], pairs["description"])]
    return pairs


def main(events_path: str, pairs_path: str, epochs: int) -> None:
    torch.manual_seed(13)
    users = user_activity(pd.read_parquet(events_path))
    pairs = pair_features(load_pairs(pairs_path)).merge(users, on="user_id", how="left")
    # ok: MLR304
    log.info("pairs=%d users=%d", len(pairs), pairs["user_id"].nunique())
    model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    optimiser = torch.optim.Adam(model.parameters())
    for _ in range(epochs):
        optimiser.zero_grad()
        loss = model(torch.randn(8, 16)).pow(2).mean()
        loss.backward()
        optimiser.step()
    with mlflow.start_run() as run:
        mlflow.pytorch.log_model(model, "ranker", registered_model_name="ranker")
        # ok: MLR304
        log.info("logged ranker run_id=%s", run.info.run_id)
