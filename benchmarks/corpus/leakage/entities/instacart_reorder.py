"""Instacart: will the user reorder this product?"""
import lightgbm as lgb
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold, train_test_split

orders = pd.read_csv("orders.csv")
prior = pd.read_csv("order_products__prior.csv").merge(orders, on="order_id")
train_items = pd.read_csv("order_products__train.csv").merge(orders, on="order_id")

up = prior.groupby(["user_id", "product_id"]).agg(up_orders=("order_id", "nunique"), up_cart_mean=("add_to_cart_order", "mean")).reset_index()
# ruleid: MLR101
up["user_orders"] = up.groupby("user_id")["up_orders"].transform("max")
up["up_rate"] = up["up_orders"] / up["user_orders"]
labels = train_items[["user_id", "product_id", "reordered"]]
table = up.merge(labels, on=["user_id", "product_id"], how="left").fillna({"reordered": 0})

features = ["up_orders", "up_cart_mean", "user_orders", "up_rate"]
# ruleid: MLR105
X_tr, X_va, y_tr, y_va = train_test_split(table[features], table["reordered"], test_size=0.2, random_state=0)
gbm = lgb.LGBMClassifier(n_estimators=300, random_state=0).fit(X_tr, y_tr)
print("row split F1", f1_score(y_va, gbm.predict(X_va)))

gkf = GroupKFold(n_splits=4)
# ok: MLR105
for tr, va in gkf.split(table, groups=table["user_id"]):
    m = lgb.LGBMClassifier(n_estimators=300, random_state=0).fit(table.iloc[tr][features], table.iloc[tr]["reordered"])
    print("user-grouped F1", f1_score(table.iloc[va]["reordered"], m.predict(table.iloc[va][features])))
