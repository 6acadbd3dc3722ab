"""Remaining useful life of turbofan engines (CMAPSS FD001)."""
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import GroupShuffleSplit, train_test_split

cols = ["engine_id", "cycle"] + [f"s{i}" for i in range(1, 22)]
fd = pd.read_csv("train_FD001.txt", sep=r"\s+", header=None, names=cols)
fd = fd.sort_values(["engine_id", "cycle"])
fd["rul"] = fd.groupby("engine_id")["cycle"].transform("max") - fd["cycle"]
for s in ("s2", "s3", "s4", "s7", "s11"):
    fd[f"{s}_roll10"] = fd.groupby("engine_id")[s].transform(lambda v: v.rolling(10, min_periods=1).mean())
features = [c for c in fd.columns if c.endswith("_roll10")] + ["cycle"]

# ruleid: MLR104, MLR105
X_tr, X_te, y_tr, y_te = train_test_split(fd[features], fd["rul"], test_size=0.2, random_state=1)
rf = RandomForestRegressor(n_estimators=200, random_state=1).fit(X_tr, y_tr)
print("row split RMSE", mean_squared_error(y_te, rf.predict(X_te)) ** 0.5)

gss = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=1)
# ok: MLR104, MLR105
tr, te = next(gss.split(fd, groups=fd["engine_id"]))
rf2 = RandomForestRegressor(n_estimators=200, random_state=1).fit(fd.iloc[tr][features], fd.iloc[tr]["rul"])
print("engine split RMSE", mean_squared_error(fd.iloc[te]["rul"], rf2.predict(fd.iloc[te][features])) ** 0.5)
