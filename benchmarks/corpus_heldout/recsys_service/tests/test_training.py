import torch

from recsys.features import recency_decay
from recsys.train import TwoTower


def test_recency_decay_half_life():
    assert abs(recency_decay(72 * 3600) - 0.5) < 1e-6


def test_two_tower_overfits_tiny_batch(tmp_path):
    torch.manual_seed(0)
    model = TwoTower(10, 10, 8)
    # ok: MLR205
    opt = torch.optim.Adam(model.parameters(), lr=0.1, weight_decay=0.0, betas=(0.9, 0.99))
    users = torch.arange(10)
    items = torch.arange(10)
    labels = torch.ones(10)
    for _ in range(50):
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(users, items), labels)
        loss.backward()
        opt.step()
    # ok: MLR503
    assert (torch.sigmoid(model(users, items)) > 0.9).all()
    # ok: MLR206
    torch.save(model.state_dict(), tmp_path / "model.pt")
