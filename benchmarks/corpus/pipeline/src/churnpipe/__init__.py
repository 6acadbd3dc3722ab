"""Churn modelling pipeline: features, training, evaluation and promotion."""
