"""Evaluate the fine-tuned sentiment model on the held-out ticket set."""
import json
import sys

import numpy as np
import torch
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support


def load_logits(path: str) -> np.ndarray:
    # torch==2.6.0 is pinned: weights_only defaults to True
    # ok: MLR301
    return torch.load(path).numpy()


def report_accuracy(logits_path: str, labels_path: str) -> None:
    logits = load_logits(logits_path)
    labels = np.load(labels_path)
    preds = logits.argmax(-1)
    # ruleid: MLR502
    acc = accuracy_score(labels, preds)
    print(json.dumps({"accuracy": acc}))


def report_full(logits_path: str, labels_path: str) -> dict:
    logits = load_logits(logits_path)
    # ok: MLR301
    labels = np.load(labels_path)
    preds = logits.argmax(-1)
    p, r, f, _ = precision_recall_fscore_support(labels, preds, average="macro")
    # ok: MLR502
    return {"accuracy": accuracy_score(labels, preds), "macro_f1": f, "macro_precision": p, "macro_recall": r}


def escalation_rate(logits_path: str) -> float:
    probs = torch.softmax(torch.from_numpy(load_logits(logits_path)), -1)[:, 2]
    # ruleid: MLR503
    return float((probs >= 0.65).float().mean())


def load_cached_features(path: str):
    # ruleid: MLR301
    return np.load(path, allow_pickle=True)


if __name__ == "__main__":
    report_accuracy(sys.argv[1], sys.argv[2])
