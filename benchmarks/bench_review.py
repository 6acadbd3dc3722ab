"""Review speed and memory on a large pull request.

    python benchmarks/bench_review.py                      # 2,000-file repo, 300 changed files, 20,000 changed lines
    python benchmarks/bench_review.py --files 5000 --changed 800 --lines 50000
    python benchmarks/bench_review.py --keep               # keep the generated repository and print its path

Generates a git repository in a temp dir (training, feature, serving and
evaluation modules, configs, docs), commits it on ``main``, then commits a
change on a branch that edits ``--changed`` files with about ``--lines``
added-or-removed lines in total. Times ``mle-review review`` (git mode, the
default base = merge-base with main) as a CLI subprocess, and prints wall
seconds, peak RSS, findings and the size of the rendered summary. Targets:
under 5 s and under 400 MB. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODULE = '''"""{kind} module {i} of the {pkg} package."""

import json
import logging

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

logger = logging.getLogger(__name__)
SEED = {seed}


def load_{i}(path: str) -> pd.DataFrame:
    frame = pd.read_csv(path)
    return frame.dropna(subset=["label"])


def features_{i}(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
{body}
    return out


def train_{i}(frame: pd.DataFrame) -> LogisticRegression:
    y = frame.pop("label")
    X_train, X_test, y_train, y_test = train_test_split(frame, y, test_size=0.2, random_state=SEED)
    model = LogisticRegression(max_iter=200, random_state=SEED)
    model.fit(X_train, y_train)
    logger.info("trained %s rows", len(X_train))
    return model
'''


def _body(rng: random.Random, n: int, tag: str) -> str:
    cols = ["tenure", "charges", "tickets", "logins", "age_days", "spend", "visits"]
    out = []
    for k in range(n):
        a, b = rng.sample(cols, 2)
        op = rng.choice(["/", "*", "-", "+"])
        out.append(f'    out["{tag}_{k}"] = out["{a}"] {op} (out["{b}"] + {rng.randint(1, 9)})')
    return "\n".join(out)


def _kind(i: int) -> tuple[str, str]:
    kinds = [
        ("train", "training"),
        ("features", "features"),
        ("serve", "serving"),
        ("evaluate", "evaluation"),
        ("lib", "library"),
    ]
    folder, kind = kinds[i % len(kinds)]
    return folder, kind


def generate(root: Path, files: int, changed: int, lines: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "bench@example.com")
    git("config", "user.name", "bench")
    (root / "requirements.txt").write_text("pandas==2.2.3\nscikit-learn==1.5.2\nnumpy==2.1.3\n")
    paths: list[Path] = []
    python_files = int(files * 0.85)
    for i in range(files):
        if i < python_files:
            folder, kind = _kind(i)
            path = root / "src" / f"pkg{i % 20}" / folder / f"{folder}_{i}.py"
            text = MODULE.format(
                kind=kind,
                i=i,
                pkg=f"pkg{i % 20}",
                seed=rng.randint(1, 999),
                body=_body(rng, 20, "f"),
            )
        elif i < files - 50:
            path = root / "configs" / f"cfg_{i}.yaml"
            text = "".join(f"param_{k}: {rng.random():.4f}\n" for k in range(20))
        else:
            path = root / "docs" / f"page_{i}.md"
            text = f"# Page {i}\n\nNotes.\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        paths.append(path)
    git("add", "-A")
    git("commit", "-qm", "base")
    git("checkout", "-qb", "feature")
    py_paths = [p for p in paths if p.suffix == ".py"]
    targets = rng.sample(py_paths, min(changed, len(py_paths)))
    removed_per_file = 20
    per_file = max((lines - removed_per_file * len(targets)) // max(len(targets), 1), 1)
    added = removed = 0
    for n, path in enumerate(targets):
        text = path.read_text().splitlines()
        # replace the feature body (removed lines) with a longer one (added lines)
        start = (
            next(k for k, line in enumerate(text) if line.startswith("    out = frame.copy()")) + 1
        )
        end = start + removed_per_file
        new_lines = _body(rng, per_file, f"g{n}").splitlines()
        if n % 10 == 0:  # a few changed files gain a real problem so the review has findings
            new_lines.append('    out["rand"] = np.random.rand(len(out))')
        text[start:end] = new_lines
        removed += removed_per_file
        added += len(new_lines)
        path.write_text("\n".join(text) + "\n")
    git("add", "-A")
    git("commit", "-qm", "big change")
    return added, removed


def measure(repo: Path, fmt: str, extra: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + sys) and peak RSS (MB) of one ``mle-review review`` subprocess."""
    cmd = [
        sys.executable,
        "-m",
        "mle_review.cli",
        "review",
        "--repo",
        str(repo),
        "--format",
        fmt,
        "--fail-on",
        "never",
        *extra,
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"mle-review review failed ({code}): {err.decode()[-2000:]}")
    rss_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024 / 1024
    return wall, usage.ru_utime + usage.ru_stime, rss_mb, out.decode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--changed", type=int, default=300)
    parser.add_argument(
        "--lines", type=int, default=20000, help="changed lines (added + removed) in total"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--select",
        help="only these rules (e.g. MLR301,MLR6) to separate review overhead from rule cost",
    )
    parser.add_argument(
        "--repo", type=Path, help="reuse a repository generated earlier with --keep"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mle-review-bench-"))
    repo = tmp / "repo"
    try:
        t0 = time.perf_counter()
        if args.repo:
            repo = args.repo
            added = removed = 0
        else:
            added, removed = generate(repo, args.files, args.changed, args.lines, args.seed)
        print(
            f"generated {args.files} files, changed {args.changed} files: +{added} -{removed} lines ({added + removed} changed) in {time.perf_counter() - t0:.1f}s"
            if not args.repo
            else f"reusing {repo}"
        )
        extra = ["--select", args.select] if args.select else []
        wall_json, cpu_json, rss_json, out = measure(repo, "json", extra)
        report = json.loads(out)
        wall_md, cpu_md, rss_md, md = measure(repo, "markdown", extra)
        print(
            f"review --format json:     {wall_json:.2f} s wall, {cpu_json:.2f} s CPU, {rss_json:.0f} MB peak RSS"
        )
        print(
            f"review --format markdown: {wall_md:.2f} s wall, {cpu_md:.2f} s CPU, {rss_md:.0f} MB peak RSS, summary {len(md):,} chars"
        )
        print(
            f"findings: {len(report['findings'])}, decision: {report['decision']}, "
            f"analysed {report['coverage']['files_analyzed']}/{report['coverage']['files_in_change']} files, "
            f"in-process stage time {report['stats']['seconds']:.2f} s"
        )
        worst = max(wall_json, wall_md)
        peak = max(rss_json, rss_md)
        print(
            f"targets: < 5 s ({'ok' if worst < 5 else 'MISSED'}), < 400 MB ({'ok' if peak < 400 else 'MISSED'})"
        )
    finally:
        if args.keep:
            print(f"kept {repo}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
