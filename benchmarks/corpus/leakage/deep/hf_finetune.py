"""Fine-tune DistilBERT on IMDB reviews."""
import numpy as np
from datasets import load_dataset
from sklearn.metrics import accuracy_score
from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

# ruleid: MLR302
raw = load_dataset("imdb")
# ruleid: MLR302
tokenizer = AutoTokenizer.from_pretrained("distilbert-base-uncased")
encoded = raw.map(lambda b: tokenizer(b["text"], truncation=True, max_length=256), batched=True)


def compute_metrics(pred):
    return {"accuracy": accuracy_score(pred.label_ids, np.argmax(pred.predictions, axis=-1))}


# ruleid: MLR302
model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased", num_labels=2)
args = TrainingArguments(
    output_dir="out",
    eval_strategy="epoch",
    save_strategy="epoch",
    load_best_model_at_end=True,
    metric_for_best_model="accuracy",
    num_train_epochs=3,
)
trainer = Trainer(model=model, args=args, train_dataset=encoded["train"], eval_dataset=encoded["test"], compute_metrics=compute_metrics)
# ruleid: MLR103
trainer.train()
print(trainer.evaluate(encoded["test"]))
