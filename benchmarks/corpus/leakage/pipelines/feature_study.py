"""Feature-selection study for the retention model (run ad hoc by analysts)."""
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import RFECV, SelectKBest, mutual_info_classif
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

data = pd.read_csv("data/retention_features.csv")
X = data.drop(columns=["retained"])
y = data["retained"]
cv = StratifiedKFold(5, shuffle=True, random_state=1)

selector = SelectKBest(mutual_info_classif, k=25)
# ruleid: MLR101
X_top = selector.fit_transform(X, y)
# ok: MLR104, MLR105
print("top-25 CV", cross_val_score(RandomForestClassifier(random_state=1), X_top, y, cv=cv).mean())

rfe = RFECV(RandomForestClassifier(n_estimators=100, random_state=1), step=5, cv=cv)
# ruleid: MLR101
X_rfe = rfe.fit_transform(StandardScaler().fit_transform(X), y)
# ok: MLR104, MLR105
print("RFECV CV", cross_val_score(RandomForestClassifier(random_state=1), X_rfe, y, cv=cv).mean())

honest = make_pipeline(StandardScaler(), SelectKBest(mutual_info_classif, k=25), RandomForestClassifier(random_state=1))
# ok: MLR101, MLR104, MLR105
print("selection inside CV", cross_val_score(honest, X, y, cv=cv).mean())

pca_pipe = make_pipeline(StandardScaler(), PCA(n_components=10), RandomForestClassifier(random_state=1))
# ok: MLR101, MLR104, MLR105
print("PCA inside CV", cross_val_score(pca_pipe, X, y, cv=cv).mean())
