"""Per-rule precision and recall on labelled code, plus per-file analysis time.

Labels are the same comments the fixture tests use: ``# ruleid: MLRxxx`` on
the line before a line that must be reported, ``# ok: MLRxxx`` before one
that must not. Two sources are measured separately and together:

* fixtures: ``tests/fixtures/rules/<ID>/``, each scanned with only its rule;
* corpus: ``benchmarks/corpus/<area>/``, each area scanned as its own
  repository root with every rule on. Every finding in the corpus must be
  labelled: an unlabelled finding counts as a false positive.

    python benchmarks/quality.py [--rules MLR1,MLR3] [--source corpus] [--details] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from mle_review.config import Config, resolve_rule_selector
from mle_review.engine.files import discover
from mle_review.engine.runner import Engine
from mle_review.rules import load_all

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "rules"
CORPUS = REPO / "benchmarks" / "corpus"
_ANNOTATION = re.compile(r"#\s*(ruleid|ok)\s*:\s*([A-Za-z0-9_,\s-]+?)\s*(?:\\n)?\"?,?\s*$")

Loc = tuple[str, str, int]  # (rule, path, line)


@dataclass
class Tally:
    tp: set[Loc] = field(default_factory=set)
    fp: set[Loc] = field(default_factory=set)
    fn: set[Loc] = field(default_factory=set)

    def add(self, other: Tally) -> None:
        self.tp |= other.tp
        self.fp |= other.fp
        self.fn |= other.fn

    @property
    def precision(self) -> float | None:
        n = len(self.tp) + len(self.fp)
        return len(self.tp) / n if n else None

    @property
    def recall(self) -> float | None:
        n = len(self.tp) + len(self.fn)
        return len(self.tp) / n if n else None


def labels(folder: Path, prefix: str = "") -> tuple[set[Loc], set[Loc]]:
    expected: set[Loc] = set()
    ok: set[Loc] = set()
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        rel = prefix + path.relative_to(folder).as_posix()
        for i, line in enumerate(lines, start=1):
            m = _ANNOTATION.search(line)
            if m:
                for rid in (x.strip() for x in m.group(2).split(",")):
                    (expected if m.group(1) == "ruleid" else ok).add((rid, rel, i + 1))
    return expected, ok


def measure(root: Path, rule_ids: list[str], timings: dict[str, float]) -> set[Loc]:
    config = Config.model_validate({"select": rule_ids})
    engine = Engine(root, config)
    started = time.perf_counter()
    project, _errors, states = engine.load_project(discover([root], root, config))
    load_seconds = time.perf_counter() - started
    per_file: dict[str, float] = {}
    findings, _ = engine.run(project, states, timings=per_file)
    share = load_seconds / max(len(per_file), 1)
    for path, seconds in per_file.items():
        timings[f"{root.name}/{path}"] = seconds + share
    # locations carry the area (or fixture folder) name: two areas may hold the same relative path
    return {(f.rule_id, f"{root.name}/{f.path}", f.line) for f in findings}


def evaluate(
    selected: set[str], sources: set[str], corpus: Path = CORPUS
) -> tuple[dict[str, dict[str, Tally]], dict[str, float]]:
    results: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    timings: dict[str, float] = {}
    if "fixtures" in sources and FIXTURES.is_dir():
        for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name in selected):
            rid = folder.name
            expected, _ok = labels(folder, prefix=f"{folder.name}/")
            expected = {e for e in expected if e[0] == rid}
            actual = {a for a in measure(folder, [rid], timings) if a[0] == rid}
            t = results[rid]["fixtures"]
            t.add(Tally(expected & actual, actual - expected, expected - actual))
    if "corpus" in sources and corpus.is_dir():
        for area in sorted(p for p in corpus.iterdir() if p.is_dir()):
            expected, _ok = labels(area, prefix=f"{area.name}/")
            actual = measure(area, sorted(selected), timings)
            for rid in selected:
                exp = {e for e in expected if e[0] == rid}
                act = {a for a in actual if a[0] == rid}
                if exp or act:
                    results[rid]["corpus"].add(Tally(exp & act, act - exp, exp - act))
    for per_source in results.values():
        total = Tally()
        for tally in list(per_source.values()):
            total.add(tally)
        per_source["total"] = total
    return results, timings


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", default="ALL", help="comma-separated IDs or prefixes")
    parser.add_argument("--source", choices=("fixtures", "corpus", "both"), default="both")
    parser.add_argument(
        "--details", action="store_true", help="list every false positive and false negative"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=CORPUS,
        help="labelled corpus folder (default benchmarks/corpus; benchmarks/corpus_heldout is the held-out set)",
    )
    args = parser.parse_args(argv)
    registry = load_all()
    selected = {rid for tok in args.rules.split(",") for rid in resolve_rule_selector(tok)} & set(
        registry.ids()
    )
    sources = {"fixtures", "corpus"} if args.source == "both" else {args.source}
    results, timings = evaluate(selected, sources, args.corpus.resolve())
    if args.json:
        print(
            json.dumps(
                {
                    rid: {
                        src: {
                            "tp": len(t.tp),
                            "fp": len(t.fp),
                            "fn": len(t.fn),
                            "precision": t.precision,
                            "recall": t.recall,
                        }
                        for src, t in per.items()
                    }
                    for rid, per in sorted(results.items())
                },
                indent=2,
            )
        )
        return 0
    print(f"{'rule':<8} {'source':<9} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}")
    for rid in sorted(results):
        for src in ("fixtures", "corpus", "total"):
            t = results[rid].get(src)
            if t is None or (src == "total" and len(results[rid]) <= 2):
                continue
            print(
                f"{rid:<8} {src:<9} {len(t.tp):>4} {len(t.fp):>4} {len(t.fn):>4} {_fmt(t.precision):>9} {_fmt(t.recall):>7}"
            )
            if args.details:
                for kind, locs in (("FP", t.fp), ("FN", t.fn)):
                    for loc in sorted(locs):
                        print(f"    {kind} {loc[1]}:{loc[2]}")
    if timings:
        values = sorted(timings.values())
        slowest = max(timings, key=lambda k: timings[k])
        print(
            f"\nper-file analysis time over {len(values)} files: mean {statistics.mean(values) * 1000:.1f} ms, "
            f"p95 {values[int(0.95 * (len(values) - 1))] * 1000:.1f} ms, max {values[-1] * 1000:.1f} ms ({slowest})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
