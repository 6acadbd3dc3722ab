"""MLR206 unversioned-artifact: a model saved to the same fixed path every run, with nothing recorded beside it."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import PurePosixPath

from mle_review.engine.astutil import call_kwarg
from mle_review.engine.context import ModuleContext, dotted_name, has_word
from mle_review.engine.serving import calls_named
from mle_review.rules._pipeline_common import (
    exploratory_globs,
    in_dirs,
    in_loop,
    mentions,
    module_constants,
)
from mle_review.rules.base import Hit, Rule, RuleDoc, register


class _Dest(Enum):
    FIXED = "fixed"
    VERSIONED = "versioned"
    DYNAMIC = "dynamic"  # depends on a parameter, config or environment: cannot tell


# Anything in a destination that makes the name differ per run/model.
_VERSION_TOKEN = re.compile(
    r"version|(^|_)ver($|_)|run_?id|run\.info|(^|_)run($|_)|sha|commit|git|hash|digest|fingerprint|"
    r"timestamp|(^|_)ts($|_)|time|date|now|stamp|uuid|epoch|(^|_)step|(^|_)iter|trial|fold|(^|_)tag|"
    r"release|build|job_?id|experiment|semver|revision",
    re.I,
)
_VERSION_LITERAL = re.compile(r"(^|[/_.-])v\d+([._-]\d+)*($|[/_.-])|\d{8}|\d{4}-\d{2}-\d{2}", re.I)
_MODEL_TOKEN = re.compile(
    r"model|clf|classifier|regressor|estimator|pipeline|pipe$|booster|(^|_)net($|_)|state_dict|weights|"
    r"encoder|scaler|vectori[sz]er|preprocessor|transformer|artifact|bundle|ckpt|checkpoint",
    re.I,
)
# File types that hold models (not data); .pt/.pth/.joblib/.pkl also hold tensors and frames,
# so for those the saved object or the file name must say "model".
_MODEL_SUFFIXES = (".ckpt", ".onnx", ".h5", ".keras", ".cbm", ".ubj", ".bst")
_TOKENIZER_LIKE = re.compile(r"tokeni[sz]er|processor|feature_extractor|(^|_)config$", re.I)
# A metadata write records provenance when it mentions one of these.
_METADATA_TOKEN = re.compile(
    r"config|cfg|params|hyperparam|sha|commit|git|version|data_?version|dataset|snapshot|metadata|"
    r"manifest|lineage|provenance|model_card",
    re.I,
)
_METADATA_WRITERS = re.compile(
    r"^(json\.dump|yaml\.dump|yaml\.safe_dump|toml\.dump|tomli_w\.dump|mlflow\.log_params?|mlflow\.log_dict|"
    r"mlflow\.set_tags?|mlflow\.log_text|wandb\.config\.update|omegaconf\.OmegaConf\.save)$"
)
# The last segment of every name _METADATA_WRITERS matches.
_WRITER_LAST_NAMES = frozenset(
    {
        "dump",
        "safe_dump",
        "log_param",
        "log_params",
        "log_dict",
        "set_tag",
        "set_tags",
        "log_text",
        "update",
        "save",
    }
)
_KERAS_SAVE = re.compile(r"^(tensorflow\.)?(keras|tf_keras)\.(models|saving)\.save_model$")
_PATH_CTORS = re.compile(
    r"^(pathlib\.)?(Pure(Posix|Windows)?)?Path$|^os\.path\.join$|^posixpath\.join$"
)
_CONST_CALLS = re.compile(
    r"^(os\.getcwd|pathlib\.Path\.cwd|pathlib\.Path\.home|os\.path\.(dirname|abspath|realpath|expanduser))$"
)


@register
class UnversionedArtifact(Rule):
    id = "MLR206"
    message = "model artifact saved to a fixed path with no version and no metadata"
    fix = "Put a version, run id, git SHA or timestamp in the path (or log to a registry) and write the config/SHA/data version beside it."
    doc = RuleDoc(
        what_it_does=(
            "Reports saving a model artifact (`joblib.dump`, `pickle.dump`, `torch.save`, `torch.jit.save`, "
            "`torch.onnx.export`, `skops.io.dump`, `onnx.save`, `tf.saved_model.save`, `<model>.save_model`, "
            "`<model>.save_pretrained`, Keras `model.save`, `mlflow.<flavor>.save_model`) to a destination that "
            'is the same on every run: a string literal, a module constant, `Path(__file__).parent / "model.pkl"` '
            "and similar, resolved through local assignments and `os.path.join`/`pathlib` joins. A destination "
            "that contains a version, run id, git SHA, hash, timestamp, epoch/step or fold, or any value read from "
            "a parameter, config or environment, is not reported. The save is also quiet when the same module "
            "writes metadata about the run (a JSON/YAML dump, `mlflow.log_params`/`log_dict`/`set_tags` "
            "mentioning config, params, git SHA, dataset or data version), when the file is a DVC output, "
            "inside training loops (rolling checkpoints), in tests and in exploratory notebooks.\n\n"
            "`mlflow.<flavor>.log_model` stores the model under the run's own artifact folder, keyed by run id "
            "(and, with `registered_model_name`, as a new registry version), so it is treated as versioned; it is "
            'only reported inside `mlflow.start_run(run_id="<fixed id>")`, where every execution writes into '
            "the same run."
        ),
        why_it_matters=(
            "An artifact written to `models/model.pkl` is overwritten by the next training run. When the new "
            "model misbehaves there is nothing to roll back to, and when an old prediction must be explained "
            "nobody can say which code, config and data produced the file that served it. Serving code that "
            "loads the fixed path also changes behaviour silently whenever someone retrains."
        ),
        example=(
            'joblib.dump(pipeline, "models/churn_model.joblib")\n'
            'torch.save(model.state_dict(), MODEL_DIR / "model.pt")\n'
        ),
        use_instead=(
            'version = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{git_sha[:8]}"\n'
            "out = MODEL_DIR / version\n"
            'joblib.dump(pipeline, out / "model.joblib")\n'
            '(out / "metadata.json").write_text(json.dumps({"git_sha": git_sha, "config": asdict(cfg),\n'
            '                                              "data_version": data_version}))\n'
        ),
        options=(
            "`rule-options.MLR204.exploratory-dirs` also decides which notebook folders count as exploratory "
            "here. Suppress a deliberate scratch save with `# mle-review: ignore[MLR206] <reason>`."
        ),
        references=(
            "MLflow Model Registry: every `log_model(..., registered_model_name=...)` creates a new numbered version",
            "DVC: versioning model files as pipeline outputs",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test:
            return
        if ctx.notebook is not None and in_dirs(
            ctx.path, exploratory_globs(ctx.config.rule_options.get("MLR204")), ctx.project
        ):
            return
        # locals that name something in a package _save_target matches
        save_locals = {
            local
            for local, target in ctx.imports.names.items()
            if target.partition(".")[0] in _SAVE_PACKAGES
        }
        source = ctx.source
        if source.isascii() and not any(has_word(source, word) for word in _SAVE_WORDS):
            return  # see _SAVE_WORDS
        if not save_locals and "save" not in source:
            return  # no such name and no `.save*` method: no call can be a save target
        constants: dict[str, ast.expr] | None = None  # needed once a save has a destination
        metadata: list[_MetadataWrite] | None = None  # both looked up once a fixed save is found
        dvc_outputs: set[str] | None = None
        for call in _candidate_calls(_calls(ctx, save_locals), save_locals, ctx.imports.names):
            found = self._save_target(ctx, call)
            if found is None:
                continue
            kind, obj, dest = found
            if kind == "mlflow-log":
                run = _fixed_run(ctx, call)
                if run is not None:
                    yield Hit.at(
                        call,
                        f"`{dotted_name(call.func)}` logs into the fixed MLflow run `{run}`, so each training "
                        "overwrites the previous model in that run",
                        fix="Start a new run per training (`mlflow.start_run()` without a fixed `run_id`) and register the model with `registered_model_name=`.",
                    )
                continue
            if dest is None or in_loop(ctx, call):
                continue
            if obj is not None and not _looks_like_model(obj, dest):
                continue
            if constants is None:
                constants = module_constants(ctx.tree)
            state, text = _classify(ctx, dest, constants, call)
            configured = None
            if state is _Dest.DYNAMIC:
                # a fixed file name under a folder taken from a config object: every run with that
                # config overwrites the file, so it counts when the module records no metadata
                configured = _configured_folder_file(ctx, dest, call)
                if configured is None:
                    continue
                if metadata is None:
                    metadata = _metadata_writes(ctx, constants)
                if metadata:
                    continue
                text = ""
            elif state is not _Dest.FIXED:
                continue
            if dvc_outputs is None:
                dvc_outputs = _dvc_outputs(ctx)
            if text and PurePosixPath(text).name in dvc_outputs:
                continue
            if metadata is None:
                metadata = _metadata_writes(ctx, constants)
            if _recorded_beside(
                ctx, call, str(PurePosixPath(text).parent) if text else "", metadata
            ):
                continue
            if text.startswith(("/tmp/", "/var/tmp/")) or re.search(
                r"(^|_)(tmp|temp)", ast.unparse(dest)
            ):
                continue  # a staging file that is uploaded or moved elsewhere
            if _returned_to_orchestrator(ctx, call, dest):
                continue
            shown = text or ast.unparse(dest)
            where = (
                f"the fixed file name `{configured[1]}` in the configured folder `{configured[0]}`"
                if configured is not None
                else f"the fixed path `{shown}`"
            )
            yield Hit.at(
                call,
                f"`{dotted_name(call.func) or kind}` writes the model to {where}: the next run "
                "overwrites it, and nothing records which code, config or data produced it",
                fix=(
                    "Build the destination from a version (run id, git SHA, timestamp or content hash), e.g. "
                    '`MODEL_DIR / run_id / "model.joblib"`, and write a `metadata.json` with the git SHA, config '
                    "and data version beside it, or log the model to a registry."
                ),
            )

    def _save_target(
        self, ctx: ModuleContext, call: ast.Call
    ) -> tuple[str, ast.expr | None, ast.expr | None] | None:
        """(kind, saved object, destination) for artifact-writing calls."""
        name = ctx.qualname(call) or ""
        func = call.func
        method = func.attr if isinstance(func, ast.Attribute) else ""

        def arg(i: int, *keywords: str) -> ast.expr | None:
            for kw in keywords:
                value = call_kwarg(call, kw)
                if value is not None:
                    return value
            return call.args[i] if len(call.args) > i else None

        if name.startswith("mlflow.") and name.endswith(".log_model"):
            return "mlflow-log", None, None
        if name.startswith("mlflow.") and name.endswith(".save_model"):
            return "save_model", None, arg(1, "path")
        if name in ("joblib.dump", "skops.io.dump", "sklearn.externals.joblib.dump"):
            return "dump", arg(0, "value", "obj"), arg(1, "filename", "file")
        if name in ("pickle.dump", "dill.dump", "cloudpickle.dump", "_pickle.dump", "cPickle.dump"):
            return "dump", arg(0, "obj"), _opened_path(ctx, call, arg(1, "file"))
        if name in ("torch.save", "torch.jit.save"):
            return "save", arg(0, "obj", "m"), arg(1, "f")
        if name == "torch.onnx.export":
            return "export", None, arg(2, "f")
        if name in ("onnx.save", "onnx.save_model"):
            return "save", None, arg(1, "f")
        if name == "tensorflow.saved_model.save":
            return "save", None, arg(1, "export_dir")
        if _KERAS_SAVE.match(name):
            return "save", arg(0, "model"), arg(1, "filepath")
        if not method or name:  # a resolved name (the callee's) matched none of the above
            return None
        receiver = dotted_name(func.value) if isinstance(func, ast.Attribute) else None
        if method == "save_model":
            return "save_model", None, arg(0, "fname", "filename", "path", "output_dir", "filepath")
        if method == "save_pretrained":
            if receiver and _TOKENIZER_LIKE.search(receiver):
                return None
            return "save_pretrained", None, arg(0, "save_directory")
        if (
            method == "save"
            and receiver
            and re.search(r"model|net", receiver, re.I)
            and ctx.imports.imports_any("tensorflow", "keras", "tf_keras", "gensim")
        ):
            return "save", None, arg(0, "filepath", "fname")
        return None


# Packages a save target resolves into, and the methods matched on any receiver.
_SAVE_PACKAGES = frozenset(
    {
        "mlflow",
        "joblib",
        "skops",
        "sklearn",
        "pickle",
        "dill",
        "cloudpickle",
        "_pickle",
        "cPickle",
        "torch",
        "onnx",
        "tensorflow",
        "keras",
        "tf_keras",
    }
)
_SAVE_METHODS = frozenset({"save_model", "save_pretrained", "save"})
# The last segment of every name ``_save_target`` matches is one of these; it is spelled as a
# whole identifier in the call or in the import that names it, so ASCII source without them
# saves nothing.
_SAVE_WORDS = ("save", "dump", "export", "log_model", "save_model", "save_pretrained")


# The last segment of every name ``_save_target`` matches, and of its methods.
_SAVE_LAST_NAMES = frozenset(
    {"log_model", "save_model", "dump", "save", "export", "save_pretrained"}
)


def _calls(ctx: ModuleContext, save_locals: set[str]) -> list[ast.Call]:
    """The calls ``_candidate_calls`` should test, in ``ctx.calls`` order: when the serving
    helpers have already indexed this module's calls by callee name, only those whose
    last name it can accept (``_SAVE_LAST_NAMES``, or a local imported as one of them)."""
    if "_srv_call_tails" not in vars(ctx):
        return ctx.calls  # not worth indexing for this rule alone
    imported = ctx.imports.names
    names = _SAVE_LAST_NAMES.union(
        local for local in save_locals if imported[local].rsplit(".", 1)[-1] in _SAVE_LAST_NAMES
    )
    return calls_named(ctx, names)


def _candidate_calls(
    calls: list[ast.Call], save_locals: set[str], imported: dict[str, str]
) -> list[ast.Call]:
    """The calls ``_save_target`` can match: the callee's last name is one of
    ``_SAVE_LAST_NAMES`` (for ``a.b.dump`` that is the attribute, for a bare ``dump`` the
    imported name), and ``_may_save`` holds. Testing the attribute first spares walking
    every callee chain."""
    out: list[ast.Call] = []
    attribute, name = ast.Attribute, ast.Name
    for call in calls:
        func = call.func
        if isinstance(func, attribute):
            if func.attr not in _SAVE_LAST_NAMES:
                continue
            if func.attr in _SAVE_METHODS:
                out.append(call)
            elif save_locals:
                node = func.value
                while isinstance(node, attribute):
                    node = node.value
                if isinstance(node, name) and node.id in save_locals:
                    out.append(call)
        elif (
            isinstance(func, name)
            and func.id in save_locals
            and imported[func.id].rsplit(".", 1)[-1] in _SAVE_LAST_NAMES
        ):
            out.append(call)
    return out


def _may_save(call: ast.Call, save_locals: set[str]) -> bool:
    """Cheap necessary condition for ``_save_target``: one of its methods, or a call whose
    qualified name starts in one of the packages it matches (``save_locals``: the local names
    imported from those packages)."""
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr in _SAVE_METHODS:
            return True
        if not save_locals:
            return False
        node: ast.expr = func.value
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and node.id in save_locals
    return isinstance(func, ast.Name) and func.id in save_locals


def _opener_path(opener: ast.Call) -> ast.expr | None:
    name = dotted_name(opener.func) or ""
    if name in ("open", "io.open", "gzip.open", "bz2.open", "lzma.open"):
        return opener.args[0] if opener.args else None
    if isinstance(opener.func, ast.Attribute) and opener.func.attr == "open":
        return opener.func.value  # Path(...).open("wb")
    return None


def _opened_path(ctx: ModuleContext, call: ast.Call, handle: ast.expr | None) -> ast.expr | None:
    """For ``pickle.dump(obj, fh)``: the path given to ``open`` for ``fh`` (with-statement or inline)."""
    if isinstance(handle, ast.Call):
        return _opener_path(handle)
    if not isinstance(handle, ast.Name):
        return None
    cur = ctx.parents.get(call)
    while cur is not None:
        if isinstance(cur, (ast.With, ast.AsyncWith)):
            for item in cur.items:
                var, opener = item.optional_vars, item.context_expr
                if (
                    isinstance(var, ast.Name)
                    and var.id == handle.id
                    and isinstance(opener, ast.Call)
                ):
                    return _opener_path(opener)
        cur = ctx.parents.get(cur)
    return None


def _looks_like_model(obj: ast.expr, dest: ast.expr) -> bool:
    if mentions(obj, _MODEL_TOKEN):
        return True
    text = " ".join(
        n.value for n in ast.walk(dest) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )
    return bool(_MODEL_TOKEN.search(text)) or text.lower().endswith(_MODEL_SUFFIXES)


def _classify(
    ctx: ModuleContext,
    expr: ast.expr,
    constants: dict[str, ast.expr],
    at: ast.Call,
    depth: int = 0,
) -> tuple[_Dest, str]:
    """Is the destination the same every run? Returns the state and the literal text when fixed."""
    if depth > 16:
        return _Dest.DYNAMIC, ""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        if _VERSION_LITERAL.search(expr.value):
            return _Dest.VERSIONED, expr.value
        return _Dest.FIXED, expr.value
    if isinstance(expr, ast.JoinedStr):
        parts: list[str] = []
        for value in expr.values:
            if isinstance(value, ast.FormattedValue):
                state, text = _classify(ctx, value.value, constants, at, depth + 1)
                if state is not _Dest.FIXED:
                    return state, ""
                parts.append(text)
            elif isinstance(value, ast.Constant):
                parts.append(str(value.value))
        return _classify_text("".join(parts))
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Div, ast.Add)):
        return _combine(
            ctx,
            [expr.left, expr.right],
            constants,
            at,
            depth,
            "/" if isinstance(expr.op, ast.Div) else "",
        )
    if isinstance(expr, ast.Name):
        if expr.id == "__file__":
            return _Dest.FIXED, ""
        if _VERSION_TOKEN.search(expr.id):
            return _Dest.VERSIONED, ""
        local = _local_value(ctx, expr.id, at)
        if local is not None:
            return _classify(ctx, local, constants, at, depth + 1)
        if local is None and _is_local_name(ctx, expr.id, at):
            return _Dest.DYNAMIC, ""
        if expr.id in constants:
            return _classify(ctx, constants[expr.id], constants, at, depth + 1)
        return _Dest.DYNAMIC, ""
    if isinstance(expr, ast.Attribute):
        if _VERSION_TOKEN.search(expr.attr):
            return _Dest.VERSIONED, ""
        if expr.attr in ("parent", "parents", "resolve", "absolute"):
            return _classify(ctx, expr.value, constants, at, depth + 1)
        return _Dest.DYNAMIC, ""
    if (
        isinstance(expr, ast.Subscript)
        and isinstance(expr.value, ast.Attribute)
        and expr.value.attr == "parents"
    ):
        return _classify(ctx, expr.value.value, constants, at, depth + 1)
    if isinstance(expr, ast.Call):
        cname = ctx.call_name(expr) or ""
        if _VERSION_TOKEN.search(cname):
            return _Dest.VERSIONED, ""
        if _PATH_CTORS.search(cname) or cname in ("str", "os.fspath"):
            return _combine(ctx, list(expr.args), constants, at, depth, "/")
        if _CONST_CALLS.search(cname) or cname in ("Path.cwd", "Path.home"):
            return _combine(ctx, list(expr.args), constants, at, depth, "/")
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in (
            "joinpath",
            "with_suffix",
            "with_name",
            "resolve",
            "absolute",
            "expanduser",
        ):
            return _combine(ctx, [expr.func.value, *expr.args], constants, at, depth, "/")
        return _Dest.DYNAMIC, ""
    return _Dest.DYNAMIC, ""


# Config objects (not CLI arguments, which are chosen per invocation) and the attribute names of
# a stable output folder in them.
_CONFIG_OBJECT = re.compile(
    r"^(cfg|conf|config|settings|params|hparams|train_cfg|model_cfg|train_config|model_config)$"
)
_OUTPUT_FOLDER = re.compile(
    r"^(out|output|outputs|model|models|save|artifacts?|export|checkpoint|ckpt)_?(dir|directory|folder|path|root)$"
)


def _config_folder(expr: ast.expr) -> str | None:
    """``cfg.out_dir`` / ``config.paths.model_dir`` (also inside ``Path(...)``/``str(...)``)."""
    if isinstance(expr, ast.Call) and len(expr.args) == 1 and not expr.keywords:
        name = dotted_name(expr.func) or ""
        if name.rsplit(".", 1)[-1] in ("Path", "PurePath", "PosixPath", "str"):
            expr = expr.args[0]
    if not isinstance(expr, ast.Attribute) or not _OUTPUT_FOLDER.match(expr.attr):
        return None
    text = dotted_name(expr)
    if text is None or not _CONFIG_OBJECT.match(text.split(".")[0]):
        return None
    return text


def _configured_folder_file(
    ctx: ModuleContext, dest: ast.expr, at: ast.Call
) -> tuple[str, str] | None:
    """(folder expression, file name) for ``Path(cfg.out_dir) / "model.pt"``,
    ``os.path.join(cfg.model_dir, "model.joblib")`` or ``f"{cfg.out_dir}/model.pt"`` (also via
    a local variable), when the file name is a literal with no version in it."""
    if isinstance(dest, ast.Name):
        local = _local_value(ctx, dest.id, at)
        if local is None:
            return None
        dest = local
    folder: ast.expr | None = None
    name: str | None = None
    if isinstance(dest, ast.BinOp) and isinstance(dest.op, ast.Div):
        folder, tail = dest.left, dest.right
        if isinstance(tail, ast.Constant) and isinstance(tail.value, str):
            name = tail.value
    elif isinstance(dest, ast.Call) and len(dest.args) == 2 and not dest.keywords:
        callee = ctx.call_name(dest) or ""
        tail = dest.args[1]
        if _PATH_CTORS.search(callee) and isinstance(tail, ast.Constant):
            folder, name = dest.args[0], tail.value if isinstance(tail.value, str) else None
    elif isinstance(dest, ast.JoinedStr) and len(dest.values) == 2:
        head, tail = dest.values
        if (
            isinstance(head, ast.FormattedValue)
            and head.format_spec is None
            and isinstance(tail, ast.Constant)
            and isinstance(tail.value, str)
            and tail.value.startswith("/")
        ):
            folder, name = head.value, tail.value[1:]
    if folder is None or not name or "/" in name or _VERSION_LITERAL.search(name):
        return None
    shown = _config_folder(folder)
    return (shown, name) if shown is not None else None


def _classify_text(text: str) -> tuple[_Dest, str]:
    if _VERSION_LITERAL.search(text):
        return _Dest.VERSIONED, text
    return _Dest.FIXED, text


def _combine(
    ctx: ModuleContext,
    parts: list[ast.expr],
    constants: dict[str, ast.expr],
    at: ast.Call,
    depth: int,
    sep: str,
) -> tuple[_Dest, str]:
    texts: list[str] = []
    for part in parts:
        state, text = _classify(ctx, part, constants, at, depth + 1)
        if state is not _Dest.FIXED:
            return state, ""
        if text:
            texts.append(text)
    return _classify_text(sep.join(texts))


def _assignments(scope: ast.AST, name: str, before: int) -> list[ast.Assign | ast.AnnAssign]:
    out: list[ast.Assign | ast.AnnAssign] = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and node.lineno < before:
            if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                out.append(node)
        elif (
            isinstance(node, ast.AnnAssign)
            and node.lineno < before
            and node.value is not None
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            out.append(node)
    return out


def _local_value(ctx: ModuleContext, name: str, at: ast.Call) -> ast.expr | None:
    """The value of the last simple assignment to ``name`` in the enclosing function before ``at``."""
    func = ctx.enclosing_function(at)
    if func is None:
        return None
    found = _assignments(func, name, at.lineno)
    if not found:
        return None
    last = max(found, key=lambda n: n.lineno)
    return last.value


def _is_local_name(ctx: ModuleContext, name: str, at: ast.Call) -> bool:
    """Parameters, loop variables and other bindings of the enclosing function that are not simple values."""
    func = ctx.enclosing_function(at)
    if func is None:
        return False
    a = func.args
    if name in {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]}:
        return True
    for node in ast.walk(func):
        bound: ast.AST | None = None
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            bound = node.target
        elif isinstance(node, ast.withitem):
            bound = node.optional_vars
        if bound is not None and any(
            isinstance(n, ast.Name) and n.id == name for n in ast.walk(bound)
        ):
            return True
    return False


@dataclass
class _MetadataWrite:
    scope: ast.AST  # enclosing function, or the module
    folder: str | None  # literal folder it writes into, when known


def _metadata_writes(ctx: ModuleContext, constants: dict[str, ast.expr]) -> list[_MetadataWrite]:
    """Writes of provenance (config, params, git SHA, data version) in the module, with where they go."""
    found: list[_MetadataWrite] = []
    imported = ctx.imports.names
    for call in ctx.calls:
        callee = call.func
        if isinstance(callee, ast.Attribute):
            last = callee.attr
        elif isinstance(callee, ast.Name):
            last = imported.get(callee.id, callee.id).rsplit(".", 1)[-1]
        else:
            continue  # no name to match
        if last not in _WRITER_LAST_NAMES and last != "write_text":
            continue
        name = ctx.call_name(call) or ""
        target: ast.expr | None = None
        hit = False
        if _METADATA_WRITERS.search(name):
            values = [*call.args, *(k.value for k in call.keywords)]
            hit = any(mentions(a, _METADATA_TOKEN) for a in values) or name.startswith(
                ("mlflow.log_param", "mlflow.set_tag")
            )
            if name in ("json.dump", "yaml.dump", "yaml.safe_dump") and len(call.args) > 1:
                target = _opened_path(ctx, call, call.args[1])
        elif (
            isinstance(call.func, ast.Attribute)
            and call.func.attr == "write_text"
            and call.args
            and isinstance(call.args[0], ast.Call)
        ):
            inner = ctx.call_name(call.args[0]) or ""
            hit = inner in ("json.dumps", "yaml.dump", "yaml.safe_dump") and (
                mentions(call.args[0], _METADATA_TOKEN) or mentions(call.func, _METADATA_TOKEN)
            )
            target = call.func.value if isinstance(call.func, ast.Attribute) else None
        if not hit:
            continue
        folder = None
        if target is not None:
            state, text = _classify(ctx, target, constants, call)
            folder = str(PurePosixPath(text).parent) if state is _Dest.FIXED and text else None
        func = ctx.enclosing_function(call)
        found.append(_MetadataWrite(func if func is not None else ctx.tree, folder))
    return found


def _recorded_beside(
    ctx: ModuleContext, call: ast.Call, folder: str, writes: list[_MetadataWrite]
) -> bool:
    """Metadata written by the same function, or into the artifact's own folder."""
    func = ctx.enclosing_function(call)
    scope = func if func is not None else ctx.tree
    return any(w.scope is scope or (w.folder is not None and w.folder == folder) for w in writes)


