"""MLR201 unseeded-randomness: random draws in training/evaluation code that no seed controls.

Per-library knowledge lives in the tables below; the check itself only asks
"which library does this call draw from, and is that library seeded here?".
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from mle_review.engine.astutil import call_kwarg, const_value, is_false, is_true
from mle_review.engine.context import ModuleContext, ProjectContext, Role
from mle_review.models import Confidence
from mle_review.rules.base import Hit, Rule, RuleDoc, register

# Global generators a seed call can control. scikit-learn, imbalanced-learn and
# pandas draw from NumPy's global RandomState when `random_state` is None, so
# they belong to "numpy" here.
PY, NP, TORCH, TF = "random", "numpy", "torch", "tensorflow"
ALL_LIBS = frozenset({PY, NP, TORCH, TF})
_LIB_LABEL = {PY: "Python's `random`", NP: "NumPy", TORCH: "torch", TF: "TensorFlow"}
_LIB_SEED_CALL = {
    PY: "random.seed(seed)",
    NP: "np.random.seed(seed)",
    TORCH: "torch.manual_seed(seed)",
    TF: "tf.keras.utils.set_random_seed(seed)",
}

# Calls that seed global generators, by qualified name.
SEEDERS: dict[str, frozenset[str]] = {
    "random.seed": frozenset({PY}),
    "numpy.random.seed": frozenset({NP}),
    "torch.manual_seed": frozenset({TORCH}),
    "torch.random.manual_seed": frozenset({TORCH}),
    "tensorflow.random.set_seed": frozenset({TF}),
    "tensorflow.set_random_seed": frozenset({TF}),
    "tensorflow.compat.v1.set_random_seed": frozenset({TF}),
    "keras.utils.set_random_seed": frozenset({PY, NP, TF}),
    "tensorflow.keras.utils.set_random_seed": frozenset({PY, NP, TF}),
    "transformers.set_seed": ALL_LIBS,
    "transformers.trainer_utils.set_seed": ALL_LIBS,
    "accelerate.utils.set_seed": ALL_LIBS,
    "pytorch_lightning.seed_everything": ALL_LIBS,
    "pytorch_lightning.utilities.seed.seed_everything": ALL_LIBS,
    "lightning.seed_everything": ALL_LIBS,
    "lightning.pytorch.seed_everything": ALL_LIBS,
    "lightning.fabric.seed_everything": ALL_LIBS,
    "lightning_fabric.utilities.seed.seed_everything": ALL_LIBS,
}
# Project helpers: set_seed, seed_everything, fix_seeds, set_random_seed, seed_all, ...
# (matched on the called name with underscores removed).
SEED_HELPER = re.compile(
    r"^(set|fix|init|reset|make|apply)?(all|global|random|rng|the|every)*seeds?"
    r"(everything|all|rng|torch|numpy)?$"
)

# Python's `random` module: functions that draw from the hidden global generator.
PY_DRAWS = frozenset(
    {
        "random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform",
        "gauss", "normalvariate", "lognormvariate", "expovariate", "betavariate",
        "gammavariate", "triangular", "vonmisesvariate", "paretovariate", "weibullvariate",
        "getrandbits", "randbytes", "binomialvariate",
    }
)  # fmt: skip
# numpy.random attributes that are not draws from the global generator.
NP_NON_DRAWS = frozenset(
    {
        "seed", "get_state", "set_state", "default_rng", "RandomState", "Generator",
        "SeedSequence", "BitGenerator", "PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64",
        "bit_generator", "get_bit_generator", "set_bit_generator",
    }
)  # fmt: skip
# Generator constructors that take the seed as their first argument.
NP_GENERATORS = frozenset(
    {
        "default_rng",
        "RandomState",
        "SeedSequence",
        "PCG64",
        "PCG64DXSM",
        "MT19937",
        "Philox",
        "SFC64",
    }
)
TORCH_DRAWS = frozenset(
    {
        "torch.rand", "torch.randn", "torch.randint", "torch.randperm", "torch.rand_like",
        "torch.randn_like", "torch.randint_like", "torch.normal", "torch.bernoulli",
        "torch.multinomial", "torch.poisson",
        "torch.utils.data.random_split", "torch.utils.data.dataset.random_split",
        "torch.utils.data.RandomSampler", "torch.utils.data.sampler.RandomSampler",
        "torch.utils.data.WeightedRandomSampler", "torch.utils.data.SubsetRandomSampler",
    }
)  # fmt: skip
TORCH_LOADERS = frozenset({"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"})
TF_DRAWS = frozenset(
    {
        "tensorflow.random.normal", "tensorflow.random.uniform", "tensorflow.random.shuffle",
        "tensorflow.random.truncated_normal", "tensorflow.random.categorical",
        "tensorflow.random.gamma", "tensorflow.random.poisson",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Estimator:
    """A `random_state`-taking sklearn/imblearn callable and when its randomness matters."""

    varies: str  # what changes from run to run
    when: Callable[[ast.Call], bool] = lambda call: True


def _kw_true(name: str) -> Callable[[ast.Call], bool]:
    return lambda call: is_true(call_kwarg(call, name))


def _kw_not_false(name: str) -> Callable[[ast.Call], bool]:
    return lambda call: not is_false(call_kwarg(call, name))


def _kw_in(name: str, values: frozenset[str]) -> Callable[[ast.Call], bool]:
    return lambda call: const_value(call_kwarg(call, name)) in values


_FOREST = Estimator("the bootstrap samples and the features tried at each split")
_TREE = Estimator("how ties between equally good splits are broken")
_BOOST = Estimator("the feature order at each split and any row subsampling")
_SPLIT = Estimator("which rows land in each split")
_SHUFFLED_SPLIT = Estimator("which rows land in each fold", _kw_true("shuffle"))
_SGD = Estimator("the order samples are visited each epoch", _kw_not_false("shuffle"))
_RESAMPLE = Estimator("which rows are synthesised or dropped")
_CLUSTER = Estimator("the initial centroids (and with them the clusters)")
_MAKE = Estimator("the generated data set")

# Only callables whose result actually depends on the seed with the arguments
# given. xgboost, lightgbm and catboost are deliberately absent: their default
# seeds are fixed constants (0 / built-in C++ seeds), so leaving them unset is
# reproducible run to run.
ESTIMATORS: dict[str, Estimator] = {
    "RandomForestClassifier": _FOREST,
    "RandomForestRegressor": _FOREST,
    "ExtraTreesClassifier": _FOREST,
    "ExtraTreesRegressor": _FOREST,
    "RandomTreesEmbedding": _FOREST,
    "IsolationForest": _FOREST,
    "BaggingClassifier": _FOREST,
    "BaggingRegressor": _FOREST,
    "DecisionTreeClassifier": _TREE,
    "DecisionTreeRegressor": _TREE,
    "ExtraTreeClassifier": _TREE,
    "ExtraTreeRegressor": _TREE,
    "GradientBoostingClassifier": _BOOST,
    "GradientBoostingRegressor": _BOOST,
    "HistGradientBoostingClassifier": Estimator("the early-stopping validation split"),
    "HistGradientBoostingRegressor": Estimator("the early-stopping validation split"),
    "AdaBoostClassifier": Estimator("the seeds handed to each weak learner"),
    "AdaBoostRegressor": Estimator("the weighted resampling of each round"),
    "MLPClassifier": Estimator("the weight initialisation and mini-batch order"),
    "MLPRegressor": Estimator("the weight initialisation and mini-batch order"),
    "SGDClassifier": _SGD,
    "SGDRegressor": _SGD,
    "Perceptron": _SGD,
    "PassiveAggressiveClassifier": _SGD,
    "PassiveAggressiveRegressor": _SGD,
    "LogisticRegression": Estimator(
        "the coordinate order of the sag/saga/liblinear solver",
        _kw_in("solver", frozenset({"sag", "saga", "liblinear"})),
    ),
    "LogisticRegressionCV": Estimator(
        "the coordinate order of the sag/saga/liblinear solver",
        _kw_in("solver", frozenset({"sag", "saga", "liblinear"})),
    ),
    "SVC": Estimator(
        "the internal cross-validation behind `predict_proba`", _kw_true("probability")
    ),
    "NuSVC": Estimator(
        "the internal cross-validation behind `predict_proba`", _kw_true("probability")
    ),
    "Lasso": Estimator("the coordinate order", _kw_in("selection", frozenset({"random"}))),
    "ElasticNet": Estimator("the coordinate order", _kw_in("selection", frozenset({"random"}))),
    "NMF": Estimator("the random initial factors", _kw_in("init", frozenset({"random"}))),
    "KMeans": _CLUSTER,
    "MiniBatchKMeans": _CLUSTER,
    "BisectingKMeans": _CLUSTER,
    "GaussianMixture": _CLUSTER,
    "BayesianGaussianMixture": _CLUSTER,
    "TSNE": Estimator("the embedding layout"),
    "TruncatedSVD": Estimator("the randomized SVD result"),
    "GaussianRandomProjection": Estimator("the projection matrix"),
    "SparseRandomProjection": Estimator("the projection matrix"),
    "RBFSampler": Estimator("the random Fourier features"),
    "Nystroem": Estimator("the sampled landmark rows"),
    "RANSACRegressor": Estimator("the random inlier subsets"),
    "RandomizedSearchCV": Estimator("which hyperparameter candidates are tried"),
    "train_test_split": Estimator("which rows land in train and test", _kw_not_false("shuffle")),
    "ShuffleSplit": _SPLIT,
    "StratifiedShuffleSplit": _SPLIT,
    "GroupShuffleSplit": _SPLIT,
    "RepeatedKFold": _SPLIT,
    "RepeatedStratifiedKFold": _SPLIT,
    "KFold": _SHUFFLED_SPLIT,
    "StratifiedKFold": _SHUFFLED_SPLIT,
    "GroupKFold": _SHUFFLED_SPLIT,
    "StratifiedGroupKFold": _SHUFFLED_SPLIT,
    "resample": Estimator("which rows are drawn"),
    "shuffle": Estimator("the row order"),
    "make_classification": _MAKE,
    "make_regression": _MAKE,
    "make_blobs": _MAKE,
    "make_moons": _MAKE,
    "make_circles": _MAKE,
    # imbalanced-learn
    "SMOTE": _RESAMPLE,
    "SMOTENC": _RESAMPLE,
    "SMOTEN": _RESAMPLE,
    "ADASYN": _RESAMPLE,
    "BorderlineSMOTE": _RESAMPLE,
    "SVMSMOTE": _RESAMPLE,
    "KMeansSMOTE": _RESAMPLE,
    "RandomOverSampler": _RESAMPLE,
    "RandomUnderSampler": _RESAMPLE,
    "SMOTETomek": _RESAMPLE,
    "SMOTEENN": _RESAMPLE,
}
_ESTIMATOR_PACKAGES = ("sklearn.", "imblearn.")
# Last segments of the table names ``_classify`` matches by name (draws of torch, TensorFlow,
# Python's random, estimators, loaders, ``.sample``); numpy.random draws are matched by module.
_DRAW_LAST_NAMES = frozenset(
    {name.rsplit(".", 1)[-1] for name in (*TORCH_DRAWS, *TORCH_LOADERS, *TF_DRAWS)}
    | set(ESTIMATORS)
    | set(PY_DRAWS)
    | {"Random", "sample", "random_split"}
)
# Top-level packages of every qualified name ``_classify`` can report.
_DRAW_TOPS = frozenset(
    {"random", "numpy"}
    | {name.partition(".")[0] for name in (*TORCH_DRAWS, *TORCH_LOADERS, *TF_DRAWS)}
    | {package.partition(".")[0] for package in _ESTIMATOR_PACKAGES}
)


@dataclass(frozen=True)
class _Draw:
    lib: str
    message: str
    fix: str


@register
class UnseededRandomness(Rule):
    id = "MLR201"
    confidence = Confidence.HIGH
    message = "randomness in training/evaluation code with no seed for that library"
    fix = "Seed once at the entry point (`set_seed(cfg.seed)`) and pass `random_state=cfg.seed` / `generator=` to random APIs."
    doc = RuleDoc(
        what_it_does=(
            "In training and evaluation code (never tests), reports each call that draws random "
            "numbers from a generator nothing in the file seeds:\n\n"
            "- Python `random` module functions (`random.shuffle`, `random.sample`, ...) and "
            "`random.Random()` without a seed;\n"
            "- NumPy global functions (`np.random.rand`, `np.random.permutation`, ...) and "
            "generators created without a seed (`np.random.default_rng()`, `RandomState()`);\n"
            "- torch random ops (`torch.rand`, `torch.randperm`, ...), `random_split` and random "
            "samplers without `generator=`, and `DataLoader(shuffle=True)` without `generator=`;\n"
            "- TensorFlow `tf.random.*` ops without an op-level `seed=`;\n"
            "- scikit-learn and imbalanced-learn splitters, estimators and resamplers created "
            "without `random_state`, only where the result really depends on it (forests, trees, "
            "boosting, MLPs, SGD models, k-means, `train_test_split`, `KFold(shuffle=True)`, "
            "`ShuffleSplit`, SMOTE, ...; `LogisticRegression` only with the sag/saga/liblinear "
            "solvers, `SVC` only with `probability=True`), and pandas `.sample(frac=/n=)` without "
            "`random_state`.\n\n"
            "A library counts as seeded when the file calls its seed function (`random.seed`, "
            "`np.random.seed`, `torch.manual_seed`, `tf.random.set_seed`), an all-library helper "
            "(`transformers.set_seed`, `lightning.seed_everything`, `accelerate.utils.set_seed`, "
            "`keras.utils.set_random_seed`) or any project helper named like `set_seed`, "
            "`seed_everything`, `fix_seeds`, `set_random_seed`, `seed_all`; or when a module of the "
            "scanned project that imports this file does so. A seed passed as `random_state=`, "
            "`generator=` or `seed=` (a literal or from config) always satisfies the rule. "
            "NumPy's global seed also covers scikit-learn, imbalanced-learn and pandas, which draw "
            "from it when `random_state` is None. xgboost, LightGBM and CatBoost are not reported: "
            "their default seeds are fixed constants. Draws inside model classes (subclasses of "
            "`nn.Module`, Keras `Layer`/`Model`, `PreTrainedModel`; not `LightningModule`) are not "
            "reported either: weight initialisation and stochastic layers follow the seed of the "
            "script that builds the model, which is where a missing seed is reported."
        ),
        why_it_matters=(
            "An unseeded split or estimator makes every training run a different experiment: the "
            "test rows change, the forest changes, and a metric that moved by a point cannot be "
            "told apart from noise. A regression in a retrain cannot be reproduced to be debugged, "
            "a promotion gate compares numbers that were never comparable, and an audit asking "
            "'which rows was this model evaluated on' has no answer."
        ),
        example=(
            "import numpy as np\nfrom sklearn.ensemble import RandomForestClassifier\n"
            "from sklearn.model_selection import train_test_split\n\n"
            "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)\n"
            "idx = np.random.permutation(len(X_train))\n"
            "model = RandomForestClassifier(n_estimators=300).fit(X_train, y_train)\n"
        ),
        use_instead=(
            "import numpy as np\nfrom sklearn.ensemble import RandomForestClassifier\n"
            "from sklearn.model_selection import train_test_split\n\n"
            "SEED = cfg.seed\nrng = np.random.default_rng(SEED)\n"
            "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=SEED)\n"
            "idx = rng.permutation(len(X_train))\n"
            "model = RandomForestClassifier(n_estimators=300, random_state=SEED).fit(X_train, y_train)\n"
        ),
        options=(
            "Which files are training/evaluation code follows the `roles` configuration. Use "
            "`# mle-review: ignore[MLR201] <reason>` for randomness that is meant to differ per "
            "run (for example jitter in a load test)."
        ),
        references=(
            "scikit-learn glossary: `random_state` and 'Controlling randomness'",
            "PyTorch notes: Reproducibility (`torch.manual_seed`, DataLoader `generator` and "
            "`worker_init_fn`)",
            "NumPy: random sampling with `default_rng(seed)` instead of the legacy global state",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test:
            return
        if not ctx.has_role(Role.TRAINING, Role.EVALUATION) and (
            ctx.has_role(Role.SERVING) or not _builds_training_loaders(ctx)
        ):
            return
        names = ctx.imports.names
        draws = [
            (call, draw)
            for call in ctx.calls
            if _may_draw(call, names) and (draw := _classify(ctx, call)) is not None
        ]
        if not draws:
            return
        seeded = seeded_libraries(ctx)
        if not {d.lib for _, d in draws} <= seeded:
            seeded |= _seeded_by_importers(ctx)
        for call, draw in draws:
            if draw.lib in seeded or _inside_model_class(ctx, call):
                continue
            yield Hit.at(call, draw.message, fix=draw.fix)


# Base classes of model code (torch `nn.Module`, Keras `Layer`/`Model`, HF `PreTrainedModel`):
# their initialisation and stochastic layers follow the seed of the script that builds them.
_MODEL_BASE = re.compile(r"(Module|Layer|Model|Block|Cell)$")
_TRAINING_BASES = ("LightningModule", "LightningDataModule")


def _inside_model_class(ctx: ModuleContext, call: ast.Call) -> bool:
    cls = ctx.enclosing(call, (ast.ClassDef,))
    if not isinstance(cls, ast.ClassDef):
        return False
    return _is_model_class(cls, _class_index(ctx), 0)


def _is_model_class(cls: ast.ClassDef, index: dict[str, list[ast.ClassDef]], depth: int) -> bool:
    """Does ``cls`` derive from a model base, following bases defined in the scanned project?"""
    for base in cls.bases:
        name = ast.unparse(base).rsplit(".", 1)[-1]
        if name in _TRAINING_BASES:
            continue
        if _MODEL_BASE.search(name):
            return True
        if depth < 5 and any(
            parent is not cls and _is_model_class(parent, index, depth + 1)
            for parent in index.get(name, ())
        ):
            return True
    return False


_INDEX_CACHE: list[tuple[ProjectContext, dict[str, list[ast.ClassDef]]]] = []


def _class_index(ctx: ModuleContext) -> dict[str, list[ast.ClassDef]]:
    """Class definitions of the whole scan by name (built once per scan)."""
    if _INDEX_CACHE and _INDEX_CACHE[0][0] is ctx.project:
        return _INDEX_CACHE[0][1]
    index: dict[str, list[ast.ClassDef]] = {}
    modules = ctx.project.modules or [ctx]
    for module in modules:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef):
                index.setdefault(node.name, []).append(node)
    _INDEX_CACHE[:] = [(ctx.project, index)]
    return index


# -- seeding ---------------------------------------------------------------------


def _has_seed_argument(call: ast.Call) -> bool:
    values = [*call.args, *(kw.value for kw in call.keywords)]
    return any(not (isinstance(v, ast.Constant) and v.value is None) for v in values)


def seeded_libraries(ctx: ModuleContext) -> set[str]:
    """Libraries whose global generator this module seeds (anywhere in the file)."""
    seeded: set[str] = set()
    for call in ctx.calls:
        name = ctx.qualname(call)
        if name in SEEDERS:
            if _has_seed_argument(call):
                seeded |= SEEDERS[name]
            continue
        shown = ctx.call_name(call) or ""
        last = shown.rsplit(".", 1)[-1].replace("_", "").lower()
        if "seed" in last and SEED_HELPER.match(last):
            if name and name.startswith(("numpy.", "random.", "torch.", "tensorflow.")):
                continue  # a library call not in the table (e.g. torch.cuda.manual_seed)
            seeded |= ALL_LIBS
    return seeded


def _module_names(path: str) -> set[str]:
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    names = {".".join(parts[i:]) for i in range(len(parts)) if parts[i:]}
    return {n for n in names if n}


def _seeded_by_importers(ctx: ModuleContext, depth: int = 3) -> set[str]:
    """Seeds set by project modules that import this one, directly or through up to ``depth``
    levels of importers (an entry point seeding for the helpers it runs)."""
    seeded: set[str] = set()
    seen = {id(ctx)}
    frontier = [ctx]
    for _ in range(depth):
        importers: list[ModuleContext] = []
        for target in frontier:
            for other in _direct_importers(target):
                if id(other) not in seen:
                    seen.add(id(other))
                    importers.append(other)
        for other in importers:
            seeded |= seeded_libraries(other)
        if seeded >= ALL_LIBS or not importers:
            break
        frontier = importers
    return seeded


def _direct_importers(ctx: ModuleContext) -> list[ModuleContext]:
    mine = _module_names(ctx.path)
    found: list[ModuleContext] = []
    for other in ctx.project.modules:
        if other is ctx:
            continue
        targets = set(other.imports.modules) | set(other.imports.names.values())
        if any(t == m or t.startswith(m + ".") for t in targets for m in mine):
            found.append(other)
    return found


def _builds_training_loaders(ctx: ModuleContext) -> bool:
    """A data module that splits a dataset at random or builds a shuffling ``DataLoader``: its
    randomness decides what the model trains on, wherever the module sits."""
    source = ctx.source
    if source.isascii() and "random_split" not in source and "shuffle" not in source:
        return False
    for call in ctx.calls:
        name = ctx.qualname(call) or ""
        if name.endswith(".random_split") and name.startswith("torch."):
            return True
        if name in TORCH_LOADERS and is_true(call_kwarg(call, "shuffle")):
            return True
    return False


# -- classification ----------------------------------------------------------------


def _shown(call: ast.Call) -> str:
    text = ast.unparse(call.func)
    return text if len(text) <= 60 else text.rsplit(".", 1)[-1]


def _may_draw(call: ast.Call, imported: dict[str, str]) -> bool:
    """Can ``_classify`` find a draw here? Its branches need a qualified name in one of the
    random libraries or a ``.sample`` call: for ``a.b.f(...)`` either ``f`` is one of the
    names the tables list, or ``f`` hangs off a ``.random`` module (``np.random.f``,
    ``tf.random.f``) or off a name imported from a random library (``random.f``, ``npr.f``).
    Testing that costs far less than resolving the name of every call of the file."""
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr in _DRAW_LAST_NAMES:
            return True
        value = func.value
        if isinstance(value, ast.Attribute):
            return value.attr == "random"
        if isinstance(value, ast.Name):
            # other libraries' draws are listed by name (checked above), so only a module
            # whose every function counts is left: Python's random, numpy.random
            return imported.get(value.id) in ("random", "numpy.random")
        return False
    if isinstance(func, ast.Name):
        target = imported.get(func.id)
        return target is not None and target.partition(".")[0] in _DRAW_TOPS
    return False


def _classify(ctx: ModuleContext, call: ast.Call) -> _Draw | None:
    name = ctx.qualname(call)
    if any(kw.arg is None for kw in call.keywords):
        return None  # **kwargs may carry the seed
    if name is None:
        return _pandas_sample(call)
    head, _, last = name.rpartition(".")
    if not (
        head in ("random", "numpy.random")
        or name in TORCH_DRAWS
        or name in TORCH_LOADERS
        or name in TF_DRAWS
        or (name.startswith(_ESTIMATOR_PACKAGES) and last in ESTIMATORS)
    ):
        return None  # none of the branches below applies: skip unparsing the callee
    shown = _shown(call)
    if head == "random":
        if last in PY_DRAWS:
            return _Draw(
                PY,
                f"`{shown}` draws from Python's global `random` generator, which is never seeded "
                f"in this file, so the result differs on every run",
                "Call `random.seed(cfg.seed)` once at the entry point (or a `set_seed` helper that "
                "seeds random, numpy and torch), or draw from a local `random.Random(seed)`.",
            )
        if last == "Random" and not _has_seed_argument(call):
            return _Draw(
                PY,
                f"`{shown}()` creates a generator seeded from OS entropy",
                "Pass a seed: `random.Random(cfg.seed)`.",
            )
        return None
    if head == "numpy.random":
        return _numpy(call, shown, last)
    if name in TORCH_DRAWS or name in TORCH_LOADERS:
        return _torch(call, shown, name)
    if name in TF_DRAWS:
        if call_kwarg(call, "seed") is not None:
            return None
        return _Draw(
            TF,
            f"`{shown}` has no op-level `seed=` and TensorFlow's global seed is not set in this file",
            "Call `tf.keras.utils.set_random_seed(cfg.seed)` at the entry point, or pass `seed=`.",
        )
    if name.startswith(_ESTIMATOR_PACKAGES) and last in ESTIMATORS:
        return _estimator(call, shown, last)
    return None


def _numpy(call: ast.Call, shown: str, last: str) -> _Draw | None:
    if last in NP_GENERATORS:
        if _has_seed_argument(call):
            return None
        return _Draw(
            NP,
            f"`{shown}()` is created without a seed, so it draws fresh OS entropy on every run",
            f"Pass a seed from config: `{shown}(cfg.seed)`.",
        )
    if last in NP_NON_DRAWS:
        return None
    return _Draw(
        NP,
        f"`{shown}` draws from NumPy's global generator, which is never seeded in this file, so "
        f"the result differs on every run",
        f"Create `rng = np.random.default_rng(cfg.seed)` once and call `rng.{last}(...)`, or call "
        f"`np.random.seed(cfg.seed)` at the entry point.",
    )


def _torch(call: ast.Call, shown: str, name: str) -> _Draw | None:
    if call_kwarg(call, "generator") is not None:
        return None
    fix = (
        "Call `torch.manual_seed(cfg.seed)` at the entry point (or `transformers.set_seed` / "
        "`lightning.seed_everything`), or pass `generator=torch.Generator().manual_seed(cfg.seed)`."
    )
    if name in TORCH_LOADERS:
        if not is_true(call_kwarg(call, "shuffle")):
            return None
        return _Draw(
            TORCH,
            f"`{shown}(shuffle=True)` has no `generator=` and torch is never seeded in this file, so "
            f"the batch order changes on every run",
            fix,
        )
    if name.endswith("random_split"):
        return _Draw(
            TORCH,
            f"`{shown}` without `generator=` assigns rows to splits differently on every run "
            f"(torch is never seeded in this file)",
            "Pass `generator=torch.Generator().manual_seed(cfg.seed)`.",
        )
    return _Draw(
        TORCH,
        f"`{shown}` draws from torch's global generator, and this file never calls `torch.manual_seed`",
        fix,
    )


def _estimator(call: ast.Call, shown: str, last: str) -> _Draw | None:
    est = ESTIMATORS[last]
    state = call_kwarg(call, "random_state")
    if state is not None and not (isinstance(state, ast.Constant) and state.value is None):
        return None
    if not est.when(call):
        return None
    return _Draw(
        NP,
        f"`{shown}` has no `random_state` and NumPy's global seed is not set in this file, so "
        f"{est.varies} can change from run to run",
        f"Pass `random_state=cfg.seed` to `{last}` (one seed from config, shared by splitters and "
        f"estimators).",
    )


def _pandas_sample(call: ast.Call) -> _Draw | None:
    """`df.sample(frac=...)`/`df.sample(n=...)` on a frame (receiver is not an imported module)."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "sample"):
        return None
    sized = call_kwarg(call, "frac") is not None or call_kwarg(call, "n") is not None
    if not sized and call.args and isinstance(const_value(call.args[0]), int):
        sized = True
    if not sized:
        return None
    if call_kwarg(call, "random_state") is not None or call_kwarg(call, "seed") is not None:
        return None
    return _Draw(
        NP,
        f"`{_shown(call)}(...)` without `random_state` picks different rows on every run (NumPy's "
        f"global seed is not set in this file)",
        "Pass `random_state=cfg.seed`.",
    )
