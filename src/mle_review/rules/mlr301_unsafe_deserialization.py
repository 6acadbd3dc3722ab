"""MLR301 unsafe-deserialization: loaders that can run code from the file they read."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mle_review.engine.astutil import (
    call_kwarg,
    is_false,
    is_true,
    param_tainted,
)
from mle_review.engine.context import ModuleContext, Role
from mle_review.engine.serving import aliases_of, calls_named, may_name, qualified_head
from mle_review.models import Confidence, Severity
from mle_review.rules.base import Hit, Rule, RuleDoc, register

# qualified loader name -> what to use instead
_PICKLE_LOADERS: dict[str, str] = {
    "pickle.load": "a format without code execution (safetensors, ONNX, JSON + arrays)",
    "pickle.loads": "a format without code execution (safetensors, ONNX, JSON + arrays)",
    "pickle.Unpickler": "a format without code execution",
    "_pickle.load": "a format without code execution",
    "_pickle.loads": "a format without code execution",
    "cPickle.load": "a format without code execution",
    "cPickle.loads": "a format without code execution",
    "dill.load": "a format without code execution",
    "dill.loads": "a format without code execution",
    "cloudpickle.load": "a format without code execution",
    "cloudpickle.loads": "a format without code execution",
    "shelve.open": "a database or JSON store",
    "jsonpickle.decode": "plain `json` with an explicit schema",
    "joblib.load": "skops.io with an explicit trusted-types list, or ONNX",
    "sklearn.externals.joblib.load": "skops.io with an explicit trusted-types list",
    "pandas.read_pickle": "Parquet (`pd.read_parquet`) or another data format",
}
_YAML_SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}
_KERAS_LOADERS = (
    "keras.models.load_model",
    "keras.saving.load_model",
    "tensorflow.keras.models.load_model",
    "tensorflow.keras.saving.load_model",
    "tf_keras.models.load_model",
)
_TORCH_SAFE_DEFAULT = (2, 6)
# Every qualified name _classify recognises, their first segments and their last ones.
_LOADER_NAMES = frozenset(
    {*_PICKLE_LOADERS, *_KERAS_LOADERS}
    | {"numpy.load", "torch.load", "yaml.load", "yaml.load_all"}
    | {"yaml.unsafe_load", "yaml.unsafe_load_all"}
)
_LOADER_PACKAGES = frozenset(name.split(".")[0] for name in _LOADER_NAMES)
_LOADER_TAILS = frozenset(name.rsplit(".", 1)[-1] for name in _LOADER_NAMES)


@register
class UnsafeDeserialization(Rule):
    id = "MLR301"
    confidence = Confidence.HIGH
    message = "loads an artifact through a code-executing deserializer"
    fix = "Load weights with a non-executing format (safetensors, `torch.load(..., weights_only=True)`, `yaml.safe_load`) or verify the artifact's digest before loading."
    doc = RuleDoc(
        what_it_does=(
            "Flags loading of models and data through deserializers that can execute code embedded in the file: "
            "pickle and its relatives (cPickle, dill, cloudpickle, shelve, jsonpickle), `joblib.load`, "
            "`pandas.read_pickle`, `numpy.load(allow_pickle=True)`, `torch.load` that may unpickle arbitrary objects, "
            "`yaml.load`/`yaml.unsafe_load` without a safe loader and Keras `load_model(safe_mode=False)`.\n\n"
            "`torch.load` is version-aware: since torch 2.6 its default is `weights_only=True`, so a call without "
            "`weights_only` is only flagged when the nearest dependency or lock file allows torch older than 2.6 or "
            "does not pin torch at all (then with medium confidence). Severity rises to critical when serving code "
            "loads a path that comes from a request or a function argument."
        ),
        why_it_matters=(
            "Model files travel: they are downloaded from hubs, copied between buckets, attached to tickets. Whoever "
            "can write one of these files can run code on the training cluster or inside the serving container, "
            "with its credentials and its access to user data. In serving code whose path comes from a request, "
            "any caller can pick the file."
        ),
        example=(
            'import joblib\nimport torch\n\nmodel = joblib.load("model.pkl")\n'
            "state = torch.load(path, weights_only=False)\n"
        ),
        use_instead=(
            'import torch\nfrom safetensors.torch import load_file\n\nstate = load_file("model.safetensors")\n'
            "state = torch.load(path, weights_only=True)\n"
        ),
        options=(
            "Per-file ignores or `# mle-review: ignore[MLR301] <reason>` when the artifact is produced and verified "
            "by the same trusted pipeline (say why in the reason)."
        ),
        references=(
            "Python docs, pickle module: 'Warning: The pickle module is not secure'",
            "PyTorch 2.6 release notes: `torch.load` defaults to `weights_only=True`",
            "Keras `load_model(safe_mode=True)` refuses lambda-layer deserialization",
            "Compared with bandit: B301 (pickle) and B506 (yaml.load) overlap; B403 flags the *import* of pickle, "
            "which this rule deliberately does not (importing is harmless, loading is not); B614 flags every "
            "`torch.load`, while this rule reads the project's torch pin; bandit has no check for `joblib.load`, "
            "`numpy.load(allow_pickle=True)` or Keras `safe_mode=False`, the loaders ML code actually uses.",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test or not may_name(ctx, _LOADER_TAILS):
            return
        # A call's qualified name ends in its callee's last identifier, unless the callee is
        # a name imported under an alias: only those calls can resolve to a loader.
        tails = _LOADER_TAILS | aliases_of(ctx, _LOADER_NAMES.__contains__)
        for call in calls_named(ctx, tails):
            if qualified_head(ctx, call) not in _LOADER_PACKAGES:
                continue  # cannot resolve to any loader below
            name = ctx.qualname(call)
            if name is None:
                continue
            hit = self._classify(ctx, call, name)
            if hit is None:
                continue
            if ctx.has_role(Role.SERVING) and call.args and param_tainted(ctx, call, call.args[0]):
                hit.severity = Severity.CRITICAL
                hit.message += "; what it loads is controlled by the caller of this serving code"
            yield hit

    def _classify(self, ctx: ModuleContext, call: ast.Call, name: str) -> Hit | None:
        if name in _PICKLE_LOADERS:
            return Hit.at(
                call,
                f"`{name}` unpickles its input, which can run arbitrary code from the file",
                fix=f"Use {_PICKLE_LOADERS[name]}. If it must stay pickle, load only files your own pipeline wrote and verify their digest first.",
            )
        if name == "numpy.load" and is_true(call_kwarg(call, "allow_pickle")):
            return Hit.at(
                call,
                "`numpy.load(allow_pickle=True)` unpickles object arrays, which can run code from the file",
                fix="Store numeric arrays only and load with the default `allow_pickle=False`.",
            )
        if name == "torch.load":
            return self._torch(ctx, call)
        if name in ("yaml.load", "yaml.load_all"):
            loader = call_kwarg(call, "Loader")
            if loader is None and len(call.args) >= 2:
                loader = call.args[1]
            loader_name = (
                (ctx.call_name(ast.Call(func=loader, args=[], keywords=[])) or "")
                if loader is not None
                else ""
            )
            if loader_name.rsplit(".", 1)[-1] in _YAML_SAFE_LOADERS:
                return None
            return Hit.at(
                call,
                f"`{name}` without a safe Loader can construct arbitrary Python objects",
                fix="Use `yaml.safe_load(...)` or pass `Loader=yaml.SafeLoader`.",
            )
        if name in ("yaml.unsafe_load", "yaml.unsafe_load_all"):
            return Hit.at(
                call,
                f"`{name}` constructs arbitrary Python objects from the document",
                fix="Use `yaml.safe_load(...)`.",
            )
        if name in _KERAS_LOADERS and is_false(call_kwarg(call, "safe_mode")):
            return Hit.at(
                call,
                "Keras `load_model(safe_mode=False)` allows lambda layers that run code from the file",
                fix="Keep `safe_mode=True` (the default) and replace Lambda layers with registered custom layers.",
            )
        return None

    def _torch(self, ctx: ModuleContext, call: ast.Call) -> Hit | None:
        weights_only = call_kwarg(call, "weights_only")
        if weights_only is not None:
            if is_false(weights_only):
                return Hit.at(
                    call,
                    "`torch.load(weights_only=False)` unpickles arbitrary objects from the checkpoint",
                    fix="Pass `weights_only=True` (allow-list extra classes with `torch.serialization.add_safe_globals`) or use safetensors.",
                )
            return None
        if any(kw.arg is None for kw in call.keywords):
            return None  # **kwargs may carry weights_only; do not guess
        bound = ctx.project.package_lower_bound(ctx.path, "torch")
        if isinstance(bound, tuple) and bound >= _TORCH_SAFE_DEFAULT:
            return None
        if isinstance(bound, tuple):
            return Hit.at(
                call,
                f"`torch.load` without `weights_only` unpickles arbitrary objects with the pinned torch {'.'.join(map(str, bound))} (< 2.6)",
                fix="Pass `weights_only=True` explicitly, or pin torch>=2.6 where it is the default.",
            )
        return Hit.at(
            call,
            "`torch.load` without `weights_only`: torch is not pinned, and before 2.6 this unpickles arbitrary objects",
            fix="Pass `weights_only=True` explicitly, or pin torch>=2.6 where it is the default.",
            confidence=Confidence.MEDIUM,
        )
