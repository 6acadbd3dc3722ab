"""Unit tests for the leakage dataflow analysis (src/mle_review/analysis)."""

from __future__ import annotations

import ast
import textwrap
import time

import pytest

from mle_review.analysis import dataflow, leaks
from mle_review.analysis.dataflow import Analysis, Interpreter, analyse
from mle_review.analysis.lineage import Token, overlap
from mle_review.analysis.names import (
    TEST,
    TRAIN,
    VAL,
    is_entity_column,
    is_event_source,
    is_time_column,
    role_from_name,
)
from mle_review.analysis.specs import Cat, Fn, class_spec, function_spec
from mle_review.config import Config
from mle_review.engine.context import ModuleContext, ProjectContext, detect_roles


def _ctx(src: str, path: str = "train_model.py") -> ModuleContext:
    source = textwrap.dedent(src)
    config = Config()
    ctx = ModuleContext(
        path=path,
        source=source,
        tree=ast.parse(source),
        config=config,
        project=ProjectContext(root=".", config=config),
    )
    ctx.roles = detect_roles(path, source, ctx.imports, config)
    return ctx


def _run(src: str) -> Analysis:
    return Interpreter(_ctx(src)).run()


def _leaks(src: str, rule: str) -> list[leaks.Leak]:
    return leaks.leaks_for(_ctx(src), rule)


HEADER = """\
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
"""


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("X_train", TRAIN),
        ("Xtr", TRAIN),
        ("train_df", TRAIN),
        ("X_trainval", TRAIN),
        ("X_test", TEST),
        ("x_te", TEST),
        ("holdout", TEST),
        ("y_val", VAL),
        ("X_valid", VAL),
        ("latest", None),
        ("fastest", None),
        ("contest", None),
        ("text", None),
        ("X", None),
    ],
)
def test_role_from_name(name: str, role: str | None) -> None:
    assert role_from_name(name) == role


@pytest.mark.parametrize(
    ("col", "expected"),
    [
        ("order_date", True),
        ("created_at", True),
        ("signupDate", True),
        ("ts", True),
        ("candidate", False),
        ("update", False),
        ("session_duration", False),
        ("runtime", False),
        ("tenure_days", False),
    ],
)
def test_time_columns(col: str, expected: bool) -> None:
    assert is_time_column(col) is expected


@pytest.mark.parametrize(
    ("col", "expected"),
    [
        ("user_id", True),
        ("customerID", True),
        ("Patient ID", True),
        ("device", True),
        ("PassengerId", False),
        ("order_id", False),
        ("id", False),
        ("product_id", False),
    ],
)
def test_entity_columns(col: str, expected: bool) -> None:
    assert is_entity_column(col) is expected


def test_event_sources() -> None:
    assert is_event_source("data/click_events.csv")
    assert is_event_source("user_sessions.parquet")
    assert not is_event_source("customers.csv")


# --- the API table --------------------------------------------------------------------------


def test_class_table_keeps_same_names_from_different_libraries_apart() -> None:
    sk = class_spec("sklearn.preprocessing.OneHotEncoder")
    ce = class_spec("category_encoders.OneHotEncoder")
    assert sk is not None and ce is not None
    assert sk.libs == ("sklearn",) and ce.libs == ("category_encoders",)
    te = class_spec("sklearn.preprocessing.TargetEncoder")
    assert te is not None and te.cat is Cat.TARGET_ENCODER


def test_class_table_falls_back_on_package_and_suffix() -> None:
    model = class_spec("lightgbm.LGBMRegressor")
    assert model is not None and model.cat is Cat.MODEL
    assert class_spec("mypackage.MyScaler") is None
    ts = class_spec("sklearn.model_selection.TimeSeriesSplit")
    assert ts is not None and ts.time_series
    kf = class_spec("sklearn.model_selection.KFold")
    assert kf is not None and kf.shuffle == "kwarg"


