"""An abstract interpreter that follows data through one module (or notebook).

Statements run in source order (notebook cells in stored order). Values are
:class:`~mle_review.analysis.lineage.Val`: which rows they hold, which fitted
state influenced them, which estimator objects they are, which evaluations
their number came from. Library calls are looked up in
:mod:`mle_review.analysis.specs`; helpers defined in the same file are
followed by analysing their bodies with the caller's argument values (a
summary computed per call site, so ``preprocess(df)`` carries ``df``'s rows
and whatever the helper fits). Both branches of an ``if`` are joined; loop
bodies run twice so values that feed the next iteration are seen. Functions
nobody in the file calls are analysed on their own with their parameters as
fresh data.

The interpreter records events (splits, fits, evaluations, choices, merges,
early stopping) into an :class:`Analysis`; :mod:`mle_review.analysis.leaks`
turns events into findings. Anything it cannot resolve becomes an opaque
value that carries row identity but no fitted state, so unknown code can
hide a leak but never invent one.
"""

from __future__ import annotations

import ast
import gc
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mle_review.analysis.lineage import (
    NONE,
    UNKNOWN,
    Choice,
    EarlyStop,
    Eval,
    Facts,
    Fit,
    Merge,
    Obj,
    Split,
    Subset,
    Token,
    Val,
    influence,
    join,
    join_all,
    overlap_any,
    short,
)
from mle_review.analysis.names import (
    CV_TEST,
    CV_TRAIN,
    TEST,
    TRAIN,
    VAL,
    is_entity_column,
    is_event_source,
    is_time_column,
    role_from_name,
)
from mle_review.analysis.specs import (
    CHOICE_BUILTINS,
    CHOICE_METHODS,
    EARLY_STOP_KWARGS,
    GROUP_AGG_METHODS,
    GROUP_NEUTRAL_METHODS,
    NON_ROW_ATTRS,
    NON_ROW_METHODS,
    OBJECT_METHODS,
    SERIES_OPS,
    SINK_BUILTINS,
    STAT_METHODS,
    Cat,
    ClassSpec,
    Fn,
    Meth,
    class_spec,
    function_spec,
    word_set,
)
from mle_review.engine.context import ModuleContext, dotted_name

_MAX_STEPS = 60_000  # expression evaluations per module before giving up (precision over recall)
_MAX_DEPTH = 5  # nested helper calls followed
_ROW_FILTERS = word_set("dropna drop_duplicates query head tail nlargest nsmallest")
_CONTAINER_METHODS = word_set(
    "append extend insert items values keys get pop update setdefault copy add"
)
_MODE_METHODS = word_set("eval to cuda cpu double float half train requires_grad_ zero_grad")
_DATA_ATTRS_PASS = word_set("values T array str cat")
_TIME_DTYPE = re.compile(r"datetime|timestamp|<M8|M8\[", re.I)
# groupby keys naming one record each (``hadm_id``, ``order_id``): aggregating under them summarises
# that record's own detail rows, which is feature engineering, not a statistic across samples
_ID_KEY = re.compile(r"(^|_|\s)(id|ID|Id|key|no)$|[a-z](ID|Id)$")
_QUERY_CMP = re.compile(
    r"[`\"']?([A-Za-z_][\w ]*?)[`\"']?\s*(<=|>=|<|>)\s*[`\"']?@?([A-Za-z_][\w.]*)?"
)
_SPLITTING_NAMES = frozenset({"train_test_split"})
_BUILTIN_PASS = word_set(
    "float int round abs list tuple set sum iter next reversed bool frozenset np_float str"
)


_LIBRARIES = frozenset(
    sys.stdlib_module_names
    | {
        "numpy",
        "scipy",
        "pandas",
        "sklearn",
        "torch",
        "tensorflow",
        "keras",
        "tf_keras",
        "xgboost",
        "lightgbm",
        "catboost",
        "statsmodels",
        "matplotlib",
        "seaborn",
        "plotly",
        "imblearn",
        "joblib",
        "tqdm",
        "yaml",
        "requests",
        "PIL",
        "cv2",
        "transformers",
        "datasets",
        "optuna",
        "mlflow",
        "wandb",
        "category_encoders",
        "feature_engine",
        "shap",
        "IPython",
        "polars",
        "pyarrow",
        "nltk",
        "spacy",
    }
)


def _is_library(root: str) -> bool:
    return root in _LIBRARIES


def _copy_facts(src: Facts, dst: Facts) -> None:
    for name in (
        "parsed",
        "sorted_by",
        "series_ops",
        "time_cols",
        "entity_cols",
        "repeated",
        "grouped",
    ):
        target = getattr(dst, name)
        for k, v in getattr(src, name).items():
            target.setdefault(k, v)
    dst.unique_on |= src.unique_on
    dst.time_index = dst.time_index or src.time_index
    dst.windows = dst.windows or src.windows
    dst.event_source = dst.event_source or src.event_source
    dst.time_filtered = dst.time_filtered or src.time_filtered


_NONE_CONST = Val()
# methods with effects on receivers that are not frames, or whose name alone decides a path
_EFFECT_METHODS = word_set("add append insert extend update setdefault backward index")
# methods of a fitted object that hand out what it learned (which features it kept, their names)
_STATE_READERS = word_set("get_support get_feature_names_out get_feature_names")


def _carried_fits(v: Val) -> frozenset[int]:
    """Fitted state anywhere in a value's structure (``influence`` without joining the items)."""
    fits = v.fits
    for item in v.items or ():
        if item.fits or item.items is not None or item.elem is not None:
            fits = fits | _carried_fits(item)
    if v.elem is not None:
        fits = fits | _carried_fits(v.elem)
    return fits


def _inert_qualified(q: str) -> bool:
    """An imported function or class whose call :meth:`Interpreter.call_qualified` only wraps.

    Classes and functions with a spec (estimators, loaders, splits, metrics, merges) record
    events; everything else becomes an opaque value, a fresh object nobody keeps, or nothing.
    """
    if class_spec(q) is not None:
        return False
    fs = function_spec(q)
    if fs is not None and fs.kind is not Fn.SINK:
        return False
    root, _, _ = q.partition(".")
    return root != "builtins" or q.rsplit(".", 1)[-1] not in CHOICE_BUILTINS


class _Abort(Exception):
    """The module is too large or too dynamic to analyse within budget."""


@dataclass
class Gather:
    """Evaluation results collected into one container (a comparison table in the making)."""

    name: str
    line: int
    scores: set[int] = field(default_factory=set)


@dataclass
class Analysis:
    """Everything the interpreter learned about one module."""

    splits: list[Split] = field(default_factory=list)
    fits: dict[int, Fit] = field(default_factory=dict)
    evals: dict[int, Eval] = field(default_factory=dict)
    choices: list[Choice] = field(default_factory=list)
    stops: list[EarlyStop] = field(default_factory=list)
    merges: dict[int, Merge] = field(default_factory=dict)
    resamples: dict[int, tuple[ast.AST, str, Token]] = field(default_factory=dict)
    gathers: dict[str, Gather] = field(default_factory=dict)
    label_fits: set[int] = field(default_factory=set)  # statistics that only define a target column
    column_written: set[int] = field(default_factory=set)  # fits whose output became a frame column
    param_names: dict[int, str] = field(default_factory=dict)  # parameter token id -> its name
    # parameter name -> a timestamp column some function of the module reads on it (and the line)
    param_time: dict[str, tuple[str, int]] = field(default_factory=dict)
    complete: bool = True

    def fit_list(self) -> list[Fit]:
        return sorted(self.fits.values(), key=lambda f: (f.line, f.id))

    def eval_list(self) -> list[Eval]:
        return sorted(self.evals.values(), key=lambda e: (e.line, e.id))


Env = dict[str, Val]


_short = short


