"""Hourly energy demand: a forecasting setup with no leakage.

Everything that learns from data sees only the training period.
"""
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_percentage_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

demand = pd.read_csv("data/pjm_hourly.csv", parse_dates=["datetime"]).sort_values("datetime")
demand["hour"] = demand["datetime"].dt.hour
demand["dow"] = demand["datetime"].dt.dayofweek
demand["lag_24"] = demand["mw"].shift(24)
demand["lag_168"] = demand["mw"].shift(168)
demand = demand.dropna()

weather = pd.read_csv("data/weather_hourly.csv", parse_dates=["datetime"]).sort_values("datetime")
# ok: MLR106
demand = pd.merge_asof(demand, weather, on="datetime", direction="backward")

features = ["hour", "dow", "lag_24", "lag_168", "temp"]
prep = ColumnTransformer([("num", StandardScaler(), ["lag_24", "lag_168", "temp"]), ("cat", OneHotEncoder(), ["hour", "dow"])])
model = Pipeline([("prep", prep), ("gbm", HistGradientBoostingRegressor(random_state=0))])

# ok: MLR104
train, test = train_test_split(demand, test_size=0.15, shuffle=False)

tscv = TimeSeriesSplit(n_splits=5, gap=24)
search = GridSearchCV(model, {"gbm__max_depth": [4, 8, None], "gbm__learning_rate": [0.05, 0.1]}, cv=tscv)
# ok: MLR101, MLR103, MLR104
search.fit(train[features], train["mw"])
# ok: MLR104
cv_mape = -cross_val_score(search.best_estimator_, train[features], train["mw"], cv=tscv, scoring="neg_mean_absolute_percentage_error")
print("cv", np.mean(cv_mape))
# ok: MLR103
print("test MAPE", mean_absolute_percentage_error(test["mw"], search.predict(test[features])))

# ok: MLR102
search.best_estimator_.fit(demand[features], demand["mw"])
