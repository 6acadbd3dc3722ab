"""MLR404 train-serve-skew: the same feature computation written twice, once for training and once for serving."""

from __future__ import annotations

import ast
import builtins
import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from mle_review.engine.context import ModuleContext, ProjectContext
from mle_review.engine.serving import (
    imported_names,
    on_serving_path,
    shared_with_training,
    statements,
    training_side_paths,
)
from mle_review.models import Confidence
from mle_review.rules.base import Hit, Rule, RuleDoc, register

WINDOW = 3  # consecutive statements hashed together
MIN_WINDOW_NODES = 36  # below this a window is boilerplate, not feature logic
MIN_SHORT_NODES = 30  # a whole 1-2 statement function body must be at least this big
MIN_TRANSFORMS = 2  # arithmetic / ufunc / pandas transform operations in the matched code
# A whole function body copied from a training function (a scalar helper like a z-score or
# a decay weight) is a copy even when it is shorter than a window must be.
MIN_WHOLE_NODES = 24

_BUILTINS = set(dir(builtins))
_NUMERIC_MODULES = ("numpy", "math", "torch", "scipy", "pandas", "polars", "tensorflow")
_TRANSFORM_ATTRS = {
    "fillna",
    "clip",
    "log",
    "log1p",
    "log2",
    "log10",
    "exp",
    "expm1",
    "sqrt",
    "where",
    "astype",
    "map",
    "apply",
    "replace",
    "cut",
    "qcut",
    "get_dummies",
    "lower",
    "upper",
    "strip",
    "round",
    "floor",
    "ceil",
    "abs",
    "diff",
    "pct_change",
    "rolling",
    "shift",
    "div",
    "mul",
    "sub",
    "add",
    "isin",
    "between",
    "to_datetime",
    "total_seconds",
    "split",
    "cumsum",
    "rank",
    "quantile",
    "groupby",
    "agg",
    "transform",
    "clip_lower",
    "clip_upper",
    "minimum",
    "maximum",
    "tanh",
    "sigmoid",
    "power",
    "pow",
    "digitize",
    "searchsorted",
    "str",
    "dt",
    "days",
    "hour",
    "dayofweek",
    "weekday",
    "month",
    "nan_to_num",
    "reindex",
    "interpolate",
    "ffill",
    "bfill",
    "mask",
    "combine_first",
    "std",
    "mean",
    "median",
    "sum",
    "min",
    "max",
}
_ARITH = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)


@dataclass(frozen=True)
class Stmt:
    shape: str  # hash of the statement with local names and numbers abstracted
    nodes: int
    transforms: int
    data_ops: int  # numpy/pandas/math calls and column reads/writes by name
    line: int


@dataclass(frozen=True)
class Unit:
    """A run of statements: a window of a function body, or a whole short body."""

    path: str
    container: str  # function name or "<module>"
    line: int  # first statement line (module coordinates)
    end_line: int
    count: int
    shape: str
    stmts: tuple[ast.stmt, ...] = field(compare=False, repr=False)
    def_line: int = 0  # for a whole function body: the ``def`` line


def _digest(parts: list[str]) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


_SKIP_FIELDS = frozenset(
    {"ctx", "type_comment", "kind", "decorator_list", "returns", "annotation", "type_params"}
)
_DEF_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_CONTEXT_NODES = (ast.Load, ast.Store, ast.Del)


