"""Train the customer embedding model used by the look-alike audience job."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import torch
from torch import nn

from churnpipe.config import PipelineConfig


class Embedder(nn.Module):
    def __init__(self, n_features: int, dim: int) -> None:
        super().__init__()
        self.proj = nn.Linear(n_features, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x)


def fit(features: torch.Tensor, cfg: PipelineConfig) -> Embedder:
    torch.manual_seed(cfg.seed)
    model = Embedder(features.shape[1], cfg.net.hidden_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.net.lr)
    for _ in range(cfg.net.epochs):
        optimizer.zero_grad()
        loss = model(features).pow(2).mean()
        loss.backward()
        optimizer.step()
    return model


def export(model: Embedder, cfg: PipelineConfig) -> None:
    # ruleid: MLR206
    torch.save(model.state_dict(), Path(cfg.output_dir) / "embedder.pt")


def export_for_run(model: Embedder, cfg: PipelineConfig, run_id: str) -> None:
    # ok: MLR206
    torch.save(model.state_dict(), Path(cfg.output_dir) / run_id / "embedder.pt")


def export_to(model: Embedder, args: argparse.Namespace) -> None:
    # ok: MLR206
    torch.save(model.state_dict(), os.path.join(args.output_dir, "embedder.pt"))
