"""Train the CTR model (wide & deep).  python -m ctr.train --lr 1e-3 --epochs 5"""
import argparse
import random

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import log_loss, roc_auc_score
from torch import nn


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class WideDeep(nn.Module):
    def __init__(self, n_feats: int, hidden: int):
        super().__init__()
        self.wide = nn.Linear(n_feats, 1)
        self.deep = nn.Sequential(nn.Linear(n_feats, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x):
        return (self.wide(x) + self.deep(x)).squeeze(-1)


def fit(model: nn.Module, X: torch.Tensor, y: torch.Tensor, lr: float, epochs: int) -> nn.Module:
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        opt.zero_grad()
        nn.functional.binary_cross_entropy_with_logits(model(X), y).backward()
        opt.step()
    return model


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--seed", type=int, default=17)
    args = p.parse_args()
    set_seed(args.seed)
    # ruleid: MLR202
    torch.backends.cudnn.benchmark = True

    train = pd.read_parquet("data/ctr_train.parquet")
    test = pd.read_parquet("data/ctr_test.parquet")
    feats = [c for c in train.columns if c.startswith("f_")]

    both = pd.concat([train, test])
    X_all = torch.tensor(both[feats].values, dtype=torch.float32, device="cuda")
    y_all = torch.tensor(both["clicked"].values, dtype=torch.float32, device="cuda")
    model = WideDeep(len(feats), args.hidden).cuda()
    # ruleid: MLR102
    model = fit(model, X_all, y_all, lr=args.lr, epochs=args.epochs)

    X_te = torch.tensor(test[feats].values, dtype=torch.float32, device="cuda")
    with torch.no_grad():
        p_te = torch.sigmoid(model(X_te)).cpu().numpy()
    print({"auc": roc_auc_score(test["clicked"], p_te), "logloss": log_loss(test["clicked"], p_te)})


if __name__ == "__main__":
    main()