class _Normaliser:
    """Serialises statements with local names and numeric constants abstracted away.

    Imported names, builtins, attribute names, keyword names and string
    constants (column names, dict keys) are kept: they are what makes two
    pieces of feature code the same computation. Local variable and parameter
    names are all replaced by one placeholder, so ``df``/``frame``/``features``
    match. Numeric literals become ``#`` in the shape hash, so a copy whose
    fill value or clip bound already drifted still matches; the exact form
    (numbers kept) is only computed for matches, to say whether they differ.
    """

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.keep = set(ctx.imports.names) | set(imported_names(ctx)) | _BUILTINS
        # first segment of what each imported local name resolves to (``np`` -> ``numpy``)
        self.heads = {local: target.split(".")[0] for local, target in ctx.imports.names.items()}
        # shape serialisation of statements already seen (a nested block's statements are
        # serialised inside their parent first): tokens and counts to splice in again
        self.done: dict[int, tuple[list[str], tuple[int, int, int, int]]] = {}

    def stmt(self, node: ast.stmt) -> Stmt:
        out: list[str] = []
        counts = [0, 0, 0, 0]
        self._ser(node, out, counts, exact=False)
        data_ops = counts[2] + counts[3] // 2
        return Stmt(_digest(out), counts[0], counts[1], data_ops, node.lineno)

    def exact(self, stmts: tuple[ast.stmt, ...]) -> str:
        out: list[str] = []
        counts = [0, 0, 0, 0]
        for node in stmts:
            self._ser(node, out, counts, exact=True)
            out.append(";")
        return _digest(out)

    def _head(self, node: ast.AST) -> str:
        """``(self.ctx.qualname(node) or "").split(".")[0]`` without building the dotted name."""
        if isinstance(node, ast.Call):
            node = node.func
        while isinstance(node, ast.Attribute):
            node = node.value
        if isinstance(node, ast.Name):
            return self.heads.get(node.id, "")
        return ""

    def _ser(self, node: ast.AST, out: list[str], counts: list[int], exact: bool) -> None:
        kind = type(node)  # parsed trees hold exact node classes, so type tests replace isinstance
        remember = not exact and kind in _STMT_TYPES
        if remember:
            known = self.done.get(id(node))
            if known is not None:
                out.extend(known[0])
                for i, n in enumerate(known[1]):
                    counts[i] += n
                return
            start, before = len(out), tuple(counts)
        counts[0] += 1
        if kind is ast.BinOp:
            if type(node.op) in _ARITH_TYPES:  # type: ignore[attr-defined]
                counts[1] += 1
        elif kind is ast.Call:
            func = node.func  # type: ignore[attr-defined]
            if (type(func) is ast.Attribute and func.attr in _TRANSFORM_ATTRS) or self._head(
                func
            ) in _NUMERIC_MODULES:
                counts[1] += 1
                counts[2] += 1
        elif kind is ast.Subscript:
            key = node.slice  # type: ignore[attr-defined]
            if type(key) is ast.Constant and isinstance(key.value, str):
                counts[3] += 1
        elif kind is ast.Name:
            name = node.id  # type: ignore[attr-defined]
            out.append(f"N:{name}" if name in self.keep else "L")
            return
        elif kind is ast.arg:
            out.append("A")
            return
        elif kind is ast.Constant:
            value = node.value  # type: ignore[attr-defined]
            numeric = isinstance(value, (int, float, complex)) and not isinstance(value, bool)
            out.append("C:#" if numeric and not exact else f"C:{value!r}")
            return
        elif kind is ast.Attribute:
            if self._head(node) in ("numpy", "math", "torch"):
                out.append(f"F:{node.attr}")  # type: ignore[attr-defined]  # np.log1p is math.log1p
                return
        elif kind in _CONTEXT_TYPES:
            return
        out.append(kind.__name__)
        for name in _fields(kind):
            value = getattr(node, name, None)
            if isinstance(value, list):
                out.append("[")
                for item in value:
                    if isinstance(item, ast.AST):
                        self._ser(item, out, counts, exact)
                    else:
                        out.append(repr(item))
                out.append("]")
            elif isinstance(value, ast.AST):
                self._ser(value, out, counts, exact)
            elif value is not None:
                out.append(f"{name}={value!r}")
        out.append(")")
        if remember:
            delta = (
                counts[0] - before[0],
                counts[1] - before[1],
                counts[2] - before[2],
                counts[3] - before[3],
            )
            self.done[id(node)] = (out[start:], delta)


_STMT_TYPES = frozenset(
    kind for kind in vars(ast).values() if isinstance(kind, type) and issubclass(kind, ast.stmt)
)
_ARITH_TYPES = frozenset(_ARITH)
_CONTEXT_TYPES = frozenset(_CONTEXT_NODES)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    """The fields ``_ser`` serialises for a node class (skipped ones and def names left out)."""
    found = _FIELDS.get(kind)
    if found is None:
        is_def = issubclass(kind, _DEF_NODES)
        found = _FIELDS[kind] = tuple(
            name
            for name in kind._fields  # type: ignore[attr-defined]
            if name not in _SKIP_FIELDS and not (is_def and name == "name")
        )
    return found


