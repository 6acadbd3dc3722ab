"""Experimental: fine-tune a community long-context encoder."""
from dataclasses import dataclass
from datetime import datetime, timezone

import torch
from transformers import AutoModel, AutoTokenizer, HfArgumentParser, set_seed


@dataclass
class Args:
    model_id: str = "acme-research/longformer-tickets"
    lr: float = 2e-5
    epochs: int = 3
    batch_size: int = 16
    seed: int = 42
    output_dir: str = "outputs"


def main() -> None:
    (args,) = HfArgumentParser(Args).parse_args_into_dataclasses()
    set_seed(args.seed)
    # ruleid: MLR302
    tokenizer = AutoTokenizer.from_pretrained(args.model_id, revision="main", trust_remote_code=True)
    # ruleid: MLR302
    encoder = AutoModel.from_pretrained(args.model_id, trust_remote_code=True, revision="0d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d")
    head = torch.nn.Linear(encoder.config.hidden_size, 3)
    # ok: MLR205
    opt = torch.optim.AdamW(list(encoder.parameters()) + list(head.parameters()), lr=args.lr)
    # ... training loop elided ...
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    # ok: MLR206
    encoder.save_pretrained(f"{args.output_dir}/encoder-{stamp}", safe_serialization=True)
