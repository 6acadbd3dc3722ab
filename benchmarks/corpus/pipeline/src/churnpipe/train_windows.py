"""Entry point for the sequence experiments: seeds first, then builds the loaders."""

from __future__ import annotations

import random

import numpy as np
import torch

from churnpipe.config import PipelineConfig
from churnpipe.window_data import jitter, window_loader


def seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def batches(series: np.ndarray, cfg: PipelineConfig) -> int:
    seed_all(cfg.seed)
    loader = window_loader(
        jitter(series, cfg.net.weight_decay), cfg.net.hidden_size, cfg.net.batch_size
    )
    return sum(1 for _ in loader)
