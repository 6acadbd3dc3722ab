# Real or not? NLP with disaster tweets.
import re

import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline


def clean(text: str) -> str:
    text = re.sub(r"https?://\S+", "", text.lower())
    return re.sub(r"[^a-z ]", " ", text)


tweets = pd.read_csv("train.csv")
tweets["clean"] = tweets["text"].astype(str).apply(clean)

bow = CountVectorizer(min_df=2, ngram_range=(1, 2))
# ruleid: MLR101
X = bow.fit_transform(tweets["clean"])
y = tweets["target"].values
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

results = []
for alpha in [0.1, 0.3, 1.0, 3.0]:
    nb = MultinomialNB(alpha=alpha)
    nb.fit(X_train, y_train)
    # ruleid: MLR103
    results.append((f1_score(y_test, nb.predict(X_test)), alpha))
best_f1, best_alpha = max(results)
print("best alpha", best_alpha, best_f1)

# second attempt, vectorizer inside the pipeline
t_train, t_test, l_train, l_test = train_test_split(tweets["clean"], tweets["target"], test_size=0.2, random_state=0)
pipe = make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2), LogisticRegression(C=2.0, max_iter=1000))
# ok: MLR101
pipe.fit(t_train, l_train)
# ok: MLR103
print("pipeline f1", f1_score(l_test, pipe.predict(t_test)))

ridge = make_pipeline(TfidfVectorizer(), RidgeClassifier())
ridge.fit(t_train, l_train)
# ok: MLR103
print("ridge f1", f1_score(l_test, ridge.predict(t_test)))
