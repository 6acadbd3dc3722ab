"""Rule modules. Every module here other than ``base`` and ``catalog`` registers rules on import."""

from __future__ import annotations

import importlib
import pkgutil

from mle_review.rules.base import REGISTRY, Hit, Registry, Rule, RuleDoc, register

_INFRA = {"base", "catalog"}


def load_all() -> Registry:
    """Import every rule module once so the registry is complete."""
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _INFRA and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return REGISTRY


__all__ = ["REGISTRY", "Hit", "Registry", "Rule", "RuleDoc", "load_all", "register"]
