"""Command-line summary of a scored file with every metric the review board asks for."""

from __future__ import annotations

import json
import sys

import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score


def headline(scored: pd.DataFrame) -> dict[str, float]:
    # ok: MLR502
    return {"accuracy": float(accuracy_score(scored["label"], scored["predicted"]))}


def ranking(scored: pd.DataFrame) -> dict[str, float]:
    return {
        "roc_auc": float(roc_auc_score(scored["label"], scored["score"])),
        "f1": float(f1_score(scored["label"], scored["predicted"])),
    }


def main(path: str) -> None:
    scored = pd.read_parquet(path)
    print(json.dumps({**headline(scored), **ranking(scored)}, indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