def _const_strs(node: ast.AST | None) -> list[str]:
    """String constants in a literal (``'a'`` or ``['a', 'b']``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
    return []


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _const(node: ast.AST | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _assigned_name(target: ast.AST) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    return dotted_name(target) if isinstance(target, ast.Attribute) else None


class Interpreter:
    """Runs the abstract interpretation for one module; use :func:`analyse`."""

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.a = Analysis()
        self.steps = 0
        self.loops: list[ast.AST] = []
        self.loop_vars: list[set[str]] = []
        self.frames: list[ast.AST] = []
        self.returns: list[list[Val]] = []
        self.inlined: set[ast.AST] = set()
        self.memo: dict[tuple[object, ...], object] = {}
        self.module_env: Env = {}
        self.stmt_line = 0
        # a parameter name -> a data value some helper received under that name
        self.param_examples: dict[str, Val] = {}
        self.attr_cache: dict[ast.ClassDef, Env] = {}
        self.column_fits: dict[tuple[int, str], frozenset[int]] = {}
        # same-file helper calls being followed (outermost first) and the values they were given
        self.call_sites: list[tuple[ast.Call, list[Val]]] = []
        self.consts: dict[tuple[type, object], Val] = {}
        self.refs: dict[str, Val] = {}  # names not bound in the environment: imports or unknown

    # ------------------------------------------------------------------ driver

    def run(self) -> Analysis:
        # The analysis allocates many small acyclic values that reference counting frees; with
        # every parsed tree of the scan alive, letting allocations trigger full cyclic
        # collections costs more than the analysis itself.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self.exec_block(self.ctx.tree.body, self.module_env)
            for fn in self.ctx.functions:
                if fn not in self.inlined:
                    self.standalone(fn)
        except (_Abort, RecursionError):
            self.a.complete = False
        finally:
            if was_enabled:
                gc.enable()
        return self.a

    def standalone(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        env: Env = dict(self.module_env)
        a = fn.args
        cls = self.ctx.parents.get(fn)
        for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]:
            if p.arg in ("self", "cls"):
                if isinstance(cls, ast.ClassDef):
                    env[p.arg] = self.instance(cls)
                    if fn.name != "__init__":
                        env.update(self.class_attrs(cls))
                else:
                    env[p.arg] = Val(tags=frozenset({"self"}))
                continue
            env[p.arg] = self.param_value(p.arg, fn.lineno)
        self.inlined.add(fn)
        self.frames.append(fn)
        self.returns.append([])
        try:
            self.exec_block(fn.body, env)
        finally:
            self.frames.pop()
            self.returns.pop()

    def instance(self, cls: ast.ClassDef) -> Val:
        return Val(tags=frozenset({"self"}), func=cls)

    def class_attrs(self, cls: ast.ClassDef) -> Env:
        """``self.*`` bindings that ``__init__`` makes, for analysing the other methods."""
        cached = self.attr_cache.get(cls)
        if cached is not None:
            return cached
        self.attr_cache[cls] = {}
        init = next(
            (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
        )
        if init is None or init in self.frames:
            return {}
        env: Env = dict(self.module_env)
        if init.args.args:
            env[init.args.args[0].arg] = self.instance(cls)
        for p in init.args.args[1:]:
            env.setdefault(p.arg, UNKNOWN)
        self.frames.append(init)
        self.returns.append([])
        try:
            self.exec_block(init.body, env)
        finally:
            self.frames.pop()
            self.returns.pop()
        attrs = {k: v for k, v in env.items() if k.startswith("self.")}
        self.attr_cache[cls] = attrs
        return attrs

    def method_of(self, cls: ast.AST | None, name: str) -> ast.FunctionDef | None:
        if not isinstance(cls, ast.ClassDef):
            return None
        for stmt in cls.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
                return stmt
        return None

    def param_value(self, name: str, line: int) -> Val:
        low = name.lower()
        if low in ("path", "paths", "cfg", "config", "params", "seed", "args", "kwargs", "verbose"):
            return UNKNOWN
        if low.endswith(
            ("_path", "_dir", "_file", "_name", "_col", "_cols", "_columns", "_params")
        ):
            return UNKNOWN
        tok = Token("source", line, name, role=role_from_name(name))
        self.a.param_names[tok.id] = name
        if is_event_source(name):
            tok.facts.event_source = line  # def attach(labels, refunds): an event log by name
        example = self.param_examples.get(name)
        if example is not None:
            # sibling helpers receive the same frames under the same names: keep what is known
            # about those rows (time order, timestamps, entities), not their identity
            for t in example.rows:
                for u in t.lineage():
                    _copy_facts(u.facts, tok.facts)
        return Val(rows=frozenset({tok}), tags=frozenset({"opaque", "param"}))

    def dn(self, node: ast.AST) -> str | None:
        """:func:`dotted_name` without its call and list for the usual plain names and short chains.

        Parsed trees hold exact node classes, so ``type(...) is`` tests agree with ``isinstance``.
        """
        kind = type(node)
        if kind is ast.Name:
            return node.id  # type: ignore[attr-defined,no-any-return]
        if kind is not ast.Attribute:
            return None
        base = node.value  # type: ignore[attr-defined]
        if type(base) is ast.Name:
            return f"{base.id}.{node.attr}"  # type: ignore[attr-defined]
        return dotted_name(node)

    def tick(self) -> None:
        self.steps += 1
        if self.steps > _MAX_STEPS:
            raise _Abort

    # ------------------------------------------------------------------ statements

    def exec_block(self, stmts: list[ast.stmt], env: Env) -> str:
        handlers = _STMT_HANDLERS
        for stmt in stmts:
            self.stmt_line = stmt.lineno
            handler = handlers.get(type(stmt))
            if handler is not None:
                status = handler(self, stmt, env)
                if status != "normal":
                    return status
        return "normal"

    def exec_stmt(self, s: ast.stmt, env: Env) -> str:
        self.stmt_line = s.lineno
        handler = _STMT_HANDLERS.get(type(s))
        return handler(self, s, env) if handler is not None else "normal"

    def _st_expr(self, s: ast.Expr, env: Env) -> str:
        value = s.value
        if type(value) is ast.Call:
            # ``print(...)``, ``parser.add_argument(...)``, ``np.random.seed(...)``: a call whose
            # evaluation provably records nothing and whose result is dropped is only counted
            steps = self.inert_call_steps(value, env)
            if steps >= 0:
                self.steps += steps
                if self.steps > _MAX_STEPS:
                    raise _Abort
                return "normal"
        self.ev(value, env)
        return "normal"

    # ------------------------------------------------------------------ statements with no effect

    def inert_steps(self, node: ast.expr, env: Env) -> int:
        """Evaluation steps of ``node`` when evaluating it cannot change anything, else -1.

        "Anything" is the environment, the recorded events and the facts on row tokens: the
        expressions accepted here only build values. The count is the number of :meth:`ev`
        calls the evaluation would make, so the step budget is spent exactly as before.
        """
        kind = type(node)
        if kind is ast.Constant or kind is ast.Name or kind is ast.Lambda:
            return 1
        if kind is ast.Attribute:
            return self.inert_chain(node, env)[0]  # type: ignore[arg-type]
        if kind is ast.JoinedStr or kind is ast.BoolOp:
            subs: list[ast.expr] = node.values  # type: ignore[attr-defined]
        elif kind is ast.FormattedValue or kind is ast.Starred:
            subs = [node.value]  # type: ignore[attr-defined]
        elif kind is ast.Tuple or kind is ast.List or kind is ast.Set:
            subs = [e.value if type(e) is ast.Starred else e for e in node.elts]  # type: ignore[attr-defined]
        elif kind is ast.Dict:
            subs = [*node.values, *(k for k in node.keys if k is not None)]  # type: ignore[attr-defined]
        elif kind is ast.BinOp:
            subs = [node.left, node.right]  # type: ignore[attr-defined]
        elif kind is ast.UnaryOp:
            subs = [node.operand]  # type: ignore[attr-defined]
        elif kind is ast.Compare:
            subs = [node.left, *node.comparators]  # type: ignore[attr-defined]
        elif kind is ast.IfExp:
            subs = [node.test, node.body, node.orelse]  # type: ignore[attr-defined]
        elif kind is ast.Call:
            return self.inert_call_steps(node, env)  # type: ignore[arg-type]
        else:
            return -1
        total = 1
        for sub in subs:
            n = self.inert_steps(sub, env)
            if n < 0:
                return -1
            total += n
        return total

    def inert_chain(self, node: ast.Name | ast.Attribute, env: Env) -> tuple[int, Val | None]:
        """Steps and value of a name or attribute chain, when reading it touches no row facts.

        :meth:`attribute` notes column names and parsed dates on rows it reads attributes of,
        so a chain is inert only up to the first frame. The value is None when it is some
        non-row value this check does not reconstruct.
        """
        chain: list[ast.Attribute] = []
        cur: ast.expr = node
        while type(cur) is ast.Attribute:
            chain.append(cur)
            cur = cur.value
        if type(cur) is not ast.Name:
            return -1, None
        # the longest prefix bound in the environment is read as it is
        for depth, attr_node in enumerate(chain):
            key = self.dn(attr_node)
            if key is not None and key in env:
                if depth == 0:
                    return 1, env[key]
                base = env[key]
                rest = chain[:depth]
                break
        else:
            name = cur.id
            bound = env.get(name)
            if bound is None:
                q = self.ctx.imports.names.get(name)
                bound = Val(ref=q) if q is not None else UNKNOWN
            base = bound
            rest = chain
        if not rest:
            return 1, base
        if base.rows:
            return -1, None
        steps = len(rest) + 1
        if base.ref is not None:
            return steps, Val(ref=".".join([base.ref, *(a.attr for a in reversed(rest))]))
        return steps, None

    def inert_call_steps(self, node: ast.Call, env: Env) -> int:
        """:meth:`inert_steps` for a call: only callees whose handling records nothing.

        The callee is judged first (it rejects most calls that matter, such as ``model.fit``),
        then the arguments.
        """
        f = node.func
        if type(f) is ast.Name:
            name = f.id
            if name in env:
                return -1  # a local function, class or object: followed, not inert
            q = self.ctx.imports.names.get(name)
            if (q is None and name in CHOICE_BUILTINS) or (
                q is not None and not _inert_qualified(q)
            ):
                return -1
            total = 2
        elif type(f) is ast.Attribute:
            recv_node = f.value
            if type(recv_node) is not ast.Name and type(recv_node) is not ast.Attribute:
                return -1
            effect = (
                f.attr in _EFFECT_METHODS or f.attr in OBJECT_METHODS or f.attr in CHOICE_METHODS
            )
            if effect and (type(recv_node) is not ast.Name or recv_node.id in env):
                return -1  # a method with effects (an imported module's function is judged below)
            n, recv = self.inert_chain(recv_node, env)
            if n < 0:
                return -1
            if recv is not None and recv.ref is not None and self.dn(recv_node) not in env:
                if not _inert_qualified(f"{recv.ref}.{f.attr}"):
                    return -1
            elif not self.inert_method(recv, f.attr):
                return -1
            total = 1 + n
        else:
            return -1
        for a in node.args:
            n = self.inert_steps(a.value if type(a) is ast.Starred else a, env)
            if n < 0:
                return -1
            total += n
        for kw in node.keywords:
            n = self.inert_steps(kw.value, env)
            if n < 0:
                return -1
            total += n
        return total

    def inert_method(self, recv: Val | None, name: str) -> bool:
        """``recv.name(...)`` goes down a path of :meth:`call_method` that records nothing."""
        if name in _EFFECT_METHODS or name in OBJECT_METHODS or name in CHOICE_METHODS:
            return False
        if recv is None:
            return True  # a non-row attribute value: objects' plain methods and influence only
        if recv.rows or "self" in recv.tags or "groupby" in recv.tags:
            return False
        return not ("container" in recv.tags or recv.elem is not None or recv.items is not None)

    def _st_assign(self, s: ast.Assign, env: Env) -> str:
        val = self.ev(s.value, env)
        for target in s.targets:
            if type(target) is ast.Name:  # the common case of :meth:`assign`, without the dispatch
                name = target.id
                if val.rows:
                    self.name_value(name, val)
                env[name] = val
                for o in val.objs:
                    if not o.label:
                        o.label = name
            else:
                self.assign(target, val, env, s.value)
        return "normal"

    def _st_annassign(self, s: ast.AnnAssign, env: Env) -> str:
        if s.value is not None:
            self.assign(s.target, self.ev(s.value, env), env, s.value)
        return "normal"

    def _st_augassign(self, s: ast.AugAssign, env: Env) -> str:
        cur = self.ev(s.target, env) if isinstance(s.target, (ast.Name, ast.Attribute)) else NONE
        val = self.ev(s.value, env)
        if isinstance(s.target, ast.Subscript):
            self.assign(s.target, val, env, s.value)
        else:
            self.assign(s.target, self.binop(cur, val), env, s.value)
        return "normal"

    def _st_def(self, s: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, env: Env) -> str:
        env[s.name] = Val(func=s)
        return "normal"

    def _st_return(self, s: ast.Return, env: Env) -> str:
        if self.returns:
            self.returns[-1].append(self.ev(s.value, env) if s.value is not None else NONE)
        return "return"

    def _st_for(self, s: ast.For | ast.AsyncFor, env: Env) -> str:
        self.exec_for(s, env)
        return "normal"

    def _st_while(self, s: ast.While, env: Env) -> str:
        self.ev(s.test, env)
        self.exec_loop(s, s.body, env, None, NONE)
        self.exec_block(s.orelse, env)
        return "normal"

    def _st_with(self, s: ast.With | ast.AsyncWith, env: Env) -> str:
        for item in s.items:
            v = self.ev(item.context_expr, env)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, v, env, item.context_expr)
        return self.exec_block(s.body, env)

    def _st_raise(self, s: ast.Raise, env: Env) -> str:
        return "raise"

    def _st_break(self, s: ast.Break | ast.Continue, env: Env) -> str:
        return "break"

    def _st_match(self, s: ast.Match, env: Env) -> str:
        subject = self.ev(s.subject, env)
        live: list[Env] = []
        for case in s.cases:
            branch = dict(env)
            self.bind_pattern(case.pattern, subject, branch)
            if self.exec_block(case.body, branch) in ("normal", "break"):
                live.append(branch)
        live.append(dict(env))
        self.merge_envs(env, live)
        return "normal"

    def _st_delete(self, s: ast.Delete, env: Env) -> str:
        for t in s.targets:
            if isinstance(t, ast.Name):
                env.pop(t.id, None)
        return "normal"

    def bind_pattern(self, pattern: ast.pattern, subject: Val, env: Env) -> None:
        if isinstance(pattern, ast.MatchAs) and pattern.name:
            env[pattern.name] = subject

    def exec_if(self, s: ast.If, env: Env) -> str:
        test = self.ev(s.test, env)
        self.note_comparison_choice(s.test, test, env)
        e1 = dict(env)
        s1 = self.exec_block(s.body, e1)
        e2 = dict(env)
        s2 = self.exec_block(s.orelse, e2)
        live = [e for e, st in ((e1, s1), (e2, s2)) if st in ("normal", "break")]
        if not live:
            env.update(e1)
            return "return" if "return" in (s1, s2) else s1
        self.merge_envs(env, live)
        return "normal"

    def merge_envs(self, env: Env, live: list[Env]) -> None:
        if len(live) == 1:
            env.clear()
            env.update(live[0])
            return
        if len(live) == 2:
            # the common case (two branches): most bindings are the very same value on both sides
            a, b = live
            merged: Env = dict(a)
            for k, v in b.items():
                mine = merged.get(k)
                if mine is None:
                    merged[k] = v
                elif mine is not v:
                    merged[k] = join(mine, v)
            env.clear()
            env.update(merged)
            return
        keys = set().union(*live)
        merged = {}
        for k in keys:
            vals = [e[k] for e in live if k in e]
            merged[k] = vals[0] if all(v is vals[0] for v in vals) else join_all(vals)
        env.clear()
        env.update(merged)

    def exec_try(self, s: ast.stmt, env: Env) -> str:
        body = getattr(s, "body", [])
        handlers = getattr(s, "handlers", [])
        orelse = getattr(s, "orelse", [])
        final = getattr(s, "finalbody", [])
        before = dict(env)
        st = self.exec_block(body, env)
        if st == "normal":
            st = self.exec_block(orelse, env)
        live = [dict(env)] if st in ("normal", "break") else []
        for h in handlers:
            branch = dict(before)
            self.merge_envs(branch, [before, dict(env)])
            if self.exec_block(h.body, branch) in ("normal", "break"):
                live.append(branch)
        if live:
            self.merge_envs(env, live)
        self.exec_block(final, env)
        return "normal" if live else st

    def exec_for(self, s: ast.For | ast.AsyncFor, env: Env) -> None:
        it = self.ev(s.iter, env)
        self.exec_loop(s, s.body, env, s.target, it.iter_elem())
        self.exec_block(s.orelse, env)

    def exec_loop(
        self, node: ast.AST, body: list[ast.stmt], env: Env, target: ast.expr | None, elem: Val
    ) -> None:
        before = dict(env)
        names = (
            {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
            if target is not None
            else set()
        )
        self.loops.append(node)
        self.loop_vars.append(names)
        try:
            passes = 2 if len(self.loops) <= 2 else 1
            for _ in range(passes):
                if target is not None:
                    self.assign(target, elem, env, None)
                self.exec_block(body, env)
        finally:
            self.loops.pop()
            self.loop_vars.pop()
        self.merge_envs(env, [before, dict(env)])

    # ------------------------------------------------------------------ assignment

    def assign(self, target: ast.AST, val: Val, env: Env, value_node: ast.AST | None) -> None:
        if isinstance(target, ast.Name):
            self.name_value(target.id, val)
            env[target.id] = val
            self.label_objs(val, target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            elts = target.elts
            star = next((i for i, e in enumerate(elts) if isinstance(e, ast.Starred)), None)
            if val.items is not None and star is None and len(val.items) == len(elts):
                for e, v in zip(elts, val.items, strict=True):
                    self.assign(e, v, env, None)
                return
            if val.items is not None and star is not None and len(val.items) >= len(elts) - 1:
                head = val.items[:star]
                tail_n = len(elts) - star - 1
                tail = val.items[len(val.items) - tail_n :] if tail_n else ()
                for e, v in zip(elts[:star], head, strict=False):
                    self.assign(e, v, env, None)
                mid = val.items[star : len(val.items) - tail_n]
                self.assign(elts[star], Val(items=tuple(mid)), env, None)
                for e, v in zip(elts[star + 1 :], tail, strict=False):
                    self.assign(e, v, env, None)
                return
            elem = val.iter_elem() if (val.items is not None or val.elem is not None) else val
            if (
                "opaque" in val.tags
                and val.rows
                and any(role_from_name(_assigned_name(e)) for e in elts)
            ):
                self.unpack_opaque(elts, val, env)
                return
            for e in elts:
                self.assign(e.value if isinstance(e, ast.Starred) else e, elem, env, None)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, val, env, value_node)
        elif isinstance(target, ast.Attribute):
            key = dotted_name(target)
            if key is not None:
                if (
                    target.attr == "index"
                    and isinstance(target.value, ast.Name)
                    and "datetime" in val.tags
                ):
                    base = env.get(target.value.id)
                    if base is not None and base.rows:
                        env[target.value.id] = self.alias(base, "time index", time_index=True)
                    return
                owner_key = dotted_name(target.value)
                owner = env.get(owner_key) if owner_key is not None else None
                if owner is not None and owner.rows and not owner.objs:
                    # df.col = ...: a column assignment on a frame
                    env[owner_key or ""] = owner.with_(
                        fits=owner.fits | influence([val]).fits, merges=owner.merges | val.merges
                    )
                    self.note_column_fits(owner, [target.attr], influence([val]).fits - owner.fits)
                    if "datetime" in val.tags:
                        env[owner_key or ""] = self.alias(
                            env[owner_key or ""], "parsed dates", parsed=[target.attr]
                        )
                    return
                env[key] = val
                self.label_objs(val, key)
        elif isinstance(target, ast.Subscript):
            self.assign_subscript(target, val, env)

    def label_objs(self, val: Val, name: str) -> None:
        for o in val.objs:
            if not o.label:
                o.label = name

    def name_value(self, name: str, val: Val) -> None:
        """Give fresh row sets the role and label their variable name suggests."""
        if not val.rows:
            return
        role = role_from_name(name)
        for t in val.rows:
            if t.line != self.stmt_line:
                continue
            if t.kind in ("source", "part") and t.role is None and role is not None:
                if t.kind == "part" and t.split is not None and t.split.kind in ("cv",):
                    continue
                t.role = role
            if t.kind == "source" and t.label in ("", "data"):
                t.label = name
            if t.kind == "source" and is_event_source(name) and t.facts.event_source is None:
                t.facts.event_source = t.line

    def unpack_opaque(self, elts: list[ast.expr], val: Val, env: Env) -> None:
        """``X_train, X_test = my_split(X)``: an unseen helper hands back named parts."""
        key = ("opaque-split", id(val))
        split = self.memo.get(key)
        if not isinstance(split, Split):
            split = Split(
                node=elts[0],
                line=self.stmt_line,
                api="a helper",
                kind="unknown",
                shuffled=False,
                inputs=val.rows,
            )
            self.memo[key] = split
        parts: dict[str, Token] = {}
        for e in elts:
            name = _assigned_name(e.value if isinstance(e, ast.Starred) else e)
            role = role_from_name(name) or "other"
            tok = parts.get(role)
            if tok is None:
                tok = Token(
                    "part",
                    self.stmt_line,
                    name or "",
                    val.rows,
                    role=None if role == "other" else role,
                    split=split,
                )
                parts[role] = tok
                split.parts.append(tok)
            self.assign(e, val.with_(rows=frozenset({tok}), items=None), env, None)

    def assign_subscript(self, target: ast.Subscript, val: Val, env: Env) -> None:
        base_node = target.value
        if isinstance(base_node, ast.Attribute) and base_node.attr in ("loc", "iloc", "at", "iat"):
            base_node = base_node.value  # df.loc[:, col] = ... changes df
        key = dotted_name(base_node)
        if key is None:
            self.ev(base_node, env)
            return
        base = env.get(key)
        if base is None:
            return
        cols = _const_strs(target.slice)
        if base.rows:
            new = base.with_(
                fits=base.fits | influence([val]).fits, merges=base.merges | val.merges
            )
            if "datetime" in val.tags and cols:
                new = self.alias(new, "parsed dates", parsed=cols)
            self.note_column_fits(base, cols, influence([val]).fits - base.fits)
            self.note_columns(base.rows, cols)
            env[key] = new
        elif base.items is not None or base.elem is not None or "container" in base.tags:
            env[key] = join(base, Val(elem=val, tags=frozenset({"container"})))
            self.note_gather(key, val)
        else:
            env[key] = join(base, influence([val]))

    def note_column_fits(
        self, frame: Val, cols: list[str] | tuple[str, ...], fits: frozenset[int]
    ) -> None:
        """Remember which fitted state was written into which column (to tell labels from features)."""
        if not fits:
            return
        self.a.column_written |= fits
        for t in frame.rows:
            for c in cols:
                key = (t.canon.id, c)
                self.column_fits[key] = self.column_fits.get(key, frozenset()) | fits

    def note_label(self, label: Val) -> None:
        """``y = df["rul"]`` used as the target: statistics written into that column define the label."""
        for t in label.rows:
            for c in label.cols:
                self.a.label_fits |= self.column_fits.get((t.canon.id, c), frozenset())

    # ------------------------------------------------------------------ expressions

    def ev(self, node: ast.AST | None, env: Env) -> Val:
        if node is None:
            return NONE
        self.steps += 1
        if self.steps > _MAX_STEPS:
            raise _Abort
        kind = type(node)
        if kind is ast.Name:
            name = node.id  # type: ignore[attr-defined]
            found = env.get(name)
            if found is not None:
                return found
            ref = self.refs.get(name)
            if ref is None:
                q = self.ctx.imports.names.get(name)
                ref = self.refs[name] = Val(ref=q) if q is not None else UNKNOWN
            return ref
        if kind is ast.Constant:
            value = node.value  # type: ignore[attr-defined]
            if value is None:
                return _NONE_CONST
            # values are immutable: one per constant (keyed by type, as 1 == 1.0 == True)
            ckey = (type(value), value)
            cval = self.consts.get(ckey)
            if cval is None:
                cval = self.consts[ckey] = Val(const=value)
            return cval
        handler = _EXPR_HANDLERS.get(kind)
        return handler(self, node, env) if handler is not None else UNKNOWN

    def _ex_sequence(self, node: ast.Tuple | ast.List | ast.Set, env: Env) -> Val:
        vals = [self.ev(e.value if isinstance(e, ast.Starred) else e, env) for e in node.elts]
        out = Val(items=tuple(vals))
        return out.tag("container") if isinstance(node, ast.List) else out

    def _ex_dict(self, node: ast.Dict, env: Env) -> Val:
        vals = [self.ev(v, env) for v in node.values]
        for k in node.keys:
            self.ev(k, env)
        return Val(elem=join_all(vals) if vals else None, tags=frozenset({"container", "dict"}))

    def _ex_binop(self, node: ast.BinOp, env: Env) -> Val:
        return self.binop(self.ev(node.left, env), self.ev(node.right, env))

    def _ex_unary(self, node: ast.UnaryOp, env: Env) -> Val:
        v = self.ev(node.operand, env)
        if isinstance(node.op, ast.Invert) and v.subset is not None:
            return v.with_(subset=None)
        return v

    def _ex_boolop(self, node: ast.BoolOp, env: Env) -> Val:
        return join_all(self.ev(v, env) for v in node.values)

    def _ex_ifexp(self, node: ast.IfExp, env: Env) -> Val:
        test = self.ev(node.test, env)
        out = join(self.ev(node.body, env), self.ev(node.orelse, env))
        # the value depends on the condition: `1 if x > df.x.mean() else 0` carries the mean
        return out.with_(fits=out.fits | influence([test]).fits)

    def _ex_lambda(self, node: ast.Lambda, env: Env) -> Val:
        return Val(func=node)

    def _ex_joinedstr(self, node: ast.JoinedStr, env: Env) -> Val:
        return influence(self.ev(v, env) for v in node.values)

    def _ex_value(self, node: ast.FormattedValue | ast.Await | ast.Starred, env: Env) -> Val:
        return self.ev(node.value, env)

    def _ex_namedexpr(self, node: ast.NamedExpr, env: Env) -> Val:
        v = self.ev(node.value, env)
        self.assign(node.target, v, env, node.value)
        return v

    def _ex_yield(self, node: ast.Yield | ast.YieldFrom, env: Env) -> Val:
        v = self.ev(node.value, env) if node.value is not None else NONE
        if self.returns:
            self.returns[-1].append(Val(elem=v, tags=frozenset({"container"})))
        return NONE

    def _ex_slice(self, node: ast.Slice, env: Env) -> Val:
        return influence(
            [self.ev(node.lower, env), self.ev(node.upper, env), self.ev(node.step, env)]
        )

    def binop(self, a: Val, b: Val) -> Val:
        if a.rows or b.rows:
            out = Val(
                rows=a.rows | b.rows,
                fits=a.fits | b.fits,
                scores=a.scores | b.scores,
                via=a.via | b.via,
                merges=a.merges | b.merges,
                tags=(a.tags | b.tags)
                & {
                    "mask",
                    "datetime",
                    "pred",
                    "window",
                    "time_pair",
                    "time_cmp",
                    "side_before",
                    "side_after",
                },
                cols=tuple(dict.fromkeys(a.cols + b.cols)),
                sel=a.sel | b.sel,
                subset=a.subset or b.subset,
            )
            return out
        if a.items is not None and b.items is not None:
            return Val(items=a.items + b.items, tags=(a.tags | b.tags) & {"container"})
        return influence([a, b]).with_(
            tags=(a.tags | b.tags) & {"stat", "perm", "datetime"},
            agg_of=a.agg_of | b.agg_of,
        )

    def comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, env: Env
    ) -> Val:
        local = dict(env)
        self.loops.append(node)
        names: set[str] = set()
        self.loop_vars.append(names)
        try:
            conds: list[Val] = []
            for gen in node.generators:
                it = self.ev(gen.iter, local)
                names |= {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
                self.assign(gen.target, it.iter_elem(), local, None)
                for cond in gen.ifs:
                    conds.append(self.ev(cond, local))
            if isinstance(node, ast.DictComp):
                self.ev(node.key, local)
                elt = self.ev(node.value, local)
            else:
                elt = self.ev(node.elt, local)
            # which elements survive depends on the conditions: `[c for c, keep in zip(cols,
            # selector.get_support()) if keep]` carries what the selector learned
            kept = influence(conds).fits - elt.fits
            if kept:
                elt = elt.with_(fits=elt.fits | kept)
        finally:
            self.loops.pop()
            self.loop_vars.pop()
        tags = frozenset({"container"} | ({"windows"} if "window" in elt.tags else set()))
        return Val(elem=elt, tags=tags)

    def compare(self, node: ast.Compare, env: Env) -> Val:
        left = self.ev(node.left, env)
        rights = [self.ev(c, env) for c in node.comparators]
        vals = [left, *rights]
        data = [v for v in vals if v.rows]
        if not data:
            out = influence(vals)
            return out.tag("cmp") if out.scores else out
        rows = frozenset().union(*(v.rows for v in data))
        out = Val(
            rows=rows,
            fits=frozenset().union(*(v.fits for v in vals)),
            scores=frozenset().union(*(v.scores for v in vals)),
            via=frozenset().union(*(v.via for v in vals)),
            merges=frozenset().union(*(v.merges for v in vals)),
            tags=frozenset({"mask"}),
            cols=tuple(dict.fromkeys(c for v in data for c in v.cols)),
        )
        op = node.ops[0]
        if len(node.ops) == 1 and isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
            lt = self.time_col_of(left)
            rt = self.time_col_of(rights[0])
            if lt and rt:
                return out.tag("time_pair")
            if lt and not rights[0].rows:
                side = "before" if isinstance(op, (ast.Lt, ast.LtE)) else "after"
                return out.tag("time_cmp", f"side_{side}").with_(cols=(lt,))
            if rt and not left.rows:
                side = "after" if isinstance(op, (ast.Lt, ast.LtE)) else "before"
                return out.tag("time_cmp", f"side_{side}").with_(cols=(rt,))
        return out

    def time_col_of(self, v: Val) -> str | None:
        if not v.rows or len(v.cols) != 1:
            return None
        col = v.cols[0]
        if "datetime" in v.tags or is_time_column(col):
            return col
        for t in v.rows:
            for u in t.lineage():
                if col in u.facts.parsed or col in u.facts.time_cols:
                    return col
        return None

    def note_comparison_choice(self, test: ast.AST, val: Val, env: Env) -> None:
        """``if score > best_score:`` (also inside ``best is None or ...``) picks a candidate by its score."""
        if not val.scores:
            return
        compares = [test] if isinstance(test, ast.Compare) else []
        if isinstance(test, ast.BoolOp):
            compares = [v for v in test.values if isinstance(v, ast.Compare)]
        for cmp in compares:
            if len(cmp.ops) != 1 or not isinstance(cmp.ops[0], (ast.Gt, ast.GtE, ast.Lt, ast.LtE)):
                continue
            if isinstance(cmp.comparators[0], ast.Constant) or isinstance(cmp.left, ast.Constant):
                continue
            scores = influence([self.ev(cmp.left, env), self.ev(cmp.comparators[0], env)]).scores
            if scores:
                self.choice(cmp, scores)

    # ------------------------------------------------------------------ attributes and subscripts

    def attribute(self, node: ast.Attribute, env: Env) -> Val:
        key = self.dn(node)
        if key is not None and key in env:
            return env[key]
        recv = self.ev(node.value, env)
        attr = node.attr
        if recv.ref is not None:
            return Val(ref=f"{recv.ref}.{attr}")
        if recv.objs:
            if attr in (
                "best_estimator_",
                "estimator",
                "model",
                "booster_",
                "steps",
                "named_steps",
            ):
                return Val(objs=recv.objs, fits=recv.fits)
            if attr.endswith("_") or attr in ("history", "best_score", "best_iteration"):
                return Val(
                    fits=frozenset().union(*(o.state for o in recv.objs)), scores=recv.scores
                )
            return Val(objs=recv.objs) if attr in ("named_steps",) else influence([recv])
        if recv.rows:
            if attr in ("loc", "iloc", "at", "iat", "ix"):
                return recv.tag("indexer", f"indexer_{attr}")
            if attr == "index":
                return Val(rows=recv.rows, tags=frozenset({"index"}), sel=recv.sel)
            if attr in NON_ROW_ATTRS:
                return Val(fits=recv.fits, const=None)
            if attr == "dt":
                self.note_parsed(recv)
                return recv.tag("datetime_accessor")
            if attr in _DATA_ATTRS_PASS:
                return recv
            if "datetime_accessor" in recv.tags:
                return recv.with_(tags=recv.tags - {"datetime_accessor", "datetime"})
            if "groupby" in recv.tags:
                return recv
            # df.col: a column
            self.note_columns(recv.rows, [attr])
            return recv.with_(cols=(attr,), tags=recv.tags - {"indexer"}, subset=None)
        if "self" in recv.tags:
            return UNKNOWN
        return influence([recv]).with_(tags=recv.tags & {"stat"})

    def subscript(self, node: ast.Subscript, env: Env) -> Val:
        recv = self.ev(node.value, env)
        key_node = node.slice
        if recv.items is not None and not recv.rows:
            idx = _const(key_node)
            if isinstance(idx, int) and -len(recv.items) <= idx < len(recv.items):
                return recv.items[idx]
            kv = self.ev(key_node, env)
            if isinstance(key_node, ast.Slice):
                return recv
            return join(recv.iter_elem(), influence([kv]))
        if recv.elem is not None and not recv.rows:
            self.ev(key_node, env)
            return recv.elem
        if not recv.rows:
            kv = self.ev(key_node, env)
            if "perm" in recv.tags and isinstance(key_node, ast.Slice):
                side = (
                    "first"
                    if key_node.lower is None
                    else "last"
                    if key_node.upper is None
                    else "middle"
                )
                return Val(
                    tags=frozenset({"perm", "index"}),
                    subset=Subset("slice", key_node, frozenset(), shuffled=True, side=side),
                )
            out = join(influence([recv]), influence([kv]))
            return out.with_(tags=recv.tags & {"stat", "perm", "datetime"}, agg_of=recv.agg_of)
        return self.data_subscript(node, recv, key_node, env)

    def data_subscript(self, node: ast.Subscript, recv: Val, key_node: ast.expr, env: Env) -> Val:
        base = recv.with_(
            tags=recv.tags
            - {"indexer", "indexer_loc", "indexer_iloc", "indexer_at", "indexer_iat", "indexer_ix"},
            subset=None,
        )
        row_key: ast.expr | None = key_node
        col_key: ast.expr | None = None
        if isinstance(key_node, ast.Tuple) and key_node.elts:
            row_key = key_node.elts[0]
            col_key = key_node.elts[1] if len(key_node.elts) > 1 else None
        cols = _const_strs(row_key) if col_key is None else _const_strs(col_key)
        if col_key is None and len(cols) == 1 and "dsdict" in recv.tags and role_from_name(cols[0]):
            return self.predefined_part(base, cols[0], node)
        if col_key is None and cols:
            self.note_columns(recv.rows, cols)
            return base.with_(cols=tuple(cols), agg_of=frozenset())
        if col_key is not None:
            chosen = self.ev(col_key, env)
            if cols:
                self.note_columns(recv.rows, cols)
            elif not chosen.rows:
                picked = _carried_fits(chosen) - base.fits
                if picked:
                    base = base.with_(fits=base.fits | picked)  # df.loc[:, selected_columns]
        if isinstance(row_key, ast.Slice):
            if row_key.lower is None and row_key.upper is None:
                return base.with_(cols=tuple(cols) or base.cols)
            self.ev(row_key, env)
            window = self.slice_uses_loop_var(row_key)
            side = (
                "first" if row_key.lower is None else "last" if row_key.upper is None else "middle"
            )
            if window:
                return base.tag("window")
            sub = Subset("slice", node, recv.rows, shuffled=False, side=side)
            return self.materialize(base, sub, _short(row_key, 60))
        kv = self.ev(row_key, env)
        if kv.subset is not None and not kv.subset.source and "perm" in kv.tags:
            sub = Subset("slice", kv.subset.node, recv.rows, shuffled=True, side=kv.subset.side)
            return self.materialize(base, sub, _short(kv.subset.node, 60))
        if "index" in kv.tags and kv.rows:
            parts = frozenset(t for t in kv.rows if t.split_part() is not None)
            if parts:
                return base.with_(
                    rows=frozenset(t.split_part() or t for t in parts), cols=tuple(cols)
                )
        if "mask" in kv.tags:
            for m in kv.merges:
                if "time_pair" in kv.tags and m in self.a.merges:
                    self.a.merges[m].resolved = self.a.merges[m].resolved or node.lineno
            if "time_pair" in kv.tags:  # feature_time <= label_time: a point-in-time filter
                out = self.alias(
                    base.with_(merges=frozenset(), cols=tuple(cols) or base.cols),
                    "point-in-time filter",
                )
                for t in out.rows:
                    t.facts.time_filtered = node.lineno
                return out
            if kv.sel:
                return self.select_ids(base, kv.sel, node)
            if "time_cmp" in kv.tags:
                side = "before" if "side_before" in kv.tags else "after"
                sub = Subset(
                    "time_cutoff",
                    node,
                    recv.rows,
                    side=side,
                    time_col=kv.cols[0] if kv.cols else None,
                )
                return self.materialize(base, sub, _short(row_key, 60))
            sub = Subset("mask", node, recv.rows)
            return self.materialize(base, sub, _short(row_key, 60))
        if isinstance(row_key, ast.Name) and not kv.rows and kv.const is None and col_key is None:
            # df[cols] with a list of column names (chosen by a fitted selector: its state)
            picked = _carried_fits(kv) - base.fits
            return base.with_(fits=base.fits | picked) if picked else base
        return base.with_(cols=tuple(cols) or base.cols)

    def slice_uses_loop_var(self, sl: ast.Slice) -> bool:
        if not self.loop_vars:
            return False
        names = set().union(*self.loop_vars)
        for bound in (sl.lower, sl.upper):
            if bound is not None and any(
                isinstance(n, ast.Name) and n.id in names for n in ast.walk(bound)
            ):
                return True
        return False

    def materialize(self, base: Val, sub: Subset, key_text: str) -> Val:
        """Turn a row subset into a split part (``df[df.date < c]``, ``X[:n]``, ``df.sample(frac=.8)``)."""
        srcs = frozenset(t.canon for t in sub.source)
        skey = ("subset-split", sub.kind, frozenset(t.id for t in srcs))
        split = self.memo.get(skey)
        if not isinstance(split, Split):
            split = Split(
                node=sub.node,
                line=getattr(sub.node, "lineno", self.stmt_line),
                api={
                    "slice": "positional slicing",
                    "mask": "a boolean mask",
                    "time_cutoff": "a time cutoff",
                    "sample": "df.sample",
                }.get(sub.kind, sub.kind),
                kind=sub.kind,
                shuffled=sub.shuffled,
                inputs=frozenset(sub.source),
            )
            self.memo[skey] = split
            self.a.splits.append(split)
        split.fits |= base.fits
        pkey = ("subset-part", split.id, key_text)
        part = self.memo.get(pkey)
        if not isinstance(part, Token):
            part = Token(
                "part",
                getattr(sub.node, "lineno", self.stmt_line),
                key_text,
                sub.source,
                split=split,
            )
            if sub.kind == "time_cutoff":
                part.facts.time_filtered = part.line
                if sub.side == "before":
                    part.role = None
            self.memo[pkey] = part
            split.parts.append(part)
        return base.with_(rows=frozenset({part}), subset=sub)

    def predefined_part(self, base: Val, key: str, node: ast.AST) -> Val:
        """``dataset["test"]`` of a Hugging Face DatasetDict: a split the publisher made."""
        srcs = frozenset(t.canon for t in base.rows)
        skey = ("predefined", frozenset(t.id for t in srcs))
        split = self.memo.get(skey)
        if not isinstance(split, Split):
            split = Split(
                node=node,
                line=getattr(node, "lineno", self.stmt_line),
                api="a predefined split",
                kind="predefined",
                shuffled=False,
                inputs=frozenset(base.rows),
            )
            self.memo[skey] = split
            self.a.splits.append(split)
        pkey = ("predefined-part", split.id, key)
        part = self.memo.get(pkey)
        if not isinstance(part, Token):
            part = Token("part", split.line, key, base.rows, role=role_from_name(key), split=split)
            self.memo[pkey] = part
            split.parts.append(part)
        return base.with_(rows=frozenset({part}), tags=base.tags - {"dsdict"})

    def select_ids(self, base: Val, sel: frozenset[Token], node: ast.AST) -> Val:
        """``df[df.user_id.isin(train_ids)]``: the rows of the entities in one part of an id split."""
        out: set[Token] = set()
        for idp in sel:
            pkey = ("ids-part", idp.id, frozenset(t.canon.id for t in base.rows))
            part = self.memo.get(pkey)
            if not isinstance(part, Token):
                split = idp.split
                part = Token(
                    "part",
                    getattr(node, "lineno", self.stmt_line),
                    idp.label,
                    base.rows,
                    role=idp.eval_role(),
                    split=split,
                )
                self.memo[pkey] = part
            out.add(part)
        return base.with_(rows=frozenset(out))

    # ------------------------------------------------------------------ facts

    def note_columns(self, rows: frozenset[Token], cols: list[str] | tuple[str, ...]) -> None:
        for c in cols:
            if is_entity_column(c):
                for t in rows:
                    t.facts.entity_cols.setdefault(c, self.stmt_line)
            elif is_time_column(c):
                for t in rows:
                    t.facts.time_cols.setdefault(c, self.stmt_line)
                    self.note_param_time(t, c)

    def note_parsed(self, recv: Val) -> None:
        for c in recv.cols:
            for t in recv.rows:
                t.facts.parsed.setdefault(c, self.stmt_line)
                self.note_param_time(t, c)

    def note_param_time(self, t: Token, col: str) -> None:
        """A function's parameter is seen to carry a timestamp column (for sibling functions)."""
        name = self.a.param_names.get(t.canon.id)
        if name is not None:
            self.a.param_time.setdefault(name, (col, self.stmt_line))

    def alias(
        self,
        v: Val,
        label: str,
        parsed: list[str] | tuple[str, ...] = (),
        time_index: bool = False,
        sorted_by: str | None = None,
        unique_on: tuple[str, ...] = (),
    ) -> Val:
        """The same rows with a new fact attached (sorting, parsing, indexing by time)."""
        new: set[Token] = set()
        for t in v.rows:
            a = Token("alias", self.stmt_line, label, (t,))
            for c in parsed:
                a.facts.parsed[c] = self.stmt_line
                self.note_param_time(t, c)
            if time_index:
                a.facts.time_index = self.stmt_line
                self.note_param_time(t, "index")
            if sorted_by:
                a.facts.sorted_by[sorted_by] = self.stmt_line
                if sorted_by != "index":
                    self.note_param_time(t, sorted_by)
            if unique_on:
                a.facts.unique_on.update(unique_on)
            new.add(a)
        return v.with_(rows=frozenset(new))

    def time_ordered(self, rows: frozenset[Token]) -> bool:
        return any(u.facts.sorted_by or u.facts.time_index for t in rows for u in t.lineage())

    def has_time_index(self, rows: frozenset[Token]) -> bool:
        return any(u.facts.time_index for t in rows for u in t.lineage())

    def is_time_col(self, rows: frozenset[Token], col: str) -> bool:
        if is_time_column(col):
            return True
        return any(col in u.facts.parsed for t in rows for u in t.lineage())

    # ------------------------------------------------------------------ calls

    def call(self, node: ast.Call, env: Env) -> Val:
        f = node.func
        if isinstance(f, ast.Attribute):
            key = self.dn(f.value)
            if key is None and isinstance(f.value, ast.Subscript):
                base_key = self.dn(f.value.value)
                key = f"{base_key}[]" if base_key is not None else None
            recv = self.ev(f.value, env)
            args, kwargs = self.eval_args(node, env)
            if "self" in recv.tags:
                method = self.method_of(recv.func, f.attr)
                if method is not None:
                    return self.call_local(method, node, args, kwargs, env, bound_self=recv)
            if recv.ref is not None and key not in env:
                return self.call_qualified(f"{recv.ref}.{f.attr}", node, args, kwargs, env)
            return self.call_method(recv, f.attr, node, args, kwargs, env, key)
        fv = self.ev(f, env)
        args, kwargs = self.eval_args(node, env)
        if fv.func is not None:
            return self.call_local(fv.func, node, args, kwargs, env)
        if fv.ref is not None:
            return self.call_qualified(fv.ref, node, args, kwargs, env)
        if fv.objs:
            return self.call_object(fv, node, args)
        if isinstance(f, ast.Name):
            return self.call_builtin(f.id, node, args, kwargs, env)
        return self.opaque_result(node, args, kwargs)

    def eval_args(self, node: ast.Call, env: Env) -> tuple[list[Val], dict[str, Val]]:
        args: list[Val] = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                v = self.ev(a.value, env)
                args.extend(v.items if v.items is not None else [v.iter_elem()])
            else:
                args.append(self.ev(a, env))
        kwargs: dict[str, Val] = {}
        for kw in node.keywords:
            v = self.ev(kw.value, env)
            if kw.arg is None:
                kwargs["**"] = join(kwargs.get("**", NONE), v)
            else:
                kwargs[kw.arg] = v
        return args, kwargs

    def opaque_result(
        self, node: ast.Call, args: list[Val], kwargs: dict[str, Val], library: bool = False
    ) -> Val:
        """A call we cannot see into: same rows as its data arguments, no fitted state of its own.

        A project function called without data (``load_customers(path)``) may
        return fresh data; a library utility called without data
        (``np.arange``) does not.
        """
        allv = [*args, *kwargs.values()]
        data = [v.flat() for v in allv if v.flat().rows]
        infl = influence(allv)
        if not data and library:
            return infl
        if not data:
            key = ("opaque-src", id(node), tuple(id(a) for a in allv))
            tok = self.memo.get(key)
            if not isinstance(tok, Token):
                tok = Token("source", node.lineno, "", role=None)
                tok.label = ""
                self.memo[key] = tok
            return infl.with_(rows=frozenset({tok}), tags=frozenset({"opaque"}))
        rows = frozenset().union(*(d.rows for d in data))
        keep = frozenset().union(*(d.tags for d in data)) & {"window"}
        return infl.with_(rows=rows, tags=frozenset({"opaque"}) | keep, cols=())

    def call_local(
        self,
        func: ast.AST,
        node: ast.Call,
        args: list[Val],
        kwargs: dict[str, Val],
        env: Env,
        bound_self: Val | None = None,
    ) -> Val:
        if isinstance(func, ast.Lambda):
            scope = dict(env)
            self.bind_params(func.args, args, kwargs, scope)
            return self.ev(func.body, scope)
        if isinstance(func, ast.ClassDef):
            return self.construct_local_class(func, node, args, kwargs)
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self.opaque_result(node, args, kwargs)
        if func in self.frames or len(self.frames) >= _MAX_DEPTH:
            return self.opaque_result(node, args, kwargs)
        self.inlined.add(func)
        local: Env = dict(self.module_env)
        if self.frames:
            local.update(env)
        if bound_self is not None and func.args.args:
            cls = bound_self.func
            if isinstance(cls, ast.ClassDef) and func.name != "__init__":
                for k, v in self.class_attrs(cls).items():
                    local.setdefault(k, v)
            local[func.args.args[0].arg] = bound_self
            rest = ast.arguments(
                posonlyargs=[],
                args=func.args.args[1:],
                vararg=func.args.vararg,
                kwonlyargs=func.args.kwonlyargs,
                kw_defaults=func.args.kw_defaults,
                kwarg=func.args.kwarg,
                defaults=func.args.defaults[-len(func.args.args) + 1 :]
                if len(func.args.args) > 1
                else [],
            )
            self.bind_params(rest, args, kwargs, local)
        else:
            self.bind_params(func.args, args, kwargs, local)
        for prm in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs):
            bound = local.get(prm.arg)
            if bound is not None and bound.rows:
                self.param_examples.setdefault(prm.arg, bound)
        self.frames.append(func)
        self.returns.append([])
        self.call_sites.append((node, [*args, *kwargs.values()]))
        saved_line = self.stmt_line
        try:
            self.exec_block(func.body, local)
            rets = self.returns[-1]
        finally:
            self.frames.pop()
            self.returns.pop()
            self.call_sites.pop()
            self.stmt_line = saved_line
        result = join_all(rets) if rets else NONE
        if result.rows and is_event_source(func.name):
            # `load_interactions(path)`: rows the helper itself loads are an event log by its name
            end = getattr(func, "end_lineno", None) or func.lineno
            for t in result.rows:
                c = t.canon
                if c.kind == "source" and func.lineno <= c.line <= end:
                    c.facts.event_source = c.facts.event_source or c.line
        # names bound inside the helper do not leak out; fresh rows get the caller's names
        return result

    def bind_params(
        self, a: ast.arguments, args: list[Val], kwargs: dict[str, Val], env: Env
    ) -> None:
        params = [*a.posonlyargs, *a.args]
        defaults = [None] * (len(params) - len(a.defaults)) + list(a.defaults)
        offset = 1 if params and params[0].arg in ("self", "cls") and len(args) < len(params) else 0
        for i, p in enumerate(params):
            j = i - offset
            if p.arg in ("self", "cls") and offset:
                env[p.arg] = Val(tags=frozenset({"self"}))
            elif 0 <= j < len(args):
                env[p.arg] = args[j]
            elif p.arg in kwargs:
                env[p.arg] = kwargs[p.arg]
            elif defaults[i] is not None:
                env[p.arg] = self.ev(defaults[i], self.module_env)
            else:
                env[p.arg] = UNKNOWN
        for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=False):
            env[p.arg] = kwargs.get(p.arg) or (
                self.ev(d, self.module_env) if d is not None else UNKNOWN
            )
        if a.vararg:
            env[a.vararg.arg] = Val(items=tuple(args[len(params) :]))
        if a.kwarg:
            extra = [v for k, v in kwargs.items() if k not in {p.arg for p in params}]
            env[a.kwarg.arg] = Val(
                elem=join_all(extra) if extra else None, tags=frozenset({"container", "dict"})
            )

    def construct_local_class(
        self, cls: ast.ClassDef, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
    ) -> Val:
        bases = {(dotted_name(b) or "").rsplit(".", 1)[-1] for b in cls.bases}
        if bases & {"Module", "Model", "Sequential", "LightningModule"}:
            spec = ClassSpec(Cat.MODEL, "network", ())
        elif bases & {"Dataset", "IterableDataset"}:
            data = [v.flat() for v in [*args, *kwargs.values()] if v.flat().rows]
            if data:
                # the rows it wraps, and its own methods (get_splits() calling random_split(self))
                wrapped = Val(
                    rows=frozenset().union(*(d.rows for d in data)),
                    fits=influence([*args, *kwargs.values()]).fits,
                    tags=frozenset({"self"}),
                    func=cls,
                )
                # __init__ reads the frame's columns (`frame["user_idx"]`): learn them on these rows
                init = self.method_of(cls, "__init__")
                if init is not None and init not in self.frames:
                    self.call_local(init, node, args, kwargs, self.module_env, bound_self=wrapped)
                return wrapped
            return self.opaque_result(node, args, kwargs)
        else:
            methods = {s.name for s in cls.body if isinstance(s, ast.FunctionDef)}
            if "predict" in methods and "fit" in methods:
                spec = ClassSpec(Cat.MODEL, "model", ())
            elif "transform" in methods and "fit" in methods:
                spec = None  # custom transformer: we do not know what its fit learns
            else:
                init = self.method_of(cls, "__init__")
                inst = self.instance(cls)
                if init is not None and init not in self.frames:
                    self.call_local(init, node, args, kwargs, self.module_env, bound_self=inst)
                return inst
        obj = self.new_obj(cls.name, spec, node, {})
        obj.local_class = True
        return Val(objs=frozenset({obj}))

    def new_obj(
        self, name: str, spec: ClassSpec | None, node: ast.Call, kwargs: dict[str, Val]
    ) -> Obj:
        key = ("obj", id(node), tuple(sorted((k, id(v)) for k, v in kwargs.items())))
        found = self.memo.get(key)
        if isinstance(found, Obj) and not self.loops:
            found.state = frozenset()
            return found
        obj = Obj(name=name, spec=spec, line=node.lineno, node=node, kwargs=dict(kwargs))
        self.memo[key] = obj
        return obj

    # ------------------------------------------------------------------ library calls

    def call_qualified(
        self, q: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val], env: Env
    ) -> Val:
        cs = class_spec(q)
        if cs is not None:
            return self.construct(q, cs, node, args, kwargs)
        fs = function_spec(q)
        if fs is not None:
            return self.library_function(q, fs.kind, node, args, kwargs, env)
        last = q.rsplit(".", 1)[-1]
        root = q.partition(".")[0]
        if root in ("builtins",):
            return self.call_builtin(last, node, args, kwargs, env)
        if last[:1].isupper() and not any(v.flat().rows for v in args):
            if last in ("ModelCheckpoint",) and _const(_kw(node, "save_best_only")) is True:
                return Val(
                    objs=frozenset(
                        {
                            self.new_obj(
                                last, ClassSpec(Cat.CALLBACK_STOP, "checkpoint", ()), node, kwargs
                            )
                        }
                    )
                )
            if last == "early_stopping" or last == "EarlyStopping":
                return Val(
                    objs=frozenset(
                        {
                            self.new_obj(
                                last,
                                ClassSpec(Cat.CALLBACK_STOP, "early stopping", ()),
                                node,
                                kwargs,
                            )
                        }
                    )
                )
            return Val(objs=frozenset({self.new_obj(last, None, node, kwargs)}))
        if last in ("early_stopping",):
            return Val(
                objs=frozenset(
                    {
                        self.new_obj(
                            last, ClassSpec(Cat.CALLBACK_STOP, "early stopping", ()), node, kwargs
                        )
                    }
                )
            )
        return self.opaque_result(node, args, kwargs, library=_is_library(root))

    def construct(
        self, q: str, cs: ClassSpec, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
    ) -> Val:
        name = q.rsplit(".", 1)[-1]
        obj = self.new_obj(name, cs, node, kwargs)
        if cs.cat is Cat.PIPELINE or name in ("ColumnTransformer", "FeatureUnion"):
            steps = args[0] if args else kwargs.get("steps", kwargs.get("transformers", NONE))
            obj.steps = list(steps.flat().objs)
            last = self.last_step(steps)
            if cs.cat is Cat.PIPELINE and last is not None:
                obj.steps = [*[o for o in obj.steps if o is not last], last]
        elif cs.cat is Cat.SEARCH:
            est = args[0] if args else kwargs.get("estimator", NONE)
            obj.inner = list(est.flat().objs)
        elif cs.cat is Cat.MODEL and cs.data_in_ctor and "train_dataset" in kwargs:
            obj.ctor_data = kwargs["train_dataset"].flat()
        elif cs.cat is Cat.MODEL and cs.data_in_ctor:
            data = [v for v in [*args, *kwargs.values()] if v.flat().rows]
            if data:
                obj.ctor_data = join_all(v.flat() for v in data)
        elif cs.cat is Cat.MODEL:
            inner = [o for v in [*args, *kwargs.values()] for o in v.flat().objs]
            obj.inner = inner
        return Val(objs=frozenset({obj}))

    def last_step(self, steps: Val) -> Obj | None:
        if steps.items:
            last = steps.items[-1]
            if last.items:
                last = last.items[-1]
            objs = list(last.flat().objs)
            return objs[0] if len(objs) == 1 else None
        return None

    def library_function(
        self, q: str, kind: Fn, node: ast.Call, args: list[Val], kwargs: dict[str, Val], env: Env
    ) -> Val:
        last = q.rsplit(".", 1)[-1]
        if kind is Fn.LOAD:
            return self.load(q, node, args, kwargs)
        if kind is Fn.LOAD_SPLIT:
            return self.load_predefined(node)
        if kind is Fn.CONSTRUCT:
            data = [v.flat() for v in [*args, *kwargs.values()] if v.flat().rows]
            infl = influence([*args, *kwargs.values()])
            if data:
                rows = frozenset().union(*(d.rows for d in data))
                out = infl.with_(
                    rows=rows,
                    tags=frozenset().union(*(d.tags for d in data)) & {"pred", "datetime"},
                )
                if any("windows" in v.tags for v in args):
                    out = self.alias(out, "windows")
                    for t in out.rows:
                        t.facts.windows = self.stmt_line
                if last == "DataFrame" and len(data) == 1 and len(rows) == 1:
                    out = out.with_(cols=())
                return out
            if any("windows" in v.tags for v in args):
                return args[0]
            if (
                args
                and (args[0].items is not None or args[0].elem is not None)
                and not args[0].flat().rows
                and args[0].flat().scores
            ):
                return infl.tag("container")
            tok = Token("source", node.lineno, "", role=None)
            return infl.with_(rows=frozenset({tok}))
        if kind is Fn.SPLIT:
            return self.train_test_split(q, node, args, kwargs)
        if kind is Fn.RANDOM_SPLIT:
            return self.random_split(node, args, kwargs)
        if kind is Fn.CONCAT:
            return self.concat(node, args, kwargs, last)
        if kind is Fn.HSTACK:
            items = self.seq_items(args[0]) if len(args) == 1 else args
            return join_all(v.flat() for v in items).with_(subset=None, cols=())
        if kind in (Fn.MERGE, Fn.MERGE_ASOF):
            if len(args) >= 2:
                return self.merge(node, args[0], args[1], kwargs, asof=kind is Fn.MERGE_ASOF)
            return self.opaque_result(node, args, kwargs)
        if kind is Fn.RESAMPLE:
            data = [v for v in args if v.flat().rows]
            replace_kw = _kw(node, "replace")
            dup = replace_kw is None or _const(replace_kw) is True
            return self.resample(node, data, f"`{last}`", dup, many=len(data) > 1)
        if kind is Fn.SHUFFLE:
            if last == "permutation" and not any(v.rows for v in args):
                return Val(tags=frozenset({"perm"}))
            data = [v for v in args if v.flat().rows]
            if len(data) > 1:
                return Val(items=tuple(data))
            return data[0] if data else Val(tags=frozenset({"perm"}))
        if kind in (Fn.CV_EVAL, Fn.CV_PREDICT):
            return self.cross_validate(q, node, args, kwargs, predict=kind is Fn.CV_PREDICT)
        if kind is Fn.METRIC:
            return self.metric(node, last, args, kwargs)
        if kind is Fn.CURVE:
            ev = self.metric(node, last, args, kwargs, kind="curve")
            return Val(items=(ev, ev, ev), scores=ev.scores)
        if kind is Fn.STATISTIC:
            data = [v for v in args if v.rows]
            axis = _const(_kw(node, "axis"))
            if data and axis not in (1, -1) and "window" not in data[0].tags:
                return self.statistic(node, data[0], f"{last}()")
            return influence(args).with_(
                rows=data[0].rows if data and axis in (1, -1) else frozenset(),
                tags=frozenset({"stat"}) if not data else frozenset(),
            )
        if kind is Fn.SCALE_FN:
            data = [v for v in args if v.rows]
            if data:
                stat = self.statistic(node, data[0], f"{last}()")
                return data[0].with_(fits=data[0].fits | stat.fits, subset=None, cols=())
            return influence(args)
        if kind is Fn.QUANTILE_BIN:
            data = [v for v in args if v.rows]
            if data:
                stat = self.statistic(node, data[0], "qcut()")
                return data[0].with_(fits=data[0].fits | stat.fits)
            return influence(args)
        if kind is Fn.TO_DATETIME:
            if args and args[0].rows:
                if args[0].cols:
                    self.note_parsed(args[0])
                return args[0].tag("datetime")
            return Val(tags=frozenset({"datetime"}))
        if kind is Fn.ROWWISE:
            return (
                join_all(v for v in args if v.rows).with_(subset=None)
                if any(v.rows for v in args)
                else influence(args)
            )
        if kind is Fn.SINK:
            return NONE
        if kind is Fn.CHOICE:
            flat = join_all(v.flat() for v in args)
            if flat.scores and not flat.rows:
                self.choice(node, flat.scores)
            return influence(args)
        if kind is Fn.PIPELINE_FACTORY:
            objs = [o for v in args for o in v.flat().objs]
            obj = self.new_obj("Pipeline", class_spec("sklearn.pipeline.Pipeline"), node, kwargs)
            obj.steps = objs
            return Val(objs=frozenset({obj}))
        if kind is Fn.COLUMN_TRANSFORMER_FACTORY:
            objs = [o for v in args for o in v.flat().objs]
            obj = self.new_obj(
                "ColumnTransformer", class_spec("sklearn.compose.ColumnTransformer"), node, kwargs
            )
            obj.steps = objs
            return Val(objs=frozenset({obj}))
        if kind is Fn.TRAIN_FN:
            return self.train_function(q, node, args, kwargs)
        if kind is Fn.CLONE:
            objs = [o for v in args for o in v.flat().objs]
            clones: set[Obj] = set()
            for o in objs:
                c = Obj(
                    name=o.name,
                    spec=o.spec,
                    line=node.lineno,
                    node=node,
                    kwargs=o.kwargs,
                    steps=o.steps,
                    inner=o.inner,
                )
                clones.add(c)
            return Val(objs=frozenset(clones))
        return self.opaque_result(node, args, kwargs)

    def load(self, q: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val]) -> Val:
        key = ("load", id(node))
        tok = self.memo.get(key)
        if not isinstance(tok, Token):
            path = next(
                (
                    a.value
                    for a in node.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ),
                "",
            )
            if not path:
                for a in node.args:
                    if isinstance(a, ast.JoinedStr):
                        path = "".join(
                            v.value
                            for v in a.values
                            if isinstance(v, ast.Constant) and isinstance(v.value, str)
                        )
            base = path.replace("\\", "/").rsplit("/", 1)[-1]
            tok = Token(
                "source",
                node.lineno,
                base or "data",
                role=role_from_name(base.rsplit(".", 1)[0]) if base else None,
            )
            facts = tok.facts
            parse_dates = _kw(node, "parse_dates")
            for c in _const_strs(parse_dates):
                facts.parsed[c] = node.lineno
            index_col = _kw(node, "index_col")
            if parse_dates is not None and _const(parse_dates) is True and index_col is not None:
                facts.time_index = node.lineno
            idx_cols = _const_strs(index_col)
            if (
                idx_cols
                and parse_dates is not None
                and (set(idx_cols) & set(facts.parsed) or any(is_time_column(c) for c in idx_cols))
            ):
                facts.time_index = node.lineno
            if base and is_event_source(base):
                facts.event_source = node.lineno
            for c in _const_strs(_kw(node, "usecols")) + _const_strs(_kw(node, "columns")):
                if is_entity_column(c):
                    facts.entity_cols.setdefault(c, node.lineno)
            self.memo[key] = tok
        out = Val(rows=frozenset({tok}), fits=influence([*args, *kwargs.values()]).fits)
        if q.endswith("load_dataset") and q.startswith("datasets") and "split" not in kwargs:
            out = out.tag("dsdict")  # a DatasetDict: ds["train"] / ds["test"] are predefined splits
        return out

    def load_predefined(self, node: ast.Call) -> Val:
        key = ("load-split", id(node))
        found = self.memo.get(key)
        if isinstance(found, Val):
            return found
        src = Token("source", node.lineno, "dataset")
        split = Split(
            node=node,
            line=node.lineno,
            api="a predefined split",
            kind="predefined",
            shuffled=False,
            inputs=frozenset({src}),
        )
        tr = Token("part", node.lineno, "train", (src,), role=TRAIN, split=split)
        te = Token("part", node.lineno, "test", (src,), role=TEST, split=split)
        split.parts = [tr, te]
        vtr = Val(rows=frozenset({tr}))
        vte = Val(rows=frozenset({te}))
        out = Val(items=(Val(items=(vtr, vtr)), Val(items=(vte, vte))))
        self.memo[key] = out
        return out

    def seq_items(self, v: Val) -> list[Val]:
        if v.items is not None:
            return list(v.items)
        if v.elem is not None:
            return [v.elem]
        return [v]

    def concat(self, node: ast.Call, args: list[Val], kwargs: dict[str, Val], last: str) -> Val:
        items = (
            self.seq_items(args[0])
            if len(args) == 1 and last in ("concat", "concatenate", "cat", "ConcatDataset")
            else args
        )
        if last == "append" and len(args) >= 2:
            items = [args[0], args[1]]
        axis = (
            _const(_kw(node, "axis"))
            if _kw(node, "axis") is not None
            else (_const(node.args[1]) if last == "concatenate" and len(node.args) > 1 else None)
        )
        if last == "cat" and _kw(node, "dim") is not None:
            axis = _const(_kw(node, "dim"))
        flat = [v.flat() for v in items]
        infl = influence(flat)
        data = [v for v in flat if v.rows]
        if not data:
            return infl
        if axis in (1, "columns", -1):
            return infl.with_(rows=frozenset().union(*(v.rows for v in data)))
        row_sets = [v.rows for v in data]
        if len(row_sets) == 1 or all(r == row_sets[0] for r in row_sets):
            rows = row_sets[0]
            if len(data) > 1 and self.same_expressions(node, args):
                # pd.concat([df, df]): stacking a frame onto itself duplicates its rows
                return self.resample(
                    node, data[:1], "concatenating the data with itself", True, many=False
                ).with_(fits=infl.fits)
            # pieces computed from the same rows (feature blocks, summary vectors): same rows
            return infl.with_(
                rows=rows, tags=frozenset().union(*(v.tags for v in data)) & {"window"}
            )
        key = ("combine", id(node), tuple(sorted(t.id for r in row_sets for t in r)))
        tok = self.memo.get(key)
        if not isinstance(tok, Token):
            parents = [t for r in row_sets for t in r]
            # concatenating row sets that share rows (a frame and its own minority rows) copies them
            dup = any(
                overlap_any(row_sets[i], row_sets[j]) is not None
                for i in range(len(row_sets))
                for j in range(i + 1, len(row_sets))
            )
            tok = Token("combine", node.lineno, "concatenation", parents, duplicative=dup)
            if dup:
                self.a.resamples[tok.id] = (
                    node,
                    "concatenating rows that are already in the data",
                    tok,
                )
            self.memo[key] = tok
        return infl.with_(
            rows=frozenset({tok}), merges=frozenset().union(*(v.merges for v in data))
        )

    def same_expressions(self, node: ast.Call, args: list[Val]) -> bool:
        """``concat([df, df])``: the pieces are literally the same expression."""
        seq = node.args[0] if len(node.args) == 1 else None
        elts = seq.elts if isinstance(seq, (ast.List, ast.Tuple)) else node.args
        texts = {ast.dump(e) for e in elts}
        return len(elts) > 1 and len(texts) == 1

    def resample(self, node: ast.AST, data: list[Val], what: str, dup: bool, many: bool) -> Val:
        if not data:
            return NONE
        flat = [v.flat() for v in data]
        rows = frozenset().union(*(v.rows for v in flat))
        key = ("resample", id(node), frozenset(t.id for t in rows))
        tok = self.memo.get(key)
        if not isinstance(tok, Token):
            tok = Token(
                "resample" if dup else "alias",
                getattr(node, "lineno", self.stmt_line),
                what,
                sorted(rows, key=lambda t: t.id)[:1] if not dup else rows,
                duplicative=dup,
            )
            if dup:
                self.a.resamples[tok.id] = (node, what, tok)
            self.memo[key] = tok
        out = Val(rows=frozenset({tok}), fits=influence(flat).fits)
        if many:
            return Val(items=tuple(out for _ in flat), rows=frozenset(), fits=out.fits)
        return out

    # ------------------------------------------------------------------ splits

    def new_split(
        self,
        node: ast.AST,
        api: str,
        kind: str,
        shuffled: bool,
        inputs: frozenset[Token],
        roles: list[tuple[str, str]],
        grouped: bool = False,
        time_series: bool = False,
        splitter_line: int | None = None,
        internal: bool = False,
        fits: frozenset[int] = frozenset(),
    ) -> Split:
        key = ("split", id(node), frozenset(t.canon.id for t in inputs), tuple(roles))
        found = self.memo.get(key)
        if isinstance(found, Split):
            found.fits |= fits
            return found
        split = Split(
            node=node,
            line=getattr(node, "lineno", self.stmt_line),
            api=api,
            kind=kind,
            shuffled=shuffled,
            grouped=grouped,
            time_series=time_series,
            inputs=inputs,
            splitter_line=splitter_line,
            internal=internal,
            fits=fits,
        )
        parents = sorted(inputs, key=lambda t: t.id)
        for label, role in roles:
            split.parts.append(Token("part", split.line, label, parents, role=role, split=split))
        self.memo[key] = split
        self.a.splits.append(split)
        return split

    def target_names(self, node: ast.AST) -> list[str | None]:
        parent = self.ctx.parents.get(node)
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
            t = parent.targets[0]
            if isinstance(t, (ast.Tuple, ast.List)):
                return [_assigned_name(e) for e in t.elts]
        return []

    def train_test_split(
        self, q: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
    ) -> Val:
        arrays = [v.flat() for v in args]
        data = [v for v in arrays if v.rows]
        shuffle_kw = _kw(node, "shuffle")
        shuffled = not (shuffle_kw is not None and _const(shuffle_kw) is False)
        if shuffle_kw is not None and not isinstance(shuffle_kw, ast.Constant):
            shuffled = True
        names = self.target_names(node)
        test_role = TEST
        if names and len(names) == 2 * len(arrays):
            second = [role_from_name(n) for n in names[1::2]]
            if any(r == VAL for r in second) and all(r == VAL for r in second if r):
                test_role = VAL
        if not data:
            return Val(items=tuple(NONE for _ in range(2 * max(len(arrays), 1))))
        inputs = frozenset().union(*(v.rows for v in data))
        if len(data) > 1:
            self.note_label(data[-1])
        split = self.new_split(
            node,
            "train_test_split",
            "random",
            shuffled,
            inputs,
            [("train", TRAIN), ("test", test_role)],
            # what the features carry: with several arrays the last one is the label, and a
            # label defined from a statistic (RUL from the max cycle) is not preprocessing
            fits=frozenset().union(*(v.fits for v in (data[:-1] if len(data) > 1 else data))),
        )
        if any(t.kind == "agg" and t.label.startswith("unique") for t in inputs):
            split.kind = "ids"
            split.grouped = True
        tr, te = split.parts
        out: list[Val] = []
        for v in arrays:
            if v.rows:
                out.append(v.with_(rows=frozenset({tr}), subset=None))
                out.append(v.with_(rows=frozenset({te}), subset=None))
            else:
                out.extend([v, v])
        return Val(items=tuple(out))

    def random_split(self, node: ast.Call, args: list[Val], kwargs: dict[str, Val]) -> Val:
        data = args[0].flat() if args else NONE
        if not data.rows:
            return self.opaque_result(node, args, kwargs)
        n = len(args[1].items) if len(args) > 1 and args[1].items is not None else 2
        names = self.target_names(node)
        roles: list[tuple[str, str]] = []
        for i in range(n):
            name = names[i] if i < len(names) else None
            role = role_from_name(name) or (TRAIN if i == 0 else TEST if i == n - 1 else VAL)
            roles.append((name or f"part{i}", role))
        split = self.new_split(
            node, "random_split", "random", True, data.rows, roles, fits=data.fits
        )
        return Val(items=tuple(data.with_(rows=frozenset({p})) for p in split.parts))

    def splitter_kind(
        self, obj: Obj | None, cv_kw: ast.AST | None
    ) -> tuple[bool, bool, bool, str, int | None]:
        """(shuffled, grouped, time_series, api, line) of a CV splitter object or ``cv=`` value."""
        if obj is None or obj.spec is None:
            if cv_kw is not None and not isinstance(cv_kw, ast.Constant):
                return False, False, False, "", None  # unknown splitter
            return False, False, False, "KFold", None
        spec = obj.spec
        shuffled = spec.shuffle == "always" or (
            spec.shuffle == "kwarg"
            and _const(_kw(obj.node, "shuffle") if isinstance(obj.node, ast.Call) else None) is True
        )
        return shuffled, spec.grouped, spec.time_series, obj.name, obj.line

    def cv_split(
        self,
        node: ast.Call,
        data: Val,
        splitter: Obj | None,
        cv_kw: ast.AST | None,
        groups: bool,
        internal: bool,
        caller: str | None = None,
    ) -> Split | None:
        shuffled, grouped, ts, api, sline = self.splitter_kind(splitter, cv_kw)
        if not api:
            return None
        if caller:
            api = f"{caller}(cv={api})" if splitter is not None else caller
        return self.new_split(
            node,
            api,
            "cv",
            shuffled,
            data.rows,
            [("cv train folds", CV_TRAIN), ("cv test folds", CV_TEST)],
            grouped=grouped,
            time_series=ts,
            splitter_line=sline,
            internal=internal,
            fits=data.fits,
        )

    def cross_validate(
        self, q: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val], predict: bool
    ) -> Val:
        est = args[0] if args else kwargs.get("estimator", NONE)
        x = (args[1] if len(args) > 1 else kwargs.get("X", NONE)).flat()
        y = (args[2] if len(args) > 2 else kwargs.get("y", NONE)).flat()
        if not x.rows:
            return influence(args)
        cv_val = kwargs.get("cv")
        splitter = next(iter(cv_val.objs), None) if cv_val is not None else None
        split = self.cv_split(
            node,
            x,
            splitter,
            _kw(node, "cv"),
            "groups" in kwargs,
            internal=True,
            caller=q.rsplit(".", 1)[-1],
        )
        if split is None:
            return influence(args)
        objs = list(est.flat().objs)
        ev = self.record_eval(
            node,
            "cv",
            frozenset({split.parts[1]}),
            x.fits | y.fits,
            models=frozenset(o.id for o in objs),
            split=split,
        )
        if predict:
            return Val(
                rows=x.rows,
                fits=x.fits,
                via=frozenset(o.id for o in objs),
                tags=frozenset({"pred"}),
                scores=frozenset({ev.id}),
            )
        return Val(scores=frozenset({ev.id}), tags=frozenset({"score"}))

    # ------------------------------------------------------------------ fits and evaluations

    def record_fit(
        self,
        node: ast.AST,
        obj: Obj | None,
        cat: Cat | str,
        what: str,
        data: Val,
        data_node: ast.AST | None,
        weak: bool = False,
        internal: bool = False,
    ) -> Fit:
        key = ("fit", id(node), id(obj), frozenset(t.id for t in data.rows), data.fits)
        found = self.memo.get(key)
        if isinstance(found, Fit):
            return found
        fit = Fit(
            node=node,
            line=getattr(node, "lineno", self.stmt_line),
            cat=cat,
            what=what,
            rows=data.rows,
            data_node=data_node,
            weak=weak,
            obj=obj,
            internal=internal,
            upstream=data.fits,
        )
        fit.site = self.entry_site(data.rows)
        self.memo[key] = fit
        self.a.fits[fit.id] = fit
        return fit

    def entry_site(self, rows: frozenset[Token]) -> ast.AST | None:
        """The outermost call of a same-file helper that was handed (an ancestor of) ``rows``.

        A generic ``fit(model, X, y)`` helper learns from whatever its caller passes: the call
        that passes the data is where the problem is, not the line inside the helper.
        """
        if not self.call_sites or not rows:
            return None
        for call, vals in self.call_sites:
            for v in vals:
                for t in v.flat().rows:
                    c = t.canon
                    if any(c in d.up for d in rows):
                        return call
        return None

    def record_eval(
        self,
        node: ast.AST,
        kind: str,
        rows: frozenset[Token],
        fits: frozenset[int],
        models: frozenset[int] = frozenset(),
        labelled: bool = True,
        split: Split | None = None,
    ) -> Eval:
        key = ("eval", id(node), frozenset(t.id for t in rows), fits, kind)
        found = self.memo.get(key)
        if isinstance(found, Eval):
            return found
        ev = Eval(
            node=node,
            line=getattr(node, "lineno", self.stmt_line),
            kind=kind,
            rows=rows,
            fits=fits,
            loops=tuple(self.loops),
            models=models,
            labelled=labelled,
            split=split,
        )
        self.memo[key] = ev
        self.a.evals[ev.id] = ev
        return ev

    def statistic(self, node: ast.AST, data: Val, what: str, group: bool = False) -> Val:
        fit = self.record_fit(
            node,
            None,
            "group_statistic" if group else "statistic",
            what,
            data,
            getattr(node, "func", node),
        )
        fit.data_node = getattr(getattr(node, "func", None), "value", None)
        fit.what_node = node
        return Val(fits=data.fits | {fit.id}, tags=frozenset({"stat"}))

    def metric(
        self,
        node: ast.Call,
        name: str,
        args: list[Val],
        kwargs: dict[str, Val],
        kind: str = "metric",
    ) -> Val:
        vals = [v.flat() for v in [*args, *kwargs.values()]]
        rows = frozenset().union(*(v.rows for v in vals)) if vals else frozenset()
        fits = frozenset().union(*(v.fits for v in vals)) if vals else frozenset()
        via = frozenset().union(*(v.via for v in vals)) if vals else frozenset()
        if not rows:
            return influence(vals)
        ev = self.record_eval(node, kind, rows, fits, models=via)
        return Val(scores=frozenset({ev.id}), tags=frozenset({"score"}))

    def choice(self, node: ast.AST, scores: frozenset[int]) -> None:
        key = ("choice", id(node))
        found = self.memo.get(key)
        if isinstance(found, Choice):
            object.__setattr__(found, "scores", found.scores | scores)
            return
        ch = Choice(
            node=node,
            line=getattr(node, "lineno", self.stmt_line),
            scores=scores,
        )
        self.memo[key] = ch
        self.a.choices.append(ch)

    def note_gather(self, name: str, val: Val) -> None:
        scores = val.flat().scores
        if not scores:
            return
        g = self.a.gathers.get(name)
        if g is None:
            g = Gather(name=name, line=self.stmt_line)
            self.a.gathers[name] = g
        g.scores |= scores

    # ------------------------------------------------------------------ methods

    def call_method(
        self,
        recv: Val,
        name: str,
        node: ast.Call,
        args: list[Val],
        kwargs: dict[str, Val],
        env: Env,
        recv_key: str | None,
    ) -> Val:
        if recv.objs:
            return self.object_method(recv, name, node, args, kwargs, env, recv_key)
        if (
            "container" in recv.tags
            or recv.elem is not None
            or (recv.items is not None and not recv.rows)
        ):
            return self.container_method(recv, name, node, args, kwargs, env, recv_key)
        if recv.rows:
            meth = OBJECT_METHODS.get(name)
            opaque_object = (
                "opaque" in recv.tags
                and "param" not in recv.tags
                and meth is not None
                and meth is not Meth.SPLIT
            )
            model_parameter = (
                "param" in recv.tags and meth in (Meth.FIT, Meth.PREDICT, Meth.SCORE) and args
            )
            if recv_key and (opaque_object or model_parameter):
                return self.object_method(
                    self.materialize_obj(recv_key, env, node),
                    name,
                    node,
                    args,
                    kwargs,
                    env,
                    recv_key,
                )
            return self.data_method(recv, name, node, args, kwargs, env, recv_key)
        if "groupby" in recv.tags:
            return self.data_method(recv, name, node, args, kwargs, env, recv_key)
        if isinstance(recv.const, str):
            return influence(args)
        meth = OBJECT_METHODS.get(name)
        if (
            meth is not None
            and recv_key
            and ("unknown" in recv.tags or "self" in recv.tags)
            and any(v.flat().rows for v in args)
        ):
            return self.object_method(
                self.materialize_obj(recv_key, env, node), name, node, args, kwargs, env, recv_key
            )
        if name in CHOICE_METHODS and recv.scores:
            self.choice(node, recv.scores)
        if name == "backward" and recv.via:
            return self.backward(recv, node)
        out = influence([recv, *args, *kwargs.values()])
        return out.with_(tags=recv.tags & {"stat", "perm", "datetime"})

    def materialize_obj(self, key: str, env: Env, node: ast.Call) -> Val:
        """An unknown receiver used like an estimator becomes an estimator of unknown kind."""
        obj = Obj(name=key, spec=None, line=node.lineno, node=node, label=key)
        val = Val(objs=frozenset({obj}))
        env[key] = val
        return val

    def container_method(
        self,
        recv: Val,
        name: str,
        node: ast.Call,
        args: list[Val],
        kwargs: dict[str, Val],
        env: Env,
        recv_key: str | None,
    ) -> Val:
        if name in ("append", "add", "insert", "extend", "update", "setdefault") and recv_key:
            added = args[-1] if args else join_all(kwargs.values())
            if name in ("extend", "update"):
                added = added.iter_elem() if name == "extend" else (added.elem or added)
            env[recv_key] = join(
                recv,
                Val(
                    elem=added,
                    tags=frozenset(
                        {"container"} | ({"windows"} if "window" in added.tags else set())
                    ),
                ),
            )
            self.note_gather(recv_key, added)
            return NONE
        if name == "items":
            return Val(elem=Val(items=(NONE, recv.iter_elem())), tags=frozenset({"container"}))
        if name in ("values", "copy"):
            return (
                recv
                if name == "copy"
                else Val(elem=recv.iter_elem(), tags=frozenset({"container"}))
            )
        if name in ("get", "pop"):
            return recv.iter_elem()
        if name == "keys":
            return Val(elem=NONE)
        if name in CHOICE_METHODS or name in ("index",):
            flat = recv.flat()
            if flat.scores:
                self.choice(node, flat.scores)
        return influence([recv, *args])

    def object_method(
        self,
        recv: Val,
        name: str,
        node: ast.Call,
        args: list[Val],
        kwargs: dict[str, Val],
        env: Env,
        recv_key: str | None,
    ) -> Val:
        objs = sorted(recv.objs, key=lambda o: o.id)
        meth = OBJECT_METHODS.get(name)
        x_node = node.args[0] if node.args else (_kw(node, "X") or _kw(node, "x"))
        x = (args[0] if args else kwargs.get("X", kwargs.get("x", NONE))).flat()
        y = (args[1] if len(args) > 1 else kwargs.get("y", NONE)).flat()
        if meth is Meth.SPLIT:
            groups = len(args) > 2 or "groups" in kwargs
            if not x.rows:
                return Val(elem=Val(items=(NONE, NONE)))
            split = self.cv_split(node, x, objs[0], None, groups, internal=False)
            if split is None:
                return self.opaque_result(node, args, kwargs)
            tr, te = split.parts
            pair = Val(
                items=(
                    Val(rows=frozenset({tr}), tags=frozenset({"index"})),
                    Val(rows=frozenset({te}), tags=frozenset({"index"})),
                )
            )
            return Val(elem=pair, tags=frozenset({"container"}))
        if meth in (Meth.FIT, Meth.FIT_APPLY, Meth.FIT_PREDICT, Meth.FIT_RESAMPLE):
            if name in ("train",) and not args and not any(o.ctor_data is not None for o in objs):
                return recv  # torch's model.train() switches mode; Trainer.train() fits
            out = NONE
            for obj in objs:
                out = join(out, self.fit_object(obj, meth, node, x, y, x_node, kwargs))
            if meth is Meth.FIT:
                return recv if not out.scores else recv.with_(scores=out.scores)
            return out
        if meth is Meth.APPLY:
            state = frozenset().union(*(o.state for o in objs))
            return x.with_(fits=x.fits | state, subset=None, cols=())
        if meth is Meth.PREDICT:
            state = frozenset().union(*(o.state for o in objs))
            if not x.rows:
                return Val(fits=state, via=frozenset(o.id for o in objs), tags=frozenset({"pred"}))
            self.record_eval(
                node,
                "predict",
                x.rows,
                x.fits | state,
                models=frozenset(o.id for o in objs),
                labelled=False,
            )
            return Val(
                rows=x.rows,
                fits=x.fits | state,
                via=frozenset(o.id for o in objs),
                tags=frozenset({"pred"}),
            )
        if meth is Meth.SCORE:
            state = frozenset().union(*(o.state for o in objs))
            rows = x.rows | y.rows
            if name == "evaluate" and x.items:
                rows = x.flat().rows
            if not rows:
                return Val(fits=state)
            ev = self.record_eval(
                node, "score", rows, x.fits | state, models=frozenset(o.id for o in objs)
            )
            return Val(scores=frozenset({ev.id}), tags=frozenset({"score"}))
        if name in _MODE_METHODS or name in ("set_params", "compile", "set_output", "add"):
            if name == "add" and args:
                for o in objs:
                    o.steps.extend(args[0].flat().objs)
            return recv
        if name == "get_booster":
            return recv
        if name in _STATE_READERS:
            # the selected features / output names are what the fit learned: using them to pick
            # columns carries its state (SelectKBest fit on all rows, then get_support on test)
            state = frozenset().union(*(o.state for o in objs))
            return Val(fits=state | influence([recv, *args, *kwargs.values()]).fits)
        return influence([recv, *args, *kwargs.values()]).with_(objs=frozenset())

    def fit_object(
        self,
        obj: Obj,
        meth: Meth,
        node: ast.Call,
        x: Val,
        y: Val,
        x_node: ast.AST | None,
        kwargs: dict[str, Val],
    ) -> Val:
        data = x
        if not data.rows and obj.ctor_data is not None:
            data = obj.ctor_data
            x_node = (
                obj.node.args[0] if isinstance(obj.node, ast.Call) and obj.node.args else x_node
            )
        cat = obj.category()
        spec = obj.spec
        if y.rows:
            self.note_label(y)
        weak = bool(spec and spec.weak) or (cat is Cat.ENCODER)
        rows_val = data.with_(fits=data.fits | y.fits)
        if obj.spec is not None and obj.spec.cat is Cat.SEARCH and data.rows:
            cv_val = obj.kwargs.get("cv")
            splitter = next(iter(cv_val.objs), None) if cv_val is not None else None
            cv_node = _kw(obj.node, "cv") if isinstance(obj.node, ast.Call) else None
            split = self.cv_split(
                node, data, splitter, cv_node, "groups" in kwargs, internal=True, caller=obj.name
            )
            if split is not None:
                self.record_eval(
                    node,
                    "cv",
                    frozenset({split.parts[1]}),
                    data.fits | y.fits,
                    models=frozenset({obj.id}),
                    split=split,
                )
        fit = self.record_fit(node, obj, cat, obj.name, rows_val, x_node, weak=weak)
        fit.upstream = data.fits | y.fits
        obj.state = frozenset({fit.id}) | data.fits  # the label's own history is not feature state
        if cat is Cat.MODEL or cat is Cat.UNKNOWN:
            self.early_stopping(obj, node, kwargs, fit)
        if meth is Meth.FIT_APPLY:
            return data.with_(fits=data.fits | obj.state, subset=None, cols=())
        if meth is Meth.FIT_PREDICT:
            return Val(
                rows=data.rows,
                fits=data.fits | obj.state,
                via=frozenset({obj.id}),
                tags=frozenset({"pred"}),
            )
        if meth is Meth.FIT_RESAMPLE:
            dup = bool(spec and spec.duplicative)
            what = f"`{obj.name}`"
            return self.resample(node, [x, y] if y.rows else [x], what, dup, many=bool(y.rows))
        return NONE

    def early_stopping(self, obj: Obj, node: ast.Call, kwargs: dict[str, Val], fit: Fit) -> None:
        monitored: Val | None = None
        how = ""
        for key in ("eval_set", "validation_data", "valid_sets", "evals", "eval_dataset"):
            for source in (kwargs, obj.kwargs):
                if key in source:
                    monitored = source[key].flat()
                    how = key
        if monitored is None or not monitored.rows:
            return
        callbacks = kwargs.get("callbacks", obj.kwargs.get("callbacks", NONE)).flat().objs
        stops = any(o.spec is not None and o.spec.cat is Cat.CALLBACK_STOP for o in callbacks)
        stops = (
            stops
            or any(k in kwargs for k in EARLY_STOP_KWARGS)
            or any(k in obj.kwargs for k in EARLY_STOP_KWARGS)
        )
        if obj.name.startswith("CatBoost") and _const(_kw(node, "use_best_model")) is not False:
            stops = True
        # transformers: TrainingArguments(load_best_model_at_end=True) keeps the best checkpoint
        for targs in obj.kwargs.get("args", NONE).flat().objs:
            if targs.kwargs.get("load_best_model_at_end", NONE).const is True:
                stops = True
        if stops:
            self.a.stops.append(
                EarlyStop(node=node, line=node.lineno, monitored=monitored.rows, how=how, fit=fit)
            )

    def train_function(
        self, q: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
    ) -> Val:
        """``xgb.train(params, dtrain, evals=...)`` / ``lgb.train(params, train_set, valid_sets=...)``."""
        data = args[1] if len(args) > 1 else kwargs.get("dtrain", kwargs.get("train_set", NONE))
        data = data.flat()
        if q.endswith(".cv"):
            if data.rows:
                split = self.new_split(
                    node,
                    q,
                    "cv",
                    True,
                    data.rows,
                    [("cv train folds", CV_TRAIN), ("cv test folds", CV_TEST)],
                    internal=True,
                )
                ev = self.record_eval(
                    node, "cv", frozenset({split.parts[1]}), data.fits, split=split
                )
                return Val(scores=frozenset({ev.id}))
            return NONE
        obj = self.new_obj(
            q.rsplit(".", 1)[0].split(".")[0] + ".train",
            ClassSpec(Cat.MODEL, "model", ()),
            node,
            {},
        )
        if not data.rows:
            return Val(objs=frozenset({obj}))
        dnode = (
            node.args[1] if len(node.args) > 1 else (_kw(node, "dtrain") or _kw(node, "train_set"))
        )
        fit = self.record_fit(node, obj, Cat.MODEL, obj.name, data, dnode)
        obj.state = frozenset({fit.id}) | data.fits
        self.early_stopping(obj, node, kwargs, fit)
        return Val(objs=frozenset({obj}))

    def backward(self, loss: Val, node: ast.Call) -> Val:
        """``loss.backward()`` trains every network whose output the loss was computed from."""
        for oid in loss.via:
            obj = self.obj_by_id(oid)
            if obj is None or not loss.rows:
                continue
            fit = self.record_fit(node, obj, Cat.MODEL, obj.name, loss, node.func)
            obj.state = obj.state | {fit.id}
        return NONE

    def obj_by_id(self, oid: int) -> Obj | None:
        for v in self.memo.values():
            if isinstance(v, Obj) and v.id == oid:
                return v
        return None

    def call_object(self, fv: Val, node: ast.Call, args: list[Val]) -> Val:
        """``model(x)`` (a network's forward pass) or ``criterion(out, y)``."""
        data = [v.flat() for v in args if v.flat().rows]
        objs = [o for o in fv.objs]
        state = frozenset().union(*(o.state for o in objs))
        if not data:
            return Val(fits=state | influence(args).fits, via=influence(args).via)
        rows = frozenset().union(*(d.rows for d in data))
        infl = influence(args)
        if any(o.spec is not None and o.spec.cat is Cat.MODEL for o in objs):
            return Val(
                rows=rows,
                fits=infl.fits | state,
                via=infl.via | frozenset(o.id for o in objs),
                tags=frozenset({"pred"}),
            )
        if infl.via and len(data) >= 2:
            # criterion(model(x), y): a loss of a network's predictions against labels
            ev = self.record_eval(node, "score", rows, infl.fits | state, models=infl.via)
            return Val(rows=rows, fits=infl.fits | state, via=infl.via, scores=frozenset({ev.id}))
        return Val(rows=rows, fits=infl.fits | state, via=infl.via)

    # ------------------------------------------------------------------ builtins

    def call_builtin(
        self, name: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val], env: Env
    ) -> Val:
        if name in SINK_BUILTINS:
            return NONE
        if name in CHOICE_BUILTINS:
            flat = join_all(v.flat() for v in args)
            key = kwargs.get("key")
            if key is not None:
                flat = join(flat, key.flat())
            if flat.scores and not flat.rows:
                self.choice(node, flat.scores)
            if name == "sorted":
                return args[0] if args else NONE
            if args and len(args) == 1:
                return args[0].iter_elem()
            return join_all(args)
        if name in ("len", "range", "open", "type", "super", "vars", "dir", "hash", "input"):
            return NONE
        if name == "zip":
            return Val(
                elem=Val(items=tuple(a.iter_elem() for a in args)), tags=frozenset({"container"})
            )
        if name == "enumerate":
            return Val(
                elem=Val(items=(NONE, args[0].iter_elem() if args else NONE)),
                tags=frozenset({"container"}),
            )
        if name == "dict":
            vals = [*kwargs.values()] + ([args[0].iter_elem()] if args else [])
            return Val(elem=join_all(vals) if vals else None, tags=frozenset({"container", "dict"}))
        if name in ("list", "tuple", "set", "iter", "reversed", "frozenset") and args:
            return args[0]
        if name in ("next",) and args:
            return args[0].iter_elem()
        if name in _BUILTIN_PASS:
            return influence(args).with_(
                rows=args[0].rows if args and args[0].rows else frozenset()
            )
        if name == "map" and len(args) >= 2:
            return Val(elem=influence(args), tags=frozenset({"container"}))
        return self.opaque_result(node, args, kwargs)

    # ------------------------------------------------------------------ data methods

    def data_method(
        self,
        recv: Val,
        name: str,
        node: ast.Call,
        args: list[Val],
        kwargs: dict[str, Val],
        env: Env,
        recv_key: str | None,
    ) -> Val:
        infl = influence([*args, *kwargs.values()])
        inplace = _const(_kw(node, "inplace")) is True
        base = recv.with_(
            tags=recv.tags - {"indexer", "groupby", "window", "datetime_accessor"}, subset=None
        )

        def done(v: Val) -> Val:
            if inplace and recv_key:
                if recv_key.endswith("[]"):  # df[col].fillna(..., inplace=True) changes df
                    owner = recv_key[:-2]
                    if owner in env:
                        env[owner] = env[owner].with_(fits=env[owner].fits | v.fits)
                else:
                    env[recv_key] = v
                return NONE
            return v

        if "groupby" in recv.tags:
            return self.group_method(recv, name, node, args, kwargs)
        if name in ("rolling", "expanding", "ewm"):
            self.note_series_op(recv, name)
            return recv.tag("window")
        if "window" in recv.tags:
            return base.with_(fits=base.fits | infl.fits)
        if "datetime_accessor" in recv.tags:
            return base
        if name == "resample" and args:
            self.note_series_op(recv, name)
            return recv.tag("groupby", "time_resample").with_(cols=())
        if name in SERIES_OPS:
            self.note_series_op(recv, name)
            return base.with_(fits=base.fits | infl.fits)
        if name in STAT_METHODS:
            axis = _const(_kw(node, "axis"))
            if axis in (1, "columns") or (
                args and _const(node.args[0]) in (1, "columns") and name != "quantile"
            ):
                return base.with_(fits=base.fits | infl.fits)
            return self.statistic(node, recv, f".{name}()")
        if name == "unique" or (
            name == "drop_duplicates"
            and not node.args
            and not node.keywords
            and len(recv.cols) == 1
        ):
            return self.unique_ids(recv, node)
        if name in ("sort_values", "sort_index", "set_index", "drop_duplicates"):
            return done(self.order_method(recv, base, name, node, infl))
        if name in ("merge", "join") and args:
            if name == "join" and isinstance(recv.const, str):
                return infl
            return done(self.merge(node, recv, args[0], kwargs, asof=False, method=name))
        if name == "append" and args and args[0].flat().rows:
            return self.concat(node, [recv, args[0]], kwargs, "append")
        if name == "sample":
            return self.sample(recv, base, node, kwargs)
        if name == "drop":
            return done(self.drop(recv, base, node, args, kwargs))
        if name == "isin" and args:
            parts = frozenset(t for t in args[0].flat().rows if t.split_part() is not None)
            return Val(
                rows=recv.rows,
                tags=frozenset({"mask"}),
                sel=frozenset(t.split_part() or t for t in parts),
                cols=recv.cols,
            )
        if name == "groupby":
            keys = _const_strs(node.args[0] if node.args else _kw(node, "by"))
            if not keys and args and args[0].rows and args[0].cols:
                keys = list(args[0].cols)
            self.note_columns(recv.rows, keys)
            for k in keys:
                for t in recv.rows:
                    t.facts.grouped.setdefault(k, node.lineno)
                if is_entity_column(k):
                    for t in recv.rows:
                        t.facts.repeated.setdefault(k, (node.lineno, f"grouped by `{k}`"))
            return base.with_(cols=tuple(keys), tags=frozenset({"groupby"}))
        if name in ("query",):
            return self.query(recv, base, node)
        if name in _ROW_FILTERS:
            return done(base.with_(fits=base.fits | infl.fits))
        if name in NON_ROW_METHODS or (
            name in ("nunique", "value_counts", "isnull", "isna") and not recv.cols
        ):
            if name == "value_counts" or name == "nunique":
                pass
            return Val(fits=recv.fits, scores=recv.scores)
        if (
            name in ("astype",)
            and args
            and isinstance(args[0].const, str)
            and _TIME_DTYPE.search(args[0].const)
        ):
            if recv.cols:
                self.note_parsed(recv)
            return base.tag("datetime")
        if name in (
            "isin",
            "between",
            "isnull",
            "isna",
            "notnull",
            "notna",
            "duplicated",
            "str_contains",
            "eq",
            "ne",
            "gt",
            "lt",
        ):
            return Val(rows=recv.rows, tags=frozenset({"mask"}), cols=recv.cols, fits=recv.fits)
        if name in ("item", "tolist", "to_dict") and not recv.rows:
            return infl
        if name == "backward":
            return self.backward(recv, node)
        if (
            name in ("apply", "transform", "pipe", "agg", "aggregate")
            and args
            and args[0].func is not None
        ):
            axis = _const(_kw(node, "axis"))
            if axis in (1, "columns"):
                return done(base.with_(fits=base.fits | infl.fits))
            res = self.apply_callable(args[0], base, node)
            return done(base.with_(fits=base.fits | res.fits))
        if name == "assign":
            out = base
            parsed: list[str] = []
            for k, v in kwargs.items():
                if v.func is not None:
                    v = self.apply_callable(v, base, node)
                out = out.with_(fits=out.fits | v.fits, merges=out.merges | v.merges)
                if "datetime" in v.tags:
                    parsed.append(k)
                self.note_columns(recv.rows, [k])
            return self.alias(out, "parsed dates", parsed=parsed) if parsed else out
        if name in (
            "fillna",
            "replace",
            "clip",
            "where",
            "mask",
            "apply",
            "map",
            "transform",
            "pipe",
            "assign",
            "interpolate",
        ):
            return done(base.with_(fits=base.fits | infl.fits, merges=base.merges | infl.merges))
        if name in ("iterrows", "itertuples", "items", "iteritems"):
            return Val(elem=Val(items=(NONE, base)), tags=frozenset({"container"}))
        if name in (
            "to_csv",
            "to_parquet",
            "to_excel",
            "to_json",
            "to_sql",
            "to_pickle",
            "plot",
            "hist",
            "info",
            "head_print",
        ):
            return NONE
        if name in CHOICE_METHODS and recv.scores:
            self.choice(node, recv.scores)
        return done(base.with_(fits=base.fits | infl.fits, merges=base.merges | infl.merges))

    def apply_callable(self, fv: Val, data: Val, node: ast.Call) -> Val:
        """Run a local function/lambda passed to ``apply``/``transform``/``assign`` on ``data``."""
        if fv.func is None:
            return NONE
        return self.call_local(fv.func, node, [data], {}, self.module_env)

    def is_statistic_arg(self, how: Val) -> bool:
        """``"mean"``, ``np.median``: an aggregation that learns from the rows."""
        if isinstance(how.const, str):
            return how.const in STAT_METHODS or how.const in ("sum", "prod")
        if how.ref is not None:
            fs = function_spec(how.ref)
            return fs is not None and fs.kind is Fn.STATISTIC
        return False

    def note_series_op(self, recv: Val, name: str) -> None:
        for t in recv.rows:
            t.facts.series_ops.setdefault(name, self.stmt_line)

    def order_method(self, recv: Val, base: Val, name: str, node: ast.Call, infl: Val) -> Val:
        if name == "sort_values":
            by = _const_strs(node.args[0] if node.args else _kw(node, "by"))
            tcol = next((c for c in by if self.is_time_col(recv.rows, c)), None)
            if tcol is None and not by and recv.cols and self.is_time_col(recv.rows, recv.cols[0]):
                tcol = recv.cols[0]
            if tcol is not None:
                return self.alias(base, f"sorted by {tcol}", sorted_by=tcol)
            return base
        if name == "sort_index":
            if self.has_time_index(recv.rows):
                return self.alias(base, "sorted by time index", sorted_by="index")
            return base
        if name == "set_index":
            keys = _const_strs(node.args[0] if node.args else _kw(node, "keys"))
            self.note_columns(recv.rows, keys)
            if any(self.is_time_col(recv.rows, k) for k in keys):
                return self.alias(base, "time index", time_index=True)
            return base.with_(cols=tuple(keys))
        # drop_duplicates
        subset = _const_strs(node.args[0] if node.args else _kw(node, "subset"))
        if subset:
            return self.alias(base, "de-duplicated", unique_on=tuple(subset))
        return base

    def sample(self, recv: Val, base: Val, node: ast.Call, kwargs: dict[str, Val]) -> Val:
        frac = _const(_kw(node, "frac"))
        replace_ = _const(_kw(node, "replace")) is True
        if replace_ or (isinstance(frac, (int, float)) and frac > 1):
            return self.resample(node, [recv], "`sample(replace=True)`", True, many=False)
        if isinstance(frac, (int, float)) and frac >= 1:
            return base  # a shuffle of the same rows
        sub = Subset("sample", node, recv.rows, shuffled=True, side="first")
        return self.materialize(base, sub, "sample")

    def drop(
        self, recv: Val, base: Val, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
    ) -> Val:
        cols = _const_strs(_kw(node, "columns")) or _const_strs(
            node.args[0] if node.args else _kw(node, "labels")
        )
        if cols:
            self.note_columns(recv.rows, cols)
            return base
        idx = args[0] if args else kwargs.get("index", NONE)
        if "index" in idx.tags and idx.rows:
            taken = [t.split_part() for t in idx.rows]
            taken_parts = [p for p in taken if p is not None and p.split is not None]
            if taken_parts:
                p = taken_parts[0]
                split = p.split
                assert split is not None
                key = ("complement", split.id, frozenset(t.canon.id for t in recv.rows))
                comp = self.memo.get(key)
                if not isinstance(comp, Token):
                    comp = Token("part", node.lineno, "rest", split.inputs, split=split)
                    self.memo[key] = comp
                    split.parts.append(comp)
                return base.with_(rows=frozenset({comp}))
        return base

    def unique_ids(self, recv: Val, node: ast.Call) -> Val:
        col = recv.cols[0] if len(recv.cols) == 1 else ""
        key = ("ids", id(node), frozenset(t.id for t in recv.rows))
        tok = self.memo.get(key)
        if not isinstance(tok, Token):
            tok = Token("agg", node.lineno, f"unique {col}".strip(), recv.rows)
            if col:
                tok.facts.unique_on.add(col)
            self.memo[key] = tok
        return Val(rows=frozenset({tok}), cols=(col,) if col else ())

    def query(self, recv: Val, base: Val, node: ast.Call) -> Val:
        text = _const(node.args[0]) if node.args else None
        if not isinstance(text, str):
            return base
        cmps = _QUERY_CMP.findall(text)
        time_lhs = [
            (c.strip(), op, rhs) for c, op, rhs in cmps if self.is_time_col(recv.rows, c.strip())
        ]
        if time_lhs:
            col, op, rhs = time_lhs[0]
            if rhs and self.is_time_col(recv.rows, rhs):
                for m in recv.merges:
                    if m in self.a.merges:
                        self.a.merges[m].resolved = self.a.merges[m].resolved or node.lineno
                return base.with_(merges=frozenset())
            side = "before" if op in ("<", "<=") else "after"
            sub = Subset("time_cutoff", node, recv.rows, side=side, time_col=col)
            return self.materialize(base, sub, text)
        return base

    def group_method(
        self, recv: Val, name: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
    ) -> Val:
        keys = recv.cols
        if name in SERIES_OPS or name in ("rolling", "expanding", "ewm"):
            self.note_series_op(recv, name)
            return recv.with_(
                tags=(recv.tags - {"groupby"})
                | ({"window"} if name in ("rolling", "expanding", "ewm") else set())
            )
        if name in ("cumcount", "rank", "ngroup"):
            plain = recv.with_(tags=recv.tags - {"groupby"}, cols=())
            if name != "ngroup" and self.time_ordered(recv.rows):
                # a per-entity position in time-sorted rows is a time coordinate
                return plain.tag("datetime")
            return plain
        if name == "transform":
            plain = recv.with_(tags=recv.tags - {"groupby"}, cols=())
            how = args[0] if args else NONE
            if how.func is not None:  # transform(lambda s: ...): what the function does per group
                res = self.apply_callable(how, plain, node)
                return plain.with_(fits=plain.fits | res.fits)
            if self.is_statistic_arg(how):
                stat = self.statistic(
                    node, recv.with_(tags=frozenset()), "groupby().transform()", group=True
                )
                return plain.with_(fits=plain.fits | stat.fits)
            return plain
        if (
            name in GROUP_AGG_METHODS
            or name in GROUP_NEUTRAL_METHODS
            or name in ("apply", "describe")
        ):
            key = ("agg", id(node), frozenset(t.id for t in recv.rows))
            tok = self.memo.get(key)
            if not isinstance(tok, Token):
                tok = Token(
                    "agg",
                    node.lineno,
                    f"aggregate by {', '.join(keys)}" if keys else "aggregate",
                    recv.rows,
                )
                # one row per key: a composite key says nothing about each column alone
                if keys:
                    tok.facts.unique_on.add("+".join(keys))
                if "time_resample" in recv.tags:
                    tok.facts.time_index = node.lineno
                for k in keys:
                    if is_entity_column(k):
                        tok.facts.entity_cols[k] = node.lineno
                self.memo[key] = tok
            fits = recv.fits
            if (
                name in GROUP_AGG_METHODS
                and name not in ("size", "count")
                and "time_resample" not in recv.tags
                and not (keys and all(_ID_KEY.search(k) for k in keys))
            ):
                fits = (
                    fits
                    | self.statistic(
                        node, recv.with_(tags=frozenset()), f"groupby().{name}()", group=True
                    ).fits
                )
            return Val(rows=frozenset({tok}), fits=fits, agg_of=recv.rows, cols=())
        if name in ("first", "last", "nth", "head", "tail", "filter"):
            return recv.with_(tags=recv.tags - {"groupby"})
        return recv.with_(tags=recv.tags - {"groupby"})

    # ------------------------------------------------------------------ joins

    def merge(
        self,
        node: ast.Call,
        left: Val,
        right: Val,
        kwargs: dict[str, Val],
        asof: bool,
        method: str = "merge",
    ) -> Val:
        left = left.flat()
        right = right.flat()
        on = _const_strs(_kw(node, "on"))
        lon = _const_strs(_kw(node, "left_on"))
        ron = _const_strs(_kw(node, "right_on"))
        by = _const_strs(_kw(node, "by"))
        keys: tuple[str, ...] | None = tuple(on or lon or ron) or None
        if method == "join" and keys is None:
            uniq = [c for t in right.rows for u in sorted(t.facts.unique_on) for c in u.split("+")]
            keys = tuple(uniq) or (right.cols if right.cols else None)
        if asof:
            keys = tuple(by) + tuple(on or lon)
        direction = _const(_kw(node, "direction")) if asof else None
        for rows, cols in ((left.rows, on or lon), (right.rows, on or ron)):
            self.note_columns(rows, cols)
        if not left.rows:
            return influence([left, right])
        key = (
            "merge",
            id(node),
            frozenset(t.id for t in left.rows),
            frozenset(t.id for t in right.rows),
        )
        m = self.memo.get(key)
        if not isinstance(m, Merge):
            parents = sorted(left.rows, key=lambda t: t.id)
            res = (
                Token("alias", node.lineno, "merged", parents[:1])
                if len(parents) == 1
                else Token("combine", node.lineno, "merged", parents)
            )
            for t in right.rows:
                for u in t.lineage():
                    res.facts.time_cols.update(u.facts.time_cols)
                    for c, line in u.facts.parsed.items():
                        res.facts.time_cols.setdefault(c, line)
            m = Merge(
                node=node,
                line=node.lineno,
                kind="asof" if asof else method,
                left=left.rows,
                right=right.rows,
                keys=keys,
                direction=str(direction)
                if isinstance(direction, str)
                else ("backward" if asof else None),
                left_text=_short(
                    node.func.value
                    if isinstance(node.func, ast.Attribute)
                    and method != "merge_fn"
                    and not asof
                    and not (
                        isinstance(node.func.value, ast.Name)
                        and self.ctx.imports.names.get(node.func.value.id)
                    )
                    else (node.args[0] if node.args else None)
                ),
                right_text=_short(
                    node.args[0]
                    if isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and not self.ctx.imports.names.get(node.func.value.id)
                    and node.args
                    else (node.args[1] if len(node.args) > 1 else None)
                ),
                right_agg_of=right.agg_of,
                result=res,
            )
            self.memo[key] = m
            self.a.merges[m.id] = m
        assert m.result is not None
        return Val(
            rows=frozenset({m.result}),
            fits=left.fits | right.fits,
            merges=left.merges | right.merges | {m.id},
            scores=left.scores | right.scores,
        )


