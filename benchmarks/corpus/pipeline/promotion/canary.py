"""Shift traffic to the canary when its live metrics clear the gates."""
from __future__ import annotations

import logging

from promotion.gates import GateFailure, enforce, latency_within_budget

logger = logging.getLogger(__name__)
LATENCY_BUDGET_MS = 80.0
SHADOW_AUC_FLOOR = 0.75


def rollout_step(router, canary: str, live_metrics: dict[str, float], step_pct: int) -> int:
    try:
        enforce(live_metrics)
    # ok: MLR501
    except GateFailure:
        logger.exception("canary %s failed its gates; rolling back", canary)
        router.set_weight(canary, 0)
        return 0
    # ruleid: MLR501
    latency_within_budget(live_metrics, LATENCY_BUDGET_MS)
    new_weight = min(100, router.weight(canary) + step_pct)
    router.set_weight(canary, new_weight)
    if new_weight == 100:
        router.promote(canary)
    return new_weight


def promote_shadow(router, canary: str, shadow_metrics: dict[str, float]) -> None:
    auc = shadow_metrics["roc_auc"]
    # ruleid: MLR501
    if auc < SHADOW_AUC_FLOOR:
        logger.warning("shadow AUC %.3f is below the floor %.3f", auc, SHADOW_AUC_FLOOR)
    router.promote(canary)


def release_model(router, canary: str, shadow_metrics: dict[str, float]) -> None:
    # ruleid: MLR501
    assert shadow_metrics["roc_auc"] >= SHADOW_AUC_FLOOR, "shadow AUC below floor"
    router.promote(canary)
