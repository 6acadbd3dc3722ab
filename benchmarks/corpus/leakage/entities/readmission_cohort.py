"""30-day readmission: build the cohort from admissions, labs and demographics."""
from __future__ import annotations

import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupShuffleSplit

ADMISSIONS = "data/admissions.csv"
LABS = "data/labevents.csv"
PATIENTS = "data/patients.csv"


def load() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    adm = pd.read_csv(ADMISSIONS, parse_dates=["admittime", "dischtime"])
    labs = pd.read_csv(LABS, parse_dates=["charttime"])
    patients = pd.read_csv(PATIENTS)
    return adm, labs, patients


def lab_features_naive(adm: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    # ruleid: MLR207
    labs["n_labs_patient"] = labs.groupby("subject_id")["valuenum"].transform("count")
    # ruleid: MLR106
    merged = adm.merge(labs, on="subject_id", how="left")
    return merged.groupby("hadm_id").agg(lab_mean=("valuenum", "mean"), n_labs=("valuenum", "size")).reset_index()


def lab_features_point_in_time(adm: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    # ok: MLR106
    merged = adm.merge(labs, on="subject_id", how="left")
    merged = merged[(merged["charttime"] >= merged["admittime"]) & (merged["charttime"] <= merged["dischtime"])]
    return merged.groupby("hadm_id").agg(lab_mean=("valuenum", "mean"), n_labs=("valuenum", "size")).reset_index()


def build(adm: pd.DataFrame, labs: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    feats = lab_features_point_in_time(adm, labs)
    # ok: MLR106
    cohort = adm.merge(patients[["subject_id", "gender", "anchor_age"]], on="subject_id")
    # ok: MLR106
    cohort = cohort.merge(feats, on="hadm_id", how="left")
    cohort["prior_admissions"] = cohort.groupby("subject_id").cumcount()
    return cohort


def train(cohort: pd.DataFrame) -> float:
    X = cohort[["anchor_age", "lab_mean", "n_labs", "prior_admissions"]].fillna(0)
    y = cohort["readmit_30d"]
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=3)
    # ok: MLR105
    tr, te = next(splitter.split(X, y, groups=cohort["subject_id"]))
    model = RandomForestClassifier(n_estimators=500, min_samples_leaf=20, random_state=3)
    model.fit(X.iloc[tr], y.iloc[tr])
    return roc_auc_score(y.iloc[te], model.predict_proba(X.iloc[te])[:, 1])


if __name__ == "__main__":
    print(train(build(*load())))
