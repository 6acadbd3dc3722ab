"""Scans split over worker processes that each parse a share: same report, whatever happens."""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest

from mle_review.config import Config
from mle_review.engine import parallel, sharded
from mle_review.engine.context import ImportMap, ModuleContext, ProjectContext, Role
from mle_review.engine.runner import Engine, scan_paths
from mle_review.models import ScanReport

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "benchmarks" / "corpus"

needs_fork = pytest.mark.skipif(
    not parallel.can_fork(), reason="no safe fork here (platform, or other threads are alive)"
)


def _comparable(report: ScanReport) -> dict[str, object]:
    data = report.model_dump(mode="json")
    data["stats"].pop("seconds")
    return data


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


@needs_fork
def test_workers_dying_while_loading_lose_nothing(
    monkeypatch: pytest.MonkeyPatch, serial_corpus: dict[str, object]
) -> None:
    _dies_in_workers(monkeypatch, Engine, "_load_candidate")
    forked = scan_paths([CORPUS], CORPUS, Config(jobs=2), report_unused_ignores=True)
    assert _comparable(forked) == serial_corpus


@needs_fork
def test_workers_dying_while_analysing_lose_nothing(
    monkeypatch: pytest.MonkeyPatch, serial_corpus: dict[str, object]
) -> None:
    rule_type = type(Engine(CORPUS, Config()).rules[0])
    _dies_in_workers(monkeypatch, rule_type, "check_module")
    forked = scan_paths([CORPUS], CORPUS, Config(jobs=2), report_unused_ignores=True)
    assert _comparable(forked) == serial_corpus


@needs_fork
def test_the_worker_running_project_rules_dying_loses_nothing(
    monkeypatch: pytest.MonkeyPatch, serial_corpus: dict[str, object]
) -> None:
    rule_type = next(type(r) for r in Engine(CORPUS, Config()).rules if r.id == "MLR404")
    _dies_in_workers(monkeypatch, rule_type, "check_project")
    forked = scan_paths([CORPUS], CORPUS, Config(jobs=2), report_unused_ignores=True)
    assert _comparable(forked) == serial_corpus


@needs_fork
def test_a_rule_crashing_in_a_worker_is_reported_as_in_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rule_type = next(type(r) for r in Engine(CORPUS, Config()).rules if r.id == "MLR404")

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
    rule_type = type(Engine(CORPUS, Config()).rules[0])
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
