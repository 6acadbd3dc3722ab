"""Scan speed and memory against the floor of merely parsing the same files.

    python benchmarks/bench_scan.py                 # generate a >= 50,000-line corpus in a temp dir
    python benchmarks/bench_scan.py --corpus PATH   # measure an existing tree instead
    python benchmarks/bench_scan.py --lines 200000  # a bigger generated corpus

Prints files, lines, the scan's wall seconds and lines per second (in-process
and as a CLI subprocess), the CLI's peak RSS, the pure ``ast.parse`` time of
the same files, and the ratio between scan and parse. Targets: scan within 3x
of the parse floor, peak RSS under 250 MB. The scan runs with the default
worker processes (one per core on big scans) and again in one process (timed in
a process of its own, so the two do not share a heap), and both figures are
printed. The floor and the scans are timed in alternating rounds
(``--repeat``), so a machine whose speed drifts during the run moves both alike;
the ratio is the best scan over the best floor, and the median of the rounds'
own ratios is printed next to it. If bandit is installed, it is timed on the same corpus
too. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mle_review.config import Config
from mle_review.engine.parallel import available_cores, effective_jobs
from mle_review.engine.runner import scan_paths

TRAIN = '''"""Training entry point for the {name} model."""

import argparse
import json
import random

import joblib
import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import classification_report, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from {pkg}.features import build_{name}_features

NUMERIC = {numeric}


def load(path: str) -> pd.DataFrame:
    frame = pd.read_csv(path, parse_dates=["event_time"])
    frame = frame.sort_values("event_time")
    return frame.dropna(subset=["label"])


def split(frame: pd.DataFrame, seed: int):
    y = frame.pop("label")
    return train_test_split(frame, y, test_size=0.2, random_state=seed)


def fit(X_train, y_train, params: dict):
    scaler = StandardScaler()
    X_scaled = scaler.fit_transform(X_train[NUMERIC])
    model = GradientBoostingClassifier(**params)
    model.fit(X_scaled, y_train)
    return scaler, model


def evaluate(scaler, model, X_test, y_test) -> dict:
    proba = model.predict_proba(scaler.transform(X_test[NUMERIC]))[:, 1]
    report = classification_report(y_test, proba > 0.5, output_dict=True)
    return {{"auc": roc_auc_score(y_test, proba), "f1": report["1"]["f1-score"]}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="data/{name}.csv")
    parser.add_argument("--seed", type=int, default={seed})
    parser.add_argument("--out", default="artifacts/{name}")
    args = parser.parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    frame = build_{name}_features(load(args.data))
    X_train, X_test, y_train, y_test = split(frame, args.seed)
    params = json.load(open("configs/{name}.json"))
    scaler, model = fit(X_train, y_train, params)
    metrics = evaluate(scaler, model, X_test, y_test)
    with open(f"{{args.out}}/metrics.json", "w") as fh:
        json.dump(metrics, fh)
    joblib.dump((scaler, model), f"{{args.out}}/model-{{args.seed}}.joblib")
    previous = joblib.load("artifacts/{name}/previous.joblib")
    print(metrics, type(previous))


if __name__ == "__main__":
    main()
'''

FEATURES = '''"""Feature engineering for {name}."""

import numpy as np
import pandas as pd


def build_{name}_features(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
{lines}
    return out


def {name}_ratio(frame: pd.DataFrame, num: str, den: str) -> pd.Series:
    return frame[num] / (frame[den].abs() + 1.0)


def {name}_bucket(values: pd.Series, edges: list[float]) -> pd.Series:
    return pd.cut(values, bins=edges, labels=False, include_lowest=True)
'''

SERVE = '''"""HTTP scoring for {name}."""

import logging

import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel

logger = logging.getLogger(__name__)
app = FastAPI()
SCALER, MODEL = joblib.load("artifacts/{name}/model-{seed}.joblib")
MODEL_VERSION = "{name}-{seed}"


class Request(BaseModel):
    customer_id: str
{fields}


@app.post("/predict")
def predict(req: Request) -> dict:
    frame = pd.DataFrame([req.model_dump()])
    proba = float(MODEL.predict_proba(SCALER.transform(frame[{numeric}]))[0, 1])
    logger.info("scored", extra={{"model_version": MODEL_VERSION, "latency_ms": 3}})
    return {{"probability": proba, "model_version": MODEL_VERSION}}
'''


def generate(dest: Path, min_lines: int) -> None:
    rng = random.Random(0)
    total = 0
    i = 0
    while total < min_lines:
        name = f"model{i:04d}"
        pkg = dest / f"pkg{i // 25:03d}"
        (pkg / "serve").mkdir(parents=True, exist_ok=True)
        numeric = [f"f{rng.randint(0, 99)}" for _ in range(rng.randint(3, 8))]
        feature_lines = "\n".join(
            f'    out["{c}_log"] = np.log1p(out["{c}"].clip(lower=0))\n'
            f'    out["{c}_z"] = (out["{c}"] - {rng.random():.3f}) / {rng.random() + 1:.3f}'
            for c in numeric
        )
        fields = "\n".join(f"    {c}: float" for c in numeric)
        files = {
            pkg / f"train_{name}.py": TRAIN.format(
                name=name, pkg=pkg.name, numeric=numeric, seed=rng.randint(1, 999)
            ),
            pkg / "features.py" if i % 25 == 0 else pkg / f"features_{name}.py": FEATURES.format(
                name=name, lines=feature_lines
            ),
            pkg / "serve" / f"app_{name}.py": SERVE.format(
                name=name, seed=rng.randint(1, 999), fields=fields, numeric=numeric
            ),
        }
        for path, text in files.items():
            path.write_text(text, encoding="utf-8")
            total += text.count("\n")
        i += 1


def count(root: Path) -> tuple[list[Path], int]:
    files = sorted(p for p in root.rglob("*.py") if p.is_file())
    return files, sum(p.read_text(encoding="utf-8", errors="replace").count("\n") for p in files)


_LAUNCHER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)\n"
    "wall = time.perf_counter() - t\n"
    "kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "sys.stdout.buffer.write(p.stdout)\n"
    "sys.stderr.write(json.dumps({'rc': p.returncode, 'wall': wall, 'kb': kb}))\n"
)


def measure_cli(argv: list[str]) -> tuple[float, int, str, int]:
    """Wall seconds, peak RSS (KB), stdout and exit code of a command.

    The command is started from a tiny launcher process: a child's peak RSS
    counts memory it inherited at fork, so forking straight from this
    (large) benchmark process would overstate the CLI's memory.
    """
    proc = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], capture_output=True, text=True)
    stats = json.loads(proc.stderr.strip().splitlines()[-1])
    return stats["wall"], stats["kb"], proc.stdout, stats["rc"]


def _cpu_seconds() -> float:
    """CPU time of this process plus its finished children (the scan's worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def parse_floor(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return time.perf_counter() - started


@dataclass
class Rounds:
    """Timings taken in alternation, so a machine that speeds up or slows down
    (shared cores, frequency scaling) moves the floor and the scans alike."""

    floor: list[float] = field(default_factory=list)
    scan: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    findings: int = 0

    def best(self) -> tuple[float, float]:
        """The fastest scan and the CPU seconds (all processes) it took."""
        index = min(range(len(self.scan)), key=self.scan.__getitem__)
        return self.scan[index], self.cpu[index]

    def ratio(self) -> float:
        """Best scan over best floor."""
        return self.best()[0] / min(self.floor)

    def paired_ratio(self) -> float:
        """Median of each round's scan / floor."""
        return statistics.median(w / f for w, f in zip(self.scan, self.floor, strict=True))


def _timed_scan(root: Path, config: Config) -> tuple[float, float, int]:
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    report = scan_paths([root], root, config)
    return time.perf_counter() - started, _cpu_seconds() - cpu_started, len(report.findings)


def measure_rounds(root: Path, files: list[Path], config: Config, repeat: int) -> Rounds:
    rounds = Rounds()
    _timed_scan(root, config)  # warm-up: imports, file cache
    for _ in range(repeat):
        rounds.floor.append(parse_floor(files))
        wall, cpu, rounds.findings = _timed_scan(root, config)
        rounds.scan.append(wall)
        rounds.cpu.append(cpu)
    return rounds


def measure_rounds_in_child(root: Path, jobs: int, repeat: int) -> Rounds:
    """The same rounds in a fresh process.

    The one-process scan holds every tree of the project at once; run in the
    benchmark's own process, it leaves a heap that later forked workers
    inherit and fault on page by page (copy-on-write), which made the worker
    scans that followed it 5-10% slower than in any real run, where a process
    scans once.
    """
    proc = subprocess.run(
        [
            *(sys.executable, str(Path(__file__).resolve()), "--corpus", str(root)),
            *("--repeat", str(repeat), "--rounds-only", str(jobs)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return Rounds(**json.loads(proc.stdout))


def print_rule_timings(root: Path, config: Config) -> None:
    from mle_review.engine.files import discover
    from mle_review.engine.runner import Engine

    engine = Engine(root, config.model_copy(update={"jobs": 1}))
    started = time.perf_counter()
    project, _errors, states = engine.load_project(discover([root], root, config))
    load = time.perf_counter() - started
    # Trees are indexed on first use; index them here so that the walk is not
    # charged to whichever rule happens to run first on each module.
    started = time.perf_counter()
    for module in project.modules:
        module.nodes(ast.Module)
    index = time.perf_counter() - started
    per_rule: dict[str, float] = {}
    engine.run(project, states, rule_timings=per_rule)
    print(f"load + parse          {load:>10.3f}")
    print(f"index (first use)     {index:>10.3f}")
    for rid, seconds in sorted(per_rule.items(), key=lambda kv: -kv[1]):
        print(f"  {rid:<19} {seconds:>10.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="mle-review scan benchmark")
    parser.add_argument("--corpus", type=Path, help="measure this tree instead of a generated one")
    parser.add_argument("--lines", type=int, default=50_000, help="minimum lines to generate")
    parser.add_argument(
        "--repeat", type=int, default=5, help="rounds of alternating in-process timings"
    )
    parser.add_argument(
        "--per-rule", action="store_true", help="also print seconds spent in each rule"
    )
    parser.add_argument("--rounds-only", type=int, metavar="JOBS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    tmp: Path | None = None
    if args.corpus:
        root = args.corpus.resolve()
    else:
        tmp = Path(tempfile.mkdtemp(prefix="mle-review-bench-"))
        root = tmp / "corpus"
        root.mkdir()
        generate(root, args.lines)
    try:
        files, lines = count(root)
        config = Config()
        if args.rounds_only is not None:
            rounds = measure_rounds(root, files, Config(jobs=args.rounds_only), args.repeat)
            print(json.dumps(asdict(rounds)))
            return 0
        rounds = measure_rounds(root, files, config, args.repeat)
        serial_rounds = measure_rounds_in_child(root, 1, args.repeat)
        floor = min(rounds.floor)
        best, best_cpu = rounds.best()
        serial, serial_cpu = serial_rounds.best()
        findings, serial_findings = rounds.findings, serial_rounds.findings
        modules = sum(1 for f in files if f.suffix in (".py", ".ipynb"))
        workers = effective_jobs(config.jobs, modules)

        cli_wall, peak_kb, stdout, rc = measure_cli(
            [
                *(sys.executable, "-m", "mle_review.cli", "scan", str(root), "--root", str(root)),
                *("--format", "json", "--fail-on", "never"),
            ]
        )
        proc = subprocess.CompletedProcess([], rc, stdout, "")
        cli_findings = len(json.loads(proc.stdout)["findings"]) if proc.returncode == 0 else -1

        print(f"files                 {len(files):>10,}")
        print(f"lines                 {lines:>10,}")
        print(f"findings              {findings:>10,}")
        print(f"ast.parse floor (s)   {floor:>10.3f}")
        print(
            f"scan in-process (s)   {best:>10.3f}   ({lines / best:,.0f} lines/s,"
            f" {workers} process(es) on {available_cores()} core(s))"
        )
        print(
            f"scan / parse ratio    {rounds.ratio():>10.2f}   (target <= 3.0; best scan over best floor"
            f" of {args.repeat} alternating rounds; median of the rounds' own ratios"
            f" {rounds.paired_ratio():.2f})"
        )
        print(f"  CPU, all processes  {best_cpu:>10.3f}")
        print(
            f"  one process (s)     {serial:>10.3f}   (ratio {serial_rounds.ratio():.2f}, CPU"
            f" {serial_cpu:.3f}, median ratio {serial_rounds.paired_ratio():.2f}; its own process)"
        )
        if serial_findings != findings:
            print(f"warning: one process found {serial_findings} findings, workers {findings}")
        print(
            f"CLI wall (s)          {cli_wall:>10.3f}   ({lines / cli_wall:,.0f} lines/s, includes start-up)"
        )
        print(f"CLI peak RSS (MB)     {peak_kb / 1024:>10.1f}   (target < 250; largest process)")
        if cli_findings != findings:
            print(f"warning: CLI reported {cli_findings} findings, in-process {findings}")
        if args.per_rule:
            print_rule_timings(root, config)
        bandit = shutil.which("bandit")
        if bandit:
            started = time.perf_counter()
            subprocess.run(
                [
                    bandit,
                    "-r",
                    str(root),
                    "-q",
                    "-f",
                    "json",
                    "-o",
                    str(root.parent / "bandit.json"),
                ],
                capture_output=True,
            )
            bandit_wall = time.perf_counter() - started
            print(
                f"bandit -r wall (s)    {bandit_wall:>10.3f}   (mle-review CLI / bandit = {cli_wall / bandit_wall:.2f})"
            )
        else:
            print("bandit                not installed; skipped")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
