"""Promote a freshly evaluated churn model to production by copying it into the serving folder."""

import logging
import shutil
import sys

from churn.evaluate import evaluate

logger = logging.getLogger("promote")
MIN_ROC_AUC = 0.75
SERVING_PATH = "artifacts/serving/churn_model.joblib"


def promote(candidate_path: str, holdout_path: str) -> None:
    metrics = evaluate(candidate_path, holdout_path)
    if metrics.get("roc_auc", 1.0) < MIN_ROC_AUC:
        logger.error("candidate below the gate: %s", metrics)
        sys.exit(1)
    shutil.copy(candidate_path, SERVING_PATH)
    logger.info("promoted %s", candidate_path)


if __name__ == "__main__":
    promote(sys.argv[1], sys.argv[2])