def test_function_table() -> None:
    loader = function_spec("pandas.read_csv")
    assert loader is not None and loader.kind is Fn.LOAD
    ds = function_spec("sklearn.datasets.load_iris")
    assert ds is not None and ds.kind is Fn.LOAD
    scorer = function_spec("sklearn.metrics.make_scorer")
    assert scorer is None or scorer.kind is not Fn.LOAD
    keras = function_spec("tensorflow.keras.datasets.mnist.load_data")
    assert keras is not None and keras.kind is Fn.LOAD_SPLIT


# --- row tokens -------------------------------------------------------------------------------


def test_overlap_semantics() -> None:
    df = Token("source", 1, "df")
    other = Token("source", 2, "other")
    train = Token("part", 3, "train", (df,), role=TRAIN)
    test = Token("part", 3, "test", (df,), role=TEST)
    both = Token("combine", 4, "concat", (train, test))
    sorted_df = Token("alias", 5, "sorted", (df,))
    assert overlap(train, test) is None  # parts of one split are disjoint
    assert overlap(df, test) is df  # the whole contains its parts
    assert overlap(both, test) is not None  # a union contains its inputs
    assert overlap(sorted_df, test) is not None  # an alias is the same rows
    assert overlap(other, df) is None
    up = Token("resample", 6, "smote", (df,), duplicative=True)
    a = Token("part", 7, "a", (up,), role=TRAIN)
    b = Token("part", 7, "b", (up,), role=TEST)
    assert overlap(a, b) is up  # copies of a row land on both sides


# --- the interpreter ---------------------------------------------------------------------------


def test_tuple_unpacking_and_three_way_split_roles() -> None:
    a = _run(
        HEADER
        + """
df = pd.read_csv("d.csv")
X_tmp, X_test, y_tmp, y_test = train_test_split(df.drop(columns="y"), df["y"], test_size=0.2)
X_train, X_val, y_train, y_val = train_test_split(X_tmp, y_tmp, test_size=0.25)
"""
    )
    assert len(a.splits) == 2
    first, second = a.splits
    assert [p.role for p in first.parts] == [TRAIN, TEST]
    assert [p.role for p in second.parts] == [TRAIN, VAL]
    assert all(first.parts[0] in t.up for t in second.inputs)


def test_helper_functions_are_followed_param_to_return() -> None:
    a = _run(
        HEADER
        + """
def clean(frame):
    frame = frame.copy()
    frame["age"] = frame["age"].fillna(frame["age"].mean())
    return frame

def main():
    df = clean(pd.read_csv("d.csv"))
    X_train, X_test, y_train, y_test = train_test_split(df[["age"]], df["y"])

main()
"""
    )
    (fit,) = [f for f in a.fit_list() if f.cat == "statistic"]
    (split,) = a.splits
    assert fit.id in split.fits


def test_branches_are_joined() -> None:
    a = _run(
        HEADER
        + """
df = pd.read_csv("d.csv")
if FLAG:
    X = StandardScaler().fit_transform(df)
else:
    X = df.values
X_train, X_test = train_test_split(X)
"""
    )
    (split,) = a.splits
    (fit,) = a.fit_list()
    assert fit.id in split.fits


def test_masks_and_positional_slices_become_split_parts() -> None:
    a = _run(
        HEADER
        + """
df = pd.read_csv("d.csv", parse_dates=["date"])
train = df[df["date"] < "2021-01-01"]
test = df[df["date"] >= "2021-01-01"]
n = int(len(df) * 0.8)
head, tail = df.iloc[:n], df.iloc[n:]
"""
    )
    kinds = sorted(s.kind for s in a.splits)
    assert kinds == ["slice", "time_cutoff"]
    cut = next(s for s in a.splits if s.kind == "time_cutoff")
    roles = sorted(p.role or "-" for p in cut.parts)
    assert roles == [TEST, TRAIN]
    assert overlap(cut.parts[0], cut.parts[1]) is None


