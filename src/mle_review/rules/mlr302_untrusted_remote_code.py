"""MLR302 untrusted-remote-code: hub code execution and hub downloads by a moving reference."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from mle_review.engine.astutil import assignments_in, call_kwarg, function_params, is_true
from mle_review.engine.context import ModuleContext
from mle_review.models import Confidence
from mle_review.rules._pipeline_common import walk_order
from mle_review.rules.base import Hit, Rule, RuleDoc, register

_COMMIT = re.compile(r"^[0-9a-fA-F]{40}$")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
_WEIGHT_FILE = re.compile(r"\.(bin|pt|pth|ckpt|safetensors|onnx|h5|pkl|json|gguf|msgpack)$", re.I)

# First path component that says "this is a folder on disk", not a Hub organisation.
_LOCAL_DIRS = frozenset(
    {
        "models", "model", "checkpoints", "checkpoint", "ckpt", "ckpts", "outputs", "output",
        "out", "artifacts", "artifact", "runs", "saved_models", "saved_model", "weights",
        "results", "tmp", "cache", ".cache", "export", "exports", "build", "experiments",
        "logs", "data", "assets", "pretrained", "local", "mlruns", "lightning_logs", "wandb",
    }
)  # fmt: skip

# datasets' packaged builders read local/remote files the caller names; no Hub repo involved.
_DATASET_BUILDERS = frozenset(
    {
        "csv", "json", "parquet", "text", "arrow", "pandas", "imagefolder", "audiofolder",
        "videofolder", "webdataset", "sql", "generator", "spark", "xml", "pdffolder", "cache",
    }
)  # fmt: skip


@dataclass(frozen=True)
class _Loader:
    """How one hub-download API names its repository."""

    label: str  # what the message calls it
    arg: int  # positional index of the repo id
    kwarg: str  # keyword spelling of the repo id
    hub: str = "Hugging Face Hub"


# Fully qualified callables (besides any `*.from_pretrained`) that download from a hub.
_LOADERS: dict[str, _Loader] = {
    "huggingface_hub.hf_hub_download": _Loader("hf_hub_download", 0, "repo_id"),
    "huggingface_hub.file_download.hf_hub_download": _Loader("hf_hub_download", 0, "repo_id"),
    "huggingface_hub.snapshot_download": _Loader("snapshot_download", 0, "repo_id"),
    "huggingface_hub._snapshot_download.snapshot_download": _Loader(
        "snapshot_download", 0, "repo_id"
    ),
    "datasets.load_dataset": _Loader("load_dataset", 0, "path"),
    "sentence_transformers.SentenceTransformer": _Loader(
        "SentenceTransformer", 0, "model_name_or_path"
    ),
    "sentence_transformers.CrossEncoder": _Loader("CrossEncoder", 0, "model_name_or_path"),
    "sentence_transformers.cross_encoder.CrossEncoder": _Loader(
        "CrossEncoder", 0, "model_name_or_path"
    ),
    "transformers.pipeline": _Loader("pipeline", 1, "model"),
    "torch.hub.load": _Loader("torch.hub.load", 0, "repo_or_dir", hub="GitHub (torch.hub)"),
}
# Packages whose classes' `from_pretrained` downloads from the Hugging Face Hub.
_HUB_PACKAGES = tuple(
    f"{p}."
    for p in (
        "transformers", "diffusers", "peft", "sentence_transformers", "optimum", "timm",
        "open_clip", "setfit", "trl", "huggingface_hub", "tokenizers", "auto_gptq", "gliner",
        "span_marker", "unsloth", "adapters", "controlnet_aux", "transformers_neuronx",
    )
)  # fmt: skip
# Top-level packages one of which must be imported for any download this rule reports.
_DOWNLOAD_PACKAGES = tuple(
    sorted({p.rstrip(".") for p in _HUB_PACKAGES} | {k.split(".")[0] for k in _LOADERS})
)
# `from_pretrained` receivers whose first argument is the base model, not the repo id.
_SECOND_ARG_RECEIVERS = ("peft.PeftModel", "peft.peft_model.PeftModel")


class _Local:
    """Marker: the value is a filesystem path, so nothing is downloaded."""


LOCAL = _Local()
_PATH_CALLS = ("os.path.", "pathlib.", "Path", "os.getcwd", "os.environ", "tempfile.")


@register
class UntrustedRemoteCode(Rule):
    id = "MLR302"
    confidence = Confidence.HIGH
    message = "remote code execution or a hub download by a mutable reference"
    fix = 'Pin `revision="<40-character commit sha>"` and avoid `trust_remote_code=True`.'
    doc = RuleDoc(
        what_it_does=(
            "Reports two separate things:\n\n"
            "1. `trust_remote_code=True` in any call (transformers `AutoModel*`/`AutoTokenizer`/"
            "`AutoConfig`/`pipeline`, `datasets.load_dataset`, `SentenceTransformer`, or a "
            "`{'trust_remote_code': True}` kwargs dict). It makes the library import and run "
            "Python files from the model or dataset repository.\n"
            "2. Hub downloads that are not pinned to an immutable commit: `from_pretrained` on "
            "classes from Hub-backed libraries (transformers, diffusers, peft, "
            "sentence-transformers, timm, optimum, tokenizers, ...), `huggingface_hub."
            "hf_hub_download`/`snapshot_download`, `SentenceTransformer(name)`, `pipeline(model=)`, "
            "`datasets.load_dataset` and `torch.hub.load('owner/repo:ref', ...)`. A `revision=` "
            "that is a 40-hex commit literal, or a name assigned one, counts as pinned; a branch "
            "or tag (`'main'`, `'v1.0'`) does not.\n\n"
            "Precision first: local paths are skipped (strings starting with `.`, `/`, `~`, more "
            "than one `/`, weight-file extensions, a first folder such as `models/` or "
            "`checkpoints/`, values built with `os.path`/`Path`, or a string this file also "
            "passes to `save_pretrained`). When the repo id is a variable that cannot be resolved "
            "to a string literal, or `revision=` comes from a config object or argument, the "
            "download is not reported. Packaged `load_dataset` builders (`csv`, `json`, "
            "`parquet`, ...) are not downloads. `local_files_only=True` is not a download. "
            "Unpinned downloads in tests are not reported; `trust_remote_code=True` is reported "
            "everywhere, because tests run it in CI too."
        ),
        why_it_matters=(
            "A Hub repository is mutable: its owner (or anyone who takes over the account) can "
            "push new weights, a new tokenizer or new code to `main` at any time. Without a "
            "pinned commit, two trainings a week apart, or the training run and the serving "
            "container, silently load different artifacts, and an evaluation no longer describes "
            "what is deployed. With `trust_remote_code=True` the next push is executed on the "
            "training cluster or in the serving container with their credentials and data."
        ),
        example=(
            "from transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
            'tok = AutoTokenizer.from_pretrained("acme/sentiment-7b")\n'
            "model = AutoModelForCausalLM.from_pretrained(\n"
            '    "acme/sentiment-7b", trust_remote_code=True\n)\n'
        ),
        use_instead=(
            "from transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
            'MODEL_ID = "acme/sentiment-7b"\n'
            'MODEL_REVISION = "4c1d2b6e0f9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c"  # reviewed commit\n\n'
            "tok = AutoTokenizer.from_pretrained(MODEL_ID, revision=MODEL_REVISION)\n"
            "model = AutoModelForCausalLM.from_pretrained(MODEL_ID, revision=MODEL_REVISION)\n"
        ),
        options=(
            "None beyond the common ones. When custom modelling code is genuinely needed, vendor "
            "the reviewed files into the repository and load them locally, or pin the revision and "
            "suppress with `# mle-review: ignore[MLR302] <which commit was reviewed>`."
        ),
        references=(
            "Hugging Face transformers documentation: `trust_remote_code` and `revision` "
            "arguments of `from_pretrained`",
            "huggingface_hub documentation: `hf_hub_download(revision=...)` accepts a branch, tag "
            "or commit hash",
            "PyTorch documentation: `torch.hub.load` runs the repository's `hubconf.py`",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        # `trust_remote_code=` is a keyword, so (in ASCII source) its name is in the text; a
        # download resolves through an import of a hub package or one of the loaders' packages.
        remote_possible = not ctx.source.isascii() or "trust_remote_code" in ctx.source
        downloads = not ctx.is_test and ctx.imports.imports_any(*_DOWNLOAD_PACKAGES)
        if remote_possible or downloads:
            saved = _saved_paths(ctx) if downloads else set()
            for call in ctx.calls:
                if remote_possible and is_true(call_kwarg(call, "trust_remote_code")):
                    yield self._remote_code_hit(ctx, call)
                if downloads:
                    hit = self._download_hit(ctx, call, saved)
                    if hit is not None:
                        yield hit
        dicts = [d for d in ctx.nodes(ast.Dict) if _dict_enables_remote_code(d)]
        if len(dicts) > 1:  # reported in tree-walk order, as always
            dicts.sort(key=lambda d: walk_order(ctx, d))
        for node in dicts:
            yield Hit.at(
                node,
                "kwargs dict sets `trust_remote_code: True`, so the loader it is passed to "
                "imports and runs Python files from the Hub repository",
                fix=(
                    "Drop `trust_remote_code` and use a model class that ships with the "
                    "library, or vendor the reviewed modelling code into this repository."
                ),
            )

    # -- remote code ---------------------------------------------------------

    def _remote_code_hit(self, ctx: ModuleContext, call: ast.Call) -> Hit:
        name = _short_name(ctx, call)
        repo_expr = _repo_expr(ctx, call)
        repo = _resolve(ctx, call, repo_expr) if repo_expr is not None else None
        where = f" `{repo}`" if isinstance(repo, str) else ""
        pinned = _revision_state(ctx, call)[0] == "pinned"
        tail = (
            "; the revision is pinned, so only that commit's code runs: make sure it was reviewed"
            if pinned
            else "; with no pinned revision, whatever is pushed next runs too"
        )
        return Hit.at(
            call,
            f"`{name}(..., trust_remote_code=True)` imports and runs Python code from the "
            f"repository{where} on this machine{tail}",
            fix=(
                "Use an architecture supported natively by the library (no `trust_remote_code`), "
                'or vendor the reviewed modelling code into this repository; at minimum pin `revision="'
                '<40-character commit sha>"` to the commit you reviewed.'
            ),
        )

    # -- unpinned downloads --------------------------------------------------

    def _download_hit(self, ctx: ModuleContext, call: ast.Call, saved: set[str]) -> Hit | None:
        loader = _loader_for(ctx, call)
        if loader is None:
            return None
        if is_true(call_kwarg(call, "local_files_only")):
            return None
        repo_expr = _repo_expr(ctx, call)
        if repo_expr is None:
            return None
        repo = _resolve(ctx, call, repo_expr)
        if not isinstance(repo, str) or repo in saved:
            return None
        name = _short_name(ctx, call)
        if loader.label == "torch.hub.load":
            return self._torch_hub(call, repo)
        if not _is_hub_id(repo):
            return None
        if loader.label == "load_dataset" and repo.lower() in _DATASET_BUILDERS:
            return None
        state, shown = _revision_state(ctx, call)
        if state in ("pinned", "unknown"):
            return None
        what = "the rows" if loader.label == "load_dataset" else "the weights, tokenizer or config"
        if state == "mutable":
            problem = f"`revision={shown}` is a branch or tag name, which can move"
        else:
            problem = "no `revision=` is given, so it follows the repository's default branch"
        return Hit.at(
            call,
            f"`{name}` downloads `{repo}` from the {loader.hub} by a mutable reference: "
            f"{problem}; {what} can change between runs without any change in this code",
            fix=(
                f'Pass `revision="<40-character commit sha>"` (the commit you evaluated, e.g. '
                f"`huggingface_hub.model_info({repo!r}).sha`) and keep it next to the model id in config."
            ),
        )

    def _torch_hub(self, call: ast.Call, repo: str) -> Hit | None:
        source = call_kwarg(call, "source")
        if isinstance(source, ast.Constant) and source.value == "local":
            return None
        if repo.startswith((".", "/", "~")) or repo.count("/") != 1:
            return None
        ref = repo.split(":", 1)[1] if ":" in repo else ""
        if _COMMIT.match(ref):
            return None
        detail = f"at `{ref}`, a branch or tag that can move" if ref else "at its default branch"
        return Hit.at(
            call,
            f"`torch.hub.load({repo!r}, ...)` fetches and runs `hubconf.py` from GitHub {detail}",
            fix=(
                "Use `owner/repo:<40-character commit sha>`, or vendor the model code and load "
                "weights by a digest you verify."
            ),
        )


# -- helpers -----------------------------------------------------------------


def _short_name(ctx: ModuleContext, call: ast.Call) -> str:
    name = ctx.call_name(call) or "call"
    parts = name.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else name


def _loader_for(ctx: ModuleContext, call: ast.Call) -> _Loader | None:
    if isinstance(call.func, ast.Attribute) and call.func.attr == "from_pretrained":
        receiver = ctx.qualname(call.func.value) or ""
        if not receiver.startswith(_HUB_PACKAGES):
            return None  # a project's own class (nanoGPT's GPT.from_pretrained) or unresolvable
        if receiver in _SECOND_ARG_RECEIVERS:
            return _Loader("from_pretrained", 1, "model_id")
        return _Loader("from_pretrained", 0, "pretrained_model_name_or_path")
    name = ctx.qualname(call)
    return _LOADERS.get(name) if name else None


def _repo_expr(ctx: ModuleContext, call: ast.Call) -> ast.expr | None:
    loader = _loader_for(ctx, call)
    if loader is None:
        return None
    found = call_kwarg(call, loader.kwarg)
    if found is None and loader.label == "CrossEncoder":
        found = call_kwarg(call, "model_name")
    if found is None and len(call.args) > loader.arg:
        arg = call.args[loader.arg]
        found = None if isinstance(arg, ast.Starred) else arg
    return found


def _is_hub_id(value: str) -> bool:
    if not _HUB_ID.match(value) or value.startswith((".", "~")):
        return False
    if _WEIGHT_FILE.search(value):
        return False
    first = value.split("/", 1)[0]
    return not ("/" in value and first.lower() in _LOCAL_DIRS)


def _looks_like_path(node: ast.expr, ctx: ModuleContext) -> bool:
    """Expressions built with filesystem APIs (`os.path.join`, `Path(...) / x`, `str(Path(...))`)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Div):
            return True
        if isinstance(sub, ast.Call):
            name = ctx.call_name(sub) or ""
            if name.startswith(_PATH_CALLS) or name.endswith(("Path", ".joinpath", ".expanduser")):
                return True
    return False


