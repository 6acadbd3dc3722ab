"""Quick baseline the analysts run by hand. Kept for comparison."""
import joblib
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/transactions.csv")
X = df.drop(columns=["is_fraud", "customer_id"])
y = df["is_fraud"]

scaler = StandardScaler()
# ruleid: MLR101
X_scaled = scaler.fit_transform(X)

# ruleid: MLR102, MLR201
X_res, y_res = SMOTE().fit_resample(X_scaled, y)

# ruleid: MLR201, MLR105
X_train, X_test, y_train, y_test = train_test_split(X_res, y_res, test_size=0.25)

# ruleid: MLR201, MLR205
model = RandomForestClassifier(n_estimators=400, max_depth=12, min_samples_leaf=5, max_features=0.3)
model.fit(X_train, y_train)

# ruleid: MLR502
acc = accuracy_score(y_test, model.predict(X_test))
print(f"baseline accuracy: {acc:.4f}")

# ruleid: MLR206
joblib.dump(model, "models/fraud_model.joblib")
