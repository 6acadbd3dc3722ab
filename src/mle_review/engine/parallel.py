"""Run per-module rule work on several cores by forking after the project is loaded.

``review`` uses this: it keeps its parsed contexts for the compact and the
checklist. ``scan`` forks before parsing instead (``engine/sharded.py``).

Rules need every tree (serving graphs, cross-file helpers, duplicated feature
code), so trees are parsed once in the parent and the forked workers share
them copy-on-write; only the small, plain-data results travel back through a
pipe. Work is handed out dynamically: chunk numbers sit in a pipe written
before the fork, and every process (the parent included) reads the next one
until the pipe is empty. A read of four bytes from a pipe is atomic, so no lock
is needed, and a worker that dies loses nothing: whatever it did not report is
redone in the parent.

Forking is only used where it is safe and pays: a POSIX ``fork`` that is not
macOS's (where system frameworks forbid it), a process with no other threads
(a thread holding a lock at fork time would deadlock the child), and a scan
big enough to repay the start-up of a worker.
"""

from __future__ import annotations

import gc
import os
import pickle
import struct
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

R = TypeVar("R")

# Below this many modules a serial run is as fast as forking a worker.
MIN_PARALLEL_MODULES = 48
_CHUNKS_PER_JOB = 16
TOKEN = struct.Struct("<I")  # a chunk number in a queue pipe; 4-byte reads are atomic


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    return (
        hasattr(os, "fork")
        and sys.platform != "darwin"
        and not sys.platform.startswith("win")
        and threading.active_count() == 1
    )


def effective_jobs(requested: int, items: int) -> int:
    """Workers to use: ``requested`` (0 = one per core, at most 4) when forking is possible."""
    jobs = requested if requested > 0 else min(available_cores(), 4)
    if jobs <= 1 or not can_fork():
        return 1
    if requested <= 0 and items < MIN_PARALLEL_MODULES:
        return 1
    return max(1, min(jobs, items))


def _chunks(costs: Sequence[int], jobs: int) -> list[list[int]]:
    """Item indices grouped into chunks, costliest first, so the last chunks to go are small."""
    order = sorted(range(len(costs)), key=lambda i: -costs[i])
    count = max(1, min(len(order), jobs * _CHUNKS_PER_JOB))
    size = -(-len(order) // count)
    return [order[i : i + size] for i in range(0, len(order), size)]


def token_queue(tokens: Iterable[int]) -> int:
    """A pipe already holding ``tokens`` and closed for writing: reads return b'' when it is empty."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"".join(TOKEN.pack(t) for t in tokens))
    finally:
        os.close(write_end)
    return read_end


def drain(
    queues: Sequence[int],
    chunks: Sequence[Sequence[int]],
    work: Callable[[int], R],
    out: dict[int, R],
    done_with: Callable[[Sequence[int]], None] | None = None,
) -> None:
    """Take chunk numbers from each of ``queues`` in turn, each until it is empty, and do
    ``work`` on every item of each chunk (then call ``done_with`` with the chunk's items)."""
    for queue in queues:
        while True:
            token = os.read(queue, TOKEN.size)
            if len(token) < TOKEN.size:
                break
            chunk = chunks[TOKEN.unpack(token)[0]]
            for item in chunk:
                out[item] = work(item)
            if done_with is not None:
                done_with(chunk)
            # What a finished chunk leaves alive (its modules' indexes and cached facts)
            # stays until the scan ends: frozen, later collections need not walk it.
            gc.freeze()


_LENGTH = struct.Struct("<Q")  # the byte length of the pickled message that follows


def send(fd: int, value: object) -> None:
    """Write ``value`` to a pipe as one length-prefixed pickle."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts: list[bytes] = []
    while size:
        block = os.read(fd, min(size, 1 << 20))
        if not block:
            return None
        parts.append(block)
        size -= len(block)
    return b"".join(parts)


def receive_raw(fd: int) -> bytes | None:
    """The next message still pickled, or None when the sender died or closed the pipe first."""
    head = _read_exactly(fd, _LENGTH.size)
    if head is None:
        return None
    return _read_exactly(fd, _LENGTH.unpack(head)[0])


def receive(fd: int) -> Any:
    """The next message, or None when the sender died or closed the pipe first."""
    body = receive_raw(fd)
    if body is None:
        return None
    try:
        return pickle.loads(body)
    except Exception:
        return None


def _child(queue: int, result_fd: int, chunks: list[list[int]], work: Callable[[int], R]) -> None:
    """Body of a worker process; never returns into the caller's code."""
    status = 1
    try:
        done: dict[int, R] = {}
        try:
            drain([queue], chunks, work, done)
        finally:
            send(result_fd, done)  # whatever was finished, even if something later failed
        status = 0
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def run_sharded(
    costs: Sequence[int],
    jobs: int,
    work: Callable[[int], R],
    parent_first: Callable[[], None] | None = None,
) -> dict[int, R]:
    """``work(i)`` for every item index, spread over ``jobs`` processes.

    ``parent_first`` runs in the parent while the workers start (the
    project-level rules go there). Results must pickle. Items a worker did
    not report are run in the parent, so the result is always complete.
    """
    results: dict[int, R] = {}
    if jobs <= 1 or len(costs) == 0:
        if parent_first is not None:
            parent_first()
        for index in range(len(costs)):
            results[index] = work(index)
        return results
    chunks = _chunks(costs, jobs)
    queue_read = token_queue(range(len(chunks)))
    workers: list[tuple[int, int]] = []
    try:
        for _ in range(jobs - 1):
            result_read, result_write = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the worker, which exits without returning
                os.close(result_read)
                _child(queue_read, result_write, chunks, work)
            os.close(result_write)
            workers.append((pid, result_read))
        if parent_first is not None:
            parent_first()
        drain([queue_read], chunks, work, results)
    finally:
        os.close(queue_read)
        for pid, fd in workers:
            try:
                theirs = receive(fd)
            finally:
                os.close(fd)
                os.waitpid(pid, 0)
            if isinstance(theirs, dict):
                for index, value in theirs.items():
                    results.setdefault(index, value)
    for index in range(len(costs)):
        if index not in results:
            results[index] = work(index)
    return results


__all__ = [
    "TOKEN",
    "available_cores",
    "can_fork",
    "drain",
    "effective_jobs",
    "receive",
    "receive_raw",
    "run_sharded",
    "send",
    "token_queue",
]
