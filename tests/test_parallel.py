"""Worker processes must change how fast a scan is, never what it reports."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from mle_review.config import Config
from mle_review.engine import parallel
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
@pytest.mark.parametrize("tree", [FIXTURE_RULES, CORPUS], ids=["fixtures", "corpus"])
def test_parallel_report_is_identical_to_serial(tree: Path) -> None:
    serial = scan_paths([tree], tree, Config(jobs=1), report_unused_ignores=True)
    forked = scan_paths([tree], tree, Config(jobs=2), report_unused_ignores=True)
    assert len(serial.findings) > 100
    assert _comparable(forked) == _comparable(serial)


@needs_fork
def test_a_worker_dying_loses_no_finding() -> None:
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

    rule.check_module = dies_in_worker  # type: ignore[method-assign]
    project, errors, states = engine.load_project(discover([root], root, engine.config))
    findings, rule_errors = engine.run(project, states)
    assert not errors and not rule_errors
    assert [f.model_dump() for f in findings] == [f.model_dump() for f in expected.findings]