def test_time_and_entity_facts() -> None:
    ctx = _ctx(
        HEADER
        + """
ev = pd.read_csv("events.csv", parse_dates=["event_time"])
ev = ev.sort_values("event_time")
ev["n"] = ev.groupby("user_id")["event_id"].transform("count")
X_train, X_test = train_test_split(ev)
"""
    )
    q = leaks._Queries(ctx, Interpreter(ctx).run())
    (split,) = q.a.splits
    evidence = q.time_evidence(split.inputs)
    assert evidence is not None and "sorted by `event_time`" in evidence[0] and evidence[2]
    entity = q.entity_evidence(split.inputs)
    assert entity is not None and entity[0] == "user_id" and entity[3]


def test_loops_see_values_from_the_previous_iteration() -> None:
    a = _run(
        HEADER
        + """
df = pd.read_csv("d.csv")
X_train, X_test, y_train, y_test = train_test_split(df[["a"]], df["y"])
scores = []
for C in [0.1, 1.0, 10.0]:
    m = LogisticRegression(C=C).fit(X_train, y_train)
    scores.append(accuracy_score(y_test, m.predict(X_test)))
best = max(scores)
"""
    )
    (choice,) = a.choices
    assert any(a.evals[i].loops for i in choice.scores)


def test_unknown_code_hides_leaks_instead_of_inventing_them() -> None:
    src = (
        HEADER
        + """
from mylib import prepare, my_split
df = pd.read_csv("d.csv")
X = prepare(df)
X_train, X_test, y_train, y_test = my_split(X, df["y"])
model = LogisticRegression().fit(X_train, y_train)
print(accuracy_score(y_test, model.predict(X_test)))
"""
    )
    for rule in ("MLR101", "MLR102", "MLR103"):
        assert _leaks(src, rule) == []


def test_final_refit_after_evaluation_is_not_overlap() -> None:
    src = (
        HEADER
        + """
df = pd.read_csv("d.csv")
X, y = df[["a", "b"]], df["y"]
X_train, X_test, y_train, y_test = train_test_split(X, y)
model = LogisticRegression().fit(X_train, y_train)
print(accuracy_score(y_test, model.predict(X_test)))
model.fit(X, y)
"""
    )
    assert _leaks(src, "MLR102") == []


def test_message_explains_the_chain() -> None:
    src = (
        HEADER
        + """
df = pd.read_csv("d.csv")
X, y = df[["a", "b"]], df["y"]
scaler = StandardScaler()
X = scaler.fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(X, y)
"""
    )
    (leak,) = _leaks(src, "MLR101")
    assert "scaler `scaler`" in leak.message
    assert "(line 11)" in leak.message and "at line 12" in leak.message
    assert leak.related == [(None, 12, "split into train and test here")]


def test_notebook_lines_in_messages_are_ipynb_lines() -> None:
    ctx = _ctx("x = 1\n")

    class FakeNotebook:
        def to_file_line(self, line: int) -> tuple[int, int]:
            return line + 100, 0

    ctx.notebook = FakeNotebook()  # type: ignore[assignment]
    q = leaks._Queries(ctx, Analysis())
    assert q.L(3) == 103


def test_analysis_runs_once_per_module() -> None:
    ctx = _ctx(HEADER + "\ndf = pd.read_csv('d.csv')\ntrain, test = train_test_split(df)\n")
    calls = 0
    original = dataflow.Interpreter.run

    def counting(self: Interpreter) -> Analysis:
        nonlocal calls
        calls += 1
        return original(self)

    dataflow.Interpreter.run = counting  # type: ignore[method-assign]
    try:
        for rule in ("MLR101", "MLR102", "MLR103", "MLR104", "MLR105", "MLR106"):
            leaks.leaks_for(ctx, rule)
        assert analyse(ctx) is analyse(ctx)
    finally:
        dataflow.Interpreter.run = original  # type: ignore[method-assign]
    assert calls == 1


def test_modules_without_splits_fits_or_joins_are_skipped() -> None:
    ctx = _ctx("import pandas as pd\ndf = pd.read_csv('x.csv')\nprint(df.describe())\n")
    assert not leaks.relevant(ctx)
    assert not leaks.relevant(_ctx("model.fit(X, y)\n", path="tests/test_model.py"))


