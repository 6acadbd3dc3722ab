"""``run_review``: diff + head contents + description + config -> :class:`ReviewReport`.

The steps, each in its own module: parse the diff (:mod:`mle_review.diff`),
analyse whole head files (:mod:`.analysis`), keep findings that belong to the
change, parse the compact (:mod:`.compact`), classify lanes and tasks
(:mod:`.classify`), run the change-level rules, judge the checklist
(:mod:`.checklist`) and decide (:mod:`.decision`).
"""

from __future__ import annotations

import hashlib
import time

from mle_review.config import Config
from mle_review.diff.model import ChangeSet, FileStatus
from mle_review.diff.parse import parse_diff
from mle_review.engine.files import ReadError, decode
from mle_review.models import FileError, Finding, RelatedLocation, Stats
from mle_review.review.analysis import analyze, belongs_to_change, reverse_apply
from mle_review.review.checklist import evaluate_checklist
from mle_review.review.classify import ChangeFacts, classify_change, match_tasks
from mle_review.review.compact import parse_compact
from mle_review.review.context import ChangeContext, ChangeRule
from mle_review.review.decision import decide
from mle_review.review.model import ChangeStats, Coverage, ReviewReport, SkippedFile
from mle_review.review.sources import FileSource, MappingSource, SourceLike, as_source
from mle_review.rules import Registry, load_all


def run_review(
    changes: ChangeSet | str | bytes,
    source: SourceLike,
    *,
    title: str = "",
    body: str = "",
    config: Config | None = None,
    base_source: SourceLike | None = None,
    new_only: bool | None = None,
    registry: Registry | None = None,
) -> ReviewReport:
    """Review one change. Never raises for bad input files; they become errors or skipped entries.

    ``changes`` is a parsed :class:`ChangeSet` or unified diff text/bytes.
    ``source`` yields head file contents (see :mod:`mle_review.review.sources`).
    ``new_only`` (default ``config.review.new_only``) drops findings whose
    fingerprint already exists at base; base contents come from
    ``base_source`` or are rebuilt from head contents and the diff.
    """
    started = time.perf_counter()
    config = config or Config()
    settings = config.review
    registry = registry if registry is not None else load_all()
    changeset = changes if isinstance(changes, ChangeSet) else parse_diff(changes)
    head = as_source(source)

    analysis = analyze(changeset, head, config, registry)
    anchors: dict[str, str] = {}
    findings: list[Finding] = []
    for finding in analysis.findings:
        why = belongs_to_change(finding, changeset)
        if why is not None:
            findings.append(finding)
            anchors[finding.fingerprint] = why
    if new_only if new_only is not None else settings.new_only:
        existing = _base_fingerprints(
            changeset,
            head,
            as_source(base_source) if base_source is not None else None,
            config,
            registry,
        )
        findings = [f for f in findings if f.fingerprint not in existing]

    compact_probe = parse_compact(title, body, [])
    facts = classify_change(changeset, analysis.modules, findings, title, body, compact_probe)
    required = settings.required_for(facts.lanes, facts.ml)
    compact = parse_compact(title, body, required)
    facts.compact = compact

    rule_errors: list[FileError] = []
    change_findings = _run_change_rules(
        registry,
        config,
        ChangeContext(changeset, title, body, compact, facts, findings, config),
        rule_errors,
    )
    all_findings = sorted(
        [*findings, *change_findings], key=lambda f: (-f.severity.rank, f.sort_key())
    )
    facts.findings = all_findings
    for f in change_findings:
        anchors[f.fingerprint] = "change-level"

    checklist = evaluate_checklist(facts)
    tasks = match_tasks(facts)
    decision, reasons = decide(all_findings, compact, settings)
    if changeset.is_empty:
        reasons = ["the change is empty: nothing to review"]
    errors = [
        *analysis.errors,
        *rule_errors,
        *(FileError(path=p.path, message=p.message) for p in changeset.problems),
    ]
    skipped = [
        *analysis.skipped,
        *(SkippedFile(path=p.path, reason=p.message) for p in changeset.problems),
    ]
    return ReviewReport(
        findings=all_findings,
        errors=sorted(errors, key=lambda e: e.path),
        stats=Stats(
            files_analyzed=len(analysis.analyzed),
            files_skipped=len(skipped),
            seconds=round(time.perf_counter() - started, 3),
        ),
        suppressions=analysis.suppressions,
        decision=decision,
        decision_reasons=reasons,
        compact=compact,
        checklist=checklist,
        coverage=Coverage(
            files_in_change=len(changeset.files),
            files_analyzed=len(analysis.analyzed),
            skipped=sorted(skipped, key=lambda s: s.path),
        ),
        lanes=facts.lanes,
        tasks=tasks,
        change=_stats(changeset, facts),
        anchors=anchors,
        title=title,
        base_ref=changeset.base_ref,
        head_ref=changeset.head_ref,
    )


def _stats(changes: ChangeSet, facts: ChangeFacts) -> ChangeStats:
    return ChangeStats(
        files=len(changes.files),
        additions=changes.additions,
        deletions=changes.deletions,
        ml_code=facts.ml,
        tests_changed=facts.tests_changed,
        docs_only=facts.docs_only,
    )


def _run_change_rules(
    registry: Registry, config: Config, change: ChangeContext, errors: list[FileError]
) -> list[Finding]:
    out: list[Finding] = []
    for rule in registry:
        if not isinstance(rule, ChangeRule) or not config.enabled(rule.id):
            continue
        try:
            hits = list(rule.check_change(change))
        except Exception as exc:  # one rule's bug must not lose the review
            errors.append(
                FileError(
                    path=".", message=f"internal error in {rule.id}: {type(exc).__name__}: {exc}"
                )
            )
            continue
        for hit in hits:
            if config.ignored_for_path(rule.id, hit.path):
                continue
            severity = config.severity.get(rule.id) or hit.severity or rule.severity
            digest = hashlib.sha256(f"{rule.id}|change|{hit.key}".encode()).hexdigest()[:20]
            out.append(
                Finding(
                    rule_id=rule.id,
                    slug=rule.slug,
                    severity=severity,
                    confidence=rule.confidence,
                    path=hit.path,
                    line=hit.line,
                    end_line=hit.line,
                    column=1,
                    message=hit.message,
                    fix=hit.fix or rule.fix,
                    related=[RelatedLocation(path=p, line=n, message=m) for p, n, m in hit.related],
                    fingerprint=digest,
                )
            )
    return out


def _base_fingerprints(
    changes: ChangeSet,
    head: FileSource,
    base: FileSource | None,
    config: Config,
    registry: Registry,
) -> set[str]:
    """Fingerprints of findings in the base versions of the changed files (stored under head paths)."""
    contents: dict[str, bytes] = {}
    for fc in changes.files:
        if fc.status is FileStatus.ADDED or fc.binary or not fc.exists_at_head:
            continue
        data: bytes | None = None
        if base is not None:
            try:
                data = base.read(fc.old_path or fc.path)
            except OSError:
                data = None
        else:
            try:
                raw = head.read(fc.path)
                text = decode(raw) if raw is not None else None
            except (OSError, ReadError):
                text = None
            rebuilt = reverse_apply(text, fc) if text is not None else None
            data = rebuilt.encode() if rebuilt is not None else None
        if data is not None:
            contents[fc.path] = data
    if not contents:
        return set()
    base_changes = ChangeSet(files=[fc for fc in changes.files if fc.path in contents])
    result = analyze(base_changes, MappingSource(contents), config, registry)
    return {f.fingerprint for f in result.findings}


__all__ = ["run_review"]
