"""The pipeline: files -> parsed contexts -> rules -> findings.

Each file is read and parsed once. Rules never see a file that failed to
read or parse; that file goes into ``errors`` with one line of reason and the
rest of the scan carries on. A rule that crashes on one file is reported the
same way instead of killing the run.
"""

from __future__ import annotations

import ast
import gc
import hashlib
import os
import posixpath
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mle_review.config import Config
from mle_review.engine.context import ModuleContext, ProjectContext, TextContext, detect_roles
from mle_review.engine.deps import LOCK_FILES, locked_versions, parse_dependencies
from mle_review.engine.files import (
    Candidate,
    FileKind,
    ReadError,
    classify,
    discover,
    read_text,
)
from mle_review.engine.notebook import NotebookError, load_notebook
from mle_review.engine.parallel import effective_jobs, run_sharded
from mle_review.engine.sharded import reap, scan_sharded
from mle_review.engine.suppress import Suppression, match, parse_suppressions
from mle_review.models import (
    Confidence,
    FileError,
    Finding,
    RelatedLocation,
    ScanReport,
    Stats,
    SuppressionIssue,
)
from mle_review.rules import Registry, load_all
from mle_review.rules.base import Hit, Rule

# A file's (or, with path None, the project's) results: (rule index, hits or a
# crash message, seconds) per rule, and the seconds the whole file took.
_Produced = tuple[str | None, list[tuple[int, list[Hit] | str, float]], float]


@dataclass
class _FileState:
    """Per-file data the finding builder needs after rules have run."""

    lines: list[str]
    raw_lines: list[str]
    suppressions: dict[int, Suppression]
    raw_suppressions: dict[int, Suppression]
    module: ModuleContext | None = None
    fingerprints: Counter[str] = field(default_factory=Counter)


