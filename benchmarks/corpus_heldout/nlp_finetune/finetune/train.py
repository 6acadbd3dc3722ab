"""Fine-tune a sentiment classifier on support tickets.

    accelerate launch -m finetune.train
"""
import os

import numpy as np
from datasets import load_dataset
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    Trainer,
    TrainingArguments,
    set_seed,
)

BASE_MODEL = "distilbert/distilroberta-base"
BASE_REVISION = "fb53ab8802853c8e4fbdbcd0529f21fc6f459b2b"

# ruleid: MLR303
WANDB_API_KEY = "4f7c1e9a2b3d5f6a8c0e1b2d3f4a5c6e7d8f9a0b"
os.environ["WANDB_API_KEY"] = WANDB_API_KEY
# ok: MLR303
HF_TOKEN = os.environ["HF_TOKEN"]


def main() -> None:
    set_seed(1234)
    # ok: MLR302
    tokenizer = AutoTokenizer.from_pretrained(BASE_MODEL, revision=BASE_REVISION, token=HF_TOKEN)
    # ruleid: MLR302
    model = AutoModelForSequenceClassification.from_pretrained(BASE_MODEL, num_labels=3, token=HF_TOKEN)

    ds = load_dataset("csv", data_files={"train": "data/tickets_train.csv", "validation": "data/tickets_val.csv"})
    ds = ds.map(lambda b: tokenizer(b["text"], truncation=True, max_length=256), batched=True)

    # ruleid: MLR205
    args = TrainingArguments(
        output_dir="outputs/run",
        learning_rate=3e-5,
        num_train_epochs=4,
        per_device_train_batch_size=32,
        weight_decay=0.01,
        warmup_ratio=0.06,
        seed=1234,
    )
    trainer = Trainer(model=model, args=args, train_dataset=ds["train"], eval_dataset=ds["validation"], tokenizer=tokenizer)
    trainer.train()
    # ruleid: MLR206
    trainer.save_model("outputs/sentiment-model")


if __name__ == "__main__":
    main()
