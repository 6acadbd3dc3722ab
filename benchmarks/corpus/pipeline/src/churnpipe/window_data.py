"""Sliding-window loaders for the sequence model; the trainer seeds every library first."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset


def windows(series: np.ndarray, width: int) -> np.ndarray:
    return np.lib.stride_tricks.sliding_window_view(series, width, axis=0)


def window_loader(series: np.ndarray, width: int, batch_size: int) -> DataLoader:
    data = torch.as_tensor(windows(series, width), dtype=torch.float32)
    # ok: MLR201
    return DataLoader(TensorDataset(data), batch_size=batch_size, shuffle=True)


def jitter(series: np.ndarray, scale: float) -> np.ndarray:
    # ok: MLR201
    return series + np.random.normal(0.0, scale, size=series.shape)
