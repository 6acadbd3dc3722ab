"""Deterministic variant used for the weekly regression check (bit-exact reruns)."""
from __future__ import annotations

import os

import torch

os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def configure(seed: int) -> None:
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    # ok: MLR202
    torch.backends.cudnn.benchmark = False


def step(model, batch, target, optimizer, segment, out):
    # ok: MLR202
    out.index_add_(0, segment, model(batch.cuda()))
    loss = torch.nn.functional.mse_loss(out, target.cuda())
    loss.backward()
    optimizer.step()
