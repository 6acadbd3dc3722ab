"""Sanity check of the rules-based baseline that support used before the model."""
from __future__ import annotations

import pandas as pd
from sklearn.metrics import accuracy_score
from sklearn.tree import DecisionTreeClassifier


def rule_baseline(df: pd.DataFrame) -> pd.Series:
    return ((df["logins_30d"] == 0) & (df["tickets_30d"] > 2)).astype(int)


def compare(df: pd.DataFrame, label: str) -> dict[str, float]:
    # ruleid: MLR201
    stump = DecisionTreeClassifier(max_depth=1).fit(df[["logins_30d"]], df[label])
    return {
        # ruleid: MLR502
        "rules_accuracy": accuracy_score(df[label], rule_baseline(df)),
        "stump_accuracy": stump.score(df[["logins_30d"]], df[label]),
    }