class Engine:
    """Runs a registry of rules over a set of files with one configuration."""

    def __init__(self, root: Path, config: Config, registry: Registry | None = None) -> None:
        self.root = root
        self.config = config
        self.registry = load_all() if registry is None else registry
        self.rules: list[Rule] = [r for r in self.registry if config.enabled(r.id)]
        self._implementing: dict[str, list[tuple[int, Rule]]] = {}

    # -- loading -------------------------------------------------------------

    def load_project(
        self, candidates: Iterable[Candidate]
    ) -> tuple[ProjectContext, list[FileError], dict[str, _FileState]]:
        project = ProjectContext(root=str(self.root), config=self.config)
        errors: list[FileError] = []
        states: dict[str, _FileState] = {}
        cands = list(candidates)
        self._collect_dependency_context(project, cands)
        with gc_paused():
            for cand in cands:
                self._load_candidate(project, cand, errors, states)
        return project, errors, states

    def _load_candidate(
        self,
        project: ProjectContext,
        cand: Candidate,
        errors: list[FileError],
        states: dict[str, _FileState],
    ) -> None:
        if cand.kind == FileKind.LOCK:
            return
        try:
            text = read_text(cand.abs_path, self.config.max_file_size)
        except ReadError as exc:
            errors.append(FileError(path=cand.rel_path, message=str(exc)))
            return
        try:
            self._load_one(project, cand, text, states)
        except _ParseError as exc:
            errors.append(FileError(path=cand.rel_path, message=str(exc)))

    def _collect_dependency_context(self, project: ProjectContext, cands: list[Candidate]) -> None:
        """Dependency pins and lock files from scanned files and from the folders above them."""
        files: dict[str, str | Path] = {
            c.rel_path: c.abs_path for c in cands if c.kind in (FileKind.DEPENDENCY, FileKind.LOCK)
        }
        # Root-relative folders as strings ("" is the root): every worker runs this over
        # every candidate, and a Path per candidate cost more than the rest of it.
        folders = {posixpath.dirname(c.rel_path) for c in cands}
        extra: set[str] = set()  # every folder from the scanned files up to the root
        for folder in folders:
            while folder not in extra:
                extra.add(folder)
                if not folder:
                    break
                folder = posixpath.dirname(folder)
        for folder in extra:
            try:
                entries = list(os.scandir(self.root / folder if folder else self.root))
            except OSError:
                continue  # not a folder (or unreadable): nothing to collect
            prefix = f"{folder}/" if folder else ""
            for entry in entries:
                # root-relative by joining names: resolving each entry was a
                # tenth of the parse floor on a 1,200-file tree
                rel = prefix + entry.name
                kind = classify(rel)
                if kind in (FileKind.DEPENDENCY, FileKind.LOCK) and entry.is_file():
                    files.setdefault(rel, entry.path)
        for rel, path in files.items():
            folder_key = posixpath.dirname(rel)  # "" for the root, as above
            name = posixpath.basename(rel)
            if name in LOCK_FILES:
                project.lock_dirs.add(folder_key)
            try:
                text = read_text(path, self.config.max_file_size)
            except ReadError:
                continue
            if name in LOCK_FILES:
                project.locked_by_dir.setdefault(folder_key, {}).update(locked_versions(name, text))
                continue
            try:
                reqs = parse_dependencies(name, text)
            except Exception:
                continue
            project.requirements_by_dir.setdefault(folder_key, []).extend(reqs)

    def _load_one(
        self, project: ProjectContext, cand: Candidate, text: str, states: dict[str, _FileState]
    ) -> None:
        if cand.kind in (FileKind.PYTHON, FileKind.NOTEBOOK):
            notebook = None
            source = text
            if cand.kind == FileKind.NOTEBOOK:
                try:
                    notebook = load_notebook(text)
                except NotebookError as exc:
                    raise _ParseError(f"broken notebook: {exc}") from exc
                source = notebook.source
            tree = _parse_python(source, cand.rel_path, notebook is not None)
            ctx = ModuleContext(
                path=cand.rel_path,
                source=source,
                tree=tree,
                config=self.config,
                project=project,
                notebook=notebook,
            )
            ctx.roles = detect_roles(cand.rel_path, source, ctx.imports, self.config)
            project.modules.append(ctx)
            states[cand.rel_path] = _FileState(
                lines=ctx.lines,
                # a Python file's text is its source: split it once
                raw_lines=ctx.lines if notebook is None else text.splitlines(),
                suppressions=parse_suppressions(source, python=True),
                raw_suppressions={},
                module=ctx,
            )
            if notebook is not None:
                project.texts.append(
                    TextContext(cand.rel_path, text, self.config, project, notebook=notebook)
                )
            return
        requirements = None
        if cand.kind == FileKind.DEPENDENCY:
            try:
                requirements = parse_dependencies(cand.rel_path, text)
            except Exception as exc:
                raise _ParseError(
                    f"could not parse dependency file: {str(exc).splitlines()[0]}"
                ) from exc
        project.texts.append(
            TextContext(cand.rel_path, text, self.config, project, requirements=requirements)
        )
        raw_lines = text.splitlines()
        sup = parse_suppressions(text, python=False) if not cand.rel_path.endswith(".json") else {}
        states[cand.rel_path] = _FileState(
            lines=raw_lines, raw_lines=raw_lines, suppressions=sup, raw_suppressions=sup
        )

    # -- running ---------------------------------------------------------------

    def run(
        self,
        project: ProjectContext,
        states: dict[str, _FileState],
        timings: dict[str, float] | None = None,
        rule_timings: dict[str, float] | None = None,
    ) -> tuple[list[Finding], list[FileError]]:
        """Run every enabled rule.

        ``timings`` and ``rule_timings`` (if given) accumulate seconds per file
        and per rule, for the benchmarks. Rules produce plain hits (in worker
        processes when the scan is big enough); hits become findings here, in
        one fixed order, so fingerprints and suppression bookkeeping do not
        depend on how the work was split.
        """
        with gc_frozen():
            per_module, per_text, per_project = self._produce_all(
                project, timed=timings is not None or rule_timings is not None
            )
            return self.emit([*per_module, *per_text, per_project], states, timings, rule_timings)

    def emit(
        self,
        produced: Sequence[_Produced],
        states: dict[str, _FileState],
        timings: dict[str, float] | None = None,
        rule_timings: dict[str, float] | None = None,
    ) -> tuple[list[Finding], list[FileError]]:
        """Findings from the rules' raw results, taken in the order given (modules, texts, project)."""
        emission = Emission(self, states, timings, rule_timings)
        emission.add(produced)
        return emission.result()

    def _produce_all(
        self, project: ProjectContext, timed: bool
    ) -> tuple[list[_Produced], list[_Produced], _Produced]:
        modules = project.modules
        texts: list[_Produced] = []
        whole: list[_Produced] = []

        def module_work(index: int) -> _Produced:
            module = modules[index]
            return self._produce(module.path, "check_module", module, timed)

        def parent_first() -> None:
            for text in project.texts:
                texts.append(self._produce(text.path, "check_text", text, timed))
            whole.append(self._produce(None, "check_project", project, timed))

        jobs = effective_jobs(self.config.jobs, len(modules))
        if jobs > 1:
            for rule in self.rules:
                rule.prepare()
        done = run_sharded([len(m.source) for m in modules], jobs, module_work, parent_first)
        return [done[i] for i in range(len(modules))], texts, whole[0]

    def _produce(self, path: str | None, check: str, target: object, timed: bool) -> _Produced:
        """One file's (or the project's) raw results: every rule's ``check`` of ``target``.

        Rules that found nothing are left out unless timings were asked for:
        this is what worker processes send back, so it is kept small. Clocks
        are read only when timing: this runs once per rule per file.
        """
        clock = time.perf_counter if timed else _no_clock
        started = clock()
        out: list[tuple[int, list[Hit] | str, float]] = []
        for index, rule in self._rules_implementing(check):
            began = clock()
            result: list[Hit] | str
            try:
                result = list(getattr(rule, check)(target))
            except Exception as exc:
                result = f"internal error in {rule.id}: {type(exc).__name__}: {exc}"
            if result or timed:
                out.append((index, result, clock() - began))
        return path, out, clock() - started

    def _rules_implementing(self, check: str) -> list[tuple[int, Rule]]:
        """The rules (with their index) whose ``check`` is their own, not the base class's
        empty one: a quarter of the rules have no per-module check, and calling every
        rule on every file is a few percent of a scan. Decided on first use."""
        found = self._implementing.get(check)
        if found is None:
            base = getattr(Rule, check)
            found = self._implementing[check] = [
                (index, rule)
                for index, rule in enumerate(self.rules)
                if getattr(getattr(rule, check), "__func__", None) is not base
            ]
        return found

    def _emit(
        self,
        rule: Rule,
        result: list[Hit] | str,
        path: str | None,
        states: dict[str, _FileState],
        out: list[Finding],
        errors: list[FileError],
    ) -> None:
        if isinstance(result, str):
            errors.append(FileError(path=path or ".", message=result))
            return
        for hit in result:
            hit_path = hit.path or path
            if hit_path is None or hit_path not in states:
                continue
            finding = self._to_finding(rule, hit, hit_path, states[hit_path])
            if finding is not None:
                out.append(finding)

    def _to_finding(self, rule: Rule, hit: Hit, path: str, state: _FileState) -> Finding | None:
        cfg = self.config
        if cfg.ignored_for_path(rule.id, path):
            return None
        confidence = hit.confidence or rule.confidence
        if confidence.rank < cfg.min_confidence.rank:
            return None
        sups = state.raw_suppressions if hit.raw else state.suppressions
        if match(sups, rule.id, hit.line):
            return None
        severity = cfg.severity.get(rule.id) or hit.severity or rule.severity
        line, end_line, cell = hit.line, hit.end_line or hit.line, None
        notebook = state.module.notebook if state.module is not None else None
        text_lines = state.raw_lines if hit.raw else state.lines
        anchor_text = text_lines[line - 1].strip() if 0 < line <= len(text_lines) else ""
        if notebook is not None and not hit.raw:
            line, cell = notebook.to_file_line(hit.line)
            end_line = max(line, notebook.to_file_line(end_line)[0])
        related = []
        for rel_path, rel_line, rel_msg in hit.related:
            target_line = rel_line
            if rel_path is None and notebook is not None and not hit.raw:
                target_line = notebook.to_file_line(rel_line)[0]
            related.append(
                RelatedLocation(path=rel_path or path, line=target_line, message=rel_msg)
            )
        key = f"{rule.id}|{path}|{' '.join(anchor_text.split())}"
        occurrence = state.fingerprints[key]
        state.fingerprints[key] += 1
        fingerprint = hashlib.sha256(f"{key}|{occurrence}".encode()).hexdigest()[:20]
        return Finding(
            rule_id=rule.id,
            slug=rule.slug,
            severity=severity,
            confidence=confidence,
            path=path,
            line=line,
            end_line=end_line,
            column=max(hit.column, 1),
            message=hit.message,
            fix=hit.fix or rule.fix,
            related=related,
            fingerprint=fingerprint,
            cell=cell,
        )

    # -- suppression bookkeeping -------------------------------------------------

    @staticmethod
    def suppression_issues(
        states: dict[str, _FileState], include_unused: bool
    ) -> list[SuppressionIssue]:
        issues: list[SuppressionIssue] = []
        for path, state in sorted(states.items()):
            for sup in sorted(state.suppressions.values(), key=lambda s: s.line):
                line = sup.line
                if state.module is not None and state.module.notebook is not None:
                    line = state.module.notebook.to_file_line(sup.line)[0]
                if sup.bare:
                    issues.append(
                        SuppressionIssue(
                            path=path,
                            line=line,
                            kind="bare",
                            message="`mle-review: ignore` names no rule, so it suppresses nothing; write ignore[MLRxxx] with a reason",
                        )
                    )
                if sup.unknown:
                    issues.append(
                        SuppressionIssue(
                            path=path,
                            line=line,
                            kind="unknown-rule",
                            rule_ids=sup.unknown,
                            message=f"unknown rule ID(s) in suppression: {', '.join(sup.unknown)}",
                        )
                    )
                unused = [r for r in sup.rule_ids if r not in sup.used]
                if include_unused and unused:
                    issues.append(
                        SuppressionIssue(
                            path=path,
                            line=line,
                            kind="unused",
                            rule_ids=unused,
                            message=f"unused suppression for {', '.join(unused)}",
                        )
                    )
        return issues


