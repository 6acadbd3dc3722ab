"""Loading the fraud model from the MLflow registry."""

from __future__ import annotations

import logging

import mlflow
from mlflow import MlflowClient

from fraud_api.settings import MODEL_URI

logger = logging.getLogger(__name__)


def load_pinned_model():
    """Load the version named by deployment config and report which one it is."""
    # ok: MLR305
    model = mlflow.pyfunc.load_model(MODEL_URI)
    version = model.metadata.run_id
    logger.info("loaded fraud model %s (run %s)", MODEL_URI, version)
    return model, version


def load_shadow_model():
    """The shadow deployment always tracks whatever is in Staging."""
    # ruleid: MLR305
    return mlflow.pyfunc.load_model("models:/fraud/Staging")


def load_challenger():
    # ruleid: MLR305
    return mlflow.pyfunc.load_model("models:/fraud@challenger")


def load_by_alias_resolved(alias: str = "champion"):
    client = MlflowClient()
    version = client.get_model_version_by_alias("fraud", alias).version
    # ok: MLR305
    return mlflow.pyfunc.load_model(f"models:/fraud/{version}"), version
