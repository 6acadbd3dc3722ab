"""Fail-closed promotion gates used by the canary rollout job."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Gate:
    metric: str
    minimum: float | None = None
    maximum: float | None = None


GATES = (
    Gate("roc_auc", minimum=0.78),
    Gate("pr_auc", minimum=0.30),
    Gate("p95_latency_ms", maximum=80.0),
    Gate("error_rate", maximum=0.01),
)


class GateFailure(Exception):
    pass


def evaluate_gates(metrics: dict[str, float]) -> list[str]:
    problems: list[str] = []
    for gate in GATES:
        # ok: MLR501
        if gate.metric not in metrics:
            problems.append(f"{gate.metric}: missing")
            continue
        value = metrics[gate.metric]
        # ok: MLR501
        if gate.minimum is not None and value < gate.minimum:
            problems.append(f"{gate.metric}={value:.4f} below {gate.minimum}")
        # ok: MLR501
        if gate.maximum is not None and value > gate.maximum:
            problems.append(f"{gate.metric}={value:.4f} above {gate.maximum}")
    return problems


def enforce(metrics: dict[str, float]) -> None:
    problems = evaluate_gates(metrics)
    if problems:
        raise GateFailure("; ".join(problems))


def latency_within_budget(metrics: dict[str, float], budget_ms: float) -> bool:
    # ok: MLR501
    return metrics.get("p95_latency_ms", float("inf")) <= budget_ms


def error_rate_ok(metrics: dict[str, float], max_error_rate: float) -> bool:
    # ruleid: MLR501
    return metrics.get("error_rate", 0.0) <= max_error_rate
