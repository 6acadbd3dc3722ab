"""Train the churn classifier and write the model artifact."""

import argparse

import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from churn.features import NUMERIC_COLUMNS, build_features, load_customers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="data/customers.csv")
    parser.add_argument("--out", default="artifacts/churn_model.joblib")
    args = parser.parse_args()

    customers = load_customers(args.data)
    features = build_features(customers)
    y = features.pop("churned")
    X = features.drop(columns=["customer_id", "signup_date", "snapshot_date"])

    scaler = StandardScaler()
    X[NUMERIC_COLUMNS] = scaler.fit_transform(X[NUMERIC_COLUMNS])

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)

    model = RandomForestClassifier(n_estimators=300, max_depth=8)
    model.fit(X_train, y_train)
    print("test accuracy", model.score(X_test, y_test))

    joblib.dump({"model": model, "scaler": scaler, "columns": list(X.columns)}, args.out)


if __name__ == "__main__":
    main()
