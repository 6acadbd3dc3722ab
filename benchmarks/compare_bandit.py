"""MLR301 against bandit's deserialization checks on the same labelled fixtures.

    python benchmarks/compare_bandit.py

Runs bandit's B301 (pickle), B403 (pickle import), B506 (yaml.load) and B614
(torch.load) on ``tests/fixtures/rules/MLR301`` and scores both tools against
the fixtures' ``# ruleid`` / ``# ok`` labels. Bandit does not read notebooks,
so those labels count as bandit misses. Prints figures; asserts nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from mle_review.config import Config
from mle_review.engine.runner import scan_paths

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality import FIXTURES, labels

BANDIT_TESTS = "B301,B403,B506,B614"


def main() -> int:
    folder = FIXTURES / "MLR301"
    expected, _ok = labels(folder)
    want = {(p, line) for rid, p, line in expected if rid == "MLR301"}
    ours = {
        (f.path, f.line)
        for f in scan_paths(
            [folder], folder, Config.model_validate({"select": ["MLR301"]})
        ).findings
    }
    bandit = shutil.which("bandit")
    rows = [("mle-review MLR301", ours)]
    if bandit:
        proc = subprocess.run(
            [bandit, "-r", str(folder), "-t", BANDIT_TESTS, "-f", "json", "-q"],
            capture_output=True,
            text=True,
        )
        results = json.loads(proc.stdout or "{}").get("results", [])
        found = {
            (
                Path(r["filename"]).resolve().relative_to(folder.resolve()).as_posix(),
                r["line_number"],
            )
            for r in results
        }
        imports = {
            (
                Path(r["filename"]).resolve().relative_to(folder.resolve()).as_posix(),
                r["line_number"],
            )
            for r in results
            if r["test_id"] == "B403"
        }
        rows.append((f"bandit {BANDIT_TESTS}", found))
        rows.append(("bandit without B403", found - imports))
    else:
        print("bandit is not installed; showing mle-review only")
    print(f"labelled unsafe loads: {len(want)}")
    print(f"{'tool':<28} {'TP':>3} {'FP':>3} {'FN':>3} {'precision':>9} {'recall':>7}")
    for name, got in rows:
        tp, fp, fn = len(got & want), len(got - want), len(want - got)
        precision = tp / (tp + fp) if tp + fp else 0.0
        print(f"{name:<28} {tp:>3} {fp:>3} {fn:>3} {precision:>9.3f} {tp / len(want):>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
