"""Fast experiment loop used during the hackathon; not wired into CI."""
import uuid

import torch
from torch import nn

from recsys.data import make_loaders_random
from recsys.train import TwoTower, seed_everything


def main() -> None:
    seed_everything(7)
    torch.use_deterministic_algorithms(True)
    # ok: MLR202
    torch.backends.cudnn.benchmark = False
    train_dl, _ = make_loaders_random("data/interactions.parquet", batch_size=1024)
    model = TwoTower(2_000_000, 150_000, 64)
    # ruleid: MLR205
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-5)
    for _ in range(3):
        for users, items, labels in train_dl:
            opt.zero_grad()
            nn.functional.binary_cross_entropy_with_logits(model(users, items), labels).backward()
            opt.step()
    run_id = uuid.uuid4().hex
    # ok: MLR206
    torch.save(model.state_dict(), f"runs/{run_id}/two_tower.pt")


if __name__ == "__main__":
    main()
