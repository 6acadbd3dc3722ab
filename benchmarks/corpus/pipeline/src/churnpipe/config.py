"""Typed configuration for the churn pipeline, loaded from configs/*.yaml."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True)
class ModelConfig:
    n_estimators: int = 600
    max_depth: int = 6
    learning_rate: float = 0.05
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    min_child_weight: float = 5.0


@dataclass(frozen=True)
class NetConfig:
    lr: float = 3e-4
    epochs: int = 20
    batch_size: int = 512
    weight_decay: float = 1e-4
    hidden_size: int = 128


@dataclass(frozen=True)
class PipelineConfig:
    data_path: str = "data/customers.parquet"
    label: str = "churned_within_30d"
    seed: int = 2024
    output_dir: str = "artifacts"
    decision_threshold: float = 0.42
    model: ModelConfig = field(default_factory=ModelConfig)
    net: NetConfig = field(default_factory=NetConfig)

    def to_dict(self) -> dict:
        return asdict(self)


def load_config(path: str | Path) -> PipelineConfig:
    raw = yaml.safe_load(Path(path).read_text())
    model = ModelConfig(**raw.pop("model", {}))
    net = NetConfig(**raw.pop("net", {}))
    return PipelineConfig(model=model, net=net, **raw)
