"""Titanic: feature engineering on train+test, model comparison, submission."""

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.svm import SVC

SEED = 2024

train = pd.read_csv("../input/titanic/train.csv")
test = pd.read_csv("../input/titanic/test.csv")
n_train = len(train)
full = pd.concat([train, test], sort=False).reset_index(drop=True)

full["Title"] = full["Name"].str.extract(r" ([A-Za-z]+)\.", expand=False)
full["Title"] = full["Title"].replace(["Lady", "Countess", "Capt", "Col", "Don", "Dr", "Major", "Rev", "Sir"], "Rare")
full["FamilySize"] = full["SibSp"] + full["Parch"] + 1
full["IsAlone"] = (full["FamilySize"] == 1).astype(int)
# ruleid: MLR101
full["Age"] = full["Age"].fillna(full.groupby("Title")["Age"].transform("median"))
# ruleid: MLR101
full["Fare"] = full["Fare"].fillna(full["Fare"].median())
full["Embarked"] = full["Embarked"].fillna("S")
full = pd.get_dummies(full, columns=["Title", "Embarked", "Sex"], drop_first=True)

drop = ["PassengerId", "Name", "Ticket", "Cabin", "Survived"]
train_x = full.iloc[:n_train].drop(columns=drop)
train_y = train["Survived"]
test_x = full.iloc[n_train:].drop(columns=drop)

X_tr, X_va, y_tr, y_va = train_test_split(train_x, train_y, test_size=0.2, random_state=SEED, stratify=train_y)

candidates = {
    "logreg": LogisticRegression(max_iter=2000),
    "rf": RandomForestClassifier(n_estimators=400, random_state=SEED),
    "gbm": GradientBoostingClassifier(random_state=SEED),
    "svc": SVC(random_state=SEED),
}
val_scores = {}
for name, model in candidates.items():
    model.fit(X_tr, y_tr)
    # ok: MLR103
    val_scores[name] = accuracy_score(y_va, model.predict(X_va))
best_name = max(val_scores, key=val_scores.get)
print(val_scores, best_name)

skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
# ok: MLR104, MLR105
cv = cross_val_score(candidates[best_name], train_x, train_y, cv=skf)
print("cv accuracy %.3f +- %.3f" % (cv.mean(), cv.std()))

final = candidates[best_name]
# ok: MLR102
final.fit(train_x, train_y)
submission = pd.DataFrame({"PassengerId": test["PassengerId"], "Survived": final.predict(test_x).astype(int)})
submission.to_csv("submission.csv", index=False)
print(np.mean(submission["Survived"]))
