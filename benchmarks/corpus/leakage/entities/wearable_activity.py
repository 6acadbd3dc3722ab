"""Human activity recognition from wrist accelerometer streams."""
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict, train_test_split

raw = pd.read_csv("data/accelerometer.csv", parse_dates=["timestamp"])
raw = raw.sort_values(["subject_id", "timestamp"])

WINDOW, STEP = 128, 64
rows, labels, subjects = [], [], []
for subject, g in raw.groupby("subject_id"):
    sig = g[["ax", "ay", "az"]].to_numpy()
    act = g["activity"].to_numpy()
    for start in range(0, len(g) - WINDOW, STEP):
        w = sig[start : start + WINDOW]
        rows.append(np.concatenate([w.mean(axis=0), w.std(axis=0), np.abs(np.diff(w, axis=0)).mean(axis=0)]))
        labels.append(act[start + WINDOW // 2])
        subjects.append(subject)
X = np.array(rows)
y = np.array(labels)
groups = np.array(subjects)

# ruleid: MLR104, MLR105
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
clf = RandomForestClassifier(n_estimators=300, random_state=0).fit(X_tr, y_tr)
print("random windows", f1_score(y_te, clf.predict(X_te), average="macro"))

# ok: MLR104, MLR105
pred = cross_val_predict(RandomForestClassifier(n_estimators=300, random_state=0), X, y, groups=groups, cv=LeaveOneGroupOut())
print("leave-one-subject-out", f1_score(y, pred, average="macro"))
