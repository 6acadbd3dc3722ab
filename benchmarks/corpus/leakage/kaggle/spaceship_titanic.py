"""Spaceship Titanic: KNN imputation, CV model choice, submission."""
import pandas as pd
from lightgbm import LGBMClassifier
from sklearn.impute import KNNImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.preprocessing import LabelEncoder

train = pd.read_csv("data/train.csv")
test = pd.read_csv("data/test.csv")
target = train.pop("Transported").astype(int)
combined = pd.concat([train, test], axis=0, ignore_index=True)

combined[["Deck", "CabinNum", "Side"]] = combined["Cabin"].str.split("/", expand=True)
for col in ["HomePlanet", "Destination", "Deck", "Side", "CryoSleep", "VIP"]:
    # ok: MLR101
    combined[col] = LabelEncoder().fit_transform(combined[col].astype(str))

num_cols = ["Age", "RoomService", "FoodCourt", "ShoppingMall", "Spa", "VRDeck", "CabinNum"]
combined["CabinNum"] = pd.to_numeric(combined["CabinNum"])
imputer = KNNImputer(n_neighbors=5)
# ruleid: MLR101
combined[num_cols] = imputer.fit_transform(combined[num_cols])

features = ["HomePlanet", "CryoSleep", "Destination", "VIP", "Deck", "Side"] + num_cols
X = combined.loc[: len(train) - 1, features]
X_sub = combined.loc[len(train) :, features]

kf = KFold(n_splits=5, shuffle=True, random_state=42)
# ok: MLR104, MLR105
lgb_cv = cross_val_score(LGBMClassifier(n_estimators=400, learning_rate=0.03, random_state=42), X, target, cv=kf).mean()
# ok: MLR104, MLR105
lr_cv = cross_val_score(LogisticRegression(max_iter=3000), X, target, cv=kf).mean()
best = LGBMClassifier(n_estimators=400, learning_rate=0.03, random_state=42) if lgb_cv > lr_cv else LogisticRegression(max_iter=3000)
# ok: MLR102
best.fit(X, target)
pd.DataFrame({"PassengerId": test["PassengerId"], "Transported": best.predict(X_sub).astype(bool)}).to_csv("submission.csv", index=False)