def _resolve(ctx: ModuleContext, call: ast.Call, expr: ast.expr) -> str | _Local | None:
    """A string literal, LOCAL for filesystem paths, or None when it cannot be known statically."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        value = expr.value
        if value.startswith((".", "/", "~")) or "\\" in value or re.match(r"^[A-Za-z]:", value):
            return LOCAL
        return value
    if _looks_like_path(expr, ctx):
        return LOCAL
    if isinstance(expr, ast.Name):
        func = ctx.enclosing_function(call)
        if func is not None and expr.id in function_params(func):
            return None  # the caller decides
        values = _assigned_values(ctx, call, expr.id)
        if len(values) != 1:
            return None
        if isinstance(values[0], ast.Name):
            return None
        return _resolve(ctx, call, values[0])
    return None


def _assigned_values(ctx: ModuleContext, call: ast.Call, name: str) -> list[ast.expr]:
    """Distinct values assigned to ``name``: in the enclosing function if it assigns it, else the module."""
    func = ctx.enclosing_function(call)
    scopes: list[ast.AST] = [func] if func is not None else []
    scopes.append(ctx.tree)
    for scope in scopes:
        found: dict[str, ast.expr] = {}
        for target, value, _line in assignments_in(scope):
            if target == name:
                found[ast.dump(value)] = value
        if found:
            return list(found.values())
    return []


def _revision_state(ctx: ModuleContext, call: ast.Call) -> tuple[str, str]:
    """('pinned'|'mutable'|'missing'|'unknown', shown value)."""
    rev = call_kwarg(call, "revision")
    if rev is None:
        if any(kw.arg is None for kw in call.keywords):
            return "unknown", ""  # **kwargs may carry the revision
        return "missing", ""
    value: object = None
    if isinstance(rev, ast.Constant):
        value = rev.value
    elif isinstance(rev, ast.Name):
        values = _assigned_values(ctx, call, rev.id)
        if len(values) == 1 and isinstance(values[0], ast.Constant):
            value = values[0].value
        else:
            return "unknown", ""
    else:
        return "unknown", ""  # from config/arguments: trust it, precision first
    if isinstance(value, str) and _COMMIT.match(value):
        return "pinned", ""
    if value is None:
        return "missing", ""
    return "mutable", repr(value)


def _saved_paths(ctx: ModuleContext) -> set[str]:
    """String literals this file writes models to: loading them back is local."""
    found: set[str] = set()
    for call in ctx.calls:
        func = call.func
        attr = func.attr if isinstance(func, ast.Attribute) else ""
        candidates: list[ast.expr] = []
        if attr in ("save_pretrained", "save_model", "save"):
            candidates.extend(call.args[:1])
        out = call_kwarg(call, "output_dir") or call_kwarg(call, "save_directory")
        if out is not None:
            candidates.append(out)
        for cand in candidates:
            if isinstance(cand, ast.Constant) and isinstance(cand.value, str):
                found.add(cand.value)
            elif isinstance(cand, ast.Name):
                for value in _assigned_values(ctx, call, cand.id):
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.add(value.value)
    return found


def _dict_enables_remote_code(node: ast.Dict) -> bool:
    return any(
        isinstance(key, ast.Constant) and key.value == "trust_remote_code" and is_true(value)
        for key, value in zip(node.keys, node.values, strict=True)
    )
