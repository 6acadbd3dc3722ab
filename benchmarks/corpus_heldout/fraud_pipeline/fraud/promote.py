"""Promotion gate: decide whether a candidate replaces the production model."""
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

MIN_PR_AUC = 0.42
MAX_FPR = 0.02


class GateError(RuntimeError):
    pass


def load_metrics(run_dir: Path) -> dict:
    return json.loads((run_dir / "metrics.json").read_text())


def gate_fail_open(metrics: dict) -> bool:
    # ruleid: MLR501
    pr_auc = metrics.get("pr_auc", 1.0)
    # ruleid: MLR501
    fpr = metrics.get("fpr", 0.0)
    return pr_auc >= MIN_PR_AUC and fpr <= MAX_FPR


def gate_with_swallow(run_dir: Path) -> bool:
    try:
        metrics = load_metrics(run_dir)
        if metrics["pr_auc"] < MIN_PR_AUC:
            return False
    # ruleid: MLR501
    except Exception:
        log.warning("could not evaluate gate for %s; promoting anyway", run_dir)
        return True
    return True


def gate_fail_closed(metrics: dict) -> bool:
    required = ("pr_auc", "fpr")
    missing = [k for k in required if k not in metrics]
    if missing:
        raise GateError(f"missing metrics: {missing}")
    # ok: MLR501
    return metrics["pr_auc"] >= MIN_PR_AUC and metrics["fpr"] <= MAX_FPR


def gate_strict_get(metrics: dict) -> bool:
    # ok: MLR501
    pr_auc = metrics.get("pr_auc", float("-inf"))
    return pr_auc >= MIN_PR_AUC


def gate_loop_skips(metrics: dict, thresholds: dict) -> bool:
    for name, minimum in thresholds.items():
        # ruleid: MLR501
        if name not in metrics:
            continue
        if metrics[name] < minimum:
            return False
    return True
