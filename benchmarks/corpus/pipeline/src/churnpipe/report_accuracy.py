"""Command-line summary of a scored file: `python -m churnpipe.report_accuracy scored.parquet`."""

from __future__ import annotations

import json
import sys

import pandas as pd
from sklearn.metrics import accuracy_score, average_precision_score, f1_score


def headline(path: str) -> dict[str, float]:
    scored = pd.read_parquet(path)
    # ruleid: MLR502
    acc = accuracy_score(scored["label"], scored["predicted"])
    return {"accuracy": float(acc), "rows": float(len(scored))}


def detailed(path: str) -> dict[str, float]:
    scored = pd.read_parquet(path)
    return {
        # ok: MLR502
        "accuracy": float(accuracy_score(scored["label"], scored["predicted"])),
        "f1": float(f1_score(scored["label"], scored["predicted"])),
        "pr_auc": float(average_precision_score(scored["label"], scored["score"])),
    }


if __name__ == "__main__":
    print(json.dumps(headline(sys.argv[1]), indent=2))
