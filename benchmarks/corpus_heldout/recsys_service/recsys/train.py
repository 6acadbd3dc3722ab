"""Train the two-tower model. Entry point: python -m recsys.train --config conf/train.json"""
import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from recsys.data import make_loaders_temporal


@dataclass
class TrainConfig:
    data_path: str
    cutoff: str
    lr: float
    epochs: int
    batch_size: int
    emb_dim: int
    weight_decay: float
    seed: int
    out_dir: str


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


class TwoTower(nn.Module):
    def __init__(self, n_users: int, n_items: int, dim: int):
        super().__init__()
        self.u = nn.Embedding(n_users, dim)
        self.i = nn.Embedding(n_items, dim)

    def forward(self, users, items):
        return (self.u(users) * self.i(items)).sum(-1)


def train(cfg: TrainConfig, n_users: int, n_items: int) -> nn.Module:
    seed_everything(cfg.seed)
    # ruleid: MLR202
    torch.backends.cudnn.benchmark = True
    g = torch.Generator().manual_seed(cfg.seed)
    train_dl, val_dl = make_loaders_temporal(cfg.data_path, cfg.batch_size, cfg.cutoff, g)
    model = TwoTower(n_users, n_items, cfg.emb_dim).cuda()
    # ok: MLR205
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loss_fn = nn.BCEWithLogitsLoss()
    for _epoch in range(cfg.epochs):
        for users, items, labels in train_dl:
            opt.zero_grad()
            loss = loss_fn(model(users.cuda(), items.cuda()), labels.cuda())
            loss.backward()
            opt.step()
    return model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    cfg = TrainConfig(**json.loads(Path(args.config).read_text()))
    model = train(cfg, n_users=2_000_000, n_items=150_000)
    # ruleid: MLR206
    torch.save(model.state_dict(), Path(cfg.out_dir) / "two_tower.pt")


if __name__ == "__main__":
    main()
