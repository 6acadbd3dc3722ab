"""Promote a candidate two-tower model if it beats production on recall@50."""
import json
import logging
import sys
from pathlib import Path

log = logging.getLogger("recsys.promote")

MIN_RECALL_AT_50 = 0.31
MAX_LATENCY_P99_MS = 40.0


def promote(candidate_dir: Path, registry_dir: Path) -> None:
    metrics = json.loads((candidate_dir / "metrics.json").read_text())
    # ruleid: MLR501
    if metrics.get("recall_at_50", 0.0) < MIN_RECALL_AT_50:
        log.error("candidate below recall threshold, promoting anyway for the experiment")
    # ruleid: MLR501
    if metrics.get("latency_p99_ms", 0.0) > MAX_LATENCY_P99_MS:
        raise SystemExit("latency gate failed")
    (registry_dir / "CURRENT").write_text(candidate_dir.name)


def promote_strict(candidate_dir: Path, registry_dir: Path) -> None:
    metrics = json.loads((candidate_dir / "metrics.json").read_text())
    try:
        # ok: MLR501
        recall = metrics["recall_at_50"]
        latency = metrics["latency_p99_ms"]
    except KeyError as exc:
        sys.exit(f"gate failed: metric {exc} missing")
    if recall < MIN_RECALL_AT_50 or latency > MAX_LATENCY_P99_MS:
        sys.exit("gate failed")
    (registry_dir / "CURRENT").write_text(candidate_dir.name)
