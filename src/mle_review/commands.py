"""Subcommands beyond ``scan`` and ``rules``, each living beside the feature it drives.

Each entry is a module exposing ``add_parser(subparsers)`` and ``run(args) -> int``.
A command is listed here only once it works end to end.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

COMMAND_MODULES: dict[str, str] = {
    # "name": "mle_review.package.module",
    "review": "mle_review.review.command",
    "compact": "mle_review.review.compact_command",
    "install": "mle_review.skillpack.install",
    "uninstall": "mle_review.skillpack.uninstall",
    "github": "mle_review.github.command",
}

HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {}


def register_extra(sub: Any) -> None:
    for name, module_path in COMMAND_MODULES.items():
        module = importlib.import_module(module_path)
        module.add_parser(sub)
        HANDLERS[name] = module.run
