"""Worker processes must change how fast a scan is, never what it reports.

Covers both ways work is split: rules forked after loading (``review``) and
workers that each parse a share (``scan``), including workers that die and
files that cannot be parsed.
"""

from __future__ import annotations

import ast
import os
import pickle
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mle_review.config import Config
from mle_review.engine import parallel, runner, sharded
from mle_review.engine.context import ImportMap, ModuleContext, ProjectContext, Role
from mle_review.engine.files import discover
from mle_review.engine.runner import Engine, scan_paths
from mle_review.models import ScanReport

REPO = Path(__file__).resolve().parents[1]
FIXTURE_RULES = REPO / "tests" / "fixtures" / "rules"
CORPUS = REPO / "benchmarks" / "corpus"

needs_fork = pytest.mark.skipif(
    not parallel.can_fork(), reason="no safe fork here (platform, or other threads are alive)"
)


def _comparable(report: ScanReport) -> dict[str, object]:
    data = report.model_dump(mode="json")
    data["stats"].pop("seconds")
    return data


def test_run_sharded_covers_every_item_once_in_any_mode() -> None:
    costs = [i % 7 for i in range(103)]
    calls: list[int] = []
    for jobs in (1, 2, 3):
        calls.clear()
        done = parallel.run_sharded(costs, jobs, lambda i: i * i, lambda: calls.append(1))
        assert done == {i: i * i for i in range(103)}
        assert calls == [1]  # the parent's own task runs exactly once


@needs_fork
def test_run_sharded_really_uses_other_processes() -> None:
    def work(_index: int) -> int:
        time.sleep(0.005)  # long enough that the worker gets chunks before the parent drains them
        return os.getpid()

    done = parallel.run_sharded([1] * 200, 2, work)
    assert os.getpid() in done.values()
    assert len(set(done.values())) == 2


@needs_fork
def test_work_a_dead_worker_did_not_report_is_redone_in_the_parent() -> None:
    parent = os.getpid()

    def work(index: int) -> int:
        if os.getpid() != parent:
            os._exit(3)  # a worker killed mid-run (OOM killer, segfault in an extension)
        return index

    assert parallel.run_sharded([1] * 64, 2, work) == {i: i for i in range(64)}


def test_effective_jobs_stays_serial_where_forking_does_not_pay_or_is_unsafe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert parallel.effective_jobs(1, 10_000) == 1
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setattr(parallel, "available_cores", lambda: 8)
    assert parallel.effective_jobs(0, 10) == 1  # small scans: a worker costs more than it saves
    assert parallel.effective_jobs(0, 10_000) == 4
    assert parallel.effective_jobs(3, 10) == 3  # asked for explicitly
    assert parallel.effective_jobs(5, 2) == 2  # never more processes than modules
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    assert parallel.effective_jobs(4, 10_000) == 1


def test_a_live_thread_turns_forking_off() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.can_fork()
    finally:
        stop.set()
        thread.join()


@needs_fork
def test_parallel_report_on_the_rule_fixtures_is_identical_to_serial() -> None:
    tree = FIXTURE_RULES  # every rule's hard cases, notebooks and dependency files included
    serial = scan_paths([tree], tree, Config(jobs=1), report_unused_ignores=True)
    forked = scan_paths([tree], tree, Config(jobs=2), report_unused_ignores=True)
    assert len(serial.findings) > 100
    assert _comparable(forked) == _comparable(serial)


@needs_fork
def test_a_rule_worker_forked_after_loading_dying_loses_no_finding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = CORPUS
    expected = scan_paths([root], root, Config(jobs=1))
    engine = Engine(root, Config(jobs=2))
    parent = os.getpid()
    rule = engine.rules[0]
    original = rule.check_module

    def dies_in_worker(ctx):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os._exit(9)
        return original(ctx)

    # The registry's rule objects are shared by every later test: patch, then restore.
    monkeypatch.setattr(rule, "check_module", dies_in_worker)
    project, errors, states = engine.load_project(discover([root], root, engine.config))
    findings, rule_errors = engine.run(project, states)
    assert not errors and not rule_errors
    assert [f.model_dump() for f in findings] == [f.model_dump() for f in expected.findings]


