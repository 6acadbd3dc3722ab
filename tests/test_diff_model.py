"""The change model: hand-made edge-case diffs with expected parses, and real ``git diff`` output.

Expected parses of ``tests/fixtures/diffs/*.diff`` live beside them as
``*.expected.json``; set MLE_REVIEW_UPDATE_SNAPSHOTS=1 to rewrite them.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mle_review.diff import ChangeSet, FileStatus, LineKind, parse_diff
from mle_review.diff.git import default_base, diff
from mle_review.review.analysis import reverse_apply

DIFFS = Path(__file__).parent / "fixtures" / "diffs"


def summarize(cs: ChangeSet) -> dict[str, Any]:
    return {
        "files": [
            {
                "path": f.path,
                "old_path": f.old_path,
                "status": f.status.value,
                "binary": f.binary,
                "old_mode": f.old_mode,
                "new_mode": f.new_mode,
                "added_lines": sorted(f.added_lines),
                "deletion_points": sorted(f.deletion_points),
                "hunks": [
                    {
                        "old": [h.old_start, h.old_length],
                        "new": [h.new_start, h.new_length],
                        "lines": [
                            [ln.kind.value[0], ln.old_lineno, ln.new_lineno, ln.position, ln.text]
                            + (["no-newline"] if ln.no_newline else [])
                            + (["crlf"] if ln.crlf else [])
                            for ln in h.lines
                        ],
                    }
                    for h in f.hunks
                ],
            }
            for f in cs.files
        ],
        "problems": [p.model_dump() for p in cs.problems],
    }


@pytest.mark.parametrize("name", sorted(p.stem for p in DIFFS.glob("*.diff")))
def test_fixture_diff_parses_as_expected(name: str) -> None:
    actual = summarize(parse_diff((DIFFS / f"{name}.diff").read_bytes()))
    expected_path = DIFFS / f"{name}.expected.json"
    if os.environ.get("MLE_REVIEW_UPDATE_SNAPSHOTS") or not expected_path.exists():
        expected_path.write_text(
            json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))


def test_edge_cases_in_fixtures() -> None:
    cs = parse_diff((DIFFS / "rename_delete_mode.diff").read_bytes())
    by = {f.path: f for f in cs.files}
    assert (
        by["new/name.py"].status is FileStatus.RENAMED
        and by["new/name.py"].old_path == "old/name.py"
    )
    assert by["gone.py"].status is FileStatus.DELETED and not by["gone.py"].exists_at_head
    assert by["run.sh"].mode_changed and not by["run.sh"].hunks
    assert by["assets/model.bin"].binary and by["assets/model.bin"].status is FileStatus.ADDED
    assert "café file.py" in by  # git's octal-quoted path is decoded
    crlf = parse_diff((DIFFS / "crlf_and_nonl.diff").read_bytes())
    win = crlf.get("win.txt")
    assert (
        win is not None
        and all(ln.crlf for ln in win.iter_lines())
        and win.iter_lines()[2].text == "B"
    )
    tail = crlf.get("tail.py")
    assert tail is not None and [ln.no_newline for ln in tail.iter_lines()] == [False, True, True]
    latin = parse_diff((DIFFS / "non_utf8.diff").read_bytes())
    assert latin.get("latin.py") is not None and "\ufffd" in latin.files[0].iter_lines()[1].text
    assert parse_diff(b"").is_empty and not parse_diff("   \n").problems
    broken = parse_diff((DIFFS / "broken_section.diff").read_bytes())
    assert broken.paths == ["ok.py"] and broken.problems[0].path == "bad.py"
    assert parse_diff((DIFFS / "garbage.diff").read_text()).problems


def test_positions_count_hunk_headers_after_the_first() -> None:
    cs = parse_diff((DIFFS / "multi_hunk.diff").read_text())
    f = cs.files[0]
    lines = f.iter_lines()
    assert lines[0].position == 1
    # first hunk has 5 lines (positions 1-5); the second header is position 6
    assert f.hunks[1].lines[0].position == 7
    assert f.position_of(23) == lines[-3].position
    assert f.position_of(100) is None


def test_touches_added_lines_and_deletions_inside_a_statement() -> None:
    cs = parse_diff((DIFFS / "multi_hunk.diff").read_text())
    assert cs.touches("train.py", 2)
    assert not cs.touches("train.py", 3)
    # lines 22..24 span the place where `c = 3` was removed and `cd = 7` added
    assert cs.touches("train.py", 22, 24)
    assert not cs.touches("other.py", 2)
    assert cs.added_lines("train.py") == frozenset({2, 23})


def test_pure_deletion_marks_the_following_line() -> None:
    text = "--- a/x.py\n+++ b/x.py\n@@ -1,4 +1,3 @@\n a = f(\n-    1,\n     2,\n )\n"
    f = parse_diff(text).files[0]
    assert f.added_lines == frozenset()
    assert f.deletion_points == frozenset({2})
    assert f.touches(1, 3) and not f.touches(2, 2) and not f.touches(3, 3)


def test_later_section_for_same_path_wins() -> None:
    one = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
    two = "--- a/x.py\n+++ b/x.py\n@@ -1 +1,2 @@\n b\n+c\n"
    cs = parse_diff(one + two)
    assert cs.paths == ["x.py"] and cs.added_lines("x.py") == frozenset({2})


# --- real git output ------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def _init(repo: Path) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "t")
    _git(repo, "config", "core.autocrlf", "false")


def _write(repo: Path, files: dict[str, bytes | None]) -> None:
    for rel, data in files.items():
        path = repo / rel
        if data is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.fixture
def real_change(tmp_path: Path) -> tuple[Path, ChangeSet, dict[str, bytes], dict[str, bytes]]:
    repo = tmp_path / "repo"
    _init(repo)
    body = "".join(f"line {i}\n" for i in range(1, 40)).encode()
    base = {
        "keep.py": b"a = 1\nb = 2\nc = 3\n",
        "crlf.py": b"x = 1\r\ny = 2\r\n",
        "nonl.py": b"z = 1",
        "moved/old_name.py": body,
        "gone.py": b"bye = True\n",
        "blob.bin": b"\x00\x01\x02",
        "latin.py": "s = 'café'\n".encode("latin-1"),
        "space dir/é.py": b"v = 1\n",
        "long.py": body,
        "run.sh": b"echo hi\n",
    }
    _write(repo, base)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "checkout", "-qb", "feature")
    head = dict(base)
    head.update(
        {
            "keep.py": b"a = 1\nb = 20\nc = 3\nd = 4\n",
            "crlf.py": b"x = 1\r\ny = 3\r\n",
            "nonl.py": b"z = 2\n",
            "new/added.py": b"import joblib\nm = joblib.load('m.pkl')\n",
            "blob.bin": b"\x00\x09\x09",
            "latin.py": "s = 'café crème'\n".encode("latin-1"),
            "space dir/é.py": b"v = 2\n",
            "long.py": body.replace(b"line 3\n", b"LINE 3\n").replace(
                b"line 30\n", b"line 30\nextra\n"
            ),
        }
    )
    head["moved/new_name.py"] = body.replace(b"line 1\n", b"line one\n")
    del head["moved/old_name.py"]
    del head["gone.py"]
    _write(repo, {"moved/old_name.py": None, "gone.py": None})
    _write(repo, {k: v for k, v in head.items() if k not in base or base[k] != v})
    (repo / "run.sh").chmod(0o755)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "head")
    base_sha, _how = default_base(repo, "HEAD")
    cs = parse_diff(diff(repo, base_sha, "HEAD"))
    return repo, cs, base, head


def test_real_git_diff_statuses(
    real_change: tuple[Path, ChangeSet, dict[str, bytes], dict[str, bytes]],
) -> None:
    _repo, cs, _base, _head = real_change
    by = {f.path: f for f in cs.files}
    assert by["moved/new_name.py"].status is FileStatus.RENAMED
    assert by["moved/new_name.py"].old_path == "moved/old_name.py"
    assert by["gone.py"].status is FileStatus.DELETED
    assert by["new/added.py"].status is FileStatus.ADDED and by[
        "new/added.py"
    ].added_lines == frozenset({1, 2})
    assert by["blob.bin"].binary
    assert by["run.sh"].mode_changed and by["run.sh"].new_mode == "100755"
    assert by["space dir/é.py"].added_lines == frozenset({1})
    assert by["keep.py"].added_lines == frozenset({2, 4})
    assert by["long.py"].added_lines == frozenset({3, 31})
    assert [ln.crlf for ln in by["crlf.py"].iter_lines() if ln.kind is LineKind.ADDED] == [True]
    assert any(ln.no_newline for ln in by["nonl.py"].iter_lines())


def test_reverse_apply_rebuilds_base_from_head(
    real_change: tuple[Path, ChangeSet, dict[str, bytes], dict[str, bytes]],
) -> None:
    _repo, cs, base, head = real_change
    for path in ("keep.py", "long.py", "space dir/é.py"):
        fc = cs.get(path)
        assert fc is not None
        rebuilt = reverse_apply(head[path].decode(), fc)
        assert rebuilt == base[path].decode(), path
    renamed = cs.get("moved/new_name.py")
    assert renamed is not None
    assert (
        reverse_apply(head["moved/new_name.py"].decode(), renamed)
        == base["moved/old_name.py"].decode()
    )
    # a head that does not match the diff is refused rather than guessed
    keep = cs.get("keep.py")
    assert keep is not None and reverse_apply("something else\n", keep) is None
