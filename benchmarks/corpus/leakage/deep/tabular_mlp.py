"""A PyTorch MLP on tabular data, trained before the validation rows were set aside."""
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

torch.manual_seed(0)
X = np.load("features.npy").astype("float32")
y = np.load("target.npy").astype("float32")
X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=0.2, random_state=0)

model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()
features = torch.from_numpy(X)
target = torch.from_numpy(y).unsqueeze(1)
for epoch in range(50):
    opt.zero_grad()
    loss = loss_fn(model(features), target)
    # ruleid: MLR102
    loss.backward()
    opt.step()

model.eval()
with torch.no_grad():
    val_loss = loss_fn(model(torch.from_numpy(X_val)), torch.from_numpy(y_val).unsqueeze(1))
print("validation MSE", float(val_loss))
