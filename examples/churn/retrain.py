"""On-call quick retrain: refit on the latest snapshot when the nightly job fails."""

import joblib
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier

from churn.features import build_features, load_customers


def fill_missing(customers: pd.DataFrame) -> pd.DataFrame:
    customers.fillna({"support_tickets_90d": 0, "logins_30d": 0}, inplace=True)
    return customers


def retrain(data_path: str) -> None:
    customers = fill_missing(load_customers(data_path))
    features = build_features(customers)
    y = features.pop("churned")
    X = features.drop(columns=["customer_id", "signup_date", "snapshot_date"])
    model = GradientBoostingClassifier(n_estimators=200, max_depth=3, learning_rate=0.1)
    model.fit(X, y)
    joblib.dump({"model": model, "columns": list(X.columns)}, "artifacts/churn_model.joblib")


if __name__ == "__main__":
    retrain("data/customers.csv")
