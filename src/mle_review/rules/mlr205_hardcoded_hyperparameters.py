"""MLR205 hardcoded-hyperparameters: training calls whose knobs are typed in place, not configured."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mle_review.engine.context import ModuleContext, Role, dotted_name
from mle_review.rules._pipeline_common import (
    is_example_code,
    numeric_literal,
    reads_config,
    walk_order,
)
from mle_review.rules.base import Hit, Rule, RuleDoc, register

_HYPERPARAMETERS = frozenset(
    {
        # gradient boosting / trees
        "learning_rate",
        "eta",
        "n_estimators",
        "num_boost_round",
        "num_iterations",
        "iterations",
        "max_depth",
        "depth",
        "num_leaves",
        "min_child_samples",
        "min_child_weight",
        "min_samples_leaf",
        "min_samples_split",
        "max_features",
        "subsample",
        "colsample_bytree",
        "colsample_bylevel",
        "reg_alpha",
        "reg_lambda",
        "lambda_l1",
        "lambda_l2",
        "l2_leaf_reg",
        "gamma",
        "max_bin",
        "bagging_fraction",
        "feature_fraction",
        "min_data_in_leaf",
        "max_leaf_nodes",
        "min_impurity_decrease",
        "ccp_alpha",
        "early_stopping_rounds",
        # linear models, neighbours, svm
        "alpha",
        "C",
        "l1_ratio",
        "max_iter",
        "n_neighbors",
        "learning_rate_init",
        "hidden_layer_sizes",
        # deep learning
        "lr",
        "epochs",
        "max_epochs",
        "num_epochs",
        "n_epochs",
        "num_train_epochs",
        "batch_size",
        "per_device_train_batch_size",
        "train_batch_size",
        "weight_decay",
        "dropout",
        "dropout_rate",
        "hidden_size",
        "hidden_dim",
        "num_layers",
        "n_layers",
        "num_heads",
        "n_heads",
        "nhead",
        "embedding_dim",
        "d_model",
        "momentum",
        "warmup_steps",
        "warmup_ratio",
        "num_warmup_steps",
        "gradient_accumulation_steps",
        "patience",
        "label_smoothing",
        "max_grad_norm",
        "betas",
        "step_size",
    }
)
_SEQUENCE_OK = frozenset({"hidden_layer_sizes", "betas"})
_ARCHITECTURE_BASES = re.compile(
    r"(^|\.)(Module|LightningModule|Model|Layer|Sequential|PreTrainedModel)$"
)
_MIN_LITERALS = 3
# Calls that take a params mapping positionally (xgb.train(params, dtrain), lgb.cv(params, ...)).
_TRAIN_CALL = re.compile(r"(^|\.)(train|cv|Booster|fit)$")


def _literal_value(key: str, node: ast.expr) -> bool:
    if numeric_literal(node) is not None:
        return True
    if key in _SEQUENCE_OK and isinstance(node, (ast.Tuple, ast.List)) and node.elts:
        return all(numeric_literal(e) is not None for e in node.elts)
    return False


@register
class HardcodedHyperparameters(Rule):
    id = "MLR205"
    message = "training call passes several hyperparameters as literals"
    fix = "Move the hyperparameters into a config (dataclass, YAML/hydra, CLI arguments) that is saved with the run."
    doc = RuleDoc(
        what_it_does=(
            "In training code (outside tests, examples and notebooks) reports a call that receives three or more "
            "hyperparameters as numeric literals: keyword arguments such as `learning_rate`, `lr`, "
            "`n_estimators`, `max_depth`, `epochs`, `batch_size`, `weight_decay`, `C`, `alpha`, or a dict "
            "literal of them passed as the params of `xgb.train`/`lgb.train`/`Estimator(**params)`. A call is "
            "quiet when any of its hyperparameters is read from a config object, dataclass, argparse namespace, "
            "hydra/omegaconf config, `params[...]` mapping or an Optuna trial, when it splats a mapping that is "
            "not a local literal, and inside `nn.Module`/Keras model classes, where literal layer sizes are "
            "architecture rather than run settings. Named module constants (`LEARNING_RATE = 0.05`) are not "
            "counted as literals."
        ),
        why_it_matters=(
            "Hyperparameters typed into the training call are invisible to experiment tracking: the run record "
            "shows the code, not the values, so comparing two runs or reproducing last month's model means "
            "reading diffs. They also cannot be changed for a sweep or a retrain without a code change, which "
            "invites editing them by hand and forgetting which values produced the shipped model."
        ),
        example=(
            "def train(X, y):\n"
            "    model = XGBClassifier(n_estimators=400, max_depth=6, learning_rate=0.05, subsample=0.8)\n"
            "    return model.fit(X, y)\n"
        ),
        use_instead=(
            "@dataclass(frozen=True)\nclass TrainConfig:\n    n_estimators: int = 400\n    max_depth: int = 6\n"
            "    learning_rate: float = 0.05\n\n"
            "def train(X, y, cfg: TrainConfig):\n"
            "    model = XGBClassifier(n_estimators=cfg.n_estimators, max_depth=cfg.max_depth,\n"
            "                          learning_rate=cfg.learning_rate)\n"
            "    return model.fit(X, y)\n"
        ),
        options='Low severity by default; raise it with `severity = {MLR205 = "medium"}` once configs are the norm.',
        references=(
            "Hydra, OmegaConf and argparse documentation: structured, saved run configuration",
            "MLflow `log_params` / Weights & Biases `config`: only configured values end up in the run record",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test or ctx.notebook is not None or is_example_code(ctx):
            return
        if not ctx.has_role(Role.TRAINING):
            return
        dicts = _literal_param_dicts(ctx)
        has_classes = bool(ctx.nodes(ast.ClassDef))
        for call in ctx.calls:
            if not call.keywords and not call.args:
                continue  # nothing to count
            literal: list[str] = []
            configured = False
            for kw in call.keywords:
                if kw.arg is None:
                    if isinstance(kw.value, ast.Dict):
                        literal.extend(_dict_literals(kw.value))
                    elif isinstance(kw.value, ast.Name) and kw.value.id in dicts:
                        literal.extend(dicts[kw.value.id][0])
                    else:
                        configured = True
                    continue
                if kw.arg not in _HYPERPARAMETERS:
                    continue
                if _literal_value(kw.arg, kw.value):
                    literal.append(kw.arg)
                elif reads_config(kw.value):
                    configured = True
            if configured:
                continue
            # the first positional argument counts for training calls only; the callee's name is
            # looked at only when that argument could contribute
            first = call.args[0] if call.args else None
            if isinstance(first, ast.Dict):
                if _TRAIN_CALL.search(dotted_name(call.func) or ""):
                    literal.extend(_dict_literals(first))
            elif (
                isinstance(first, ast.Name)
                and first.id in dicts
                and dicts[first.id][1] < call.lineno
                and _TRAIN_CALL.search(dotted_name(call.func) or "")
            ):
                literal.extend(dicts[first.id][0])
            if len(set(literal)) < _MIN_LITERALS:
                continue
            if has_classes and _in_architecture_class(ctx, call):
                continue
            names = sorted(set(literal))
            callee = dotted_name(call.func) or "call"
            shown = ", ".join(f"`{n}`" for n in names[:5]) + (", ..." if len(names) > 5 else "")
            yield Hit.at(
                call,
                f"`{callee}` gets {len(names)} hardcoded hyperparameters ({shown}); no config, CLI argument or "
                "config file feeds them, so the run record does not show what was trained",
                fix=(
                    "Put these values in a typed config (a dataclass, a YAML file loaded with hydra/OmegaConf, or "
                    "argparse arguments), pass them as `cfg.<name>`, and log the config with the run."
                ),
            )


def _dict_literals(node: ast.Dict) -> list[str]:
    out: list[str] = []
    for key, value in zip(node.keys, node.values, strict=False):
        if (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and key.value in _HYPERPARAMETERS
            and _literal_value(key.value, value)
        ):
            out.append(key.value)
    return out


def _literal_param_dicts(ctx: ModuleContext) -> dict[str, tuple[list[str], int]]:
    """Variables assigned a dict literal of hyperparameters: name -> (literal keys, line).

    A name assigned twice keeps the assignment a tree walk meets last, as it always has.
    """
    assigns: list[tuple[ast.Assign, list[str]]] = []
    for node in ctx.nodes(ast.Assign):
        if isinstance(node.value, ast.Dict):
            keys = _dict_literals(node.value)
            if keys:
                assigns.append((node, keys))
    if len(assigns) > 1:
        assigns.sort(key=lambda pair: walk_order(ctx, pair[0]))
    found: dict[str, tuple[list[str], int]] = {}
    for node, keys in assigns:
        for target in node.targets:
            if isinstance(target, ast.Name):
                found[target.id] = (keys, node.lineno)
    return found


def _in_architecture_class(ctx: ModuleContext, node: ast.AST) -> bool:
    cls = ctx.enclosing(node, (ast.ClassDef,))
    if not isinstance(cls, ast.ClassDef):
        return False
    return any(_ARCHITECTURE_BASES.search(dotted_name(base) or "") for base in cls.bases)
