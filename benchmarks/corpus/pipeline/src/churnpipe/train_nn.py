"""Neural churn model (GPU), trained on the same features as the XGBoost model."""
from __future__ import annotations

import random

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from churnpipe.config import NetConfig


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


class ChurnNet(nn.Module):
    def __init__(self, n_features: int, hidden: int) -> None:
        super().__init__()
        # ok: MLR205, MLR202
        self.body = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(), nn.Dropout(0.2), nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).squeeze(-1)


def segment_means(values: torch.Tensor, segment: torch.Tensor, n_segments: int) -> torch.Tensor:
    sums = torch.zeros(n_segments, device=values.device)
    # ruleid: MLR202
    sums.index_add_(0, segment, values)
    # ruleid: MLR202
    counts = torch.bincount(segment, minlength=n_segments).clamp(min=1)
    return sums / counts


@torch.no_grad()
def validation_accuracy(model: ChurnNet, X_val: torch.Tensor, y_val: torch.Tensor) -> float:
    preds = (model(X_val) > 0).float()
    # ok: MLR502
    return float((preds == y_val).float().mean())


def train(X: np.ndarray, y: np.ndarray, cfg: NetConfig, seed: int) -> ChurnNet:
    seed_everything(seed)
    # ruleid: MLR202
    torch.backends.cudnn.benchmark = True
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = ChurnNet(X.shape[1], cfg.hidden_size).to(device)
    # ok: MLR205
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    data = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))
    loader = DataLoader(data, batch_size=cfg.batch_size, shuffle=True)
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(cfg.epochs):
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        # ok: MLR206
        torch.save(model.state_dict(), f"checkpoints/churn_net_epoch{epoch}.pt")
    return model
