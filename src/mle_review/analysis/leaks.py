"""Leakage verdicts: the six MLR10x questions asked of one module's dataflow events.

Each query reads the :class:`~mle_review.analysis.dataflow.Analysis` of a
module and returns :class:`Leak` records: the node to report, one sentence
explaining the chain, the related lines, and a confidence. Rules stay thin:
they pick their own records. Results are cached per module so the dataflow
runs once for all six rules.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from mle_review.analysis.dataflow import Analysis, analyse
from mle_review.analysis.lineage import (
    Eval,
    Fit,
    Split,
    Token,
    overlap,
    overlap_any,
    shared_duplicates,
    short,
)
from mle_review.analysis.names import (
    CV_TEST,
    HOLDOUT_ROLES,
    TEST,
    TRAIN,
    VAL,
    is_model_name,
    is_snapshot_time_column,
    role_from_name,
)
from mle_review.analysis.specs import Cat
from mle_review.engine.context import ModuleContext
from mle_review.models import Confidence

Related = tuple[str | None, int, str]

_PREP_CATS = (Cat.TRANSFORMER, Cat.ENCODER, Cat.TARGET_ENCODER, "statistic", "group_statistic")
_MODEL_CATS = (Cat.MODEL,)


@dataclass
class Leak:
    rule: str
    node: ast.AST
    message: str
    fix: str | None = None
    related: list[Related] = field(default_factory=list)
    confidence: Confidence | None = None


# cheap source checks: the analysis only runs when some rule could fire
_TRIGGERS = (
    "fit",
    "split",
    "merge",
    ".join(",
    "cross_val",
    "sample(",
    "Search",
    ".train(",
    "backward(",
)


_UNSET: object = object()
# a module that only evaluates (no fit, no split) matters when it also picks among results
_EVAL_HINTS = ("score", "predict", "_error", "loss", "curve", "evaluate")
# max( also covers argmax( / idxmax(; sort covers sorted( and sort_values
_CHOICE_HINTS = ("max(", "min(", "sort", "best", "nlargest", "nsmallest")
_LOOPS = ("\nfor ", "  for ", "\tfor ")  # a for statement at module level or indented


def relevant(ctx: ModuleContext) -> bool:
    """Cheap necessary conditions (substring checks): the interpreter runs only where a rule can fire."""
    if ctx.is_test:
        return False
    src = ctx.source
    if any(t in src for t in _TRIGGERS):
        return True
    if not any(t in src for t in _EVAL_HINTS):
        return False
    return any(t in src for t in _CHOICE_HINTS) or any(t in src for t in _LOOPS)


_LEAK_CACHE: dict[int, tuple[ModuleContext, dict[str, list[Leak]]]] = {}


def leaks_for(ctx: ModuleContext, rule: str) -> list[Leak]:
    """Findings for ``rule`` in ``ctx`` (the whole module is analysed once for all rules)."""
    stored = vars(ctx).get("_leaks")
    if stored is not None:
        return stored.get(rule, [])  # type: ignore[no-any-return]
    hit = _LEAK_CACHE.get(id(ctx))
    if hit is None or hit[0] is not ctx:
        result = _module_leaks(ctx)
        if len(_LEAK_CACHE) >= 4:
            _LEAK_CACHE.clear()
        _LEAK_CACHE[id(ctx)] = (ctx, result)
        hit = _LEAK_CACHE[id(ctx)]
    return hit[1].get(rule, [])


def precompute_leaks(ctx: ModuleContext) -> None:
    """Analyse ``ctx`` now and keep the findings on it (until the scan releases it)."""
    if "_leaks" not in vars(ctx):
        vars(ctx)["_leaks"] = _module_leaks(ctx)


def _module_leaks(ctx: ModuleContext) -> dict[str, list[Leak]]:
    if not relevant(ctx):
        return {}
    a = analyse(ctx)
    return _all_leaks(ctx, a) if a.complete else {}


def _all_leaks(ctx: ModuleContext, a: Analysis) -> dict[str, list[Leak]]:
    q = _Queries(ctx, a)
    return {
        "MLR101": q.preprocessing_before_split(),
        "MLR102": q.train_test_overlap(),
        "MLR103": q.test_set_reuse(),
        "MLR104": q.random_split_temporal(),
        "MLR105": q.group_split_leak(),
        "MLR106": q.point_in_time_join(),
    }


def _ordered(rows: frozenset[Token]) -> list[Token]:
    """Row sets in creation order: the evidence a message quotes must not depend on memory addresses."""
    return sorted(rows, key=lambda t: t.id) if len(rows) > 1 else list(rows)


def _role(rows: frozenset[Token]) -> str | None:
    roles = {t.eval_role() for t in rows}
    if len(roles) == 1:
        return roles.pop()
    roles.discard(None)
    if TRAIN in roles and roles & {TEST, VAL}:
        return None  # rows from both sides of a split (often swapped unpacking): cannot tell
    if TEST in roles:
        return TEST
    return VAL if VAL in roles else (roles.pop() if len(roles) == 1 else None)


def _with_submission_rows(rows: frozenset[Token]) -> bool:
    """Rows concatenated with a file named as the test set (a competition's unlabelled rows).

    LabelEncoder is fit on such stacks so that every category of the scoring file gets an
    (arbitrary) integer code; that is transductive by design, not a leak of labelled rows.
    """
    combined = test_file = False
    for t in rows:
        for u in t.lineage():
            if u.kind == "combine":
                combined = True
            elif u.kind == "source" and u.role == TEST:
                test_file = True
    return combined and test_file


def _fit_line(f: Fit) -> int:
    """Where an MLR102 finding about ``f`` sits: the helper call that handed it the data, if any."""
    return getattr(f.site, "lineno", f.line) if f.site is not None else f.line


def _is_real_split(s: Split) -> bool:
    """A lone ``df.sample(frac=...)`` is a subsample unless its complement is taken or it is named a part."""
    if s.kind not in ("sample", "slice"):
        return True
    return len(s.parts) >= 2 or any(p.role is not None for p in s.parts)


def _role_word(role: str | None) -> str:
    return {"val": "validation", "test": "test", "train": "training"}.get(role or "", "evaluation")


def _cv_inside_training(split: Split | None) -> bool:
    """A CV whose data is already a training part: the holdout lives elsewhere."""
    if split is None:
        return False
    return any(_training_part(t) for t in split.inputs)


def _training_part(t: Token) -> bool:
    """Rows that are the training side of a split (a file merely named train is the whole data)."""
    part = t.split_part()
    return part is not None and part.eval_role() in (TRAIN, "cv_train")


def _split_phrase(split: Split | None) -> str:
    if split is None:
        return "the evaluation rows"
    if split.kind == "cv":
        return f"the cross-validation folds of `{split.api}`"
    return "train and test"


class _Queries:
    def __init__(self, ctx: ModuleContext, a: Analysis) -> None:
        self.ctx = ctx
        self.a = a
        self.evals = a.eval_list()
        self.fits = a.fit_list()
        self.roles: dict[
            int, str | None
        ] = {}  # evaluation id -> role of its rows (asked by every rule)

    # ------------------------------------------------------------------ helpers

    def L(self, line: int) -> int:
        """A module line as the user sees it (the .ipynb line for notebooks)."""
        nb = self.ctx.notebook
        return nb.to_file_line(line)[0] if nb is not None else line

    def eval_rows_role(self, e: Eval) -> str | None:
        if e.kind == "cv":
            return CV_TEST
        role = self.roles.get(e.id, _UNSET)
        if role is _UNSET:
            role = self.roles[e.id] = _role(e.rows)
        return role  # type: ignore[return-value]

    def holdout_part(self, rows: frozenset[Token]) -> tuple[Token, Split | None] | None:
        for t in _ordered(rows):
            p = t.split_part()
            if p is not None and p.eval_role() in HOLDOUT_ROLES:
                return p, p.split
            if t.eval_role() in HOLDOUT_ROLES:
                return t, None
        return None

    def where(self, split: Split | None, part: Token | None) -> tuple[str, list[Related]]:
        """'which is split into train and test at line N' plus the related line."""
        if split is not None and split.kind == "cv":
            return (
                f"whose rows `{split.api}` then splits into validation folds at line {self.L(split.line)}",
                [(None, split.line, "cross-validated here")],
            )
        if split is not None:
            parts = sorted({p.eval_role() or "other" for p in split.parts} - {"other"})
            named = " and ".join(
                {"train": "train", "test": "test", "val": "validation"}.get(r, r)
                for r in sorted(
                    parts,
                    key=lambda r: (
                        ("train", "val", "test").index(r) if r in ("train", "val", "test") else 9
                    ),
                )
            )
            return (
                f"which is split into {named or 'parts'} at line {self.L(split.line)}",
                [(None, split.line, "split into train and test here")],
            )
        if part is not None:
            return (
                f"which includes the {part.eval_role() or 'evaluation'} rows loaded at line {self.L(part.line)}",
                [(None, part.line, "evaluation rows come from here")],
            )
        return "which includes the evaluation rows", []

    def fit_subject(self, f: Fit) -> str:
        if f.cat in ("statistic", "group_statistic"):
            return f"`{f.label}`"
        obj = f.obj
        if obj is not None and obj.label and obj.spec is not None and obj.label != obj.name:
            return f"the {obj.spec.what} `{obj.label}` (`{f.what}`)"
        if obj is not None and obj.spec is not None:
            return f"the {obj.spec.what} `{f.what}`"
        return f"`{f.what}`"

    # ------------------------------------------------------------------ MLR101

    def preprocessing_before_split(self) -> list[Leak]:
        out: list[Leak] = []
        seen: set[int] = set()
        for f in self.fits:
            if f.cat not in _PREP_CATS or f.internal or not f.rows or f.line in seen:
                continue
            if f.id in self.a.label_fits:
                continue  # a statistic that defines the target (RUL from the max cycle), not a feature
            spec = f.obj.spec if f.obj is not None else None
            if spec is not None and spec.column_only:
                if f.id not in self.a.column_written:
                    continue  # LabelEncoder output kept in a variable: the target's class codes
                if _with_submission_rows(f.rows):
                    continue  # codes made over train + the unlabelled test file: routine
            leak = self._prep_leak(f)
            if leak is not None:
                seen.add(f.line)
                out.append(leak)
        return out

    def _prep_leak(self, f: Fit) -> Leak | None:
        weak = f.weak or f.cat is Cat.ENCODER
        # 1. a split separates rows the fit saw, after its state reached the data being split
        for s in self.a.splits:
            if f.id not in s.fits or s.kind in ("predefined",) or not _is_real_split(s):
                continue
            if s.kind == "cv" and _cv_inside_training(s):
                continue
            for p in s.parts:
                if p.eval_role() not in (TEST, VAL, CV_TEST):
                    continue
                if overlap_any(f.rows, [p]) is None:
                    continue
                return self._prep_message(f, s, p, None, weak, labelled=True)
        # 2. an evaluation scores rows the fit saw with the fit's state
        best: tuple[Eval, Split | None, Token | None] | None = None
        for e in self.evals:
            if f.id not in e.fits:
                continue
            role = self.eval_rows_role(e)
            if role not in (TEST, VAL, CV_TEST):
                continue
            if e.kind == "cv" and _cv_inside_training(e.split):
                continue
            if overlap_any(f.rows, e.rows) is None:
                continue
            hp = self.holdout_part(e.rows)
            split = e.split if e.kind == "cv" else (hp[1] if hp else None)
            part = e.split.parts[1] if e.kind == "cv" and e.split else (hp[0] if hp else None)
            if best is None or (e.labelled and not best[0].labelled):
                best = (e, split, part)
        if best is None:
            return None
        e, split, part = best
        return self._prep_message(f, split, part, e, weak, labelled=e.labelled)

    def _prep_message(
        self,
        f: Fit,
        split: Split | None,
        part: Token | None,
        e: Eval | None,
        weak: bool,
        labelled: bool,
    ) -> Leak:
        related: list[Related] = []
        role = _role_word(part.eval_role() if part is not None else None)
        stat = f.cat in ("statistic", "group_statistic")
        subject = (
            f"`{f.label}` (line {self.L(f.line)}) is computed"
            if stat
            else f"{self.fit_subject(f)} is fit on `{f.data_text}` (line {self.L(f.line)})"
        )
        on_eval_only = all(t.eval_role() in (TEST, VAL) for t in f.rows)
        if split is not None and split.kind == "cv":
            where = f"{'on rows' if stat else 'and'} `{split.api}` then splits {'them' if stat else 'those rows'} into validation folds at line {self.L(split.line)}"
            if not stat:
                where = f"whose rows `{split.api}` then splits into validation folds at line {self.L(split.line)}"
            what = "each validation fold is scored with state learned from its own rows"
            related.append((None, split.line, "cross-validated here"))
        elif split is not None and split.line > f.line:
            where = f"{'over rows that are' if stat else 'which is'} split into {self.parts_phrase(split)} only later, at line {self.L(split.line)}"
            what = (
                f"{role}-set statistics leak into {'the training features' if stat else 'training'}"
            )
            related.append((None, split.line, "split into train and test here"))
        elif split is not None and on_eval_only:
            where = f"{'on' if stat else 'which are'} the {role} rows split off at line {self.L(split.line)}{' themselves' if stat else ''}"
            what = f"the {role} rows are transformed with their own statistics instead of the training statistics"
            related.append((None, split.line, f"{role} rows split off here"))
        elif split is not None:
            where = f"{'over rows that include' if stat else 'which includes'} the {role} rows split off at line {self.L(split.line)}"
            what = f"{role}-set statistics leak into training"
            related.append((None, split.line, f"{role} rows split off here"))
        elif part is not None:
            where = f"{'over rows that include' if stat else 'which includes'} the {part.eval_role() or 'evaluation'} rows loaded at line {self.L(part.line)}"
            what = "the model is trained with statistics of the very rows it predicts"
            related.append((None, part.line, "evaluation rows come from here"))
        else:
            where = (
                "over rows that include the evaluation rows"
                if stat
                else "which includes the evaluation rows"
            )
            what = "evaluation statistics leak into training"
        if stat and split is not None and split.kind == "cv":
            where = f"before `{split.api}` splits the same rows into validation folds at line {self.L(split.line)}"
        if f.cat is Cat.TARGET_ENCODER and "statistics leak" in what:
            what = f"target statistics of the {role} rows leak into training"
        if e is not None and e.line not in {r[1] for r in related}:
            related.append((None, e.line, "evaluated here"))
        if not stat:
            sep = ", " if where.startswith("which") or where.startswith("whose") else " "
            msg = f"{subject}{sep}{where}, so {what}"
        else:
            msg = f"{subject} {where}, so {what}"
        conf = Confidence.MEDIUM if (weak or not labelled) else None
        return Leak("MLR101", f.node, msg, related=related, confidence=conf)

    def parts_phrase(self, split: Split) -> str:
        roles = {p.eval_role() for p in split.parts}
        named = [
            w for r, w in ((TRAIN, "train"), (VAL, "validation"), (TEST, "test")) if r in roles
        ]
        return " and ".join(named) if len(named) >= 2 else "train and test"

    # ------------------------------------------------------------------ MLR102

    def model_fit(self, fid: int) -> Fit | None:
        f = self.a.fits.get(fid)
        if f is None or f.internal:
            return None
        if f.cat in _MODEL_CATS:
            return f
        if (
            f.cat is Cat.UNKNOWN
            and f.obj is not None
            and is_model_name(f.obj.display().rsplit(".", 1)[-1])
        ):
            return f
        return None

    def train_test_overlap(self) -> list[Leak]:
        out: list[Leak] = []
        reported: set[int] = set()
        done_tokens: set[Token] = set()
        # (a) a model scored on rows it was trained on, where those rows are the evaluation set
        for e in self.evals:
            if not e.labelled or e.kind == "cv":
                continue
            role = self.eval_rows_role(e)
            if role not in (TEST, VAL):
                continue
            for fid in sorted(e.fits):
                f = self.model_fit(fid)
                if f is None or not f.rows:
                    continue
                found = overlap_any(f.rows, e.rows)
                if found is None:
                    continue
                dups = [t for t in shared_duplicates(f.rows, e.rows) if t.id in self.a.resamples]
                if dups and not self._direct(f.rows, e.rows):
                    rnode, what, tok = self.a.resamples[dups[0].id]
                    line = getattr(rnode, "lineno", 0)
                    done_tokens.add(tok)
                    if line in reported:
                        continue
                    reported.add(line)
                    out.append(self._resample_leak(rnode, what, tok, e))
                    continue
                if _fit_line(f) in reported:
                    continue
                reported.add(_fit_line(f))
                out.append(self._fit_on_eval(f, e))
        # (b) resampling that copies rows, followed by a split of the copies
        for _tid, (rnode, what, tok) in sorted(self.a.resamples.items()):
            line = getattr(rnode, "lineno", 0)
            if line in reported or any(u in done_tokens for u in tok.up):
                done_tokens.add(tok)
                continue
            if _training_part(tok):
                continue
            for s in self.a.splits:
                if any(tok in t.up for t in s.inputs) and not (
                    s.kind == "cv" and _cv_inside_training(s)
                ):
                    reported.add(line)
                    done_tokens.add(tok)
                    out.append(self._resample_split(rnode, what, s))
                    break
        # (c) scoring the training rows and presenting it as a test result
        for e in self.evals:
            if not e.labelled or e.kind == "cv" or e.line in reported:
                continue
            role = self.eval_rows_role(e)
            if role in (TEST, VAL, CV_TEST):
                continue
            if not self._presented_as_test(e.node):
                continue
            for fid in sorted(e.fits):
                f = self.model_fit(fid)
                if f is None or not f.rows or overlap_any(f.rows, e.rows) is None:
                    continue
                if f.line in reported:
                    continue
                reported.add(f.line)
                out.append(
                    Leak(
                        "MLR102",
                        f.node,
                        f"{self.fit_subject(f)} is fit on `{f.data_text}` (line {self.L(f.line)}) and then scored on the same rows at line {self.L(e.line)}, "
                        "which is reported as a test result although it measures fit to the training data",
                        related=[(None, e.line, "scored on the training rows here")],
                        confidence=Confidence.MEDIUM,
                    )
                )
                break
        return out

    def _direct(self, a: frozenset[Token], b: frozenset[Token]) -> bool:
        """Overlap without going through a shared resampler (the fit saw the evaluation rows themselves)."""
        for x in a:
            for y in b:
                w = overlap(x, y)
                if w is not None and not w.duplicative:
                    return True
        return False

    def _fit_on_eval(self, f: Fit, e: Eval) -> Leak:
        hp = self.holdout_part(e.rows)
        related: list[Related] = []
        if hp is not None and hp[1] is not None and hp[1].kind not in ("unknown",):
            s = hp[1]
            where = (
                f"which contains the {hp[0].eval_role()} rows split off at line {self.L(s.line)}"
            )
            related.append((None, s.line, "evaluation rows split off here"))
        elif hp is not None:
            where = f"which contains the {_role_word(hp[0].eval_role())} rows (line {self.L(hp[0].line)})"
            related.append((None, hp[0].line, "evaluation rows come from here"))
        else:
            where = "which contains the evaluation rows"
        related.append((None, e.line, "scored here"))
        conf = None if f.cat in _MODEL_CATS else Confidence.MEDIUM
        if f.site is not None:
            # a generic helper fits whatever it is handed: the finding sits on the call handing it
            # the evaluation rows, and the line inside the helper is related
            related.insert(0, (None, f.line, "the helper fits here"))
            return Leak(
                "MLR102",
                f.site,
                f"{self.fit_subject(f)} is fit by `{short(f.site, 50)}` (line {self.L(_fit_line(f))}) on data {where}, "
                f"and is then scored on them at line {self.L(e.line)}, so the evaluation measures memorised rows",
                related=related,
                confidence=conf,
            )
        return Leak(
            "MLR102",
            f.node,
            f"{self.fit_subject(f)} is fit on `{f.data_text}` (line {self.L(f.line)}), {where}, and is then scored on them at line {self.L(e.line)}, "
            "so the evaluation measures memorised rows",
            related=related,
            confidence=conf,
        )

    def _resample_leak(self, rnode: ast.AST, what: str, tok: Token, e: Eval) -> Leak:
        split = next((s for s in self.a.splits if any(tok in t.up for t in s.inputs)), None)
        related: list[Related] = []
        if split is not None:
            related.append((None, split.line, "split after resampling here"))
        related.append((None, e.line, "scored here"))
        where = (
            f"before the split at line {self.L(split.line)}"
            if split is not None
            else "before the evaluation rows are separated"
        )
        return Leak(
            "MLR102",
            rnode,
            f"{what} (line {self.L(getattr(rnode, 'lineno', 0))}) copies or synthesises rows {where}, so copies of training rows "
            f"land in the evaluation set scored at line {self.L(e.line)}",
            related=related,
        )

    def _resample_split(self, rnode: ast.AST, what: str, s: Split) -> Leak:
        kind = "cross-validation folds" if s.kind == "cv" else "train and test parts"
        return Leak(
            "MLR102",
            rnode,
            f"{what} (line {self.L(getattr(rnode, 'lineno', 0))}) copies or synthesises rows and the result is split into {kind} "
            f"at line {self.L(s.line)}, so copies of the same rows end up on both sides",
            related=[(None, s.line, "split after resampling here")],
        )

    def _presented_as_test(self, node: ast.AST) -> bool:
        """The score lands in a test-named variable or a print that calls it a test/validation score."""
        cur: ast.AST | None = node
        parents = self.ctx.parents
        while cur is not None and not isinstance(cur, ast.stmt):
            if (
                isinstance(cur, ast.Call)
                and isinstance(cur.func, ast.Name)
                and cur.func.id == "print"
            ):
                for arg in cur.args:
                    for n in ast.walk(arg):
                        if (
                            isinstance(n, ast.Constant)
                            and isinstance(n.value, str)
                            and role_from_name(n.value.lower().replace(" ", "_")) in (TEST, VAL)
                        ):
                            return True
            cur = parents.get(cur)
        if isinstance(cur, (ast.Assign, ast.AnnAssign)):
            targets = cur.targets if isinstance(cur, ast.Assign) else [cur.target]
            for t in targets:
                if isinstance(t, ast.Name) and role_from_name(t.id) in (TEST, VAL):
                    return True
        return False

    # ------------------------------------------------------------------ MLR103

    def test_set_reuse(self) -> list[Leak]:
        out: list[Leak] = []
        test_evals = {
            e.id: e
            for e in self.evals
            if e.labelled
            and e.kind in ("metric", "score", "curve")
            and self.eval_rows_role(e) == TEST
        }
        reported: set[int] = set()
        for ch in self.a.choices:
            used = sorted(
                (test_evals[i] for i in ch.scores if i in test_evals), key=lambda e: e.line
            )
            if not used:
                continue
            first = used[0]
            if first.line in reported:
                continue
            reported.add(first.line)
            related: list[Related] = [(None, ch.line, "choice made here")]
            related += [
                (None, e.line, "also scored on test here") for e in used[1:] if e.line != first.line
            ][:4]
            if first.kind == "curve":
                msg = (
                    f"the decision threshold is picked from `{first.text}` on the test labels (line {self.L(first.line)}) "
                    f"by the choice at line {self.L(ch.line)}, so the test score no longer estimates unseen data"
                )
            else:
                many = (
                    "inside a loop"
                    if first.loops
                    else ("for several candidates" if len(used) > 1 else "")
                )
                msg = (
                    f"the test set is scored {many} at line {self.L(first.line)} and the result picks a candidate at line {self.L(ch.line)}, "
                    "so the final test score is tuned to the test set"
                ).replace("  ", " ")
            out.append(Leak("MLR103", first.node, msg, related=related))
        # early stopping on the test set that is also the final evaluation set
        for st in self.a.stops:
            if st.line in reported or _role(st.monitored) != TEST:
                continue
            final = sorted(
                (
                    e
                    for e in test_evals.values()
                    if st.fit.id in e.fits and overlap_any(st.monitored, e.rows) is not None
                ),
                key=lambda e: (e.line < st.line, e.line),
            )
            if not final:
                continue
            reported.add(st.line)
            out.append(
                Leak(
                    "MLR103",
                    st.node,
                    f"training monitors the test set through `{st.how}` with early stopping (line {self.L(st.line)}) and the same "
                    f"rows are scored as the final result at line {self.L(final[0].line)}, so the number of iterations is chosen on test",
                    related=[(None, final[0].line, "final evaluation on the same rows")],
                )
            )
        # test scores of several candidates gathered into one table
        seen_loops: set[int] = set()
        for g in self.a.gathers.values():
            used = sorted(
                (test_evals[i] for i in g.scores if i in test_evals), key=lambda e: e.line
            )
            if not used or used[0].line in reported:
                continue
            loop_ids = {id(lp) for e in used for lp in e.loops}
            if loop_ids and loop_ids <= seen_loops:
                continue  # several metric lists filled in the same loop: one finding
            models = {m for e in used for m in e.models}
            looped = any(e.loops for e in used)
            if not (looped or len(models) > 1 or len({e.line for e in used}) > 1):
                continue
            if looped and not any(self._loop_varies_model(e) for e in used):
                continue
            first = used[0]
            reported.add(first.line)
            seen_loops |= loop_ids
            out.append(
                Leak(
                    "MLR103",
                    first.node,
                    f"test-set scores of several candidates are collected into `{g.name}` (line {self.L(first.line)}) for comparison, "
                    "so whichever is picked from them has been tuned on the test set",
                    related=[(None, g.line, "scores collected here")],
                    confidence=Confidence.MEDIUM,
                )
            )
        return out

    def _loop_varies_model(self, e: Eval) -> bool:
        """The loop around a test evaluation trains a different candidate each time (not CV folds)."""
        for loop in e.loops:
            for f in self.fits:
                if f.cat in _MODEL_CATS and self._inside(f.node, loop):
                    return True
            if isinstance(loop, ast.For) and len(e.models) > 1:
                # `for name, m in models.items()`: the loop hands out several scored models (a
                # loop over a groupby's `.indices.items()` scores one model per segment)
                it = loop.iter
                if (
                    isinstance(it, ast.Call)
                    and isinstance(it.func, ast.Attribute)
                    and it.func.attr in ("items", "values")
                ):
                    return True
        return False

    def _inside(self, node: ast.AST, loop: ast.AST) -> bool:
        cur: ast.AST | None = node
        while cur is not None:
            if cur is loop:
                return True
            cur = self.ctx.parents.get(cur)
        return False

    # ------------------------------------------------------------------ MLR104

    def time_evidence(self, rows: frozenset[Token]) -> tuple[str, int, bool] | None:
        """(what, line, strong) showing the rows are ordered in time."""
        weak: tuple[str, int, bool] | None = None
        for t in _ordered(rows):
            for u in t.lineage():
                f = u.facts
                if f.sorted_by:
                    col, line = next(iter(f.sorted_by.items()))
                    return (
                        f"that is sorted by `{col}`"
                        if col != "index"
                        else "that is sorted by its time index",
                        line,
                        True,
                    )
                if f.time_index:
                    return ("that is indexed by time", f.time_index, True)
                if f.windows:
                    return ("built from sliding windows over a series", f.windows, True)
                if f.series_ops:
                    op, line = next(iter(f.series_ops.items()))
                    return (f"that is treated as a time series (`{op}`)", line, True)
                if f.parsed and weak is None:
                    col, line = next(iter(f.parsed.items()))
                    weak = (f"with the parsed datetime column `{col}`", line, False)
        return weak

    def random_split_temporal(self) -> list[Leak]:
        out: list[Leak] = []
        seen: set[int] = set()
        for s in self.a.splits:
            if not s.shuffled or s.time_series or s.grouped or s.line in seen:
                continue
            if s.kind not in ("random", "cv", "sample", "slice") or not _is_real_split(s):
                continue
            ev = self.time_evidence(s.inputs)
            if ev is None:
                continue
            what, line, strong = ev
            seen.add(s.line)
            related: list[Related] = [(None, line, "time order established here")]
            if s.splitter_line and s.splitter_line != s.line:
                related.append((None, s.splitter_line, "shuffling splitter built here"))
            api = (
                f"`{s.api}`"
                if s.api != "positional slicing"
                else "indexing with a random permutation"
            )
            out.append(
                Leak(
                    "MLR104",
                    s.node,
                    f"{api} shuffles rows of data {what} (line {self.L(line)}), so the model trains on the future "
                    "and is tested on the past",
                    related=related,
                    confidence=None if strong else Confidence.MEDIUM,
                )
            )
        return out

    # ------------------------------------------------------------------ MLR105

    def entity_evidence(self, rows: frozenset[Token]) -> tuple[str, str, int, bool] | None:
        """(column, evidence, line, strong) that rows repeat an entity."""
        unique: set[str] = set()
        cols: dict[str, int] = {}
        event: int | None = None
        for t in _ordered(rows):
            for u in t.lineage():
                unique |= u.facts.unique_on
                for c, line in u.facts.entity_cols.items():
                    cols.setdefault(c, line)
                if u.facts.event_source and event is None:
                    event = u.facts.event_source
        for t in _ordered(rows):
            for u in t.lineage():
                for c, (line, why) in u.facts.repeated.items():
                    if c not in unique:
                        return c, why, line, True
        if event is not None:
            for c in cols:
                if c not in unique:
                    return c, "the data is an event log", event, False
        return None

    def group_split_leak(self) -> list[Leak]:
        out: list[Leak] = []
        seen: set[int] = set()
        for s in self.a.splits:
            if (
                s.grouped
                or s.time_series
                or s.line in seen
                or s.kind not in ("random", "cv", "sample")
                or not _is_real_split(s)
            ):
                continue
            if (
                s.kind == "cv"
                and _cv_inside_training(s)
                and any(
                    p.split is not None and p.split.grouped
                    for t in s.inputs
                    for p in [t.split_part()]
                    if p is not None
                )
            ):
                continue
            ev = self.entity_evidence(s.inputs)
            if ev is None:
                continue
            col, why, line, strong = ev
            seen.add(s.line)
            out.append(
                Leak(
                    "MLR105",
                    s.node,
                    f"`{s.api}` splits row by row, but rows repeat the same `{col}` ({why}, line {self.L(line)}), "
                    "so the same entities end up on both sides of the split",
                    related=[(None, line, "repeated entities shown here")],
                    confidence=None if strong else Confidence.MEDIUM,
                )
            )
        return out

    # ------------------------------------------------------------------ MLR106

    def has_time(self, rows: frozenset[Token]) -> tuple[str, int] | None:
        for t in _ordered(rows):
            for u in t.lineage():
                f = u.facts
                for d in (f.parsed, f.time_cols):
                    for c, line in d.items():
                        return c, line
                if f.time_index:
                    return "index", f.time_index
        # a parameter of a helper: another function of the module shows the same frame's
        # timestamp (`order_labels(labels)` sorts by `decision_time`)
        for t in _ordered(rows):
            for u in t.lineage():
                name = self.a.param_names.get(u.id)
                if name is not None and name in self.a.param_time:
                    return self.a.param_time[name]
        return None

    def is_event_like(self, rows: frozenset[Token], keys: tuple[str, ...] = ()) -> bool:
        """Many rows per key: an event log rather than a dimension table."""
        for t in rows:
            for u in t.lineage():
                if u.facts.repeated or u.facts.event_source or u.facts.series_ops:
                    return True
                if any(k in u.facts.grouped for k in keys):
                    return True
        return False

    def time_filtered(self, rows: frozenset[Token]) -> bool:
        return any(u.facts.time_filtered for t in rows for u in t.lineage())

    def point_in_time_join(self) -> list[Leak]:
        out: list[Leak] = []
        for m in sorted(self.a.merges.values(), key=lambda m: m.line):
            if m.kind == "asof":
                if m.direction in ("forward", "nearest"):
                    out.append(
                        Leak(
                            "MLR106",
                            m.node,
                            f'`merge_asof(direction="{m.direction}")` (line {self.L(m.line)}) can attach feature rows recorded after '
                            "each label's time, so the model sees the future",
                        )
                    )
                continue
            if m.resolved or not m.keys:
                continue
            if any(self._is_time_key(m, k) for k in m.keys):
                continue
            left_t = self.has_time(m.left)
            if left_t is None:
                continue
            right_t = self.has_time(m.right)
            if (
                right_t is not None
                and (self.is_event_like(m.right, m.keys) or is_snapshot_time_column(right_t[0]))
                and not self.time_filtered(m.right)
            ):
                keys = ", ".join(f"`{k}`" for k in m.keys)
                out.append(
                    Leak(
                        "MLR106",
                        m.node,
                        f"`{m.right_text}` is joined onto `{m.left_text}` on {keys} only (line {self.L(m.line)}) although both carry "
                        f"timestamps (`{left_t[0]}`, `{right_t[0]}`), so each row also gets feature rows from after its own time",
                        related=[
                            (None, right_t[1], "feature timestamps here"),
                            (None, left_t[1], "label timestamps here"),
                        ],
                    )
                )
                continue
            if m.right_agg_of:
                src_t = self.has_time(m.right_agg_of)
                if src_t is not None and not self.time_filtered(m.right_agg_of):
                    keys = ", ".join(f"`{k}`" for k in m.keys)
                    out.append(
                        Leak(
                            "MLR106",
                            m.node,
                            f"`{m.right_text}` aggregates timestamped rows over all time and is joined onto `{m.left_text}` on "
                            f"{keys} only (line {self.L(m.line)}), so rows get aggregates that include events after their own time (`{left_t[0]}`)",
                            related=[
                                (None, src_t[1], "aggregated events carry timestamps here"),
                                (None, left_t[1], "label timestamps here"),
                            ],
                            confidence=Confidence.MEDIUM,
                        )
                    )
        return out

    def _is_time_key(self, m: object, key: str) -> bool:
        from mle_review.analysis.names import is_time_column

        return is_time_column(key)


def statement_of(ctx: ModuleContext, node: ast.AST) -> ast.AST:
    """The smallest statement holding ``node``: findings name its first line."""
    cur: ast.AST | None = node
    while cur is not None and not isinstance(cur, ast.stmt):
        cur = ctx.parents.get(cur)
    if isinstance(
        cur, (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try)
    ):
        return node  # a call in a loop/if header: report the call itself
    return cur if cur is not None else node
