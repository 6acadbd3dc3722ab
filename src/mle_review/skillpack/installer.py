"""Install and uninstall the skill pack without ever clobbering a user's edits.

Every file written is recorded with its SHA-256 in a small JSON install
record next to the installed files. On re-install a file whose content still
matches its recorded hash is ours to update; anything else (edited since
install, or never installed by us) is left alone unless ``force`` is set.
Uninstall removes exactly the recorded files and the folders it created, and
keeps edited files unless forced. Plans are computed first, so a dry run
prints the same actions a real run performs.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mle_review import __version__
from mle_review.skillpack.targets import BLOCK_BEGIN, BLOCK_END, Layout, PlannedFile

RECORD_SCHEMA = 1

Verb = Literal["create", "update", "overwrite", "unchanged", "skip", "remove", "keep", "gone"]

# Verbs that leave the pack incomplete or a file in place against the user's request.
_HELD_BACK: frozenset[str] = frozenset({"skip", "keep"})


class InstallError(Exception):
    """A problem the user must resolve (unreadable record, a folder where a file belongs...)."""


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class RecordEntry:
    path: str
    kind: str
    sha256: str
    created_file: bool = False


@dataclass
class InstallRecord:
    target: str
    root: str
    version: str = __version__
    entries: list[RecordEntry] = field(default_factory=list)
    directories: list[str] = field(default_factory=list)

    def entry(self, path: Path) -> RecordEntry | None:
        return next((e for e in self.entries if e.path == str(path)), None)

    def to_json(self) -> str:
        payload = {
            "schema": RECORD_SCHEMA,
            "tool": "mle-review",
            "version": self.version,
            "target": self.target,
            "root": self.root,
            "entries": [e.__dict__ for e in sorted(self.entries, key=lambda e: e.path)],
            "directories": sorted(set(self.directories)),
        }
        return json.dumps(payload, indent=2) + "\n"


def load_record(path: Path) -> InstallRecord | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = [
            RecordEntry(
                str(e["path"]), str(e["kind"]), str(e["sha256"]), bool(e.get("created_file", False))
            )
            for e in data["entries"]
        ]
        return InstallRecord(
            target=str(data["target"]),
            root=str(data["root"]),
            version=str(data.get("version", "")),
            entries=entries,
            directories=[str(d) for d in data.get("directories", [])],
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InstallError(
            f"install record {path} is unreadable ({exc}); delete it to start over"
        ) from exc


@dataclass(frozen=True)
class Step:
    verb: Verb
    path: Path
    kind: str = "file"
    new_text: str | None = None  # full file content to write, when the step writes
    recorded_hash: str | None = None  # hash to record for this path after the step
    created_file: bool = False
    reason: str = ""


@dataclass
class Plan:
    layout: Layout
    steps: list[Step]
    previous: InstallRecord | None

    @property
    def held_back(self) -> list[Step]:
        return [s for s in self.steps if s.verb in _HELD_BACK]


# --- marked blocks -------------------------------------------------------------


def find_block(text: str) -> tuple[int, int] | None:
    """Span of the managed block (markers included) in ``text``."""
    start = text.find(BLOCK_BEGIN)
    if start < 0:
        return None
    end = text.find(BLOCK_END, start)
    if end < 0:
        return None
    return start, end + len(BLOCK_END)


def _with_block(text: str | None, block: str) -> str:
    if not text:
        return block + "\n"
    span = find_block(text)
    if span is not None:
        return text[: span[0]] + block + text[span[1] :]
    separator = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    return text + separator + block + "\n"


def _without_block(text: str) -> str:
    span = find_block(text)
    if span is None:
        return text
    before, after = text[: span[0]].rstrip("\n"), text[span[1] :].lstrip("\n")
    if before and after:
        return before + "\n\n" + after
    return (before + "\n") if before else after


# --- planning ------------------------------------------------------------------


def _read(path: Path) -> str | None:
    if path.is_dir():
        raise InstallError(f"{path} is a folder where the skill pack needs a file")
    if not path.exists():
        return None
    return path.read_text(encoding="utf-8", errors="replace")


def _plan_file(item: PlannedFile, recorded: RecordEntry | None, force: bool) -> Step:
    current = _read(item.path)
    new_hash = sha256(item.content)
    if current is None:
        return Step("create", item.path, new_text=item.content, recorded_hash=new_hash)
    if current == item.content:
        return Step("unchanged", item.path, recorded_hash=new_hash)
    if recorded is not None and sha256(current) == recorded.sha256:
        return Step("update", item.path, new_text=item.content, recorded_hash=new_hash)
    if force:
        return Step("overwrite", item.path, new_text=item.content, recorded_hash=new_hash)
    reason = (
        "edited since it was installed"
        if recorded is not None
        else "exists and was not installed by mle-review"
    )
    return Step(
        "skip", item.path, recorded_hash=recorded.sha256 if recorded else None, reason=reason
    )


def _plan_block(item: PlannedFile, recorded: RecordEntry | None, force: bool) -> Step:
    current = _read(item.path)
    new_hash = sha256(item.content)
    created = recorded.created_file if recorded is not None else current is None
    if current is None:
        return Step("create", item.path, "block", item.content + "\n", new_hash, created_file=True)
    span = find_block(current)
    if span is None:
        return Step(
            "update", item.path, "block", _with_block(current, item.content), new_hash, created
        )
    existing = current[span[0] : span[1]]
    if existing == item.content:
        return Step("unchanged", item.path, "block", recorded_hash=new_hash, created_file=created)
    if (recorded is not None and sha256(existing) == recorded.sha256) or force:
        verb: Verb = (
            "update"
            if recorded is not None and sha256(existing) == recorded.sha256
            else "overwrite"
        )
        return Step(verb, item.path, "block", _with_block(current, item.content), new_hash, created)
    return Step(
        "skip",
        item.path,
        "block",
        recorded_hash=recorded.sha256 if recorded else None,
        created_file=created,
        reason="the mle-review block was edited since it was installed",
    )


def plan_install(layout: Layout, force: bool = False) -> Plan:
    previous = load_record(layout.record)
    steps: list[Step] = []
    for item in layout.files:
        recorded = previous.entry(item.path) if previous else None
        steps.append(
            _plan_block(item, recorded, force)
            if item.kind == "block"
            else _plan_file(item, recorded, force)
        )
    if previous is not None:
        # Recorded paths this version no longer ships: removed unless the user changed them.
        shipped = {str(item.path) for item in layout.files}
        steps += [_plan_removal(e, force) for e in previous.entries if e.path not in shipped]
    return Plan(layout, steps, previous)


def _plan_removal(entry: RecordEntry, force: bool) -> Step:
    path = Path(entry.path)
    current = _read(path)
    if current is None:
        return Step("gone", path, entry.kind)
    if entry.kind == "block":
        span = find_block(current)
        if span is None:
            return Step("gone", path, "block")
        if sha256(current[span[0] : span[1]]) != entry.sha256 and not force:
            return Step(
                "keep",
                path,
                "block",
                recorded_hash=entry.sha256,
                created_file=entry.created_file,
                reason="the mle-review block was edited since it was installed",
            )
        remaining = _without_block(current)
        return Step("remove", path, "block", new_text=remaining, created_file=entry.created_file)
    if sha256(current) != entry.sha256 and not force:
        return Step(
            "keep", path, recorded_hash=entry.sha256, reason="edited since it was installed"
        )
    return Step("remove", path)


def plan_uninstall(layout: Layout, force: bool = False) -> Plan:
    previous = load_record(layout.record)
    steps = [_plan_removal(e, force) for e in previous.entries] if previous else []
    return Plan(layout, steps, previous)


# --- applying ------------------------------------------------------------------


def _ensure_parent(path: Path, created_dirs: list[str]) -> None:
    """Create missing parent folders one by one, remembering each so uninstall can remove it."""
    missing: list[Path] = []
    parent = path.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for folder in reversed(missing):
        folder.mkdir()
        created_dirs.append(str(folder))


def _write_atomic(path: Path, text: str, created_dirs: list[str]) -> None:
    _ensure_parent(path, created_dirs)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _prune(directories: list[str]) -> list[str]:
    """Remove recorded folders that are empty, deepest first; returns those still present."""
    left: list[str] = []
    for folder in sorted(set(directories), key=lambda d: d.count(os.sep), reverse=True):
        path = Path(folder)
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
        elif path.exists():
            left.append(folder)
    return sorted(left)


def _remove(step: Step) -> None:
    if step.kind == "block":
        remaining = step.new_text or ""
        if step.created_file and not remaining.strip():
            step.path.unlink(missing_ok=True)
        else:
            step.path.write_text(remaining, encoding="utf-8")
    else:
        step.path.unlink(missing_ok=True)


def apply_install(plan: Plan) -> InstallRecord:
    layout = plan.layout
    record = InstallRecord(target=layout.target, root=str(layout.root))
    created_dirs: list[str] = list(plan.previous.directories) if plan.previous else []
    for step in plan.steps:
        if step.verb in ("create", "update", "overwrite") and step.new_text is not None:
            _write_atomic(step.path, step.new_text, created_dirs)
        elif step.verb == "remove":
            _remove(step)
        if step.recorded_hash is not None and step.verb != "remove":
            record.entries.append(
                RecordEntry(str(step.path), step.kind, step.recorded_hash, step.created_file)
            )
    _ensure_parent(layout.record, created_dirs)
    record.directories = _prune(
        created_dirs
    )  # drops folders emptied by removing files no longer shipped
    _write_atomic(layout.record, record.to_json(), created_dirs)
    return record


def apply_uninstall(plan: Plan) -> None:
    """Carry out an uninstall. Kept (edited) files stay in the record so ``--force`` can finish later."""
    previous = plan.previous
    if previous is None:
        return
    kept: list[RecordEntry] = []
    for step in plan.steps:
        if step.verb == "remove":
            _remove(step)
        elif step.verb == "keep" and step.recorded_hash is not None:
            kept.append(
                RecordEntry(str(step.path), step.kind, step.recorded_hash, step.created_file)
            )
    if not kept:
        plan.layout.record.unlink(missing_ok=True)
    previous.entries = kept
    previous.directories = _prune(previous.directories)
    if kept:
        plan.layout.record.write_text(previous.to_json(), encoding="utf-8")


# --- reporting -----------------------------------------------------------------


def describe(plan: Plan, dry_run: bool) -> list[str]:
    """One line per step, paths shown relative to the root when they are inside it."""
    root = plan.layout.root
    lines: list[str] = []
    for step in plan.steps:
        try:
            shown = step.path.relative_to(root).as_posix()
        except ValueError:
            shown = str(step.path)
        if step.kind == "block":
            shown += " (mle-review block)"
        verb = (
            step.verb if not dry_run or step.verb in ("unchanged", "gone") else f"would {step.verb}"
        )
        suffix = f"  [{step.reason}]" if step.reason else ""
        lines.append(f"  {verb:<16} {shown}{suffix}")
    return lines
