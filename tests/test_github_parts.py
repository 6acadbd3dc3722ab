"""The pieces of ``mle-review github`` on their own: retries, event parsing, diff rebuild, anchors, sources."""

from __future__ import annotations

import os
from pathlib import Path

import github
import pytest
from github_server import GitHubServer, GitHubState
from github_server.diffing import make_patch

from mle_review.diff.parse import parse_diff
from mle_review.github.changes import Anchors, commentable_lines, diff_from_files
from mle_review.github.client import ChangedFile, DiffTooLarge, GitHubClient, ReviewComment
from mle_review.github.event import ActionEnv, EventError, is_command, parse_command, parse_comment
from mle_review.github.markers import (
    active_fingerprint,
    has_marker,
    resolved_fingerprint,
    review_marker,
)
from mle_review.github.publish import plan_inline, resolved_body
from mle_review.github.retry import GitHubError, RetryPolicy, rate_limit_wait
from mle_review.github.settings import GitHubConfig
from mle_review.github.sources import ApiSource, WorkspaceSource, checked_out_sha, safe_relpath
from mle_review.models import Confidence, Finding, Severity
from mle_review.render.review import inline_marker

# -- retries ---------------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def failing(*errors: Exception) -> object:
    calls = {"n": 0}

    def fn() -> str:
        if calls["n"] < len(errors):
            calls["n"] += 1
            raise errors[calls["n"] - 1]
        return "ok"

    return fn


def gh_error(
    status: int, message: str = "x", headers: dict[str, str] | None = None
) -> github.GithubException:
    return github.GithubException(status, {"message": message}, headers or {})


def policy(t: FakeTime, budget: float = 300.0) -> RetryPolicy:
    return RetryPolicy(budget, clock=t.clock, sleep=t.sleep)


def test_retry_after_is_honoured() -> None:
    t = FakeTime()
    fn = failing(gh_error(403, "You have exceeded a secondary rate limit.", {"Retry-After": "7"}))
    assert policy(t).call("x", fn) == "ok"  # type: ignore[arg-type]
    assert t.slept == [7.0]


