"""Move the serving pointer of the ranking service to a freshly trained model.

The serving fleet reads `LIVE` under the model root and loads the folder it names,
so writing that file is the promotion.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

logger = logging.getLogger("ranker.promote")

NDCG_FLOOR = 0.41
MAX_P95_MS = 35.0
WARN_COVERAGE = 0.9


def read_report(run: Path) -> dict[str, float]:
    return json.loads((run / "eval.json").read_text())


def promote_ranker(run: Path, model_root: Path) -> None:
    report = read_report(run)
    # ruleid: MLR501
    if report["ndcg_at_10"] < NDCG_FLOOR:
        logger.warning("ndcg %.3f is under the floor; rolling out regardless", report["ndcg_at_10"])
    # ok: MLR501
    if report["p95_ms"] > MAX_P95_MS:
        raise SystemExit(f"p95 latency {report['p95_ms']:.1f} ms over budget")
    shutil.copytree(run / "model", model_root / run.name)
    (model_root / "LIVE").write_text(run.name)


def promote_ranker_checked(run: Path, model_root: Path) -> None:
    report = read_report(run)
    # ok: MLR501
    if report["ndcg_at_10"] < NDCG_FLOOR:
        logger.error("ndcg under the floor, keeping the current model")
        raise SystemExit(1)
    # ok: MLR501
    if report.get("coverage", 0.0) < WARN_COVERAGE:
        logger.info("coverage is low; advisory only")
    (model_root / "LIVE").write_text(run.name)


def describe_candidate(run: Path) -> str:
    report = read_report(run)
    # ok: MLR501
    if report["ndcg_at_10"] < NDCG_FLOOR:
        logger.info("candidate %s is under the floor", run.name)
    return json.dumps(report, indent=2)


def clears_bar(report: dict[str, float]) -> bool:
    # ruleid: MLR501
    ndcg = report.get("ndcg_at_10", 1.0)
    # ok: MLR501
    p95 = report.get("p95_ms", float("inf"))
    return ndcg >= NDCG_FLOOR and p95 <= MAX_P95_MS


def ranker_gate_fail_safe(report: dict[str, float]) -> bool:
    """Kept for the old scheduler; returns True when the candidate may go live."""
    # ruleid: MLR501
    latency = report.get("p95_ms", 0.0)
    return latency <= MAX_P95_MS


def gate_failed(report: dict[str, float]) -> bool:
    """True when the candidate must not go live."""
    # ok: MLR501
    ndcg = report.get("ndcg_at_10", 0.0)
    return ndcg < NDCG_FLOOR
