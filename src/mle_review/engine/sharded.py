"""A whole-project scan on several cores, with the parsing split between them too.

Forking after the project is loaded (``parallel.run_sharded``) leaves every
core but one idle while the trees are parsed, and parsing costs about as much
as all the rules together. Here the parent forks its workers first and only
coordinates:

1. Loading. Chunks of consecutive Python files (a package stays together)
   wait in one pipe; each worker takes the next whenever it is free, parses
   it and summarises each module: source, roles, import statements, and the
   per-module facts rules ask for project-wide questions (``Rule.summarise``).
   So the workers finish loading together however fast each one runs.
2. The exchange. Each worker sends its summaries to the parent, which passes
   them on to the others unread and itself decodes only the sources (for line
   texts and suppressions in the report). A module another worker parsed becomes a
   ``RemoteModule``: what cross-file questions need is there at no cost, and
   its tree is parsed here only if a rule really follows a call into it, so
   no answer depends on who parsed what. While the others' summaries are on
   their way, a worker runs the analysis that needs nothing but its own
   modules (``Rule.precompute``).
3. Rules. Each worker analyses the chunks it loaded, then takes chunks other
   workers have not reached yet. The first worker also runs the text-file and
   project-level rules. Results travel back as plain hits, chunk by chunk, and
   the parent builds each chunk's findings while the workers go on
   (``runner.Emission``): a file's findings never depend on other files', so
   the report is byte-identical to a serial run's.

Notebooks and text files are few: every process loads them itself. A worker
that dies costs time, not findings: the parent loads whatever nobody reported
and runs the rules nobody reported on. Workers run without the cyclic garbage
collector and exit without freeing their heaps; the parent builds the report
while they exit and reaps them after.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import os
import pickle
import select
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mle_review.engine.context import ImportMap, ModuleContext, ProjectContext, Role
from mle_review.engine.files import Candidate, FileKind
from mle_review.engine.parallel import TOKEN, drain, receive, receive_raw, send, token_queue
from mle_review.engine.suppress import parse_suppressions
from mle_review.models import FileError, Finding

if TYPE_CHECKING:
    from mle_review.engine.runner import Emission, Engine, _FileState, _Produced
    from mle_review.rules.base import Rule

# A worker that runs out of its own chunks takes another's, whose modules it must parse
# again; at 32 chunks per worker that is about 20 modules a scan, against 75 at 16.
_CHUNKS_PER_JOB = 32

# (is ``from`` import, module, level, ((name, asname), ...), line, column, end line, end column)
ImportSummary = tuple[bool, str | None, int, tuple[tuple[str, str | None], ...], int, int, int, int]


@dataclass(frozen=True)
class ModuleSummary:
    """What other processes need to know about a module without parsing it."""

    source: str
    roles: frozenset[Role]
    imports: tuple[ImportSummary, ...]
    facts: dict[str, object]  # rule ID -> that rule's ``summarise`` of the module


def summarise(module: ModuleContext, rules: Sequence[Rule]) -> ModuleSummary:
    facts: dict[str, object] = {}
    for rule in rules:
        try:
            facts[rule.id] = module.project.summary(rule, module)
        except Exception:
            continue  # computed again where it is asked for, and reported there as a serial run would
    return ModuleSummary(
        facts=facts,
        source=module.source,
        roles=module.roles,
        imports=tuple(
            (
                isinstance(node, ast.ImportFrom),
                node.module if isinstance(node, ast.ImportFrom) else None,
                node.level if isinstance(node, ast.ImportFrom) else 0,
                tuple((alias.name, alias.asname) for alias in node.names),
                node.lineno,
                node.col_offset,
                node.end_lineno or node.lineno,
                node.end_col_offset or 0,
            )
            for node in module.import_nodes
        ),
    )


# A chunk's summaries travel as two pickles: sources and load failures, which the
# parent reads for its report, and everything else, which only other workers read.
_Chunk = tuple[bytes, bytes]


def encode_chunk(summaries: dict[int, ModuleSummary | str]) -> _Chunk:
    sources: dict[int, str] = {}
    failures: dict[int, str] = {}
    rest: dict[int, tuple[frozenset[Role], tuple[ImportSummary, ...], dict[str, object]]] = {}
    for index, summary in summaries.items():
        if isinstance(summary, str):
            failures[index] = summary
        else:
            sources[index] = summary.source
            rest[index] = (summary.roles, summary.imports, summary.facts)
    return (
        pickle.dumps((sources, failures), protocol=pickle.HIGHEST_PROTOCOL),
        pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL),
    )


def decode_chunk(chunk: _Chunk) -> dict[int, ModuleSummary | str]:
    sources, failures = pickle.loads(chunk[0])
    out: dict[int, ModuleSummary | str] = dict(failures)
    for index, (roles, imports, facts) in pickle.loads(chunk[1]).items():
        out[index] = ModuleSummary(source=sources[index], roles=roles, imports=imports, facts=facts)
    return out


def _import_node(summary: ImportSummary) -> ast.Import | ast.ImportFrom:
    is_from, module, level, names, line, col, end_line, end_col = summary
    aliases = [
        ast.alias(
            name=name,
            asname=asname,
            lineno=line,
            col_offset=col,
            end_lineno=end_line,
            end_col_offset=end_col,
        )
        for name, asname in names
    ]
    position = {
        "lineno": line,
        "col_offset": col,
        "end_lineno": end_line,
        "end_col_offset": end_col,
    }
    if is_from:
        return ast.ImportFrom(module=module, names=aliases, level=level, **position)
    return ast.Import(names=aliases, **position)


class RemoteModule(ModuleContext):
    """A module another process parsed; its tree is parsed here on first use only.

    Path, source, roles and imports come from the owner, so project-wide
    questions (what is on the serving path, who imports whom) cost nothing
    here. Anything that needs the tree (a call followed into the module)
    parses it from the same source, so it sees exactly what the owner saw.
    """

    def __init__(
        self, path: str, summary: ModuleSummary, config: Any, project: ProjectContext
    ) -> None:
        # The dataclass __init__ would parse nothing but demands a tree; set the fields directly.
        self.path = path
        self.source = summary.source
        self.config = config
        self.project = project
        self.notebook = None
        self.roles = summary.roles
        self._import_summaries = summary.imports
        self._import_nodes: list[ast.Import | ast.ImportFrom] | None = None
        self._imports: ImportMap | None = None
        self._index = None
        self._tree: ast.Module | None = None

    # Imports are rebuilt as nodes only for modules a rule asks about: most remote
    # modules are only ever asked for their path and roles.
    @property
    def import_nodes(self) -> list[ast.Import | ast.ImportFrom]:
        if self._import_nodes is None:
            self._import_nodes = [_import_node(s) for s in self._import_summaries]
        return self._import_nodes

    @import_nodes.setter
    def import_nodes(self, value: list[ast.Import | ast.ImportFrom]) -> None:
        self._import_nodes = value

    @property
    def imports(self) -> ImportMap:
        if self._imports is None:
            self._imports = ImportMap(ast.Module(body=[], type_ignores=[]), self.import_nodes)
        return self._imports

    @imports.setter
    def imports(self, value: ImportMap) -> None:
        self._imports = value

    @property
    def tree(self) -> ast.Module:
        if self._tree is None:
            self._tree = _parse_here(self.source, self.path)
        return self._tree

    @tree.setter
    def tree(self, value: ast.Module) -> None:
        self._tree = value


def _parse_here(source: str, path: str) -> ast.Module:
    """Parse a module another process already parsed without error, as at load time
    (the collector paused, the tree frozen after)."""
    from mle_review.engine.runner import _parse_python, _ParseError, gc_paused

    with gc_paused():
        try:
            return _parse_python(source, path, notebook=False)
        except _ParseError:
            return ast.Module(body=[], type_ignores=[])


# --- splitting the work ---------------------------------------------------------------


def contiguous_chunks(sizes: Sequence[int], count: int) -> list[range]:
    """``count`` runs of consecutive items of about equal total size (fewer if items are few).

    Consecutive in path order keeps a package together, so the cross-file
    questions a module raises are mostly about modules its own process parsed.
    """
    total = float(sum(sizes)) or 1.0
    count = max(1, min(count, len(sizes)))
    runs: list[range] = []
    start, done = 0, 0.0
    for index, size in enumerate(sizes):
        done += size
        if done >= total * (len(runs) + 1) / count and index + 1 < len(sizes):
            runs.append(range(start, index + 1))
            start = index + 1
    runs.append(range(start, len(sizes)))
    return [r for r in runs if len(r)]


# --- the scan ---------------------------------------------------------------------------


@dataclass
class ShardedResult:
    project: ProjectContext
    errors: list[FileError]  # files that could not be loaded
    states: dict[str, _FileState]
    findings: list[Finding]
    rule_errors: list[FileError]  # rules that crashed
    # Workers that have reported and are exiting. A worker's exit frees its whole
    # heap, which takes milliseconds: the caller builds its report, then ``reap``s them.
    exiting: list[int] = field(default_factory=list)


@dataclass
class _Plan:
    """What every worker is handed at fork time.

    ``chunks`` are runs of consecutive Python files (candidate indices). Their
    numbers wait in ``load_queue``; a worker takes the next one whenever it is
    free, so the workers finish loading together however fast each runs.
    Then each worker writes the chunks it loaded, costliest first, into its own
    pipe of ``rule_queues`` and closes it: it analyses those first, and takes
    other workers' chunks once its own are done.
    """

    chunks: list[list[int]]
    candidates: list[Candidate]
    load_queue: int
    # Notebooks: every process loads them (their raw JSON is a text file too), and
    # their chunks wait here for whichever worker is done with its own files first.
    notebook_queue: int
    rule_queues: list[int]  # read ends, one per worker
    rule_feeds: list[int]  # write ends, one per worker; each keeps only its own


def scan_sharded(engine: Engine, candidates: list[Candidate], jobs: int) -> ShardedResult:
    """Load and run every rule over ``candidates`` in ``jobs`` worker processes (see module docs)."""
    from mle_review.engine.runner import Emission, gc_paused

    # Dependency pins and lock files are collected by each worker (and here only if the
    # parent has to run rules itself), so the workers start loading at once.
    project = ProjectContext(root=str(engine.root), config=engine.config)
    python = [i for i, c in enumerate(candidates) if c.kind == FileKind.PYTHON]
    # File counts, not sizes: the queue evens out the work, and no file is stat'ed twice.
    runs = contiguous_chunks([1] * len(python), jobs * _CHUNKS_PER_JOB)
    chunks = [[python[k] for k in r] for r in runs]
    notebooks = [i for i, c in enumerate(candidates) if c.kind == FileKind.NOTEBOOK]
    notebook_runs = contiguous_chunks([1] * len(notebooks), jobs * 4)
    first_notebook_chunk = len(chunks)
    chunks += [[notebooks[k] for k in r] for r in notebook_runs]
    feeds = [os.pipe() for _ in range(jobs)]
    plan = _Plan(
        chunks=chunks,
        candidates=candidates,
        load_queue=token_queue(range(first_notebook_chunk)),
        notebook_queue=token_queue(range(first_notebook_chunk, len(chunks))),
        rule_queues=[r for r, _w in feeds],
        rule_feeds=[w for _r, w in feeds],
    )
    for rule in engine.rules:
        rule.prepare()

    loader = _Loader(engine, project, candidates)
    produce = _module_work(engine, loader)
    done: set[int] = set()  # modules whose results are in
    emission: Emission | None = None
    whole: tuple[list[_Produced], _Produced] | None = None
    workers: list[_Worker] = []
    senders: list[threading.Thread] = []
    try:  # once forked, every worker is waited for, whatever happens here
        try:
            for k in range(jobs):
                workers.append(_fork(loader, plan, k, workers))
            for fd in (plan.load_queue, plan.notebook_queue, *plan.rule_queues, *plan.rule_feeds):
                os.close(fd)  # the workers hold them now
            with gc_paused():
                loader.load_shared()  # for the report: their errors, lines and suppressions
            # The barrier: pass each worker's module summaries on to the others unread,
            # then read their sources here too (for line texts and suppressions) while the
            # workers run.
            payloads: dict[int, bytes] = {}
            for worker in workers:
                payload = receive_raw(worker.up)
                if payload is not None:
                    worker.summarised = True
                    payloads[worker.number] = payload
            if all(worker.summarised for worker in workers):
                senders = _send_summaries(workers, payloads)  # at once: the workers are waiting
            # Only sources and load failures are read here; the rest is kept unread
            # unless a worker dies and its modules have to be made here.
            sources: dict[int, str] = {}
            failures: dict[int, str] = {}
            unread: list[bytes] = []
            for payload in payloads.values():  # each a list of encoded chunks
                for light, rest in pickle.loads(payload):
                    chunk_sources, chunk_failures = pickle.loads(light)
                    sources.update(chunk_sources)
                    failures.update(chunk_failures)
                    unread.append(rest)
            missing = [i for i in python if i not in sources and i not in failures]
            if missing:  # a worker died while loading: load what nobody reported here
                with gc_paused():
                    loader.load(missing)
                payloads[-1] = pickle.dumps(
                    [encode_chunk(loader.summaries(missing))], protocol=pickle.HIGHEST_PROTOCOL
                )
            if not senders:
                senders = _send_summaries(workers, payloads)
            loader.record(sources, failures, unread)
            emission = Emission(engine, loader.states)
        finally:
            for thread in senders:
                thread.join()  # before any pipe it writes to is closed
            for worker in workers:
                worker.close_down()  # a worker still waiting for summaries gives up
            whole = _collect(workers, emission, done)
        assert emission is not None  # the barrier completed, or its exception went on up
        indices = loader.module_indices()
        if whole is None or any(i not in done for i in indices):
            engine._collect_dependency_context(project, candidates)
            loader.materialise()  # a worker died: its share is done here
        if whole is None:
            whole = _project_work(engine, project)
        emission.add(produce(i) for i in indices if i not in done)
        per_text, per_project = whole
        emission.add(per_text)  # after the modules: a notebook's text results follow its own
        emission.add([per_project])
        findings, rule_errors = emission.result()
    except BaseException:
        reap([worker.pid for worker in workers])
        raise
    return ShardedResult(
        project,
        loader.errors,
        loader.states,
        findings,
        rule_errors,
        [worker.pid for worker in workers],
    )


def _collect(
    workers: list[_Worker], emission: Emission | None, done: set[int]
) -> tuple[list[_Produced], _Produced] | None:
    """Read every worker's results until each has finished (or died), building the findings
    of each chunk as it arrives; return the project-level results if a worker sent them.

    A module's results are taken from whoever reports them first. Without ``emission``
    (the exchange failed) the results are only read, so the workers can finish.
    """
    whole: tuple[list[_Produced], _Produced] | None = None
    reading: set[int] = set()
    for worker in workers:
        if worker.summarised:
            reading.add(worker.up)
        else:
            os.close(worker.up)
    while reading:
        ready, _w, _x = select.select(list(reading), [], [])
        for fd in ready:
            message = receive(fd)
            if not (isinstance(message, tuple) and len(message) == 2):
                os.close(fd)  # finished (or died): what it did not report is redone here
                reading.discard(fd)
                continue
            kind, body = message
            if kind == "modules":
                fresh = [(index, produced) for index, produced in body.items() if index not in done]
                done.update(index for index, _p in fresh)
                if emission is not None:
                    emission.add(produced for _i, produced in fresh)
            elif kind == "project" and whole is None:
                whole = body
    return whole


def reap(pids: list[int]) -> None:
    """Wait for worker processes that have exited or are exiting."""
    for pid in pids:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _send_summaries(workers: list[_Worker], payloads: dict[int, bytes]) -> list[threading.Thread]:
    """Send each live worker everyone else's summaries, each from a thread of its own.

    A worker reads them only once its own analysis allows, so a single sender
    would make every worker wait for the slowest to start reading. Every
    worker is forked already, and the threads are joined before the scan ends.
    """
    threads = [
        threading.Thread(
            target=_send_quietly,
            args=(worker.down, [p for k, p in payloads.items() if k != worker.number]),
        )
        for worker in workers
        if worker.summarised and worker.down is not None
    ]
    for thread in threads:
        thread.start()
    return threads


def _send_quietly(fd: int, value: object) -> None:
    with contextlib.suppress(OSError):  # the worker died: its work is redone in the parent
        send(fd, value)


def _project_work(engine: Engine, project: ProjectContext) -> tuple[list[_Produced], _Produced]:
    """Text-file and project-level rules: one worker runs them while the others do modules."""
    per_text = []
    for text in project.texts:
        per_text.append(engine._produce(text.path, "check_text", text, False))
    return per_text, engine._produce(None, "check_project", project, False)


@dataclass
class _Worker:
    """The parent's end of one worker's pipes."""

    number: int
    pid: int
    up: int  # the worker's module summaries, then its results
    down: int | None  # the other processes' module summaries
    summarised: bool = False

    def close_down(self) -> None:
        if self.down is not None:
            os.close(self.down)
            self.down = None


def _fork(loader: _Loader, plan: _Plan, number: int, started: list[_Worker]) -> _Worker:
    up_read, up_write = os.pipe()
    down_read, down_write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the worker, which exits without returning
        os.close(up_read)
        os.close(down_write)
        for other in started:  # the parent's ends of earlier workers' pipes
            os.close(other.up)
            if other.down is not None:
                os.close(other.down)
        for k, feed in enumerate(plan.rule_feeds):
            if k != number:
                os.close(feed)  # so a queue reads as empty once its worker closed it
        _worker(loader, plan, number, up_write, down_read)
    os.close(up_write)
    os.close(down_read)
    return _Worker(number, pid, up_read, down_write)


def _module_work(engine: Engine, loader: _Loader) -> Callable[[int], _Produced]:
    def work(index: int) -> _Produced:
        module = loader.modules.get(index)
        if module is None:  # unreadable or unparseable: already an error
            return (loader.candidates[index].rel_path, [], 0.0)
        return engine._produce(module.path, "check_module", module, False)

    return work


def _worker(loader: _Loader, plan: _Plan, k: int, up: int, down: int) -> None:
    """Body of a worker process: load, swap summaries, analyse, report, exit."""
    status = 1
    try:
        # A worker lives for one scan and exits without freeing its heap, and what it
        # discards while analysing is freed by reference counting: the collector cost a
        # fortieth of its time and freed too little to change its peak memory. (So none
        # of the engine's pausing and freezing of the collector is needed in here.)
        gc.disable()
        mine: list[int] = []
        chunks: list[_Chunk] = []
        loader.engine._collect_dependency_context(loader.project, plan.candidates)
        loader.load_shared()
        while True:
            token = os.read(plan.load_queue, TOKEN.size)
            if len(token) < TOKEN.size:
                break
            number = TOKEN.unpack(token)[0]
            loader.load(plan.chunks[number])
            # Summarised and pickled chunk by chunk, inside the shared queue's balancing.
            chunks.append(encode_chunk(loader.summaries(plan.chunks[number])))
            mine.append(number)
        mine.sort(key=lambda n: -sum(loader.size(i) for i in plan.chunks[n]))
        try:
            os.write(plan.rule_feeds[k], b"".join(TOKEN.pack(n) for n in mine))
        finally:
            os.close(plan.rule_feeds[k])
        send(up, chunks)
        # Until the other workers' summaries arrive, do the analysis that needs nothing else.
        precomputing = [r for r in loader.engine.rules if r.precomputes]
        for number in mine:
            for index in plan.chunks[number]:
                module = loader.modules.get(index)
                if module is None:
                    continue
                for rule in precomputing:
                    try:
                        rule.precompute(module)
                    except Exception:  # its check fails the same way, and says so
                        continue
        others = receive(down)
        os.close(down)
        if not isinstance(others, list):
            os._exit(1)
        summaries: dict[int, ModuleSummary | str] = {}
        for payload in others:
            for chunk in pickle.loads(payload):
                summaries.update(decode_chunk(chunk))
        loader.adopt(summaries)
        done: dict[int, Any] = {}

        def report(chunk: Sequence[int]) -> None:  # the parent builds findings meanwhile
            send(up, ("modules", {index: done[index] for index in chunk}))

        if k == 0:
            send(up, ("project", _project_work(loader.engine, loader.project)))
        others = [q for n, q in enumerate(plan.rule_queues) if n != k]
        queues = [plan.rule_queues[k], plan.notebook_queue, *others]
        drain(queues, plan.chunks, _module_work(loader.engine, loader), done, report)
        status = 0
    except BaseException:
        status = 1
    finally:
        os._exit(status)


class _Loader:
    """One process's view of the project as it is loaded and then completed."""

    def __init__(self, engine: Engine, project: ProjectContext, candidates: list[Candidate]):
        self.engine = engine
        self.project = project
        self.candidates = candidates
        self.modules: dict[int, ModuleContext] = {}
        self.owned: set[int] = set()
        self.failed: dict[int, str] = {}
        self.errors: list[FileError] = []
        self.states: dict[str, _FileState] = {}
        # Parent only: sources of modules recorded but not made, and the rest of their summaries.
        self.deferred: dict[int, str] = {}
        self.unread: list[bytes] = []

    def load_shared(self) -> None:
        """Notebooks and text files: every process loads these itself."""
        self._load([i for i, c in enumerate(self.candidates) if c.kind != FileKind.PYTHON])

    def load(self, indices: Sequence[int]) -> None:
        self._load(indices)
        self.owned.update(indices)

    def _load(self, indices: Sequence[int]) -> None:
        # Loading appends to project.modules; they are put in order in ``adopt``.
        for index in indices:
            before = len(self.errors)
            count = len(self.project.modules)
            self.engine._load_candidate(
                self.project, self.candidates[index], self.errors, self.states
            )
            if len(self.project.modules) > count:
                self.modules[index] = self.project.modules[-1]
            elif len(self.errors) > before:
                self.failed[index] = self.errors[-1].message

    def summaries(self, indices: Iterable[int] | None = None) -> dict[int, ModuleSummary | str]:
        """Owned Python files (all, or ``indices``): a summary each, or why it could not be loaded."""
        out: dict[int, ModuleSummary | str] = {}
        rules = [r for r in self.engine.rules if r.summarises]
        for index in self.owned if indices is None else indices:
            module = self.modules.get(index)
            if module is not None:
                out[index] = summarise(module, rules)
            elif index in self.failed:
                out[index] = self.failed[index]
        return out

    def adopt(self, others: dict[int, ModuleSummary | str]) -> None:
        """Add other processes' modules (a worker) and put ``project.modules`` in scan order."""
        for index, summary in others.items():
            if index in self.modules or index in self.failed:
                continue
            if isinstance(summary, str):
                self.failed[index] = summary
            else:
                self._remote(index, summary)
        self._order()

    def record(
        self, sources: dict[int, str], failures: dict[int, str], unread: list[bytes]
    ) -> None:
        """What the parent needs of the workers' modules to build the report.

        Only line texts, suppressions and load errors: the modules themselves
        are made (``materialise``, from the ``unread`` rest of the summaries)
        only if the parent has to run rules after all.
        """
        from mle_review.engine.runner import _FileState

        for index, message in failures.items():
            if index not in self.modules and index not in self.failed:
                self.failed[index] = message
                self.errors.append(FileError(path=self.candidates[index].rel_path, message=message))
        for index, source in sources.items():
            if index in self.modules or index in self.failed:
                continue
            self.deferred[index] = source
            lines = source.splitlines()
            self.states[self.candidates[index].rel_path] = _FileState(
                lines=lines,
                raw_lines=lines,
                suppressions=parse_suppressions(source, python=True),
                raw_suppressions={},
                module=None,
            )
        self.unread.extend(unread)
        order = {c.rel_path: i for i, c in enumerate(self.candidates)}
        self.errors.sort(key=lambda e: order.get(e.path, -1))
        self.states = dict(sorted(self.states.items(), key=lambda kv: order.get(kv[0], -1)))

    def materialise(self) -> None:
        """Make the recorded modules, for rules the parent runs when a worker died."""
        for rest in self.unread:
            for index, (roles, imports, facts) in pickle.loads(rest).items():
                source = self.deferred.pop(index, None)
                if source is None:
                    continue  # loaded here after all
                summary = ModuleSummary(source=source, roles=roles, imports=imports, facts=facts)
                self._remote(index, summary)
                state = self.states.get(self.candidates[index].rel_path)
                if state is not None:
                    state.module = self.modules[index]
        self.unread.clear()
        self._order()

    def _remote(self, index: int, summary: ModuleSummary) -> None:
        path = self.candidates[index].rel_path
        self.modules[index] = RemoteModule(path, summary, self.engine.config, self.project)
        for rule_id, fact in summary.facts.items():
            self.project.summaries.setdefault(rule_id, {})[path] = fact

    def _order(self) -> None:
        self.project.modules[:] = [self.modules[i] for i in sorted(self.modules)]

    def size(self, index: int) -> int:
        """How much source a loaded module has (0 if it could not be loaded)."""
        module = self.modules.get(index)
        return len(module.source) if module is not None else 0

    def module_indices(self) -> list[int]:
        return sorted([*self.modules, *self.deferred])


__all__ = [
    "ModuleSummary",
    "RemoteModule",
    "ShardedResult",
    "contiguous_chunks",
    "scan_sharded",
    "summarise",
]
