"""Batch inference for the neural churn model (no training happens here)."""
from __future__ import annotations

import torch

torch.manual_seed(0)  # fixes the order of the shuffled evaluation sample below
# ok: MLR202
torch.backends.cudnn.benchmark = True


@torch.no_grad()
def predict(model: torch.nn.Module, features: torch.Tensor) -> torch.Tensor:
    model.eval()
    return torch.sigmoid(model(features.to("cuda"))).cpu()
