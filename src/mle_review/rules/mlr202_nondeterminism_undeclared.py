"""MLR202 nondeterminism-undeclared: seeded training that still runs nondeterministic GPU kernels, silently."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mle_review.engine.astutil import call_kwarg, is_true
from mle_review.engine.context import ModuleContext, Role, dotted_name
from mle_review.rules._pipeline_common import has_comment_near
from mle_review.rules.base import Hit, Rule, RuleDoc, register

_SEED_CALL = re.compile(
    r"(^|\.)(manual_seed|manual_seed_all|seed_everything|set_seed|set_seeds|seed_all|fix_seed|set_random_seed)$"
    r"|^(random\.seed|numpy\.random\.seed|tensorflow\.random\.set_seed)$"
)
_DECLARED = re.compile(r"non-?determinis|deterministic|bit-?exact", re.I)
_OPT_OUT_CALLS = re.compile(r"(^|\.)(use_deterministic_algorithms|enable_op_determinism)$")
_TRAINING_CALL = re.compile(
    r"(^|\.)(backward|fit|train_one_epoch|train_epoch|training_step)$|(^|\.)Trainer$|\.step$"
)
_INFERENCE_PATH = re.compile(
    r"(^|/)(infer\w*|inference|predict\w*|serv\w*|score\w*|app|api)(/|\.py$)"
)
_GPU_HINT = re.compile(r"cuda|gpu")

# Functions and modules without a deterministic CUDA implementation (torch docs for
# `torch.use_deterministic_algorithms`), by fully qualified name.
_NONDETERMINISTIC_CALLS = {
    "torch.bincount": "`torch.bincount`",
    "torch.histc": "`torch.histc`",
    "torch.kthvalue": "`torch.kthvalue`",
    "torch.index_add": "`torch.index_add`",
    "torch.scatter_add": "`torch.scatter_add`",
    "torch.scatter_reduce": "`torch.scatter_reduce`",
    "torch.nn.functional.ctc_loss": "`F.ctc_loss` backward",
    "torch.nn.functional.grid_sample": "`F.grid_sample` backward",
    "torch.nn.functional.embedding_bag": "`F.embedding_bag` backward",
    "torch.nn.CTCLoss": "`nn.CTCLoss` backward",
    "torch.nn.AdaptiveAvgPool2d": "`nn.AdaptiveAvgPool2d` backward",
    "torch.nn.AdaptiveAvgPool3d": "`nn.AdaptiveAvgPool3d` backward",
    "torch.nn.AdaptiveMaxPool2d": "`nn.AdaptiveMaxPool2d` backward",
    "torch.nn.FractionalMaxPool2d": "`nn.FractionalMaxPool2d` backward",
    "torch.nn.FractionalMaxPool3d": "`nn.FractionalMaxPool3d` backward",
    "torch.nn.MaxUnpool1d": "`nn.MaxUnpool1d`",
    "torch.nn.MaxUnpool2d": "`nn.MaxUnpool2d`",
    "torch.nn.MaxUnpool3d": "`nn.MaxUnpool3d`",
    "torch.nn.AvgPool3d": "`nn.AvgPool3d` backward",
    "torch.nn.MaxPool3d": "`nn.MaxPool3d` backward",
    "torch.nn.ReflectionPad1d": "`nn.ReflectionPad1d` backward",
    "torch.nn.ReflectionPad2d": "`nn.ReflectionPad2d` backward",
    "torch.nn.ReflectionPad3d": "`nn.ReflectionPad3d` backward",
    "torch.nn.ReplicationPad1d": "`nn.ReplicationPad1d` backward",
    "torch.nn.ReplicationPad2d": "`nn.ReplicationPad2d` backward",
    "torch.nn.ReplicationPad3d": "`nn.ReplicationPad3d` backward",
}
_INTERPOLATING = {
    "torch.nn.functional.interpolate",
    "torch.nn.Upsample",
    "torch.nn.functional.upsample",
}
_SMOOTH_MODES = {"linear", "bilinear", "bicubic", "trilinear"}
# Tensor methods whose CUDA kernels use atomics (matched by method name on any receiver).
_NONDETERMINISTIC_METHODS = {
    "index_add_": "`Tensor.index_add_`",
    "scatter_add_": "`Tensor.scatter_add_`",
    "scatter_reduce_": "`Tensor.scatter_reduce_`",
    "index_copy_": "`Tensor.index_copy_`",
    "bincount": "`Tensor.bincount`",
    "histc": "`Tensor.histc`",
}
_ACCUMULATING_METHODS = {"index_put_", "put_"}


@register
class NondeterminismUndeclared(Rule):
    id = "MLR202"
    message = "seeded training enables nondeterministic GPU behaviour without saying so"
    fix = "Call `torch.use_deterministic_algorithms(True)` (or `warn_only=True`), or document the accepted nondeterminism in a comment beside it."
    doc = RuleDoc(
        what_it_does=(
            "In PyTorch training code that seeds its random generators (`torch.manual_seed`, `seed_everything`, "
            "`set_seed`, `np.random.seed`...), reports `torch.backends.cudnn.benchmark = True`, Lightning "
            "`Trainer(benchmark=True)`, and operations that have no deterministic CUDA kernel (for example "
            "`index_add_`, `scatter_add_`, `bincount`, `histc`, `F.interpolate` in linear/bilinear/bicubic/"
            "trilinear mode, `nn.CTCLoss`, adaptive pooling and reflection/replication padding backward) in a "
            "file that runs on the GPU. Nothing is reported when the file calls "
            "`torch.use_deterministic_algorithms(...)`, sets `torch.backends.cudnn.deterministic = True`, passes "
            "`deterministic=` to a Lightning `Trainer`, or when a comment within a few lines (or the enclosing "
            "function's docstring) mentions determinism, which is the documented opt-out. Inference-only code "
            "(no backward pass, optimiser step or fit, or a serving/inference path) is never reported. Each "
            "operation is reported once per file."
        ),
        why_it_matters=(
            "Seeding signals that the author expects a rerun to reproduce the model. With cuDNN autotuning or "
            "atomic-add kernels the same seed still gives different weights and metrics run to run, so a "
            "regression test on metrics flakes, an A/B comparison of two configs mixes real effects with noise, "
            "and a bug report cannot be reproduced. Often the speed is worth it; the problem is only that "
            "nobody reading the code or the results knows that bit-for-bit reruns are not expected."
        ),
        example=("torch.manual_seed(cfg.seed)\ntorch.backends.cudnn.benchmark = True\n"),
        use_instead=(
            "torch.manual_seed(cfg.seed)\n"
            "# Nondeterministic by choice: cuDNN autotuning is ~15% faster; metrics vary by ~0.002 AUC between reruns.\n"
            "torch.backends.cudnn.benchmark = True\n"
            "\n"
            "# or, when reruns must match exactly:\n"
            "torch.use_deterministic_algorithms(True)\n"
            "torch.backends.cudnn.benchmark = False\n"
        ),
        options="Info severity by default. A comment mentioning (non)determinism near the setting silences it.",
        references=(
            "PyTorch notes, 'Reproducibility': cuDNN benchmark mode and `torch.use_deterministic_algorithms`",
            "PyTorch API docs for `torch.use_deterministic_algorithms`: list of operations without deterministic CUDA kernels",
            "PyTorch Lightning `Trainer(deterministic=..., benchmark=...)`",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test or not ctx.imports.imports_any("torch", "pytorch_lightning", "lightning"):
            return
        if not self._seeded_training(ctx) or self._opted_out(ctx):
            return
        gpu = self._uses_gpu(ctx)
        reported: set[str] = set()
        for node in ast.walk(ctx.tree):
            found: tuple[ast.AST, str, str] | None = None
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                found = self._benchmark_assignment(ctx, node)
            elif isinstance(node, ast.Call):
                found = self._lightning_benchmark(ctx, node) or (
                    self._nondeterministic_op(ctx, node) if gpu else None
                )
            if found is None:
                continue
            at, key, what = found
            if key in reported or self._documented(ctx, at):
                continue
            reported.add(key)
            yield Hit.at(
                at,
                f"{what} makes this seeded training nondeterministic on the GPU, and nothing declares it: "
                "reruns with the same seed will not reproduce the same weights or metrics",
                fix=(
                    "If exact reruns matter, call `torch.use_deterministic_algorithms(True)` at start-up (set "
                    "`CUBLAS_WORKSPACE_CONFIG=:4096:8`) and turn benchmark mode off; if the speed is worth it, keep "
                    "it and add a comment saying the run is intentionally nondeterministic."
                ),
            )

    # -- context ------------------------------------------------------------------

    def _seeded_training(self, ctx: ModuleContext) -> bool:
        names = [ctx.call_name(c) or "" for c in ctx.calls]
        if not any(_SEED_CALL.search(n) for n in names):
            return False
        training = any(_TRAINING_CALL.search(n) for n in names)
        if _INFERENCE_PATH.search(ctx.path.lower()) or ctx.has_role(Role.SERVING):
            return training and ctx.has_role(Role.TRAINING)
        return training or ctx.has_role(Role.TRAINING)

    def _opted_out(self, ctx: ModuleContext) -> bool:
        for call in ctx.calls:
            name = ctx.call_name(call) or ""
            if _OPT_OUT_CALLS.search(name):
                return True
            if name.endswith("Trainer") and call_kwarg(call, "deterministic") is not None:
                return True
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Assign) and is_true(node.value):
                for target in node.targets:
                    if (dotted_name(target) or "").endswith("cudnn.deterministic"):
                        return True
        return False

    def _uses_gpu(self, ctx: ModuleContext) -> bool:
        for node in ast.walk(ctx.tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _GPU_HINT.search(node.value.lower())
            ):
                return True
            if isinstance(node, ast.Attribute) and node.attr == "cuda":
                return True
        return False

    def _documented(self, ctx: ModuleContext, node: ast.AST) -> bool:
        line = getattr(node, "lineno", 1)
        if has_comment_near(ctx, line, _DECLARED):
            return True
        func = ctx.enclosing_function(node)
        return func is not None and bool(_DECLARED.search(ast.get_docstring(func) or ""))

    # -- findings -------------------------------------------------------------------

    def _benchmark_assignment(
        self, ctx: ModuleContext, node: ast.Assign | ast.AnnAssign
    ) -> tuple[ast.AST, str, str] | None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not is_true(node.value):
            return None
        for target in targets:
            name = dotted_name(target) or ""
            if name.endswith("cudnn.benchmark") and (
                "backends" in name or name.startswith("cudnn")
            ):
                return (
                    node,
                    "cudnn.benchmark",
                    "`torch.backends.cudnn.benchmark = True` (cuDNN picks the fastest, possibly nondeterministic, algorithm per run)",
                )
        return None

    def _lightning_benchmark(
        self, ctx: ModuleContext, call: ast.Call
    ) -> tuple[ast.AST, str, str] | None:
        name = ctx.call_name(call) or ""
        if name.endswith("Trainer") and is_true(call_kwarg(call, "benchmark")):
            return call, "cudnn.benchmark", "`Trainer(benchmark=True)` (cuDNN autotuning)"
        return None

    def _nondeterministic_op(
        self, ctx: ModuleContext, call: ast.Call
    ) -> tuple[ast.AST, str, str] | None:
        qual = ctx.qualname(call) or ""
        if qual in _NONDETERMINISTIC_CALLS:
            return call, qual, _NONDETERMINISTIC_CALLS[qual]
        if qual in _INTERPOLATING:
            mode = call_kwarg(call, "mode")
            if isinstance(mode, ast.Constant) and mode.value in _SMOOTH_MODES:
                return (
                    call,
                    f"{qual}:{mode.value}",
                    f'`{qual.rsplit(".", 1)[-1]}(mode="{mode.value}")` backward',
                )
            return None
        if qual in ("torch.nn.EmbeddingBag",):
            mode = call_kwarg(call, "mode")
            if isinstance(mode, ast.Constant) and mode.value == "max":
                return call, qual, '`nn.EmbeddingBag(mode="max")` backward'
            return None
        if qual or not isinstance(call.func, ast.Attribute):
            return None
        method = call.func.attr
        if method in _NONDETERMINISTIC_METHODS:
            return call, method, _NONDETERMINISTIC_METHODS[method]
        if method in _ACCUMULATING_METHODS and is_true(call_kwarg(call, "accumulate")):
            return call, method, f"`Tensor.{method}(..., accumulate=True)`"
        return None
