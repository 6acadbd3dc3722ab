"""Dataset construction for the recommender."""
import numpy as np
import pandas as pd
import torch
from torch.utils.data import DataLoader, Dataset, random_split


class InteractionDataset(Dataset):
    def __init__(self, frame: pd.DataFrame):
        self.users = torch.tensor(frame["user_idx"].values)
        self.items = torch.tensor(frame["item_idx"].values)
        self.labels = torch.tensor(frame["clicked"].values, dtype=torch.float32)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i):
        return self.users[i], self.items[i], self.labels[i]


def load_interactions(path: str) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    frame["ts"] = pd.to_datetime(frame["ts"], unit="s")
    return frame.sort_values("ts").reset_index(drop=True)


def make_loaders_random(path: str, batch_size: int):
    frame = load_interactions(path)
    ds = InteractionDataset(frame)
    n_val = int(0.1 * len(ds))
    # ruleid: MLR104, MLR105, MLR201
    train_ds, val_ds = random_split(ds, [len(ds) - n_val, n_val])
    # ruleid: MLR201
    train_dl = DataLoader(train_ds, batch_size=batch_size, shuffle=True)
    val_dl = DataLoader(val_ds, batch_size=batch_size, shuffle=False)
    return train_dl, val_dl


def make_loaders_temporal(path: str, batch_size: int, cutoff: str, generator: torch.Generator):
    frame = load_interactions(path)
    # ok: MLR104
    train = frame[frame["ts"] < pd.Timestamp(cutoff)]
    val = frame[frame["ts"] >= pd.Timestamp(cutoff)]
    # seeded generator passed in by the caller
    # ok: MLR201
    train_dl = DataLoader(InteractionDataset(train), batch_size=batch_size, shuffle=True, generator=generator)
    val_dl = DataLoader(InteractionDataset(val), batch_size=batch_size)
    return train_dl, val_dl


def negative_sample(frame: pd.DataFrame, n_items: int, k: int) -> np.ndarray:
    # ruleid: MLR201
    return np.random.randint(0, n_items, size=(len(frame), k))
