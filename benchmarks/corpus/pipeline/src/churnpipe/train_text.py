"""Fine-tune a small transformer on support-ticket text as an extra churn signal."""
from __future__ import annotations

from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

BASE_MODEL = "distilbert-base-uncased"


def finetune(train_ds, eval_ds):
    tokenizer = AutoTokenizer.from_pretrained(BASE_MODEL, revision="6cdc0aad91f5ae2e6712e91bc7b65d1cf5c05411")
    model = AutoModelForSequenceClassification.from_pretrained(
        BASE_MODEL, num_labels=2, revision="6cdc0aad91f5ae2e6712e91bc7b65d1cf5c05411"
    )
    # ruleid: MLR205
    args = TrainingArguments(
        output_dir="runs/ticket-churn",
        learning_rate=3e-5,
        num_train_epochs=2,
        per_device_train_batch_size=32,
        weight_decay=0.01,
        seed=13,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds, tokenizer=tokenizer)
    trainer.train()
    # ruleid: MLR206
    trainer.save_model("models/ticket-churn")
    # ok: MLR206
    tokenizer.save_pretrained("models/ticket-churn")
    return trainer
