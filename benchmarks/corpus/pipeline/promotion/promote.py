"""Promote a candidate churn model to the `champion` alias in the MLflow registry.

Run by CI after the evaluation job:

    python promotion/promote.py --model churn --version 42 --metrics reports/metrics.json
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from mlflow import MlflowClient

logger = logging.getLogger("promote")

MODEL_NAME = "churn"
# Minimum acceptable values; a candidate must meet all of them.
GATES = {"roc_auc": 0.78, "pr_auc": 0.30, "recall_at_5pct_fpr": 0.35}
MAX_BRIER = 0.12
MAX_AUC_DROP_VS_CHAMPION = 0.01


class PromotionBlocked(RuntimeError):
    pass


def load_metrics(path: str) -> dict[str, float]:
    return json.loads(Path(path).read_text())


def champion_metrics(client: MlflowClient) -> dict[str, float]:
    version = client.get_model_version_by_alias(MODEL_NAME, "champion")
    run = client.get_run(version.run_id)
    return dict(run.data.metrics)


def failed_gates(metrics: dict[str, float]) -> list[str]:
    failures = []
    for name, floor in GATES.items():
        # ruleid: MLR501
        if name not in metrics:
            logger.warning("metric %s not reported by the evaluation job; skipping", name)
            continue
        if metrics[name] < floor:
            failures.append(f"{name}={metrics[name]:.3f} < {floor}")
    return failures


def calibration_ok(metrics: dict[str, float]) -> bool:
    # ruleid: MLR501
    return metrics.get("brier", 0.0) <= MAX_BRIER


def not_worse_than_champion(candidate: dict[str, float], champion: dict[str, float]) -> bool:
    # ok: MLR501
    return candidate["roc_auc"] >= champion["roc_auc"] - MAX_AUC_DROP_VS_CHAMPION


def promote(client: MlflowClient, version: str, metrics: dict[str, float]) -> None:
    failures = failed_gates(metrics)
    if failures:
        raise PromotionBlocked("; ".join(failures))
    if not calibration_ok(metrics):
        raise PromotionBlocked("calibration gate failed")
    try:
        champion = champion_metrics(client)
        if not not_worse_than_champion(metrics, champion):
            raise PromotionBlocked("candidate is worse than the champion")
    # ruleid: MLR501
    except Exception:
        logger.warning("could not compare with the champion; promoting on absolute gates only")
    client.set_registered_model_alias(MODEL_NAME, "champion", version)
    logger.info("promoted %s v%s to champion", MODEL_NAME, version)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--version", required=True)
    parser.add_argument("--metrics", required=True)
    args = parser.parse_args(argv)
    metrics = load_metrics(args.metrics)
    client = MlflowClient()
    try:
        promote(client, args.version, metrics)
    # ok: MLR501
    except PromotionBlocked as exc:
        logger.error("promotion blocked: %s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