def _dvc_outputs(ctx: ModuleContext) -> set[str]:
    """File names listed in a ``dvc.yaml``/``dvc.lock`` of the scan: DVC versions them."""
    names: set[str] = set()
    for text in ctx.project.texts:
        if PurePosixPath(text.path).name in ("dvc.yaml", "dvc.lock"):
            names.update(PurePosixPath(tok).name for tok in re.findall(r"[\w./-]+\.\w+", text.text))
    return names


_VERSIONING_ORCHESTRATORS = ("zenml", "kfp", "flytekit", "dagster", "metaflow")


def _returned_to_orchestrator(ctx: ModuleContext, call: ast.Call, dest: ast.expr) -> bool:
    """A step of an artifact-versioning orchestrator that returns the saved path hands it over for versioning."""
    if not ctx.imports.imports_any(*_VERSIONING_ORCHESTRATORS):
        return False
    func = ctx.enclosing_function(call)
    names = {n.id for n in ast.walk(dest) if isinstance(n, ast.Name)}
    if func is None or not names:
        return False
    return any(
        isinstance(node, ast.Return)
        and node.value is not None
        and names & {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
        for node in ast.walk(func)
    )


def _fixed_run(ctx: ModuleContext, call: ast.Call) -> str | None:
    cur = ctx.parents.get(call)
    while cur is not None:
        if isinstance(cur, (ast.With, ast.AsyncWith)):
            for item in cur.items:
                opener = item.context_expr
                if (
                    isinstance(opener, ast.Call)
                    and (ctx.qualname(opener) or "") == "mlflow.start_run"
                ):
                    run_id = call_kwarg(opener, "run_id")
                    if isinstance(run_id, ast.Constant) and isinstance(run_id.value, str):
                        return run_id.value
                    return None
        cur = ctx.parents.get(cur)
    return None
