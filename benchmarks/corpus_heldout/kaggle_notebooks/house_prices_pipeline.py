"""House Prices: Advanced Regression Techniques — sklearn pipeline baseline."""
import random

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.metrics import mean_squared_log_error
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

SEED = 42
random.seed(SEED)
np.random.seed(SEED)

train = pd.read_csv("/kaggle/input/house-prices-advanced-regression-techniques/train.csv")
test = pd.read_csv("/kaggle/input/house-prices-advanced-regression-techniques/test.csv")

num_cols = train.select_dtypes("number").columns.drop(["Id", "SalePrice"]).tolist()
cat_cols = train.select_dtypes("object").columns.tolist()

# ok: MLR207
train["LogPrice"] = np.log1p(train["SalePrice"])

pre = ColumnTransformer(
    [
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), num_cols),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), cat_cols),
    ]
)
model = make_pipeline(pre, HistGradientBoostingRegressor(random_state=SEED))

# ok: MLR201, MLR104
X_tr, X_va, y_tr, y_va = train_test_split(train[num_cols + cat_cols], train["LogPrice"], test_size=0.2, random_state=SEED)
# ok: MLR101
model.fit(X_tr, y_tr)
print("holdout RMSLE", np.sqrt(mean_squared_log_error(np.expm1(y_va), np.expm1(model.predict(X_va)))))

cv = KFold(n_splits=5, shuffle=True, random_state=SEED)
print("cv", cross_val_score(model, X_tr, y_tr, cv=cv, scoring="neg_root_mean_squared_error").mean())

# final refit on all labelled rows for the submission; no further evaluation
# ok: MLR102
model.fit(train[num_cols + cat_cols], train["LogPrice"])
pd.DataFrame({"Id": test["Id"], "SalePrice": np.expm1(model.predict(test[num_cols + cat_cols]))}).to_csv("submission.csv", index=False)
