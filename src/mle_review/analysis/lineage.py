"""The abstract values the dataflow analysis computes, and the events it records.

Rows are tracked as *tokens*. A loader creates a source token; a split
creates one part token per output; a concatenation creates a combine token
over its inputs; a resampler that copies rows creates a duplicative token; an
operation that keeps the same rows but learns something about them (sorting
by time, parsing a date column) creates an alias token that carries the new
facts. Two row sets overlap when one is an ancestor of the other after
expanding unions, or when both descend from the same duplicating resampler;
parts of one split are disjoint.

Fitted state is tracked as the set of fit events that influenced a value: a
scaler fit on ``X`` marks everything it transforms, a model trained on that
output carries it into its predictions, and a metric over those predictions
records which fits reached the evaluation. Leakage is then a question about
events: does an evaluation of rows R carry state learned from rows that
overlap R?
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mle_review.analysis.specs import Cat, ClassSpec

_ids = itertools.count(1)


def short(node: ast.AST | None, limit: int = 40) -> str:
    """Source text of ``node`` for a message, on one line and cut at ``limit`` characters."""
    if node is None:
        return "the data"
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Facts:
    """Time and entity evidence about the rows of one token (grows as the module is read)."""

    parsed: dict[str, int] = field(default_factory=dict)  # datetime column -> line parsed
    time_index: int | None = None  # line where the index became a DatetimeIndex
    sorted_by: dict[str, int] = field(default_factory=dict)  # time column -> line sorted
    series_ops: dict[str, int] = field(default_factory=dict)  # shift/rolling/resample -> line
    windows: int | None = None  # rows are sliding windows over a series (line built)
    time_cols: dict[str, int] = field(default_factory=dict)  # time-like column referenced -> line
    entity_cols: dict[str, int] = field(
        default_factory=dict
    )  # entity-like column referenced -> line
    repeated: dict[str, tuple[int, str]] = field(
        default_factory=dict
    )  # entity col -> (line, evidence)
    unique_on: set[str] = field(default_factory=set)  # one row per value of these columns
    event_source: int | None = None  # loaded from an event-log-like file (line)
    time_filtered: int | None = None  # rows cut at a time boundary (line)
    grouped: dict[str, int] = field(
        default_factory=dict
    )  # any groupby key -> line (many rows per key)

    def empty(self) -> bool:
        return not (
            self.parsed
            or self.time_index
            or self.sorted_by
            or self.series_ops
            or self.windows
            or self.time_cols
            or self.entity_cols
            or self.repeated
            or self.unique_on
            or self.event_source
            or self.time_filtered
            or self.grouped
        )


class Token:
    """A set of rows. Identity semantics; ancestry is fixed at creation."""

    __slots__ = (
        "canon",
        "duplicative",
        "facts",
        "id",
        "kind",
        "label",
        "line",
        "parents",
        "role",
        "split",
        "up",
    )

    def __init__(
        self,
        kind: str,
        line: int,
        label: str,
        parents: Iterable[Token] = (),
        role: str | None = None,
        split: Split | None = None,
        duplicative: bool = False,
    ) -> None:
        self.id = next(_ids)
        self.kind = kind  # source, part, alias, combine, resample, agg
        if isinstance(parents, (set, frozenset)):
            # Sets of tokens iterate by memory address; messages quote the first
            # evidence found, so the order must be the order tokens were made in.
            parents = sorted(parents, key=lambda t: t.id)
        self.parents: tuple[Token, ...] = tuple(parents)
        self.role = role
        self.line = line
        self.label = label
        self.split = split
        self.duplicative = duplicative
        self.facts = Facts()
        if kind == "alias" and len(self.parents) == 1:
            self.canon: Token = self.parents[0].canon
            self.up: frozenset[Token] = self.canon.up
        else:
            self.canon = self
            up: set[Token] = {self}
            if kind != "agg":
                for p in self.parents:
                    up |= p.canon.up
            self.up = frozenset(up)

    def __repr__(self) -> str:
        return f"<{self.kind}:{self.role or '-'}:{self.label}@{self.line}>"

    def lineage(self) -> Iterator[Token]:
        """This token and every token it was derived from (for fact look-ups)."""
        seen: set[int] = set()
        stack: list[Token] = [self]
        while stack:
            t = stack.pop()
            if t.id in seen:
                continue
            seen.add(t.id)
            yield t
            if t.kind != "agg":
                stack.extend(t.parents)

    def eval_role(self) -> str | None:
        """The role of the nearest split part or named source: train/test/val/cv_train/cv_test."""
        t = self
        while True:
            if t.role is not None:
                return t.role
            if t.kind in ("alias", "resample", "part") and t.parents:
                t = t.parents[0]
                continue
            return None

    def split_part(self) -> Token | None:
        """The nearest part token this row set descends from (through aliases)."""
        t: Token | None = self
        while t is not None:
            if t.kind == "part":
                return t
            if t.kind in ("alias", "resample") and len(t.parents) == 1:
                t = t.parents[0]
                continue
            return None
        return None


def roles_of(rows: Iterable[Token]) -> set[str | None]:
    return {t.eval_role() for t in rows}


def _atoms(t: Token, out: set[Token]) -> None:
    c = t.canon
    if c in out:
        return
    out.add(c)
    if c.kind == "combine":
        for p in c.parents:
            _atoms(p, out)


def overlap(a: Token, b: Token) -> Token | None:
    """Why two row sets share rows: a common token, a shared resampler, or None when disjoint."""
    xs: set[Token] = set()
    ys: set[Token] = set()
    _atoms(a, xs)
    _atoms(b, ys)
    for x in xs:
        for y in ys:
            if x in y.up:
                return x
            if y in x.up:
                return y
    dup_a = {t for x in xs for t in x.up if t.duplicative}
    if dup_a:
        for y in ys:
            for t in y.up:
                if t in dup_a:
                    return t
    return None


def overlap_any(a: Iterable[Token], b: Iterable[Token]) -> tuple[Token, Token, Token] | None:
    bs = list(b)
    for x in a:
        for y in bs:
            w = overlap(x, y)
            if w is not None:
                return x, y, w
    return None


@dataclass(eq=False)
class Split:
    """A point where rows are divided into parts (train/test, CV folds, slices)."""

    node: ast.AST
    line: int
    api: str
    kind: str  # random, cv, slice, mask, sample, time_cutoff, predefined, ids, unknown
    shuffled: bool
    grouped: bool = False
    time_series: bool = False
    inputs: frozenset[Token] = frozenset()
    parts: list[Token] = field(default_factory=list)
    splitter_line: int | None = None  # where the CV splitter object was built
    internal: bool = False  # the CV inside cross_val_score / a search
    fits: frozenset[int] = frozenset()  # fitted state the split inputs already carry
    id: int = field(default_factory=lambda: next(_ids))


@dataclass(eq=False)
class Obj:
    """An estimator, transformer, splitter or callback instance (mutable fitted state)."""

    name: str
    spec: ClassSpec | None
    line: int
    node: ast.AST | None = None
    kwargs: dict[str, Val] = field(default_factory=dict)
    steps: list[Obj] = field(default_factory=list)  # pipeline steps / column-transformer parts
    inner: list[Obj] = field(default_factory=list)  # search-wrapped estimator
    state: frozenset[int] = frozenset()  # fits whose learned state this object now holds
    ctor_data: Val | None = None  # statsmodels: data passed to the constructor
    label: str = ""  # the variable it was bound to
    local_class: bool = False  # an instance of a class defined in this file
    id: int = field(default_factory=lambda: next(_ids))

    def category(self) -> Cat:
        if self.spec is None:
            return Cat.UNKNOWN
        if self.spec.cat is Cat.PIPELINE:
            return self.steps[-1].category() if self.steps else Cat.UNKNOWN
        if self.spec.cat is Cat.SEARCH:
            return Cat.MODEL
        return self.spec.cat

    def display(self) -> str:
        return self.label or self.name


@dataclass(eq=False)
class Fit:
    """An object (or a statistic) learning state from rows."""

    node: ast.AST
    line: int
    cat: Cat | str  # a Cat, or "statistic" / "group_statistic" / "quantile_bins"
    what: str  # "StandardScaler", "mean()"
    rows: frozenset[Token]
    data_node: ast.AST | None  # the data argument, rendered only when a finding needs it
    weak: bool = False
    obj: Obj | None = None
    internal: bool = False  # a clone fit inside cross-validation / a search / a pipeline
    upstream: frozenset[int] = frozenset()  # fits already applied to the data it learned from
    what_node: ast.AST | None = None  # statistics: the expression computing them
    site: ast.AST | None = None  # the caller's call of the helper that was handed this data
    id: int = field(default_factory=lambda: next(_ids))

    @property
    def is_model(self) -> bool:
        return self.cat is Cat.MODEL

    @property
    def data_text(self) -> str:
        return short(self.data_node)

    @property
    def label(self) -> str:
        """``StandardScaler`` for objects, the whole expression for statistics."""
        return short(self.what_node, 60) if self.what_node is not None else self.what


@dataclass(eq=False)
class Eval:
    """Rows being scored or predicted with some fitted state."""

    node: ast.AST
    line: int
    kind: str  # metric, score, predict, curve, cv
    rows: frozenset[Token]
    fits: frozenset[int]
    loops: tuple[ast.AST, ...]
    models: frozenset[int] = frozenset()  # Obj ids whose predictions are scored
    labelled: bool = True  # a metric/score with true labels (predict alone is not)
    split: Split | None = None  # the internal CV split of cross_val_score
    id: int = field(default_factory=lambda: next(_ids))

    @property
    def text(self) -> str:
        return short(self.node, 60)


@dataclass(eq=False)
class Choice:
    """A max/min/argmax/sort/comparison that picks among scored candidates."""

    node: ast.AST
    line: int
    scores: frozenset[int]


@dataclass(eq=False)
class EarlyStop:
    """Training that monitors a dataset and keeps the best epoch/iteration."""

    node: ast.AST
    line: int
    monitored: frozenset[Token]
    how: str
    fit: Fit


@dataclass(eq=False)
class Merge:
    node: ast.AST
    line: int
    kind: str  # merge, asof, join
    left: frozenset[Token]
    right: frozenset[Token]
    keys: tuple[str, ...] | None
    direction: str | None
    left_text: str
    right_text: str
    right_agg_of: frozenset[Token] = frozenset()  # right side = groupby-aggregate of these rows
    result: Token | None = None
    resolved: int | None = None  # line of a later feature_time <= label_time filter
    id: int = field(default_factory=lambda: next(_ids))


@dataclass(frozen=True, eq=False)
class Subset:
    """A row subset not yet known to be a split part (``df[df.date < c]``, ``df.iloc[:n]``)."""

    kind: str  # mask, slice, sample, time_cutoff, ids
    node: ast.AST
    source: frozenset[Token]
    shuffled: bool = False
    side: str | None = None  # "before"/"after" a time cutoff, "first"/"last" for positional slices
    time_col: str | None = None
    sel: frozenset[Token] = frozenset()  # id parts selected by ``isin``


_EMPTY: frozenset[Any] = frozenset()
_VAL_FIELDS = (
    "rows", "fits", "objs", "items", "elem", "scores", "via", "tags", "const", "func", "ref", "cols",
    "agg_of", "subset", "sel", "merges",
)  # fmt: skip


class Val:
    """Abstract value of an expression.

    Treated as immutable; a plain ``__slots__`` class rather than a frozen
    dataclass because values are copied on nearly every expression and
    ``dataclasses.replace`` dominated the analysis time.
    """

    __slots__ = _VAL_FIELDS

    def __init__(
        self,
        rows: frozenset[Token] = _EMPTY,
        fits: frozenset[int] = _EMPTY,
        objs: frozenset[Obj] = _EMPTY,
        items: tuple[Val, ...] | None = None,  # tuple/list literal elements, in order
        elem: Val | None = None,  # what iterating yields, when not simply the items
        scores: frozenset[int] = _EMPTY,  # evaluations whose result this value carries
        via: frozenset[int] = _EMPTY,  # Obj ids whose predictions this value is
        tags: frozenset[str] = _EMPTY,
        const: object = None,
        func: ast.AST | None = None,  # a local def/lambda/class
        ref: str | None = None,  # qualified name of an imported module, class or function
        cols: tuple[str, ...] = (),  # column names this value selects or refers to
        agg_of: frozenset[Token] = _EMPTY,  # groupby-aggregate of these rows
        subset: Subset | None = None,
        sel: frozenset[Token] = _EMPTY,  # masks from ``col.isin(part)``: the id parts selected
        merges: frozenset[int] = _EMPTY,  # merges whose output this value carries
    ) -> None:
        self.rows = rows
        self.fits = fits
        self.objs = objs
        self.items = items
        self.elem = elem
        self.scores = scores
        self.via = via
        self.tags = tags
        self.const = const
        self.func = func
        self.ref = ref
        self.cols = cols
        self.agg_of = agg_of
        self.subset = subset
        self.sel = sel
        self.merges = merges

    def __repr__(self) -> str:
        parts = [
            f"{k}={getattr(self, k)!r}"
            for k in _VAL_FIELDS
            if getattr(self, k) not in (None, (), _EMPTY)
        ]
        return f"Val({', '.join(parts)})"

    def with_(self, **kw: Any) -> Val:
        new = object.__new__(Val)
        new.rows = self.rows
        new.fits = self.fits
        new.objs = self.objs
        new.items = self.items
        new.elem = self.elem
        new.scores = self.scores
        new.via = self.via
        new.tags = self.tags
        new.const = self.const
        new.func = self.func
        new.ref = self.ref
        new.cols = self.cols
        new.agg_of = self.agg_of
        new.subset = self.subset
        new.sel = self.sel
        new.merges = self.merges
        for name, value in kw.items():
            setattr(new, name, value)
        return new

    def tag(self, *tags: str) -> Val:
        return self.with_(tags=self.tags | frozenset(tags))

    @property
    def is_data(self) -> bool:
        return bool(self.rows)

    def flat(self) -> Val:
        """The value with its structure folded in (a list of frames behaves like their union)."""
        if self.items is None and self.elem is None:
            return self
        out = self.with_(items=None, elem=None)
        for it in self.items or ():
            out = join(out, it.flat())
        if self.elem is not None:
            out = join(out, self.elem.flat())
        return out

    def iter_elem(self) -> Val:
        """What ``for x in self`` binds."""
        if self.elem is not None:
            return self.elem
        if self.items:
            return join_all(self.items)
        return self.with_(items=None, const=None, subset=None)

    def all_objs(self) -> Iterator[Obj]:
        yield from self.objs
        for it in self.items or ():
            yield from it.all_objs()
        if self.elem is not None:
            yield from self.elem.all_objs()


NONE = Val()
UNKNOWN = Val(tags=frozenset({"unknown"}))


def join(a: Val, b: Val) -> Val:
    """Least upper bound: either value may flow here."""
    if a is b:
        return a
    if a is NONE:
        return b
    if b is NONE:
        return a
    items: tuple[Val, ...] | None = None
    if a.items is not None and b.items is not None and len(a.items) == len(b.items):
        items = tuple(join(x, y) for x, y in zip(a.items, b.items, strict=True))
    elif a.items is not None and b.items is None and not (b.rows or b.objs or b.scores):
        items = a.items
    elif b.items is not None and a.items is None and not (a.rows or a.objs or a.scores):
        items = b.items
    elem = a.elem if b.elem is None else b.elem if a.elem is None else join(a.elem, b.elem)
    return Val(
        rows=a.rows | b.rows,
        fits=a.fits | b.fits,
        objs=a.objs | b.objs,
        items=items,
        elem=elem,
        scores=a.scores | b.scores,
        via=a.via | b.via,
        tags=a.tags | b.tags,
        const=a.const if a.const == b.const else None,
        func=a.func if a.func is b.func else (a.func or b.func),
        ref=a.ref if a.ref == b.ref else None,
        cols=a.cols if a.cols == b.cols else tuple(dict.fromkeys(a.cols + b.cols)),
        agg_of=a.agg_of | b.agg_of,
        subset=a.subset if a.subset is b.subset else None,
        sel=a.sel | b.sel,
        merges=a.merges | b.merges,
    )


def join_all(vals: Iterable[Val]) -> Val:
    out = NONE
    for v in vals:
        out = join(out, v)
    return out


def influence(vals: Iterable[Val]) -> Val:
    """What flows from ``vals`` apart from row identity (for arguments that are not the data)."""
    fits: frozenset[int] = _EMPTY
    scores: frozenset[int] = _EMPTY
    via: frozenset[int] = _EMPTY
    merges: frozenset[int] = _EMPTY
    for v in vals:
        if v.items is not None or v.elem is not None:
            v = v.flat()
        if v.fits:
            fits = fits | v.fits if fits else v.fits
        if v.scores:
            scores = scores | v.scores if scores else v.scores
        if v.via:
            via = via | v.via if via else v.via
        if v.merges:
            merges = merges | v.merges if merges else v.merges
    if not (fits or scores or via or merges):
        return NONE
    return Val(fits=fits, scores=scores, via=via, merges=merges)


def shared_duplicates(a: Iterable[Token], b: Iterable[Token]) -> list[Token]:
    """Duplicating resamplers both row sets descend from, earliest first."""
    da = {t for x in a for t in x.canon.up if t.duplicative}
    db = {t for x in b for t in x.canon.up if t.duplicative}
    return sorted(da & db, key=lambda t: (t.line, t.id))
