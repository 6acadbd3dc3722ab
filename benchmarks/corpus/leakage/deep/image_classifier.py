"""Train a small CNN on a folder of labelled images."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split

torch.manual_seed(0)


class SmallCNN(nn.Module):
    def __init__(self, n_classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(16 * 16 * 16, n_classes)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


images = np.load("data/images.npy").astype("float32")
labels = np.load("data/labels.npy")
# ruleid: MLR101
mean = images.mean(axis=(0, 2, 3), keepdims=True)
# ruleid: MLR101
std = images.std(axis=(0, 2, 3), keepdims=True)
images = (images - mean) / std

dataset = TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
n_val = len(dataset) // 5
# ok: MLR104
train_ds, val_ds = random_split(dataset, [len(dataset) - n_val, n_val], generator=torch.Generator().manual_seed(0))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)

model = SmallCNN(n_classes=10)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(10):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        # ok: MLR102
        loss.backward()
        optimizer.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in val_loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(epoch, correct / n_val)
# ruleid: MLR206
torch.save(model.state_dict(), "cnn.pt")