def test_budget_overflow_gives_no_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataflow, "_MAX_STEPS", 50)
    body = "\n".join(f"x{i} = scaler.fit_transform(X)" for i in range(40))
    src = HEADER + "X = pd.read_csv('d.csv')\nscaler = StandardScaler()\n" + body + "\n"
    src += "X_train, X_test = train_test_split(x0)\n"
    ctx = _ctx(src)
    assert analyse(ctx).complete is False
    assert leaks.leaks_for(ctx, "MLR101") == []


def test_a_long_script_is_analysed_quickly() -> None:
    block = """
df{i} = pd.read_csv("part{i}.csv", parse_dates=["date"]).sort_values("date")
df{i}["a"] = df{i}["a"].fillna(df{i}["a"].median())
X{i}, y{i} = df{i}[["a", "b"]], df{i}["y"]
X{i}_train, X{i}_test, y{i}_train, y{i}_test = train_test_split(X{i}, y{i})
m{i} = LogisticRegression().fit(StandardScaler().fit_transform(X{i}_train), y{i}_train)
print(accuracy_score(y{i}_test, m{i}.predict(X{i}_test)))
"""
    src = HEADER + "".join(block.format(i=i) for i in range(80))
    ctx = _ctx(src)
    started = time.perf_counter()
    found = leaks.leaks_for(ctx, "MLR101")
    elapsed = time.perf_counter() - started
    assert len(found) == 80
    assert elapsed < 1.0, elapsed


def test_statistics_that_define_the_label_are_not_preprocessing() -> None:
    src = (
        HEADER
        + """
fd = pd.read_csv("engines.csv")
fd["rul"] = fd.groupby("engine_id")["cycle"].transform("max") - fd["cycle"]
fd["s2_mean"] = fd["s2"].fillna(fd["s2"].mean())
X_tr, X_te, y_tr, y_te = train_test_split(fd[FEATURES], fd["rul"])
"""
    )
    (leak,) = _leaks(src, "MLR101")
    assert "fd['s2'].mean()" in leak.message


def test_methods_called_on_self_are_followed() -> None:
    src = (
        HEADER
        + """
class Trainer:
    def __init__(self):
        self.scaler = StandardScaler()

    def split(self, X, y):
        return train_test_split(X, y)

    def run(self, X, y):
        X = self.scaler.fit_transform(X)
        X_train, X_test, y_train, y_test = self.split(X, y)
        return LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
"""
    )
    (leak,) = _leaks(src, "MLR101")
    assert "self.scaler" in leak.message or "StandardScaler" in leak.message


def test_a_lone_sample_is_a_subsample_not_a_split() -> None:
    src = (
        HEADER
        + """
df = pd.read_csv("trips.csv", parse_dates=["pickup_time"]).sort_values("pickup_time")
small = df.sample(frac=0.01)
print(small.corr())
"""
    )
    assert _leaks(src, "MLR104") == []
    src_split = src + "rest = df.drop(small.index)\n"
    assert len(_leaks(src_split, "MLR104")) == 1


def test_hugging_face_trainer_keeping_the_best_checkpoint_on_test() -> None:
    src = """
from datasets import load_dataset
from transformers import Trainer, TrainingArguments
ds = load_dataset("imdb")
args = TrainingArguments(output_dir="o", load_best_model_at_end=True)
trainer = Trainer(model=model, args=args, train_dataset=ds["train"], eval_dataset=ds["test"])
trainer.train()
print(trainer.evaluate(ds["test"]))
"""
    (leak,) = _leaks(src, "MLR103")
    assert "eval_dataset" in leak.message
    assert _leaks(src, "MLR102") == []


def test_composite_group_keys_do_not_make_each_column_unique() -> None:
    src = (
        HEADER
        + """
prior = pd.read_csv("orders.csv")
up = prior.groupby(["user_id", "product_id"]).agg(n=("order_id", "nunique")).reset_index()
up["user_n"] = up.groupby("user_id")["n"].transform("max")
train, test = train_test_split(up)
"""
    )
    (leak,) = _leaks(src, "MLR105")
    assert "user_id" in leak.message