_STMT_HANDLERS: dict[type, Callable[[Interpreter, Any, Env], str]] = {
    ast.Expr: Interpreter._st_expr,
    ast.Assign: Interpreter._st_assign,
    ast.AnnAssign: Interpreter._st_annassign,
    ast.AugAssign: Interpreter._st_augassign,
    ast.FunctionDef: Interpreter._st_def,
    ast.AsyncFunctionDef: Interpreter._st_def,
    ast.ClassDef: Interpreter._st_def,
    ast.Return: Interpreter._st_return,
    ast.If: Interpreter.exec_if,
    ast.For: Interpreter._st_for,
    ast.AsyncFor: Interpreter._st_for,
    ast.While: Interpreter._st_while,
    ast.With: Interpreter._st_with,
    ast.AsyncWith: Interpreter._st_with,
    ast.Try: Interpreter.exec_try,
    ast.Raise: Interpreter._st_raise,
    ast.Break: Interpreter._st_break,
    ast.Continue: Interpreter._st_break,
    ast.Match: Interpreter._st_match,
    ast.Delete: Interpreter._st_delete,
}
if hasattr(ast, "TryStar"):  # Python 3.11+: except* blocks
    _STMT_HANDLERS[ast.TryStar] = Interpreter.exec_try

_EXPR_HANDLERS: dict[type, Callable[[Interpreter, Any, Env], Val]] = {
    ast.Call: Interpreter.call,
    ast.Attribute: Interpreter.attribute,
    ast.Subscript: Interpreter.subscript,
    ast.Tuple: Interpreter._ex_sequence,
    ast.List: Interpreter._ex_sequence,
    ast.Set: Interpreter._ex_sequence,
    ast.Dict: Interpreter._ex_dict,
    ast.BinOp: Interpreter._ex_binop,
    ast.UnaryOp: Interpreter._ex_unary,
    ast.BoolOp: Interpreter._ex_boolop,
    ast.Compare: Interpreter.compare,
    ast.IfExp: Interpreter._ex_ifexp,
    ast.ListComp: Interpreter.comprehension,
    ast.SetComp: Interpreter.comprehension,
    ast.GeneratorExp: Interpreter.comprehension,
    ast.DictComp: Interpreter.comprehension,
    ast.Lambda: Interpreter._ex_lambda,
    ast.JoinedStr: Interpreter._ex_joinedstr,
    ast.FormattedValue: Interpreter._ex_value,
    ast.Await: Interpreter._ex_value,
    ast.Starred: Interpreter._ex_value,
    ast.NamedExpr: Interpreter._ex_namedexpr,
    ast.Yield: Interpreter._ex_yield,
    ast.YieldFrom: Interpreter._ex_yield,
    ast.Slice: Interpreter._ex_slice,
}


_CACHE: dict[int, tuple[ModuleContext, Analysis]] = {}


def analyse(ctx: ModuleContext) -> Analysis:
    """The analysis of ``ctx``, computed once and shared by every leakage rule."""
    hit = _CACHE.get(id(ctx))
    if hit is not None and hit[0] is ctx:
        return hit[1]
    result = Interpreter(ctx).run()
    if len(_CACHE) >= 4:
        _CACHE.clear()
    _CACHE[id(ctx)] = (ctx, result)
    return result