class Emission:
    """Findings built from the rules' raw results, file by file as the results come in.

    The order files are added in does not change the report, as long as each
    file's text and project-level results come after its module results (as
    ``Engine.emit`` adds them): fingerprints count repeats within one file, and
    findings are sorted at the end. So a parallel scan builds the findings of a
    chunk as soon as a worker reports it, instead of all of them after the last.
    """

    def __init__(
        self,
        engine: Engine,
        states: dict[str, _FileState],
        timings: dict[str, float] | None = None,
        rule_timings: dict[str, float] | None = None,
    ) -> None:
        self.engine = engine
        self.states = states
        self.timings = timings
        self.rule_timings = rule_timings
        self.findings: list[Finding] = []
        self.errors: list[FileError] = []

    def add(self, produced: Iterable[_Produced]) -> None:
        engine, timings, rule_timings = self.engine, self.timings, self.rule_timings
        for path, results, spent in produced:
            if timings is not None and path is not None:
                timings[path] = timings.get(path, 0.0) + spent
            for rule_index, result, seconds in results:
                rule = engine.rules[rule_index]
                if rule_timings is not None:
                    rule_timings[rule.id] = rule_timings.get(rule.id, 0.0) + seconds
                engine._emit(rule, result, path, self.states, self.findings, self.errors)

    def result(self) -> tuple[list[Finding], list[FileError]]:
        self.findings.sort(key=Finding.sort_key)
        return self.findings, self.errors


