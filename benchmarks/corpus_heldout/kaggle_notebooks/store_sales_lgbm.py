"""Store Sales - Time Series Forecasting: LightGBM on lag features."""
import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.feature_selection import SelectKBest, f_regression
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GroupKFold

df = pd.read_csv("/kaggle/input/store-sales-time-series-forecasting/train.csv", parse_dates=["date"], index_col="date")
df = df.sort_index()
df["lag_14"] = df.groupby("store_nbr")["sales"].shift(14)
df["dow"] = df.index.dayofweek
df = df.dropna()

features = ["lag_14", "dow", "onpromotion", "store_nbr"]

selector = SelectKBest(f_regression, k=3)
# ruleid: MLR101
selector.fit(df[features], df["sales"])
kept = [f for f, keep in zip(features, selector.get_support()) if keep]

# ruleid: MLR104, MLR105, MLR201
train = df.sample(frac=0.8)
valid = df.drop(train.index)

# ruleid: MLR201, MLR205
model = lgb.LGBMRegressor(n_estimators=2000, learning_rate=0.03, num_leaves=63, subsample=0.8, colsample_bytree=0.8)
model.fit(train[kept], train["sales"])
print("MAE", mean_absolute_error(valid["sales"], model.predict(valid[kept])))

# stores as groups: whole stores held out per fold
# ok: MLR105
gkf = GroupKFold(n_splits=5)
for tr, va in gkf.split(df, groups=df["store_nbr"]):
    model.fit(df.iloc[tr][kept], df.iloc[tr]["sales"])
