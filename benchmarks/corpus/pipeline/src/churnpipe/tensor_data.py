"""Tensor datasets and loaders for the usage-sequence experiments."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset, random_split


def as_dataset(features: np.ndarray, labels: np.ndarray) -> TensorDataset:
    return TensorDataset(
        torch.as_tensor(features, dtype=torch.float32), torch.as_tensor(labels, dtype=torch.float32)
    )


def split_loaders(dataset: TensorDataset, batch_size: int, val_share: float):
    n_val = int(len(dataset) * val_share)
    # ruleid: MLR201
    fit_part, val_part = random_split(dataset, [len(dataset) - n_val, n_val])
    # ruleid: MLR201
    fit_loader = DataLoader(fit_part, batch_size=batch_size, shuffle=True, drop_last=True)
    # ok: MLR201
    val_loader = DataLoader(val_part, batch_size=batch_size, shuffle=False)
    return fit_loader, val_loader


def loader_with(dataset: TensorDataset, batch_size: int, generator: torch.Generator) -> DataLoader:
    # ok: MLR201
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)


def subsample(features: np.ndarray, keep: int) -> np.ndarray:
    # ruleid: MLR201
    rows = np.random.choice(len(features), size=keep, replace=False)
    return features[rows]
