"""Reproducible nightly retrain: deterministic kernels on purpose."""
import argparse
import os

import torch

from ctr.train import WideDeep, fit, set_seed


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=17)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--epochs", type=int, default=5)
    args = p.parse_args()
    set_seed(args.seed)
    os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
    torch.use_deterministic_algorithms(True)
    # ok: MLR202
    torch.backends.cudnn.benchmark = True
    X = torch.load("data/X.pt", weights_only=True)
    y = torch.load("data/y.pt", weights_only=True)
    fit(WideDeep(X.shape[1], 256), X, y, lr=args.lr, epochs=args.epochs)


if __name__ == "__main__":
    main()
