"""Click-through prediction on an ad impression log."""
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import GroupKFold, cross_val_score, train_test_split

impressions = pd.read_csv("data/impressions.csv")
impressions["user_ctr_prior"] = impressions.groupby("user_id")["clicked"].transform(lambda s: s.shift(1).expanding().mean())
impressions["user_impressions"] = impressions.groupby("user_id").cumcount()
impressions["ad_position"] = impressions["position"].clip(upper=10)
impressions = impressions.fillna({"user_ctr_prior": 0.0})

features = ["ad_position", "user_impressions", "user_ctr_prior", "hour"]
X = impressions[features]
y = impressions["clicked"]

# ruleid: MLR104, MLR105
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=11)
clf = LogisticRegression(max_iter=1000).fit(X_train, y_train)
p = clf.predict_proba(X_test)[:, 1]
print("row split AUC", roc_auc_score(y_test, p), "logloss", log_loss(y_test, p))

gkf = GroupKFold(n_splits=5)
# ok: MLR105
auc = cross_val_score(LogisticRegression(max_iter=1000), X, y, groups=impressions["user_id"], cv=gkf, scoring="roc_auc")
print("user-grouped CV AUC", np.mean(auc))