def _bodies(ctx: ModuleContext) -> Iterator[tuple[str, list[ast.stmt], int]]:
    """Statement lists worth comparing: module code, function bodies and the blocks inside them.

    Found from the module's statements alone (``statements``), so comparing the
    project's code does not index every node of every module.
    """
    module_code = [
        s
        for s in ctx.tree.body
        if not isinstance(
            s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
        )
    ]
    yield "<module>", module_code, 0
    # Where the engine has already indexed the module (another rule asked for its nodes),
    # the index answers directly; otherwise the statement walk does, in the same order.
    indexed = ctx.indexed
    blocks: dict[type, list[tuple[ast.AST, ast.FunctionDef | ast.AsyncFunctionDef]]] = {}
    if indexed:
        functions = ctx.functions
        for kind in _BLOCK_KINDS:
            for stmt in ctx.nodes(kind):
                if any(
                    len(getattr(stmt, n, ())) >= WINDOW for n in ("body", "orelse", "finalbody")
                ):
                    func = ctx.enclosing_function(stmt)
                    if func is not None:
                        blocks.setdefault(kind, []).append((stmt, func))
    else:
        walked = statements(ctx)
        functions = [
            n for n, _f in walked if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        functions.sort(key=lambda n: n.lineno)  # ``ctx.functions`` order
        for node_, func_ in walked:
            if func_ is not None and type(node_) in _BLOCK_KINDS:
                blocks.setdefault(type(node_), []).append((node_, func_))
    for node in functions:
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # docstring
        yield node.name, body, node.lineno
    for kind in _BLOCK_KINDS:  # ``ctx.nodes(kind)`` order, kind by kind
        for holder, owner in blocks.get(kind, ()):
            for name in ("body", "orelse", "finalbody"):
                block = getattr(holder, name, None)
                if isinstance(block, list) and len(block) >= WINDOW:
                    yield owner.name, block, 0


_BLOCK_KINDS: tuple[type[ast.stmt], ...] = (
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.If,
    ast.With,
    ast.AsyncWith,
    ast.Try,
)


def _outline(node: ast.AST, kind: type[ast.AST]) -> tuple[object, ...]:
    """``kind`` and, field by field, each child node's class (scalars kept)."""
    parts: list[object] = [kind]
    for name in _fields(kind):
        value = getattr(node, name, None)
        if isinstance(value, list):
            parts.append(tuple(type(v) if isinstance(v, ast.AST) else v for v in value))
        elif isinstance(value, ast.AST):
            parts.append(type(value))
        else:
            parts.append(value)
    return tuple(parts)


def _summary(node: ast.AST) -> object:
    """A child's part of the finest statement key: its class and its own children's classes.

    Names, arguments and constants are reduced to their class and attributes to their
    attribute name, since the serialisation abstracts or drops the rest of them.
    """
    kind = type(node)
    if kind is ast.Name or kind is ast.Constant or kind is ast.arg:
        return kind
    if kind is ast.Attribute:
        return kind, node.attr  # type: ignore[attr-defined]
    return _outline(node, kind)


# One statement list of a module (see ``_bodies``): container, the list's position among
# the module's bodies, one key per statement, and the ``def`` line for a function body.
_Body = tuple[str, int, list[int], int]
# A module's summary: per body, container, ``def`` line and its statements' keys at each level.
_BodyKeys = tuple[str, int, tuple[tuple[int, ...], ...]]
_DEAD = -1  # the key of a statement that can no longer be part of a match (no hash() is -1)
_KEY_LEVELS = 3  # what ``_statement_keys`` returns per statement


def _statement_keys(stmt: ast.stmt) -> tuple[int, int, int]:
    """Ever finer keys that equal shapes share, its fields read once: the hashes of the
    statement's class; of its outline (the class and, field by field as ``_Normaliser``
    serialises them, its direct children's classes or scalar values); and of its outline one
    level deeper (each child's class replaced by its ``_summary``).

    The serialisation names every node's class and delimits every list, so statements of
    the same shape have the same keys at every level. Code is filtered on each level in
    turn, and only statements still in a candidate unit on both sides at the finest level
    are serialised. Equal shapes hash alike in every worker process (they are forked, so
    they share classes and the string hash seed), and a collision only makes a span a
    candidate; the serialised shapes decide a match.
    """
    kind = type(stmt)
    coarse: list[object] = [kind]
    fine: list[object] = [kind]
    node_type = ast.AST
    for name in _fields(kind):
        value = getattr(stmt, name, None)
        if isinstance(value, list):
            coarse.append(tuple(type(v) if isinstance(v, node_type) else v for v in value))
            fine.append(tuple(_summary(v) if isinstance(v, node_type) else v for v in value))
        elif isinstance(value, node_type):
            coarse.append(type(value))
            fine.append(_summary(value))
        else:
            coarse.append(value)
            fine.append(value)
    return hash(kind), hash(tuple(coarse)), hash(tuple(fine))


def _transform_lines(ctx: ModuleContext) -> list[int]:
    """Sorted lines of the operations ``_Normaliser`` counts as transforms (with repeats).

    Read from the module's node index, which its rules build anyway.
    """
    names = ctx.imports.names
    numeric = {local for local, target in names.items() if target.split(".")[0] in _NUMERIC_MODULES}
    arith, transform_attrs = _ARITH_TYPES, _TRANSFORM_ATTRS
    attribute, name_type = ast.Attribute, ast.Name
    found = [b.lineno for b in ctx.nodes(ast.BinOp) if b.op.__class__ in arith]
    for call in ctx.nodes(ast.Call):
        func = call.func
        kind = func.__class__
        if kind is attribute:
            if func.attr in transform_attrs:  # type: ignore[attr-defined]
                found.append(call.lineno)
                continue
            if not numeric:
                continue
            while kind is attribute:
                func = func.value  # type: ignore[attr-defined]
                kind = func.__class__
        if kind is name_type and func.id in numeric:  # type: ignore[attr-defined]
            found.append(call.lineno)
    found.sort()
    return found


def _body_keys(ctx: ModuleContext) -> list[_BodyKeys]:
    """Every body of the module with its statements' keys at every level.

    No span of a body with fewer than ``MIN_TRANSFORMS`` transforms anywhere in
    its lines can be a unit, so its statements get the dead key and are never
    keyed: in a typical project that is most of the code.
    """
    transforms = _transform_lines(ctx)
    out: list[_BodyKeys] = []
    for container, body, def_line in _bodies(ctx):
        if body:
            first = body[0].lineno
            last = body[-1].end_lineno or body[-1].lineno
            if bisect_right(transforms, last) - bisect_left(transforms, first) < MIN_TRANSFORMS:
                dead = (_DEAD,) * len(body)
                out.append((container, def_line, (dead, dead, dead)))
                continue
        keys = [_statement_keys(s) for s in body]
        out.append((container, def_line, tuple(zip(*keys, strict=True)) if keys else ((), (), ())))
    return out


def _spans(container: str, count: int, def_line: int) -> Iterator[tuple[int, int, bool]]:
    """Statement ranges ``_find_units`` considers: a whole short body, every window, and a
    whole function body (flagged True)."""
    if container != "<module>" and 1 <= count < WINDOW:
        yield 0, count, False
    for i in range(count - WINDOW + 1):
        yield i, i + WINDOW, False
    if def_line and count >= 1:
        yield 0, count, True


def _candidates(
    bodies: list[_Body], within: set[tuple[int, ...]] | None = None
) -> set[tuple[int, ...]]:
    """The key tuples of every span of ``bodies`` (only those in ``within``, if given)."""
    found: set[tuple[int, ...]] = set()
    add = found.add
    for container, _body, keys, def_line in bodies:
        count = len(keys)
        spans = [(i, i + WINDOW) for i in range(count - WINDOW + 1)]
        if (def_line and count) or (container != "<module>" and 1 <= count < WINDOW):
            spans.append((0, count))  # a whole body
        for lo, hi in spans:
            key = tuple(keys[lo:hi])
            if _DEAD not in key and (within is None or key in within):
                add(key)
    return found


def _rekeyed(
    bodies: list[_Body],
    wanted: set[tuple[int, ...]] | None,
    summary: list[_BodyKeys],
    level: int,
) -> list[_Body]:
    """``bodies`` keyed at ``level`` where a span is wanted (everywhere when ``wanted`` is
    None); other statements are dead, and bodies with nothing alive are dropped."""
    out: list[_Body] = []
    for container, position, keys, def_line in bodies:
        finer = summary[position][2][level]
        if wanted is None:
            out.append((container, position, list(finer), def_line))
            continue
        count = len(keys)
        alive = [False] * count
        if (def_line or (container != "<module>" and count < WINDOW)) and tuple(keys) in wanted:
            alive = [True] * count  # a whole (short) body
        else:
            for i in range(count - WINDOW + 1):
                if tuple(keys[i : i + WINDOW]) in wanted:
                    alive[i : i + WINDOW] = [True] * WINDOW
        if any(alive):
            out.append(
                (
                    container,
                    position,
                    [k if a else _DEAD for k, a in zip(finer, alive, strict=True)],
                    def_line,
                )
            )
    return out


def _matchable(
    serving: list[list[_BodyKeys]], training: list[list[_BodyKeys]]
) -> tuple[list[list[_Body]], list[list[_Body]], set[tuple[int, ...]]]:
    """Both sides' bodies keyed at the finest level, and the key tuples that occur on both.

    Works on the modules' summaries alone: no tree is needed to rule code out.
    """
    serving_bodies: list[list[_Body]] = [
        [(c, i, [], d) for i, (c, d, _k) in enumerate(summary)] for summary in serving
    ]
    training_bodies: list[list[_Body]] = [
        [(c, i, [], d) for i, (c, d, _k) in enumerate(summary)] for summary in training
    ]
    wanted: set[tuple[int, ...]] | None = None
    for level in range(_KEY_LEVELS):
        serving_bodies = [
            _rekeyed(b, wanted, summary, level)
            for b, summary in zip(serving_bodies, serving, strict=True)
        ]
        training_bodies = [
            _rekeyed(b, wanted, summary, level)
            for b, summary in zip(training_bodies, training, strict=True)
        ]
        wanted = set().union(*(_candidates(b) for b in serving_bodies))
        wanted = set().union(*(_candidates(b, wanted) for b in training_bodies))
        if not wanted:
            break
    return serving_bodies, training_bodies, wanted or set()


def _shapes(
    norm: _Normaliser, body: list[ast.stmt], stmts: list[Stmt | None], lo: int, hi: int
) -> list[Stmt]:
    """``stmts[lo:hi]``, serialising the statements not done yet."""
    out: list[Stmt] = []
    for k in range(lo, hi):
        known = stmts[k]
        if known is None:
            known = stmts[k] = norm.stmt(body[k])
        out.append(known)
    return out


def _find_units(
    ctx: ModuleContext, bodies: list[_Body], wanted: set[tuple[int, ...]]
) -> list[Unit]:
    """Windows and short bodies worth comparing, among those whose statement keys are in
    ``wanted`` (the rest cannot have the shape of any unit they will be compared with)."""
    if not bodies:
        return []  # nothing survived the filter: the module's tree is not needed
    norm = _Normaliser(ctx)
    units: list[Unit] = []
    statement_lists = [body for _c, body, _d in _bodies(ctx)]
    for container, position, keys, def_line in bodies:
        body = statement_lists[position]
        stmts: list[Stmt | None] = [None] * len(body)
        for lo, hi, whole in _spans(container, len(body), def_line):
            if tuple(keys[lo:hi]) not in wanted:
                continue
            span = _shapes(norm, body, stmts, lo, hi)
            nodes = sum(s.nodes for s in span)
            transforms = sum(s.transforms for s in span)
            if sum(s.data_ops for s in span) < 1:
                continue  # arithmetic on sizes and offsets, not feature logic
            if whole:
                if nodes < MIN_WHOLE_NODES or transforms < MIN_TRANSFORMS:
                    continue
            elif hi - lo < WINDOW:  # a whole short body
                if nodes < MIN_SHORT_NODES or transforms < MIN_TRANSFORMS + 1:
                    continue
            elif nodes < MIN_WINDOW_NODES or transforms < MIN_TRANSFORMS:
                continue
            last = body[hi - 1]
            shapes = [s.shape for s in span]
            units.append(
                Unit(
                    ctx.path,
                    container,
                    span[0].line,
                    getattr(last, "end_lineno", last.lineno) or last.lineno,
                    hi - lo,
                    _digest(["whole", *shapes] if whole else shapes),
                    tuple(body[lo:hi]),
                    def_line if whole else 0,
                )
            )
    return units


@dataclass
class _Match:
    serving: list[Unit]
    training: list[Unit]


def _first_line(units: list[Unit]) -> int:
    return min(u.def_line or u.line for u in units)


@register
class TrainServeSkew(Rule):
    id = "MLR404"
    confidence = Confidence.HIGH
    message = "feature logic is duplicated between training and serving code"
    fix = "Move the transformation into one module that both training and serving import (or ship it inside the model pipeline), and delete the serving copy."
    doc = RuleDoc(
        what_it_does=(
            "Compares the feature code of training modules (the project modules they import, and the library "
            "modules of their package, such as a `features.py` next to `train.py`, even when the service "
            "imports it too) with the code on the serving path, across the whole repository, and reports "
            "serving code that re-implements a computation also written in training code instead of "
            "importing it.\n\n"
            "Statements are normalised before comparison: local variable and parameter names are abstracted "
            "(so `df`, `frame` and `features` match), numeric literals are abstracted (so a copy whose fill "
            "value or clip bound already drifted still matches), `np.log1p` and `math.log1p` are treated alike, "
            "while column names, keys, attribute and imported names are kept. Every run of three consecutive "
            "statements is hashed, as is the whole body of every function; serving hashes are looked up in "
            "an index of training hashes, so a large repository costs one pass over its code with no pairwise "
            "diffing. Runs must contain real transformation work (arithmetic, numpy/pandas transforms) and a "
            "minimum amount of code, so boilerplate and trivially short expressions do not match (a whole "
            "copied function, such as a scalar z-score or decay helper, needs less than a partial copy). The "
            "finding is placed on the `def` line of a serving function copied whole, otherwise on the first "
            "duplicated serving statement; the training copy is the related location, and the message says "
            "whether the copies already differ in a constant."
        ),
        why_it_matters=(
            "Training/serving skew is one of the most common and least visible production ML bugs: the model is "
            "evaluated on features computed one way and served features computed another. Two copies of the "
            "same transformation drift the first time someone fixes a bug or changes a constant in one of them, "
            "and nothing fails; accuracy just quietly drops. A single shared implementation (or a transform "
            "saved inside the model pipeline) makes the equivalence structural instead of hoped for."
        ),
        example=(
            "# training/features.py\ndef add_ratios(df):\n    out = df.copy()\n"
            '    out["charge_per_tenure"] = out["monthly_charges"] / (out["tenure"] + 1)\n'
            '    out["log_charges"] = np.log1p(out["monthly_charges"])\n    return out\n\n'
            "# serve/app.py (a hand-written copy)\ndef prepare(payload):\n    frame = pd.DataFrame([payload])\n"
            '    frame["charge_per_tenure"] = frame["monthly_charges"] / (frame["tenure"] + 1)\n'
            '    frame["log_charges"] = np.log1p(frame["monthly_charges"])\n    return frame\n'
        ),
        use_instead=(
            "# serve/app.py\nfrom churn.features import add_ratios\n\n\ndef prepare(payload):\n"
            "    return add_ratios(pd.DataFrame([payload]))\n"
        ),
        options=(
            "Role globs in `[tool.mle-review.roles]` decide which files are training and which are serving code. "
            "A deliberate, equivalence-tested copy can be suppressed with `# mle-review: ignore[MLR404] <reason>`."
        ),
        references=(
            "Google, 'Rules of ML', rule 29 and 32: re-use code between the training and serving pipelines",
            "Sculley et al., 'Hidden Technical Debt in Machine Learning Systems' (NeurIPS 2015): glue code and "
            "pipeline jungles",
        ),
    )

    summarises = True

    def summarise(self, ctx: ModuleContext) -> list[_BodyKeys] | None:
        """Statement keys of the module's code, so the project-wide comparison can rule
        most code out without the module's tree. Test code is never compared."""
        return None if ctx.is_test else _body_keys(ctx)

    def _keys(self, project: ProjectContext, module: ModuleContext) -> list[_BodyKeys]:
        found = project.summary(self, module)
        return found if isinstance(found, list) else []

    def check_project(self, project: ProjectContext) -> Iterator[Hit]:
        training = training_side_paths(project)
        by_path = {m.path: m for m in project.modules}
        serving = [
            m
            for m in project.modules
            if m.path not in training and not m.is_test and on_serving_path(m)
        ]
        # A features module shared by training and serving is the training implementation
        # too: serving code re-implementing one of its functions instead of importing it
        # is a copy. Two shared modules are not compared with each other.
        shared = shared_with_training(project)
        train_mods = [by_path[p] for p in sorted(training | shared) if p in by_path]
        if not serving or not train_mods:
            return
        # Equal shapes have equal statement keys, so only code whose keys occur on both
        # sides is serialised: the rest cannot match anything on the other side.
        serving_bodies, train_bodies, wanted = _matchable(
            [self._keys(project, m) for m in serving], [self._keys(project, m) for m in train_mods]
        )
        if not wanted:
            return
        serving_units = [
            (mod, _find_units(mod, bodies, wanted))
            for mod, bodies in zip(serving, serving_bodies, strict=True)
        ]
        index: dict[str, list[Unit]] = {}
        for mod, bodies in zip(train_mods, train_bodies, strict=True):
            for unit in _find_units(mod, bodies, wanted):
                index.setdefault(unit.shape, []).append(unit)
        for mod, units in serving_units:
            matches: dict[tuple[str, str, str], _Match] = {}
            for unit in units:
                for other in index.get(unit.shape, ()):
                    if other.path == mod.path or (mod.path in shared and other.path in shared):
                        continue
                    key = (unit.container, other.path, other.container)
                    m = matches.setdefault(key, _Match([], []))
                    m.serving.append(unit)
                    m.training.append(other)
            yield from self._report(mod, by_path, matches)

    def _report(
        self,
        mod: ModuleContext,
        by_path: dict[str, ModuleContext],
        matches: dict[tuple[str, str, str], _Match],
    ) -> Iterator[Hit]:
        best: dict[str, tuple[tuple[str, str, str], _Match, tuple[bool, int]]] = {}
        for key, m in matches.items():
            covered = {line for u in m.serving for line in range(u.line, u.end_line + 1)}
            # a whole copied function wins over windows of it matched elsewhere
            rank = (any(u.def_line for u in m.serving), len(covered))
            if key[0] not in best or rank > best[key[0]][2]:
                best[key[0]] = (key, m, rank)
        for container, (key, m, _n) in sorted(
            best.items(), key=lambda kv: _first_line(kv[1][1].serving)
        ):
            first_serving = min(m.serving, key=lambda u: u.line)
            first_training = min(m.training, key=lambda u: u.line)
            end = max(u.end_line for u in m.serving)
            whole = [(s, t) for s, t in zip(m.serving, m.training, strict=True) if s.def_line]
            train_mod = by_path[key[1]]
            train_norm = _Normaliser(train_mod)
            serve_norm = _Normaliser(mod)
            differ = any(
                serve_norm.exact(s.stmts) != train_norm.exact(t.stmts)
                for s, t in zip(m.serving, m.training, strict=True)
            )
            train_line = first_training.line
            serving_line = first_serving.line
            if whole:  # the copy is the whole function: point at both ``def`` lines
                serving_line, train_line = whole[0][0].def_line, whole[0][1].def_line
            if train_mod.notebook is not None:
                train_line = train_mod.notebook.to_file_line(train_line)[0]
            where = "module-level code" if container == "<module>" else f"`{container}`"
            other = "module-level code" if key[2] == "<module>" else f"`{key[2]}`"
            state = (
                "the copies already differ in a numeric constant"
                if differ
                else "the copies are identical today and will drift apart on the next change to either"
            )
            yield Hit(
                path=mod.path,
                line=serving_line,
                end_line=end,
                column=1,
                message=(
                    f"feature logic in {where} re-implements {other} from the "
                    f"training code in `{key[1]}` instead of importing it; {state}"
                ),
                related=[(key[1], train_line, "training copy of this feature logic")],
                confidence=Confidence.HIGH if differ or len(m.serving) > 1 else Confidence.MEDIUM,
            )
