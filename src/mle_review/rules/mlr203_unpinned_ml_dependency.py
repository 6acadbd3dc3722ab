"""MLR203 unpinned-ml-dependency: an ML/data library that a fresh install may resolve differently."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mle_review.engine.context import TextContext
from mle_review.engine.deps import (
    SECTION_OPTIONAL,
    SECTION_POETRY,
    SECTION_PROJECT,
    SECTION_SETUP_CFG,
    Requirement,
    normalise_name,
    pyproject_is_library,
)
from mle_review.models import Confidence
from mle_review.rules.base import Hit, Rule, RuleDoc, register

# Libraries whose version changes what a model computes: numerics, data
# loading, training, tokenisation, serialization formats. Normalised names
# (lower case, '-' separators). Extend per project with rule-options.
ML_PACKAGES: frozenset[str] = frozenset(
    {
        # numerics and data frames
        "numpy", "scipy", "pandas", "polars", "pyarrow", "dask", "numba", "cupy", "xarray",
        "statsmodels", "patsy",
        # classical ML
        "scikit-learn", "sklearn", "xgboost", "py-xgboost", "lightgbm", "catboost",
        "imbalanced-learn", "category-encoders", "feature-engine", "optuna", "shap",
        "prophet", "sktime", "pmdarima", "lifelines", "hdbscan", "umap-learn",
        # deep learning
        "torch", "pytorch", "torchvision", "torchaudio", "torchtext", "torchmetrics",
        "pytorch-lightning", "lightning", "timm", "einops",
        "tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tf-keras", "keras",
        "jax", "jaxlib", "flax", "optax",
        # transformers and friends
        "transformers", "datasets", "tokenizers", "accelerate", "peft", "trl", "diffusers",
        "sentence-transformers", "safetensors", "huggingface-hub", "evaluate", "sentencepiece",
        "tiktoken", "bitsandbytes", "deepspeed", "vllm",
        # NLP / vision preprocessing
        "spacy", "nltk", "gensim", "opencv-python", "opencv-python-headless", "albumentations",
        # model formats and runtimes, tracking that stores models
        "onnx", "onnxruntime", "onnxruntime-gpu", "skl2onnx", "tensorrt", "mlflow", "skops",
        "faiss-cpu", "faiss-gpu",
    }
)  # fmt: skip

# Sections that are published package metadata, where ranges are the norm.
_LIBRARY_SECTIONS = {SECTION_PROJECT, SECTION_OPTIONAL, SECTION_POETRY, SECTION_SETUP_CFG}
_CONSTRAINT_LINE = re.compile(r"^\s*(-c|--constraint)[\s=]", re.MULTILINE)
_LOCK_HINT = "uv.lock, poetry.lock, Pipfile.lock or conda-lock.yml"


def _describe(req: Requirement) -> str:
    if req.url:
        return f"`{req.name}` comes from a moving VCS/URL reference (`{req.raw}`)"
    if not req.spec:
        return f"`{req.name}` is declared without any version"
    readable = len(req.raw) <= 80 and "{" not in req.raw  # not a Poetry/Pipfile inline table
    shown = " ".join(req.raw.split()) if readable else f"{req.name}{req.spec}"
    return f"`{req.name}` is declared as `{shown}` (a range, not an exact pin)"


@register
class UnpinnedMLDependency(Rule):
    id = "MLR203"
    confidence = Confidence.HIGH
    message = "ML/data dependency without an exact pin and no lock file in the repository"
    fix = (
        f"Pin the version the model was trained and evaluated with (`pkg==X.Y.Z`, ideally with "
        f"hashes from `pip-compile --generate-hashes` / `uv pip compile`), or commit a lock file "
        f"({_LOCK_HINT})."
    )
    doc = RuleDoc(
        what_it_does=(
            "Reads dependency files (`requirements*.txt`/`.in`, `pyproject.toml` `[project]`, "
            "optional dependencies, dependency groups and Poetry tables, `setup.cfg`, "
            "`environment.yml`, `Pipfile`) and flags each ML or data library (numpy, pandas, "
            "scikit-learn, torch, tensorflow, transformers, xgboost, onnxruntime, mlflow and about "
            "seventy more) that is declared without an exact `==` pin, without hashes, or by a "
            "moving git reference, when no lock file (`uv.lock`, `poetry.lock`, `Pipfile.lock`, "
            "`conda-lock.yml`, `pdm.lock`, `pixi.lock`, `pylock.toml`) sits in the file's folder or "
            "any folder above it.\n\n"
            "A published library's own metadata (`[project].dependencies`, optional dependencies, "
            "Poetry main dependencies, `setup.cfg` `install_requires`) cannot pin exactly without "
            "breaking its users, so those findings are reported with medium confidence: the fix "
            "there is a lock file for the environments that train and serve, not an `==` in the "
            "metadata. A `pyproject.toml` without a `[build-system]` (or with `[tool.uv] package = "
            "false` / Poetry `package-mode = false`) is an application and is reported with high "
            "confidence. Not reported: non-ML packages, `-e .` and local paths, comments, "
            "`[build-system].requires`, a `requirements.in` whose compiled sibling pins the "
            "package, and requirements files that apply a constraints file (`-c constraints.txt`)."
        ),
        why_it_matters=(
            "A model is the product of its code, its data and the exact library versions that "
            "computed it. A range lets next week's `pip install` pick a new scikit-learn whose "
            "default changed, a pandas that parses dates differently or a tokenizer that splits "
            "text another way; the retrained model then differs for reasons nobody can see in the "
            "diff, and a serving image built later may load a pickled model with a library it was "
            "not written by. Without pins, a rollback to last month's code does not bring back "
            "last month's behaviour."
        ),
        example=("# requirements.txt\nnumpy>=1.26\nscikit-learn\ntorch~=2.3\nfastapi>=0.110\n"),
        use_instead=(
            "# requirements.txt (generated by `uv pip compile requirements.in --generate-hashes`)\n"
            "numpy==1.26.4 \\\n    --hash=sha256:...\nscikit-learn==1.4.2 \\\n"
            "    --hash=sha256:...\ntorch==2.3.1 \\\n    --hash=sha256:...\n"
        ),
        options=(
            'Add project-specific ML packages with `rule-options = { MLR203 = { packages = ["my-'
            'feature-lib"] } }`. Use `per-file-ignores` for dependency files that are '
            "intentionally loose (for example a docs-only requirements file)."
        ),
        references=(
            "pip documentation, 'Repeatable installs' and 'Secure installs' (hash-checking mode)",
            "Python Packaging User Guide: install_requires vs requirements files (abstract vs "
            "concrete dependencies)",
            "uv and Poetry documentation on lock files",
        ),
    )

    def check_text(self, ctx: TextContext) -> Iterator[Hit]:
        if ctx.requirements is None or ctx.notebook is not None:
            return
        if ctx.project.has_lock_file(ctx.path):
            return
        if ctx.path.endswith((".txt", ".in")) and _CONSTRAINT_LINE.search(ctx.text):
            return  # versions come from the constraints file
        packages = ML_PACKAGES | self._extra_packages(ctx)
        folder = ctx.path.rsplit("/", 1)[0] if "/" in ctx.path else ""
        # A pinned declaration next to this file (requirements.in compiled into requirements.txt,
        # pyproject ranges plus a pinned requirements.txt) fixes the environment. Two plain
        # requirements files are separate environments, so they do not vouch for each other.
        siblings = (
            [] if ctx.path.endswith(".txt") else ctx.project.requirements_by_dir.get(folder, [])
        )
        library = ctx.path.endswith("setup.cfg") or (
            ctx.path.endswith("pyproject.toml") and pyproject_is_library(ctx.text)
        )
        reported: set[int] = set()
        for req in ctx.requirements:
            if req.name not in packages or req.exact or req.line in reported:
                continue
            if any(s.name == req.name and s.exact for s in siblings):
                continue
            reported.add(req.line)
            yield self._hit(req, library and req.section in _LIBRARY_SECTIONS)

    def _hit(self, req: Requirement, library: bool) -> Hit:
        what = _describe(req)
        if library:
            return Hit(
                line=req.line,
                message=(
                    f"{what} in published package metadata and the repository has no lock file: "
                    f"the environment that trains or serves the model can resolve any "
                    f"`{req.name}` in that range"
                ),
                fix=(
                    "Keep the range in the package metadata (a library cannot pin exactly), but "
                    f"commit a lock file ({_LOCK_HINT}) or a pinned requirements/constraints file "
                    "for the environments that train and serve the model."
                ),
                confidence=Confidence.MEDIUM,
            )
        return Hit(
            line=req.line,
            message=(
                f"{what} and the repository has no lock file, so a fresh install can resolve "
                f"a different `{req.name}` than the one the model was trained and evaluated with"
            ),
            fix=(
                f"Pin `{req.name}==<the version you trained with>` (generate the file with "
                f"`pip-compile --generate-hashes` or `uv pip compile`), or commit a lock file "
                f"({_LOCK_HINT})."
            ),
        )

    def _extra_packages(self, ctx: TextContext) -> set[str]:
        options = ctx.config.rule_options.get(self.id, {})
        extra = options.get("packages", [])
        if not isinstance(extra, list):
            return set()
        return {normalise_name(str(p)) for p in extra}