def _no_clock() -> float:
    return 0.0


class _ParseError(Exception):
    pass


_frozen_depth = 0


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Keep the collector on for what rules allocate, but stop it rescanning the loaded trees.

    ``gc.freeze`` moves every object alive now (the ASTs, contexts) into a
    permanent generation the collector ignores; rules' temporary garbage is
    still collected by the young generations, so memory stays flat. Full
    collections are made rarer: node indexes and per-module facts are built
    during this phase and live until it ends. Nested uses share the outermost
    one, which thaws everything when it ends: by then ``scan_paths`` has
    released the trees, because thawing a live 50,000-line project made the
    next full collection cost more than parsing it (0.4-0.5 s, once more at
    interpreter exit).
    """
    global _frozen_depth
    thresholds = gc.get_threshold()
    gc.freeze()
    if _frozen_depth == 0:
        gc.set_threshold(thresholds[0], thresholds[1], max(thresholds[2], 1000))
    _frozen_depth += 1
    try:
        yield
    finally:
        _frozen_depth -= 1
        if _frozen_depth == 0:
            gc.set_threshold(*thresholds)
            gc.unfreeze()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while trees accumulate, then freeze them.

    Every file's AST stays alive for the whole run, so the collector's
    generation-2 passes rescan an ever-growing heap: on 50,000 lines that made
    loading 7x slower than parsing. ASTs hold no reference cycles, so pausing
    the collector frees nothing later than reference counting would. On the way
    out everything loaded is frozen before the collector comes back on: merely
    re-enabling it made the first young-generation pass walk every new tree
    node (half the parse time again). ``run`` thaws them when it finishes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _parse_python(source: str, path: str, notebook: bool) -> ast.Module:
    try:
        with warnings.catch_warnings():
            # SyntaxWarnings (odd escapes) in reviewed code are not the user's error here
            warnings.simplefilter("ignore")
            return ast.parse(source, filename=path)
    except SyntaxError as exc:
        hint = ""
        text = exc.text or ""
        if "print " in text or "Missing parentheses" in (exc.msg or "") or "exec " in text:
            hint = " (Python 2 syntax?)"
        where = "notebook code" if notebook else "line"
        raise _ParseError(f"could not parse: {exc.msg} at {where} {exc.lineno}{hint}") from exc
    except (ValueError, RecursionError, MemoryError) as exc:
        raise _ParseError(f"could not parse: {type(exc).__name__}: {exc}") from exc


def scan_paths(
    paths: list[Path],
    root: Path,
    config: Config,
    registry: Registry | None = None,
    report_unused_ignores: bool = False,
) -> ScanReport:
    """The whole ``scan`` job: discover, load, run, and assemble a report."""
    started = time.perf_counter()
    engine = Engine(root, config, registry)
    candidates = list(discover(paths, root, config))
    modules = sum(1 for c in candidates if c.kind in (FileKind.PYTHON, FileKind.NOTEBOOK))
    jobs = effective_jobs(config.jobs, modules)
    exiting: list[int] = []  # worker processes, waited for once the report is built
    try:
        with gc_frozen():
            if jobs > 1:
                sharded = scan_sharded(engine, candidates, jobs)
                project, errors, states = sharded.project, sharded.errors, sharded.states
                findings, rule_errors = sharded.findings, sharded.rule_errors
                exiting = sharded.exiting
            else:
                project, errors, states = engine.load_project(candidates)
                findings, rule_errors = engine.run(project, states)
            report = ScanReport(
                findings=findings,
                errors=sorted([*errors, *rule_errors], key=lambda e: e.path),
                stats=Stats(
                    files_analyzed=len(states),
                    files_skipped=len(errors),
                    seconds=round(time.perf_counter() - started, 3),
                ),
                suppressions=Engine.suppression_issues(states, report_unused_ignores),
            )
            release(project)
    finally:
        reap(exiting)
    return report


def release(project: ProjectContext) -> None:
    """Drop every module's tree, index and cached facts once the report is built.

    Contexts sit in reference cycles (a module points at its project, which
    lists its modules), so without this the trees would wait for a full
    collection to be freed; dropped here, reference counting frees them at once.
    """
    for module in project.modules:
        vars(module).clear()
    project.modules.clear()


__all__ = ["Confidence", "Emission", "Engine", "release", "scan_paths"]
