"""Churn prediction: features, training and evaluation for the subscription product."""
