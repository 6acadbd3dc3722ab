"""Label FX ticks with the next macro release and train a direction classifier."""
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

ticks = pd.read_parquet("data/eurusd_ticks.parquet")
ticks["ts"] = pd.to_datetime(ticks["ts"])
ticks = ticks.sort_values("ts")
releases = pd.read_csv("data/macro_releases.csv", parse_dates=["release_time"]).sort_values("release_time")

# ruleid: MLR106
labelled = pd.merge_asof(ticks, releases, left_on="ts", right_on="release_time", direction="nearest")
# ok: MLR106
safe = pd.merge_asof(ticks, releases, left_on="ts", right_on="release_time")

bars = safe.set_index("ts").resample("5min").agg({"price": "last", "surprise": "last"}).dropna()
bars["ret_1"] = bars["price"].pct_change()
bars["target"] = (bars["price"].shift(-1) > bars["price"]).astype(int)
bars = bars.dropna()

# ruleid: MLR104, MLR201
X_train, X_test, y_train, y_test = train_test_split(bars[["ret_1", "surprise"]], bars["target"], test_size=0.3)
clf = LogisticRegression().fit(X_train, y_train)
# ruleid: MLR502
print(accuracy_score(y_test, clf.predict(X_test)))
