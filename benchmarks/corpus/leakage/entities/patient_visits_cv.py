"""Readmission risk from outpatient visits: cross-validated evaluation."""
from __future__ import annotations

import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_validate


def features(visits: pd.DataFrame) -> pd.DataFrame:
    visits = visits.copy()
    visits["visit_no"] = visits.groupby("patient_id").cumcount()
    # ruleid: MLR101
    visits["patient_readmit_rate"] = visits.groupby("patient_id")["readmit_30d"].transform("mean")
    visits["los_days"] = visits["length_of_stay"].clip(upper=60)
    return visits


def evaluate(visits: pd.DataFrame) -> dict[str, float]:
    table = features(visits)
    X = table[["visit_no", "patient_readmit_rate", "los_days", "age"]]
    y = table["readmit_30d"]
    model = GradientBoostingClassifier(random_state=0)
    # ruleid: MLR105
    naive = cross_validate(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), scoring="roc_auc")
    # ok: MLR105
    grouped = cross_validate(model, X, y, groups=table["patient_id"], cv=StratifiedGroupKFold(5), scoring="roc_auc")
    return {"naive_auc": naive["test_score"].mean(), "grouped_auc": grouped["test_score"].mean()}


if __name__ == "__main__":
    print(evaluate(pd.read_parquet("data/outpatient_visits.parquet")))
