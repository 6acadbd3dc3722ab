"""Pre-train advertiser embeddings with a bag-of-ads objective."""
import argparse

import torch
from torch import nn


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--dim", type=int, default=32)
    p.add_argument("--n-advertisers", type=int, default=50_000)
    args = p.parse_args()
    torch.manual_seed(args.seed)

    ids = torch.load("data/advertiser_ids.pt", weights_only=True).cuda()
    groups = torch.load("data/advertiser_groups.pt", weights_only=True).cuda()
    emb = nn.Embedding(args.n_advertisers, args.dim).cuda()
    pooled = torch.zeros(int(groups.max()) + 1, args.dim, device="cuda")
    # ruleid: MLR202
    pooled.index_add_(0, groups, emb(ids))
    loss = pooled.pow(2).mean()
    loss.backward()


if __name__ == "__main__":
    main()
