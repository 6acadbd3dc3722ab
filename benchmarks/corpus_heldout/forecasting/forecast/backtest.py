"""Evaluate demand models on the last 8 weeks."""
import lightgbm as lgb
import pandas as pd
from sklearn.metrics import mean_absolute_error

FEATURES = ["lag_7", "roll_28", "price", "dow", "month"]


def split_by_time(sales: pd.DataFrame, val_start: str, test_start: str):
    train = sales[sales["date"] < val_start]
    val = sales[(sales["date"] >= val_start) & (sales["date"] < test_start)]
    test = sales[sales["date"] >= test_start]
    return train, val, test


def tune_on_test(sales: pd.DataFrame, grid: list[dict], test_start: str, seed: int) -> dict:
    train = sales[sales["date"] < test_start]
    test = sales[sales["date"] >= test_start]
    results = []
    for params in grid:
        m = lgb.LGBMRegressor(**params, random_state=seed).fit(train[FEATURES], train["units"])
        # ruleid: MLR103
        mae = mean_absolute_error(test["units"], m.predict(test[FEATURES]))
        results.append((mae, params))
    return min(results, key=lambda r: r[0])[1]


def tune_on_validation(sales: pd.DataFrame, grid: list[dict], val_start: str, test_start: str, seed: int) -> float:
    train, val, test = split_by_time(sales, val_start, test_start)
    best, best_mae = None, float("inf")
    for params in grid:
        m = lgb.LGBMRegressor(**params, random_state=seed).fit(train[FEATURES], train["units"])
        # ok: MLR103
        mae = mean_absolute_error(val["units"], m.predict(val[FEATURES]))
        if mae < best_mae:
            best, best_mae = params, mae
    trval = pd.concat([train, val])
    final = lgb.LGBMRegressor(**best, random_state=seed).fit(trval[FEATURES], trval["units"])
    # ok: MLR103, MLR102
    return mean_absolute_error(test["units"], final.predict(test[FEATURES]))


def train_on_everything(sales: pd.DataFrame, params: dict, test_start: str, seed: int) -> float:
    test = sales[sales["date"] >= test_start]
    m = lgb.LGBMRegressor(**params, random_state=seed)
    # ruleid: MLR102
    m.fit(sales[FEATURES], sales["units"])
    return mean_absolute_error(test["units"], m.predict(test[FEATURES]))