# --- scans that fork before parsing (engine/sharded.py) ---------------------------


@pytest.fixture(scope="module")
def serial_corpus() -> dict[str, object]:
    return _comparable(scan_paths([CORPUS], CORPUS, Config(jobs=1), report_unused_ignores=True))


def test_contiguous_chunks_cover_every_item_once_in_order() -> None:
    sizes = [5, 1, 1, 30, 2, 2, 2, 9, 1, 1, 1, 4]
    for count in (1, 2, 3, 5, 12, 40):
        runs = sharded.contiguous_chunks(sizes, count)
        assert [i for r in runs for i in r] == list(range(len(sizes)))
        assert 1 <= len(runs) <= min(count, len(sizes))
        assert all(len(r) for r in runs)
    assert sharded.contiguous_chunks([], 4) == []


def _module(source: str, path: str = "pkg/mod.py") -> ModuleContext:
    project = ProjectContext(root=".", config=Config())
    return ModuleContext(
        path=path, source=source, tree=ast.parse(source), config=Config(), project=project
    )


def test_a_remote_module_answers_like_the_module_it_summarises() -> None:
    source = (
        "import os, numpy as np\n"
        "from . import features\n"
        "from ..common.io import load as read, save\n"
        "def f(x):\n"
        "    import json\n"
        "    return np.log1p(x)\n"
    )
    original = _module(source)
    original.roles = frozenset({Role.SERVING})
    summary = sharded.summarise(original, [])
    remote = sharded.RemoteModule(original.path, summary, Config(), original.project)
    assert remote.roles == original.roles
    assert remote.source == original.source
    assert [ast.dump(n) for n in remote.import_nodes] == [
        ast.dump(n) for n in original.import_nodes
    ]
    assert isinstance(remote.imports, ImportMap)
    assert remote.imports.names == original.imports.names
    assert remote.imports.modules == original.imports.modules
    assert remote._tree is None  # nothing parsed until a rule needs the tree
    assert [type(n) for n in remote.nodes(ast.Call)] == [type(n) for n in original.nodes(ast.Call)]
    assert ast.dump(remote.tree) == ast.dump(original.tree)


def test_a_chunk_of_summaries_survives_the_trip_and_the_parent_reads_only_its_sources() -> None:
    module = _module("import numpy as np\nx = np.zeros(3)\n")
    summaries: dict[int, sharded.ModuleSummary | str] = {
        3: sharded.summarise(module, []),
        4: "syntax error: invalid syntax (line 1)",
    }
    light, rest = sharded.encode_chunk(summaries)
    assert sharded.decode_chunk((light, rest)) == summaries
    sources, failures = pickle.loads(light)  # what the parent decodes
    assert sources == {3: module.source}
    assert failures == {4: "syntax error: invalid syntax (line 1)"}


def test_a_rule_summary_is_computed_once_per_module() -> None:
    calls: list[str] = []

    class Counting:
        id = "MLR999"

        def summarise(self, ctx: ModuleContext) -> object:
            calls.append(ctx.path)
            return len(ctx.source)

    module = _module("x = 1\n")
    rule = Counting()
    assert module.project.summary(rule, module) == 6
    assert module.project.summary(rule, module) == 6
    assert calls == [module.path]


@needs_fork
@pytest.mark.parametrize("jobs", [2, 3])
def test_sharded_report_is_identical_to_serial(jobs: int, serial_corpus: dict[str, object]) -> None:
    forked = scan_paths([CORPUS], CORPUS, Config(jobs=jobs), report_unused_ignores=True)
    assert _comparable(forked) == serial_corpus


