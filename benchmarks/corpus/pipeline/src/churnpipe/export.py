"""Export trained models for the serving stack (ONNX for the Java scorer, native for Python)."""
from __future__ import annotations

from pathlib import Path

import mlflow
import mlflow.pyfunc
import numpy as np
import torch

from churnpipe.config import PipelineConfig

EXPORT_DIR = Path("exports")


def export_onnx(net: torch.nn.Module, n_features: int) -> Path:
    dummy = torch.zeros(1, n_features)
    target = EXPORT_DIR / "churn_net.onnx"
    # ruleid: MLR206
    torch.onnx.export(net, dummy, target, input_names=["features"], output_names=["logit"])
    return target


def export_scripted(net: torch.nn.Module, version: str) -> Path:
    target = EXPORT_DIR / f"churn_net-{version}.pt"
    # ok: MLR206
    torch.jit.save(torch.jit.script(net), target)
    return target


def export_booster(booster) -> None:
    # ruleid: MLR206
    booster.save_model("exports/churn_xgb.ubj")


def export_for_registry(model, cfg: PipelineConfig, signature) -> str:
    with mlflow.start_run() as run:
        mlflow.log_params(cfg.to_dict())
        # ok: MLR206
        mlflow.pyfunc.log_model("model", python_model=model, signature=signature)
        return run.info.run_id


def export_embeddings(embeddings: np.ndarray) -> None:
    # ok: MLR206
    np.save(EXPORT_DIR / "customer_embeddings.npy", embeddings)