def test_primary_limit_waits_until_reset() -> None:
    exc = gh_error(
        403, "API rate limit exceeded", {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000"}
    )
    assert rate_limit_wait(exc, now=990.0) == 11.0
    assert rate_limit_wait(gh_error(429, "too many")) == 60.0
    assert rate_limit_wait(gh_error(403, "Resource not accessible by integration")) is None


def test_wait_beyond_the_budget_fails_at_once_with_a_clear_message() -> None:
    t = FakeTime()
    fn = failing(gh_error(403, "secondary rate limit", {"Retry-After": "600"}))
    with pytest.raises(GitHubError) as err:
        policy(t, budget=60).call("create review", fn)  # type: ignore[arg-type]
    assert t.slept == []
    assert (
        "600s" in str(err.value)
        and "time budget" in str(err.value)
        and "create review" in str(err.value)
    )


def test_server_errors_back_off_then_give_up() -> None:
    t = FakeTime()
    p = RetryPolicy(300, clock=t.clock, sleep=t.sleep, max_attempts=3)
    fn = failing(*[gh_error(502, "Bad Gateway")] * 5)
    with pytest.raises(GitHubError) as err:
        p.call("list files", fn)  # type: ignore[arg-type]
    assert len(t.slept) == 2 and t.slept[1] > t.slept[0]
    assert "gave up after 3 attempts" in str(err.value)


def test_writes_are_not_repeated_after_a_5xx_unless_reconciled() -> None:
    t = FakeTime()
    with pytest.raises(GitHubError):
        policy(t).call("create", failing(gh_error(500)), idempotent=False)  # type: ignore[arg-type]
    assert t.slept == []
    # the write landed despite the 500: reconcile finds it and nothing is written twice
    calls: list[str] = []

    def write() -> str:
        calls.append("write")
        raise gh_error(502)

    assert policy(t).call("create", write, idempotent=False, reconcile=lambda: "found") == "found"
    assert calls == ["write"]
    # refused by a rate limit: nothing was written, so it is simply retried
    fn = failing(gh_error(403, "secondary rate limit", {"Retry-After": "1"}))
    assert policy(t).call("create", fn, idempotent=False) == "ok"  # type: ignore[arg-type]


def test_permission_errors_are_not_retried() -> None:
    t = FakeTime()
    with pytest.raises(GitHubError) as err:
        policy(t).call(
            "check run", failing(gh_error(403, "Resource not accessible by integration"))
        )  # type: ignore[arg-type]
    assert err.value.permission and t.slept == []


# -- environment and payloads --------------------------------------------------------


def test_action_env_requires_the_essentials(tmp_path: Path) -> None:
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(tmp_path / "e.json"),
        "GITHUB_REPOSITORY": "acme/churn",
    }
    with pytest.raises(EventError, match="GITHUB_TOKEN"):
        ActionEnv.from_environ(env)
    parsed = ActionEnv.from_environ(
        {**env, "GITHUB_TOKEN": "t", "GITHUB_API_URL": "https://ghe.example/api/v3/"}
    )
    assert parsed.api_url == "https://ghe.example/api/v3" and parsed.step_summary is None
    with pytest.raises(EventError, match="owner/name"):
        ActionEnv.from_environ({**env, "GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "../etc"})


@pytest.mark.parametrize(
    ("body", "kind", "args"),
    [
        ("/mle-review", "review", []),
        ("  /mle-review  \nplease", "review", []),
        ("/mle-review explain MLR104", "explain", ["MLR104"]),
        ("/mle-review explain `random-split-temporal`", "explain", ["random-split-temporal"]),
        ("/mle-review compact", "compact", []),
        ("/mle-review help", "help", []),
        ("/mle-review explain", "help", []),
        ("/mle-review explain MLR104 now", "help", []),
        ("/mle-review explain $(rm -rf /)", "help", []),
        ("/mle-review --fail-on never", "help", []),
        ("/mle-review deploy", "help", []),
    ],
)
def test_command_allowlist(body: str, kind: str, args: list[str]) -> None:
    assert is_command(body)
    request = parse_command(body)
    assert (request.kind, request.args) == (kind, args)


@pytest.mark.parametrize(
    "body", ["/mle-reviewer", "please /mle-review", "> /mle-review", "", "/mle"]
)
def test_not_a_command(body: str) -> None:
    assert not is_command(body)


def test_comment_payload_fields_are_type_checked() -> None:
    event = parse_comment(
        {
            "action": "created",
            "issue": {"number": 3, "pull_request": {"url": "u"}},
            "comment": {
                "id": 9,
                "body": "/mle-review",
                "user": {"login": "bob", "type": "User"},
                "author_association": "member",
            },
        }
    )
    assert event.is_pull_request and event.association == "MEMBER" and event.comment_id == 9
    assert not parse_comment(
        {"action": "created", "issue": {"number": 3}, "comment": {"id": 9, "body": 5}}
    ).is_pull_request
    with pytest.raises(EventError):
        parse_comment({"issue": {"number": "3"}, "comment": {"id": 9}})


def test_settings_validate_associations() -> None:
    assert GitHubConfig.model_validate(
        {"allowed-associations": ["owner", "Member"]}
    ).allowed_associations == ["OWNER", "MEMBER"]
    with pytest.raises(ValueError):
        GitHubConfig.model_validate({"allowed-associations": ["ADMIN"]})


# -- markers -------------------------------------------------------------------------


def test_markers_count_only_at_line_start() -> None:
    body = "text\n" + inline_marker("abc123") + "\n"
    assert active_fingerprint(body) == "abc123"
    assert active_fingerprint("> " + inline_marker("abc123")) is None
    resolved = resolved_body(body, "abc123", "f" * 40)
    assert active_fingerprint(resolved) is None and resolved_fingerprint(resolved) == "abc123"
    assert "text" in resolved and "Resolved" in resolved
    assert has_marker("x\n<!-- mle-review:summary -->\n", "<!-- mle-review:summary -->")
    assert not has_marker("> <!-- mle-review:summary -->", "<!-- mle-review:summary -->")
    assert review_marker("a" * 40, "12; DROP") == f"<!-- mle-review:review {'a' * 40} 12DROP -->"


# -- diff rebuild and anchors --------------------------------------------------------

OLD = "".join(f"v{i} = {i}\n" for i in range(1, 31))
# line 3 changed, line 25 changed, line 31 added: hunks cover lines 1-6 and 22-31 of the new file
NEW = OLD.replace("v3 = 3", "v3 = 33").replace("v25 = 25", "v25 = 52") + "v31 = 31\n"


def test_rebuilt_diff_has_the_same_anchors_as_the_real_one() -> None:
    state = GitHubState()
    state.add_pull(
        {"m.py": OLD, "gone.py": "x = 1\n", "old_name.py": OLD},
        {"m.py": NEW, "new.py": "y = 2\n", "new_name.py": NEW},
        renames={"new_name.py": "old_name.py"},
    )
    pull = state.pulls[7]
    real = parse_diff(state.diff_text(pull))
    files = [
        ChangedFile(f.filename, f.status, f.patch, f.previous_filename, f.additions, f.deletions)
        for f in pull.files
    ]
    text, missing = diff_from_files(files, len(files))
    rebuilt = parse_diff(text)
    assert missing == []
    assert (
        sorted(real.paths) == sorted(rebuilt.paths) == ["gone.py", "m.py", "new.py", "new_name.py"]
    )
    for path in real.paths:
        a, b = real.get(path), rebuilt.get(path)
        assert a is not None and b is not None
        assert commentable_lines(a) == commentable_lines(b)
        assert a.status == b.status
    m = real.get("m.py")
    assert m is not None and commentable_lines(m) == frozenset([*range(1, 7), *range(22, 32)])


def test_rebuild_names_every_file_left_out() -> None:
    files = [
        ChangedFile("model.bin", "added", None, None, 0, 0),
        ChangedFile("huge.py", "modified", None, None, 9000, 10),
        ChangedFile("moved.py", "renamed", None, "was.py", 0, 0),
        ChangedFile("ok.py", "added", make_patch("", "x = 1\n"), None, 1, 0),
    ]
    text, missing = diff_from_files(files, changed_files=3500)
    assert {m.path for m in missing} == {"model.bin", "huge.py", "(3496 more files)"}
    reasons = {m.path: m.reason for m in missing}
    assert "binary" in reasons["model.bin"] and "too large" in reasons["huge.py"]
    assert "3500" in reasons["(3496 more files)"]
    assert sorted(parse_diff(text).paths) == ["moved.py", "ok.py"]


def finding(
    path: str, line: int, fp: str, end: int | None = None, severity: Severity = Severity.HIGH
) -> Finding:
    return Finding(
        rule_id="MLR301",
        slug="unsafe-deserialization",
        severity=severity,
        confidence=Confidence.HIGH,
        path=path,
        line=line,
        end_line=end or line,
        column=1,
        message="m",
        fix="f",
        fingerprint=fp,
    )


def test_anchor_is_the_line_or_the_first_added_line_of_the_statement() -> None:
    diff = "diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n" + make_patch(OLD, NEW) + "\n"
    anchors = Anchors(parse_diff(diff))
    assert anchors.line_for(finding("m.py", 3, "a")) == 3  # added
    assert anchors.line_for(finding("m.py", 6, "b")) == 6  # context line inside the hunk
    assert anchors.line_for(finding("m.py", 12, "c")) is None  # between the hunks
    assert (
        anchors.line_for(finding("m.py", 20, "e", end=25)) == 25
    )  # statement reaching an added line
    assert anchors.line_for(finding("other.py", 3, "d")) is None


def review_comment(cid: int, body: str, reply_to: int | None = None) -> ReviewComment:
    return ReviewComment(cid, body, "github-actions[bot]", "Bot", "m.py", 3, reply_to, 1)


def test_plan_keeps_existing_resolves_gone_and_caps_new() -> None:
    diff = "diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n" + make_patch(OLD, NEW) + "\n"
    anchors = Anchors(parse_diff(diff))
    findings = [
        finding("m.py", 3, "keep"),
        finding("m.py", 25, "new1"),
        finding("m.py", 31, "new2", severity=Severity.LOW),
    ]
    findings.append(finding("m.py", 12, "outside"))
    existing = [
        review_comment(1, "x\n" + inline_marker("keep")),
        review_comment(2, "x\n" + inline_marker("gone")),
        review_comment(3, "quoting\n" + inline_marker("new1"), reply_to=2),  # a reply is never ours
    ]
    plan = plan_inline(findings, anchors, existing, max_inline=2)
    assert [(f.fingerprint, line) for f, line in plan.post] == [("new1", 25)]
    assert [f.fingerprint for f in plan.overflow] == ["new2"]
    assert [fp for fp, _ in plan.gone] == ["gone"]


# -- head sources --------------------------------------------------------------------


def test_checked_out_sha_reads_detached_and_branch_heads(tmp_path: Path) -> None:
    sha = "a" * 40
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text(sha + "\n")
    assert checked_out_sha(tmp_path) == sha
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "packed-refs").write_text(f"# pack-refs\n{'b' * 40} refs/heads/main\n")
    assert checked_out_sha(tmp_path) == "b" * 40
    (git / "refs" / "heads" / "main").write_text("c" * 40 + "\n")
    assert checked_out_sha(tmp_path) == "c" * 40
    assert checked_out_sha(tmp_path / "nowhere") is None


def test_workspace_source_never_follows_links_out(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("token")
    ws = tmp_path / "ws"
    (ws / "pkg").mkdir(parents=True)
    (ws / "pkg" / "a.py").write_text("x = 1\n")
    os.symlink(secret, ws / "pkg" / "leak.py")
    os.symlink(ws / "pkg", ws / "linkdir")
    source = WorkspaceSource(ws)
    assert source.read("pkg/a.py") == b"x = 1\n"
    assert source.read("pkg/leak.py") is None
    assert source.read("linkdir/a.py") is None
    assert source.read("../secret.txt") is None
    assert safe_relpath(".git/config") is None and safe_relpath("/etc/passwd") is None


def test_client_reads_files_diff_and_tree_from_the_server(tmp_path: Path) -> None:
    state = GitHubState()
    head = {f"pkg/f{i:03}.py": f"x = {i}\n" for i in range(250)}
    head["big.bin"] = b"\0" * 1_200_000
    state.add_pull({}, head)
    with GitHubServer(state) as gh:
        client = GitHubClient(
            "ghs_write", "acme/churn", gh.base_url, RetryPolicy(10), write_interval=0
        )
        assert len(client.files(7)) == 251  # three pages of 100
        assert len(gh.calls("GET", r"/files$")) == 3
        assert client.read_file("big.bin", state.pulls[7].head_sha) == b"\0" * 1_200_000
        assert client.read_file("nope.py", state.pulls[7].head_sha) is None
        files = client.tree_files(state.pulls[7].head_sha)
        assert files is not None and files["pkg/f007.py"] == 6 and "pkg" not in files
        source = ApiSource(client, state.pulls[7].head_sha, files, max_size=1_000_000)
        with pytest.raises(OSError, match="max-file-size"):
            source.read("big.bin")  # skipped without downloading it
        assert source.read("nope.py") is None and source.requests == 0
        assert source.read("pkg/f001.py") == b"x = 1\n" and source.requests == 1
        state.max_diff_files = 100
        with pytest.raises(DiffTooLarge, match="maximum number of files"):
            client.diff(7)


def test_workspace_listing_skips_git_and_links(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / ".git").mkdir(parents=True)
    (ws / ".git" / "HEAD").write_text("x")
    (ws / "svc").mkdir()
    (ws / "svc" / "requirements.txt").write_text("numpy==2.0\n")
    (ws / "train.py").write_text("x = 1\n")
    os.symlink(tmp_path, ws / "outside")
    os.symlink(ws / "train.py", ws / "alias.py")
    assert WorkspaceSource(ws).list_files() == ["svc/requirements.txt", "train.py"]


def test_delivery_notes_stay_short_for_huge_changes(tmp_path: Path) -> None:
    from mle_review.config import Config
    from mle_review.github.action import Options, Outcome, _notes_section
    from mle_review.github.changes import Unreviewed

    env = ActionEnv("pull_request", tmp_path / "e.json", "acme/churn", "t", run_id="42")
    options = Options(
        Config(), "high", "both", 20, True, "COMMENT", tmp_path / "s", ["OWNER"], True, 10
    )
    outcome = Outcome(unreviewed=[Unreviewed(f"bin/{i}.bin", "binary file") for i in range(500)])
    notes = _notes_section(outcome, options, "a" * 40, env)
    assert notes.count("Not reviewed") == 40 and "460 more files not reviewed" in notes
    assert "`aaaaaaa`" in notes and "actions/runs/42" in notes
