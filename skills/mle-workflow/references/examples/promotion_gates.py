"""Promotion gates that fail closed.

A gate answers one question, "may this model replace the one in production?", and the
only safe default answer is no. Here every doubtful case blocks promotion:

* a required metric is absent, or is not a finite number;
* a metric is on the wrong side of its bound;
* the candidate does not beat the production model by the required margin;
* a required evaluation slice is absent or fails its floor;
* the gate list itself is empty (an empty list would pass anything).

All problems are collected and raised together as ``PromotionBlocked``, so one run shows
every reason the model cannot ship. Nothing is logged-and-continued. Standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum


class Direction(str, Enum):
    AT_LEAST = "at_least"  # higher is better: AUC, recall
    AT_MOST = "at_most"  # lower is better: calibration error, latency


@dataclass(frozen=True)
class Gate:
    metric: str
    direction: Direction
    bound: float

    def holds(self, value: float) -> bool:
        if self.direction is Direction.AT_LEAST:
            return value >= self.bound
        return value <= self.bound

    def describe(self) -> str:
        sign = ">=" if self.direction is Direction.AT_LEAST else "<="
        return f"{self.metric} {sign} {self.bound}"


class PromotionBlocked(Exception):
    """Raised with every reason the candidate may not be promoted."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("promotion blocked: " + "; ".join(self.reasons))


# Declared before training finishes; tune the numbers to the product, keep the shape.
RELEASE_GATES: tuple[Gate, ...] = (
    Gate("roc_auc", Direction.AT_LEAST, 0.80),
    Gate("recall_at_review_capacity", Direction.AT_LEAST, 0.65),
    Gate("expected_calibration_error", Direction.AT_MOST, 0.05),
    Gate("p95_latency_ms", Direction.AT_MOST, 120.0),
)


def _number(metrics: Mapping[str, object], name: str) -> float | str:
    """The metric as a finite float, or a reason it cannot be used."""
    if name not in metrics:
        return f"{name} is missing"
    value = metrics[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{name} is not a number ({value!r})"
    if not math.isfinite(value):
        return f"{name} is not finite ({value!r})"
    return float(value)


def gate_failures(metrics: Mapping[str, object], gates: Iterable[Gate]) -> list[str]:
    """Every reason ``metrics`` fail ``gates``; an empty gate list is itself a failure."""
    gates = tuple(gates)
    if not gates:
        return ["no promotion gates are configured"]
    reasons: list[str] = []
    for gate in gates:
        value = _number(metrics, gate.metric)
        if isinstance(value, str):
            reasons.append(value)
        elif not gate.holds(value):
            reasons.append(f"{gate.metric} = {value} fails {gate.describe()}")
    return reasons


def require_promotion(metrics: Mapping[str, object], gates: Iterable[Gate] = RELEASE_GATES) -> None:
    """Return only when every gate passes; otherwise raise ``PromotionBlocked``."""
    reasons = gate_failures(metrics, gates)
    if reasons:
        raise PromotionBlocked(reasons)


def require_improvement(
    candidate: Mapping[str, object],
    production: Mapping[str, object],
    metric: str,
    min_gain: float = 0.0,
    direction: Direction = Direction.AT_LEAST,
) -> None:
    """The candidate must beat production on ``metric`` by at least ``min_gain``.

    Missing numbers on either side block: without the production figure there is no
    evidence the change is an improvement.
    """
    new, old = _number(candidate, metric), _number(production, metric)
    if isinstance(new, str) or isinstance(old, str):
        sides = (("candidate", new), ("production", old))
        raise PromotionBlocked([f"{side}: {value}" for side, value in sides if isinstance(value, str)])
    gain = new - old if direction is Direction.AT_LEAST else old - new
    if not gain >= min_gain:  # written so that a NaN margin blocks as well
        raise PromotionBlocked([f"{metric} gain over production is {gain:.4g}, needs >= {min_gain}"])


def require_slices(
    slice_metrics: Mapping[str, Mapping[str, object]],
    required_slices: Iterable[str],
    gates: Iterable[Gate],
) -> None:
    """Each required slice must be present and pass every gate; a missing slice blocks."""
    required = tuple(required_slices)
    gates = tuple(gates)
    if not required:
        raise PromotionBlocked(["no evaluation slices are required"])
    reasons: list[str] = []
    for name in required:
        if name not in slice_metrics:
            reasons.append(f"slice {name!r} was not evaluated")
            continue
        reasons += [f"slice {name!r}: {r}" for r in gate_failures(slice_metrics[name], gates)]
    if reasons:
        raise PromotionBlocked(reasons)


if __name__ == "__main__":
    candidate = {
        "roc_auc": 0.84,
        "recall_at_review_capacity": 0.71,
        "expected_calibration_error": 0.03,
        "p95_latency_ms": 95.0,
    }
    require_promotion(candidate)
    require_improvement(candidate, {"roc_auc": 0.81}, "roc_auc", min_gain=0.01)
    print("candidate may be promoted")