@needs_fork
def test_bad_files_in_a_workers_share_are_reported_as_in_one_process(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(CORPUS, root)
    (root / "serving" / "broken.py").write_text("def f(:\n    pass\n")
    (root / "serving" / "blob.py").write_bytes(b"\x00\x01\x02binary\xff")
    (root / "serving" / "nb.ipynb").write_text("{not json")
    serial = scan_paths([root], root, Config(jobs=1))
    forked = scan_paths([root], root, Config(jobs=2))
    assert {e.path for e in serial.errors} >= {
        "serving/broken.py",
        "serving/blob.py",
        "serving/nb.ipynb",
    }
    assert _comparable(forked) == _comparable(serial)


def _dies_in_workers(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
    """Make ``owner.name`` kill any worker process that calls it (the parent is spared)."""
    parent = os.getpid()
    original = getattr(owner, name)

    def dying(*args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            os._exit(9)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, dying)


def _rule_type(rule_id: str | None) -> type:
    rules = Engine(CORPUS, Config()).rules
    return type(rules[0] if rule_id is None else next(r for r in rules if r.id == rule_id))


@needs_fork
@pytest.mark.parametrize(
    ("owner", "method"),
    [
        (lambda: Engine, "_load_candidate"),  # while loading
        (lambda: _rule_type(None), "check_module"),  # while analysing
        (lambda: _rule_type("MLR404"), "check_project"),  # the worker with the project rules
    ],
    ids=["loading", "analysing", "project-rules"],
)
def test_workers_dying_lose_nothing(
    monkeypatch: pytest.MonkeyPatch,
    serial_corpus: dict[str, object],
    owner: Callable[[], object],
    method: str,
) -> None:
    _dies_in_workers(monkeypatch, owner(), method)
    forked = scan_paths([CORPUS], CORPUS, Config(jobs=2), report_unused_ignores=True)
    assert _comparable(forked) == serial_corpus


@needs_fork
def test_a_rule_crashing_in_a_worker_is_reported_as_in_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rule_type = _rule_type("MLR404")

    def broken(self: object, ctx: ModuleContext) -> object:
        raise ValueError("summary failed")

    monkeypatch.setattr(rule_type, "summarise", broken)
    serial = scan_paths([CORPUS], CORPUS, Config(jobs=1))
    forked = scan_paths([CORPUS], CORPUS, Config(jobs=2))
    assert any("internal error in MLR404" in e.message for e in serial.errors)
    assert _comparable(forked) == _comparable(serial)


@needs_fork
def test_notebooks_are_analysed_by_the_workers_not_after_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    parent = os.getpid()
    seen = tmp_path / "pids"
    rule_type = _rule_type(None)
    original = rule_type.check_module

    def recording(self: object, ctx: ModuleContext) -> object:
        if ctx.notebook is not None:
            with seen.open("a") as out:
                out.write(f"{os.getpid()}\n")
        return original(self, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(rule_type, "check_module", recording)
    report = scan_paths([CORPUS], CORPUS, Config(jobs=2))
    pids = seen.read_text().split()
    assert len(pids) == len(list(CORPUS.rglob("*.ipynb"))) > 0
    assert str(parent) not in pids
    assert report.findings


@pytest.mark.parametrize("root", [FIXTURE_RULES, CORPUS])
def test_findings_do_not_depend_on_the_order_files_are_reported_in(root: Path) -> None:
    """What lets the parent build findings chunk by chunk as workers report them."""
    engine = Engine(root, Config(jobs=1))
    project, _errors, states = engine.load_project(discover([root], root, engine.config))
    per_module, per_text, whole = engine._produce_all(project, timed=False)
    in_order = engine.emit([*per_module, *per_text, whole], states)
    for state in states.values():
        state.fingerprints.clear()
    shuffled = per_module[1::2] + per_module[0::2][::-1]
    assert sorted(p[0] or "" for p in shuffled) == sorted(p[0] or "" for p in per_module)
    emission = runner.Emission(engine, states)
    emission.add(shuffled)
    emission.add(per_text)
    emission.add([whole])
    findings, errors = emission.result()
    assert [f.model_dump() for f in findings] == [f.model_dump() for f in in_order[0]]
    assert errors == in_order[1]
