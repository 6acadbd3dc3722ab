"""Next-hour temperature with a small GRU (PyTorch)."""
import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import MinMaxScaler
from torch import nn

torch.manual_seed(1)
weather = pd.read_csv("jena_climate_2009_2016.csv", parse_dates=["Date Time"], dayfirst=True)
weather = weather.set_index("Date Time").resample("1h").mean().interpolate()
values = weather[["T (degC)", "p (mbar)", "rh (%)"]].to_numpy()

scaler = MinMaxScaler()
# ruleid: MLR101
values = scaler.fit_transform(values)

LOOKBACK = 48
xs, ys = [], []
for i in range(LOOKBACK, len(values)):
    xs.append(values[i - LOOKBACK : i])
    ys.append(values[i, 0])
X = torch.tensor(np.array(xs), dtype=torch.float32)
y = torch.tensor(np.array(ys), dtype=torch.float32)

n_train = int(0.8 * len(X))
# ok: MLR104
X_train, X_test = X[:n_train], X[n_train:]
y_train, y_test = y[:n_train], y[n_train:]


class GRUNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(3, 32, batch_first=True)
        self.out = nn.Linear(32, 1)

    def forward(self, x):
        h, _ = self.gru(x)
        return self.out(h[:, -1]).squeeze(-1)


net = GRUNet()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()
for epoch in range(20):
    for start in range(0, n_train, 256):
        xb, yb = X_train[start : start + 256], y_train[start : start + 256]
        opt.zero_grad()
        loss = loss_fn(net(xb), yb)
        loss.backward()
        opt.step()
with torch.no_grad():
    print("test mse", loss_fn(net(X_test), y_test).item())
