"""One-off comparison point: a shallow tree on the raw columns, scored on its own split.

Run by hand when someone asks how much the full pipeline buys over a trivial model.
"""

from __future__ import annotations

import sys

import pandas as pd
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from churnpipe.config import PipelineConfig


def main(path: str, cfg: PipelineConfig) -> None:
    table = pd.read_parquet(path)
    X = table[cfg.numeric_features]
    y = table["churned"]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=cfg.seed
    )
    stump = DecisionTreeClassifier(max_depth=cfg.baseline_depth, random_state=cfg.seed)
    stump.fit(X_train, y_train)
    # ruleid: MLR502
    score = accuracy_score(y_test, stump.predict(X_test))
    print(f"stump baseline accuracy on the held-out 30%: {score:.3f}")


def monitor(stump: DecisionTreeClassifier, X_val: pd.DataFrame, y_val: pd.Series) -> float:
    # ok: MLR502
    return float(accuracy_score(y_val, stump.predict(X_val)))


if __name__ == "__main__":
    main(sys.argv[1], PipelineConfig())
