"""Store-item demand forecasting with gradient boosting.

Reads daily sales, builds calendar, lag and rolling features, adds holidays and
promotions, and validates the model.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from lightgbm import LGBMRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import TimeSeriesSplit, train_test_split

SEED = 7


def load_sales(path: str) -> pd.DataFrame:
    sales = pd.read_csv(path, parse_dates=["date"])
    return sales.sort_values(["store", "item", "date"])


def add_features(sales: pd.DataFrame) -> pd.DataFrame:
    sales = sales.copy()
    sales["dow"] = sales["date"].dt.dayofweek
    sales["month"] = sales["date"].dt.month
    grouped = sales.groupby(["store", "item"])["sales"]
    for lag in (7, 14, 28):
        sales[f"lag_{lag}"] = grouped.shift(lag)
    sales["roll_mean_28"] = grouped.transform(lambda s: s.shift(1).rolling(28).mean())
    return sales


def add_calendar(sales: pd.DataFrame) -> pd.DataFrame:
    holidays = pd.read_csv("data/holidays.csv", parse_dates=["date"])
    # ok: MLR106
    sales = sales.merge(holidays[["date", "is_holiday"]], on="date", how="left")
    stores = pd.read_csv("data/stores.csv")
    # ok: MLR106
    return sales.merge(stores, on="store", how="left")


def main() -> None:
    sales = add_calendar(add_features(load_sales("data/train.csv"))).dropna()
    features = ["store", "item", "dow", "month", "lag_7", "lag_14", "lag_28", "roll_mean_28", "is_holiday"]
    X, y = sales[features], sales["sales"]

    # quick sanity check
    # ruleid: MLR104
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=SEED)
    quick = LGBMRegressor(n_estimators=300, random_state=SEED).fit(X_tr, y_tr)
    print("random split MAE", mean_absolute_error(y_te, quick.predict(X_te)))

    tscv = TimeSeriesSplit(n_splits=4)
    maes = []
    # ok: MLR104
    for fold, (tr, va) in enumerate(tscv.split(X)):
        model = LGBMRegressor(n_estimators=300, random_state=SEED)
        model.fit(X.iloc[tr], y.iloc[tr])
        maes.append(mean_absolute_error(y.iloc[va], model.predict(X.iloc[va])))
    print("time-series CV MAE", np.mean(maes))

    cutoff = sales["date"].max() - pd.Timedelta(days=90)
    # ok: MLR104
    train = sales[sales["date"] <= cutoff]
    holdout = sales[sales["date"] > cutoff]
    final = LGBMRegressor(n_estimators=300, random_state=SEED).fit(train[features], train["sales"])
    print("holdout MAE", mean_absolute_error(holdout["sales"], final.predict(holdout[features])))


if __name__ == "__main__":
    main()
