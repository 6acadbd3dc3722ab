"""Hyperparameter search for the XGBoost model; writes the best parameters into the run config."""
from __future__ import annotations

import json

import lightgbm as lgb
import optuna
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from xgboost import XGBClassifier


def objective(trial: optuna.Trial, X, y, seed: int) -> float:
    # ok: MLR205
    model = XGBClassifier(
        n_estimators=trial.suggest_int("n_estimators", 200, 1200),
        max_depth=trial.suggest_int("max_depth", 3, 10),
        learning_rate=trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
        subsample=0.8,
        colsample_bytree=0.8,
        random_state=seed,
    )
    return cross_val_score(model, X, y, cv=5, scoring="average_precision").mean()


def refit_best(study: optuna.Study, X, y, seed: int) -> XGBClassifier:
    # ok: MLR205
    return XGBClassifier(**study.best_params, random_state=seed).fit(X, y)


def linear_reference(X, y, seed: int) -> LogisticRegression:
    # ok: MLR205
    return LogisticRegression(C=0.1, max_iter=500, random_state=seed).fit(X, y)


def lgb_reference(dtrain, dvalid):
    # ruleid: MLR205
    return lgb.train(
        {"objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 100, "seed": 7},
        dtrain,
        valid_sets=[dvalid],
    )


def save_best(study: optuna.Study, path: str) -> None:
    with open(path, "w") as fh:
        json.dump({"model": study.best_params}, fh, indent=2)


def run(X, y, seed: int, n_trials: int = 50) -> optuna.Study:
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(lambda t: objective(t, X, y, seed), n_trials=n_trials)
    return study
