"""News topic classifier with a Keras tokenizer and an embedding model."""
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from tensorflow.keras.callbacks import EarlyStopping
from tensorflow.keras.layers import Dense, Embedding, GlobalAveragePooling1D
from tensorflow.keras.models import Sequential
from tensorflow.keras.preprocessing.sequence import pad_sequences
from tensorflow.keras.preprocessing.text import Tokenizer

news = pd.read_json("News_Category_Dataset_v3.json", lines=True)
news["text"] = news["headline"] + " " + news["short_description"]
labels = pd.get_dummies(news["category"]).values

tok = Tokenizer(num_words=20000, oov_token="<unk>")
# ruleid: MLR101
tok.fit_on_texts(news["text"])
seqs = pad_sequences(tok.texts_to_sequences(news["text"]), maxlen=64)

x_train, x_test, y_train, y_test = train_test_split(seqs, labels, test_size=0.1, random_state=5)
x_train, x_val, y_train, y_val = train_test_split(x_train, y_train, test_size=0.1, random_state=5)

net = Sequential([Embedding(20000, 64), GlobalAveragePooling1D(), Dense(64, activation="relu"), Dense(labels.shape[1], activation="softmax")])
net.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
# ok: MLR103
net.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=20, callbacks=[EarlyStopping(patience=2, restore_best_weights=True)])
# ok: MLR103
print(net.evaluate(x_test, y_test))
print(np.argmax(net.predict(x_test[:3]), axis=1))
