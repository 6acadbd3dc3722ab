"""Ames housing: neighbourhood target encoding and a GBM."""
import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

ames = pd.read_csv("AmesHousing.csv")
ames["LogPrice"] = np.log(ames["SalePrice"])
# ruleid: MLR101
nbhd_means = ames.groupby("Neighborhood")["LogPrice"].mean()
ames["NbhdTE"] = ames["Neighborhood"].map(nbhd_means)
# ok: MLR101
ames["Age"] = ames["Yr Sold"] - ames["Year Built"]
# ok: MLR101
ames["TotalSF"] = ames["Total Bsmt SF"] + ames["Gr Liv Area"]

features = ["NbhdTE", "Age", "TotalSF", "Overall Qual"]
train, test = train_test_split(ames, test_size=0.25, random_state=4)
gbm = GradientBoostingRegressor(random_state=4).fit(train[features], train["LogPrice"])
print("MAE", mean_absolute_error(test["LogPrice"], gbm.predict(test[features])))

# the same encoding learned on the training split only
tr, te = train_test_split(ames, test_size=0.25, random_state=4)
# ok: MLR101
means_tr = tr.groupby("Neighborhood")["LogPrice"].mean()
tr = tr.assign(NbhdTE=tr["Neighborhood"].map(means_tr))
te = te.assign(NbhdTE=te["Neighborhood"].map(means_tr).fillna(means_tr.mean()))
