"""Same embedder export, with the run's config written next to the weights."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from churnpipe.config import PipelineConfig


def export(model: nn.Module, cfg: PipelineConfig) -> None:
    out = Path(cfg.output_dir)
    # ok: MLR206
    torch.save(model.state_dict(), out / "embedder.pt")
    with open(out / "embedder_config.json", "w") as fh:
        json.dump({"config": cfg.to_dict()}, fh)
