"""Build hook: ship the top-level ``skills/`` and ``agents/`` inside the wheel.

All project metadata lives in ``pyproject.toml``. This file only extends
``build_py`` so that a wheel (built from the repository or from the sdist,
which carries both folders through ``MANIFEST.in``) contains a copy of the
skill pack under ``mle_review/skillpack/bundle/``. The top-level folders stay
the only copy in git; ``tests/test_skillpack_packaging.py`` checks the copy
the build produces against them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _bundle_module() -> ModuleType:
    # Loaded by path: the package's dependencies are not installed while building.
    spec = importlib.util.spec_from_file_location(
        "_mle_review_bundle", HERE / "src" / "mle_review" / "skillpack" / "bundle.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithSkillPack(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's skills/ and agents/ directly
        target = Path(self.build_lib) / "mle_review" / "skillpack" / "bundle"
        _bundle_module().copy_pack(HERE, target)


setup(cmdclass={"build_py": BuildPyWithSkillPack})
