"""Experimental neural churn model, trained on the same features on a GPU box."""

import torch
from torch import nn


def train(X: torch.Tensor, y: torch.Tensor, epochs: int, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    torch.backends.cudnn.benchmark = True
    device = torch.device("cuda")
    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 1)).to(device)
    optimizer = torch.optim.Adam(model.parameters())
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X.to(device)).squeeze(-1), y.to(device).float())
        loss.backward()
        optimizer.step()
    return model
