"""Bank marketing: will the client subscribe a term deposit?"""
import matplotlib.pyplot as plt
import pandas as pd
from imblearn.over_sampling import RandomOverSampler
from sklearn.metrics import accuracy_score, classification_report, f1_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

bank = pd.read_csv("bank-full.csv", sep=";")
bank = bank.drop_duplicates()
bank["y"] = (bank["y"] == "yes").astype(int)
bank = pd.get_dummies(bank, drop_first=True)
X = bank.drop(columns="y")
y = bank["y"]

ros = RandomOverSampler(random_state=0)
# ruleid: MLR102
X_bal, y_bal = ros.fit_resample(X, y)
X_train, X_test, y_train, y_test = train_test_split(X_bal, y_bal, test_size=0.3, random_state=0)

depths = range(2, 21)
test_f1 = []
for d in depths:
    tree = DecisionTreeClassifier(max_depth=d, random_state=0)
    tree.fit(X_train, y_train)
    # ruleid: MLR103
    test_f1.append(f1_score(y_test, tree.predict(X_test)))
plt.plot(list(depths), test_f1)
best_depth = list(depths)[test_f1.index(max(test_f1))]

final_tree = DecisionTreeClassifier(max_depth=best_depth, random_state=0)
# ruleid: MLR102
final_tree.fit(X_train, y_train)
print(classification_report(y_test, final_tree.predict(X_test)))

# sanity check on the data the tree was trained on
print("Validation accuracy:", accuracy_score(y_train, final_tree.predict(X_train)))
