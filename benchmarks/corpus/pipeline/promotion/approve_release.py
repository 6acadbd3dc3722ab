"""Release approval step: combines performance, fairness and risk checks into one decision.

The decision record is stored with the model version so auditors can see why it shipped.
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass

logger = logging.getLogger(__name__)


@dataclass
class Decision:
    approved: bool
    reasons: list[str]


def approve_release(evaluation: dict, limits: dict) -> Decision:
    metrics = evaluation.get("metrics", {})
    fairness = evaluation.get("fairness", {})
    reasons: list[str] = []

    # ok: MLR501
    f1 = metrics.get("f1", 0.0)
    # ok: MLR501
    min_f1 = limits.get("min_f1", 0.65)
    if f1 < min_f1:
        reasons.append(f"f1 {f1:.3f} < {min_f1}")

    # ruleid: MLR501
    worst_parity = min((group.get("parity_ratio", 1.0) for group in fairness.values()), default=1.0)
    if worst_parity < limits.get("min_parity_ratio", 0.8):
        reasons.append(f"parity ratio {worst_parity:.2f} below limit")

    drift = evaluation.get("drift")
    # ruleid: MLR501
    if drift is not None and drift["psi"] > limits.get("max_psi", 0.25):
        reasons.append("feature drift too high")

    # ok: MLR501
    if limits.get("max_latency_ms") is not None and metrics["p95_latency_ms"] > limits["max_latency_ms"]:
        reasons.append("too slow")

    decision = Decision(approved=not reasons, reasons=reasons)
    logger.info("release decision: %s", json.dumps(asdict(decision)))
    return decision
