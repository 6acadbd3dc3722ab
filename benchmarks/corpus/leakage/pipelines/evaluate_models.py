"""Offline evaluation: choose on validation, report once on test, bootstrap the uncertainty."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_curve, roc_auc_score
from sklearn.model_selection import train_test_split

RNG = np.random.default_rng(17)


def split(df: pd.DataFrame):
    rest, test = train_test_split(df, test_size=0.2, stratify=df["label"], random_state=17)
    train, val = train_test_split(rest, test_size=0.25, stratify=rest["label"], random_state=17)
    return train, val, test


def choose(train: pd.DataFrame, val: pd.DataFrame, features: list[str]):
    models = {
        "lr": LogisticRegression(max_iter=3000),
        "rf": RandomForestClassifier(n_estimators=300, random_state=17),
        "et": ExtraTreesClassifier(n_estimators=300, random_state=17),
    }
    val_auc = {}
    for name, m in models.items():
        m.fit(train[features], train["label"])
        # ok: MLR103
        val_auc[name] = roc_auc_score(val["label"], m.predict_proba(val[features])[:, 1])
    best = models[max(val_auc, key=val_auc.get)]
    # ok: MLR103
    prec, rec, thr = precision_recall_curve(val["label"], best.predict_proba(val[features])[:, 1])
    threshold = float(thr[np.argmax(2 * prec[:-1] * rec[:-1] / (prec[:-1] + rec[:-1] + 1e-9))])
    return best, threshold


def report(model, threshold: float, test: pd.DataFrame, features: list[str]) -> dict[str, float]:
    proba = model.predict_proba(test[features])[:, 1]
    # ok: MLR103
    auc = roc_auc_score(test["label"], proba)
    # ok: MLR103
    f1 = f1_score(test["label"], proba >= threshold)
    boot = []
    for _ in range(500):
        idx = RNG.integers(0, len(test), len(test))
        # ok: MLR103
        boot.append(roc_auc_score(test["label"].iloc[idx], proba[idx]))
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return {"auc": auc, "f1": f1, "auc_lo": lo, "auc_hi": hi}


def main(path: str = "data/labelled.parquet") -> None:
    df = pd.read_parquet(path)
    features = [c for c in df.columns if c.startswith("f_")]
    train, val, test = split(df)
    model, threshold = choose(train, val, features)
    print(report(model, threshold, test, features))


if __name__ == "__main__":
    main()
