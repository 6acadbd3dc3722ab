"""``mle-review github`` end to end: the real command, as a subprocess, against the local GitHub server.

Each test writes a webhook payload in GitHub's documented shape, runs the
command with the environment GitHub Actions provides, and then asserts on
what the server holds: comments, reviews, review comments, reactions, check
runs. Findings come from MLR301 (``select = ["MLR301"]`` in the workspace
config) so the expected inline lines are exact, marked ``# inline`` below.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from github_server import GitHubServer, GitHubState
from github_server.payloads import issue_comment_event, pull_request_event
from github_server.state import IssueComment

from mle_review.github.markers import (
    SUMMARY_MARKER,
    UNAUTHORIZED_MARKER,
    active_fingerprint,
    resolved_fingerprint,
)

PATH = "serve/loader.py"
BASE = {
    PATH: "import json\n\n\ndef load_config(path):\n    with open(path) as fh:\n        return json.load(fh)\n",
    "README.md": "# churn\n",
}
HEAD1 = {
    PATH: """import json
import pickle

import joblib
import pandas as pd


def load_config(path):
    with open(path) as fh:
        return json.load(fh)


def load_model(path):
    with open(path, "rb") as fh:
        return pickle.load(fh)  # inline


def load_encoder(path):
    return joblib.load(path)  # inline


def load_frame(path):
    return pd.read_pickle(path)  # inline
""",
    "README.md": "# churn\n",
}
# the second push fixes load_model, keeps the other two, and adds a new problem
HEAD2 = {
    PATH: HEAD1[PATH].replace(
        '    with open(path, "rb") as fh:\n        return pickle.load(fh)  # inline',
        "    with open(path) as fh:\n        return json.load(fh)",
    )
    + "\n\ndef load_blob(blob):\n    return pickle.loads(blob)  # inline\n",
    "README.md": "# churn\n",
}
ONLY_MLR301 = 'select = ["MLR301"]\n'


def inline_lines(tree: dict[str, str], path: str = PATH) -> list[int]:
    return [n for n, line in enumerate(tree[path].splitlines(), 1) if line.endswith("# inline")]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    job_summary: str
    sarif: Path


class Action:
    """Runs ``mle-review github`` the way the Action's step does."""

    def __init__(self, gh: GitHubServer, tmp: Path) -> None:
        self.gh = gh
        self.tmp = tmp
        self.runs = 0
        self.workspace = tmp / "workspace"
        self.workspace.mkdir()
        (self.workspace / ".mle-review.toml").write_text(ONLY_MLR301)

    def checkout(self, tree: dict[str, str], sha: str) -> None:
        """A detached checkout of ``sha``, as actions/checkout leaves it."""
        for path, text in tree.items():
            target = self.workspace / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        (self.workspace / ".git").mkdir(exist_ok=True)
        (self.workspace / ".git" / "HEAD").write_text(sha + "\n")

    def run(
        self, event_name: str, payload: dict[str, object], *args: str, token: str = "ghs_write"
    ) -> Result:
        self.runs += 1
        run_dir = self.tmp / f"run{self.runs}"
        run_dir.mkdir()
        event = run_dir / "event.json"
        event.write_text(json.dumps(payload))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(run_dir),
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": "acme/churn",
            "GITHUB_TOKEN": token,
            "GITHUB_API_URL": self.gh.base_url,
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_STEP_SUMMARY": str(run_dir / "step_summary.md"),
            "GITHUB_OUTPUT": str(run_dir / "output.txt"),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_RUN_ID": str(1000 + self.runs),
            "RUNNER_TEMP": str(run_dir),
        }
        proc = subprocess.run(
            [sys.executable, "-m", "mle_review.cli", "github", "--write-interval", "0", *args],
            env=env,
            cwd=self.workspace,
            capture_output=True,
            text=True,
            timeout=120,
        )
        outputs: dict[str, str] = {}
        out_file = run_dir / "output.txt"
        if out_file.exists():
            for line in out_file.read_text().splitlines():
                key, _, value = line.partition("=")
                outputs[key] = value
        summary_file = run_dir / "step_summary.md"
        return Result(
            proc.returncode,
            proc.stdout,
            proc.stderr,
            outputs,
            summary_file.read_text() if summary_file.exists() else "",
            run_dir / "mle-review.sarif",
        )

    def pr(self, action: str = "opened", *args: str, token: str = "ghs_write") -> Result:
        return self.run("pull_request", pull_request_event(self.gh, 7, action), *args, token=token)

    def comment(self, comment: IssueComment, *args: str) -> Result:
        return self.run("issue_comment", issue_comment_event(self.gh, comment), *args)


@pytest.fixture
def gh() -> Iterator[GitHubServer]:
    state = GitHubState()
    state.add_pull(
        BASE, HEAD1, title="Load models for serving", body="Adds loaders.", author="alice"
    )
    with GitHubServer(state) as server:
        yield server


@pytest.fixture
def action(gh: GitHubServer, tmp_path: Path) -> Action:
    return Action(gh, tmp_path)


def summaries(gh: GitHubServer) -> list[IssueComment]:
    return [c for c in gh.state.comments_on(7) if SUMMARY_MARKER in c.body]


def active(gh: GitHubServer) -> dict[str, tuple[str, int | None]]:
    out: dict[str, tuple[str, int | None]] = {}
    for c in gh.state.review_comments_on(7):
        fp = active_fingerprint(c.body)
        if fp is not None and c.in_reply_to is None:
            assert fp not in out, "the same finding was commented twice"
            out[fp] = (c.path, c.line)
    return out


# -- pull_request ----------------------------------------------------------------------


def test_first_run_posts_summary_inline_review_and_check_run(
    gh: GitHubServer, action: Action
) -> None:
    result = action.pr()
    assert result.code == 1, (
        result.stderr
    )  # MLR301 findings are high/critical; fail-on defaults to high
    head = gh.state.pulls[7].head_sha

    [summary] = summaries(gh)
    assert summary.user.login == "github-actions[bot]"
    assert head[:7] in summary.body and "BLOCK" in summary.body

    [review] = gh.state.reviews_on(7)
    assert review.state == "COMMENTED" and review.commit_id == head
    comments = gh.state.review_comments_on(7)
    assert {(c.path, c.line) for c in comments} == {(PATH, n) for n in inline_lines(HEAD1)}
    assert all(c.review_id == review.id and c.side == "RIGHT" for c in comments)
    assert all("MLR301" in c.body and active_fingerprint(c.body) for c in comments)

    [run] = gh.state.check_runs_for(head)
    assert run.name == "mle-review" and run.status == "completed" and run.conclusion == "failure"
    assert sorted(a["start_line"] for a in run.annotations) == inline_lines(HEAD1)
    assert {a["annotation_level"] for a in run.annotations} == {"failure"}

    assert result.outputs == {
        "decision": "BLOCK",
        "findings-count": "3",
        "blocking-count": "3",
        "sarif-file": str(result.sarif),
    }
    sarif = json.loads(result.sarif.read_text())
    assert len(sarif["runs"][0]["results"]) == 3
    assert "mle-review" in result.job_summary and "MLR301" in result.job_summary
    assert "::error" not in result.stdout
    # head contents came from the contents API (the workspace is not a checkout of the head)
    assert gh.calls("GET", r"/contents/serve/loader\.py$")[0].query["ref"] == [head]
    assert not gh.calls("GET", r"/contents/README\.md$")  # unchanged files are not fetched


def test_second_run_edits_the_summary_and_resolves_fixed_findings(
    gh: GitHubServer, action: Action
) -> None:
    assert action.pr().code == 1
    [first_summary] = summaries(gh)
    before = active(gh)
    fixed_line = inline_lines(HEAD1)[0]
    [fixed] = [fp for fp, (_, line) in before.items() if line == fixed_line]
    fixed_comment = next(
        c for c in gh.state.review_comments_on(7) if active_fingerprint(c.body) == fixed
    )
    reply = gh.state.add_reply(fixed_comment.id, "Good catch, fixing.", "alice")

    head2 = gh.state.push(7, HEAD2)
    result = action.pr("synchronize")
    assert result.code == 1, result.stderr

    [summary] = summaries(gh)
    assert summary.id == first_summary.id  # edited in place
    assert head2[:7] in summary.body and summary.updated > first_summary.created

    after = active(gh)
    assert fixed not in after
    assert set(before) - {fixed} <= set(after)  # kept, not commented again
    new = set(after) - set(before)
    assert len(new) == 1 and after[new.pop()] == (PATH, inline_lines(HEAD2)[-1])
    still = gh.state.review_comments[fixed_comment.id]
    assert resolved_fingerprint(still.body) == fixed and "Resolved" in still.body
    assert reply.id in gh.state.review_comments  # the conversation is untouched
    assert len(gh.state.reviews_on(7)) == 2  # one review per run
    assert len(gh.state.check_runs_for(head2)) == 1

    # a third run on the same head changes nothing but the summary's text
    result = action.pr("synchronize")
    assert len(gh.state.reviews_on(7)) == 2 and active(gh) == after and len(summaries(gh)) == 1


def test_diff_too_large_is_rebuilt_from_file_patches_and_says_what_was_skipped(
    gh: GitHubServer, action: Action
) -> None:
    head = {**HEAD1, **{f"pkg/mod_{i:03}.py": f"VALUE = {i}\n" for i in range(300)}}
    head["model.bin"] = "\0binary"
    head["serve/huge.py"] = "".join(f"X{i} = {i}\n" for i in range(80))
    gh.state.max_patch_lines = 60  # huge.py's patch is too large for the files API
    sha = gh.state.push(7, head)  # type: ignore[arg-type]
    action.checkout(head, sha)
    result = action.pr("synchronize")
    assert result.code == 1, result.stderr

    assert [
        r.status for r in gh.calls("GET", r"/pulls/7$") if "diff" in r.headers.get("accept", "")
    ] == [406]
    assert len(gh.calls("GET", r"/pulls/7/files$")) == 4  # 303 files, 100 per page
    [summary] = summaries(gh)
    assert "GitHub refused the full diff" in summary.body
    assert "`model.bin`" in summary.body and "binary" in summary.body
    assert "`serve/huge.py`" in summary.body and "too large" in summary.body
    assert {(c.path, c.line) for c in gh.state.review_comments_on(7)} == {
        (PATH, n) for n in inline_lines(HEAD1)
    }
    # contents were read from the checkout of the head commit, not the API
    assert not gh.calls("GET", r"/contents/")


def test_fork_token_without_checks_skips_the_check_run_with_a_notice(
    gh: GitHubServer, action: Action
) -> None:
    result = action.pr(token="ghs_nochecks")
    assert result.code == 1, result.stderr
    assert gh.state.check_runs == {}
    notice = [
        ln
        for ln in result.stdout.splitlines()
        if ln.startswith("::notice") and "check run skipped" in ln
    ]
    assert len(notice) == 1
    assert len(summaries(gh)) == 1 and len(gh.state.review_comments_on(7)) == 3
    assert (
        "check run skipped" in summaries(gh)[0].body and "check run skipped" in result.job_summary
    )
    assert result.sarif.exists()


def test_read_only_token_still_writes_job_summary_and_sarif(
    gh: GitHubServer, action: Action
) -> None:
    result = action.pr(token="ghs_readonly")
    assert result.code == 1, result.stderr  # the findings decide, not the refused posts
    assert gh.state.issue_comments == {} and gh.state.reviews == {} and gh.state.check_runs == {}
    assert "MLR301" in result.job_summary and "skipped" in result.job_summary
    assert len(json.loads(result.sarif.read_text())["runs"][0]["results"]) == 3
    assert result.outputs["decision"] == "BLOCK"


def test_rate_limits_and_server_errors_are_retried(gh: GitHubServer, action: Action) -> None:
    gh.primary_rate_limit("GET", r"/pulls/7/files$", reset_in=1)
    gh.secondary_rate_limit("POST", r"/pulls/7/reviews$", retry_after=1)
    gh.inject("GET", r"/issues/7/comments$", 502, "Server Error")
    result = action.pr()
    assert result.code == 1, result.stderr
    assert [r.status for r in gh.calls("POST", r"/pulls/7/reviews$")] == [403, 200]
    assert [r.status for r in gh.calls("GET", r"/pulls/7/files$")][:2] == [403, 200]
    assert len(gh.state.reviews_on(7)) == 1 and len(summaries(gh)) == 1
    assert "retrying" in result.stderr


def test_persistent_failure_to_post_exits_2_but_keeps_the_review(
    gh: GitHubServer, action: Action
) -> None:
    gh.inject("POST", r"/issues/7/comments$", 503, "Service Unavailable", times=50)
    result = action.pr("opened", "--api-time-budget", "4")
    assert result.code == 2
    assert "::error" in result.stdout and "summary comment failed" in result.stdout
    assert "MLR301" in result.job_summary and result.sarif.exists()
    assert len(gh.state.review_comments_on(7)) == 3  # the other steps still ran


def test_one_refused_anchor_does_not_lose_the_others(gh: GitHubServer, action: Action) -> None:
    bad = inline_lines(HEAD1)[1]
    gh.state.unresolvable_anchors.add((PATH, bad))
    result = action.pr()
    assert result.code == 1, result.stderr
    posted = {(c.path, c.line) for c in gh.state.review_comments_on(7)}
    assert posted == {(PATH, n) for n in inline_lines(HEAD1) if n != bad}
    assert [r.state for r in gh.state.reviews_on(7)] == [
        "COMMENTED"
    ]  # probes were pending and deleted
    assert f"`{PATH}:{bad}`" in summaries(gh)[0].body


def test_concurrent_runs_leave_one_summary_comment(gh: GitHubServer, action: Action) -> None:
    def other_run_posts_first(state: GitHubState) -> None:
        state.add_issue_comment(
            7, SUMMARY_MARKER + "\nfrom a racing run", "github-actions[bot]", type="Bot"
        )

    gh.before("POST", r"/issues/7/comments$", other_run_posts_first)
    assert action.pr().code == 1
    [summary] = summaries(gh)
    assert "from a racing run" not in summary.body and "MLR301" in summary.body


def test_annotations_go_in_batches_of_50_and_inline_comments_are_capped(
    gh: GitHubServer, action: Action
) -> None:
    loaders = "".join(
        f"\n\ndef load_{i}(path):\n    return joblib.load(path)  # inline\n" for i in range(60)
    )
    head = {**HEAD1, PATH: HEAD1[PATH] + loaders}
    sha = gh.state.push(7, head)
    result = action.pr("synchronize", "--max-inline-comments", "5")
    assert result.code == 1, result.stderr
    [run] = gh.state.check_runs_for(sha)
    assert len(run.annotations) == 63 and run.updates == 1
    assert [len(r.body["output"]["annotations"]) for r in gh.calls(None, r"/check-runs")] == [
        50,
        13,
    ]
    assert len(gh.state.review_comments_on(7)) == 5
    assert "58 finding(s) on diff lines are listed here only" in summaries(gh)[0].body


def test_all_rules_keep_change_level_findings_out_of_inline_comments(
    gh: GitHubServer, action: Action
) -> None:
    (action.workspace / ".mle-review.toml").unlink()
    result = action.pr()
    assert result.code == 1, result.stderr
    body = summaries(gh)[0].body
    assert "Iteration Compact" in body
    assert not [c for c in gh.state.review_comments_on(7) if "MLR6" in c.body]


def test_events_that_need_no_review_do_nothing(gh: GitHubServer, action: Action) -> None:
    result = action.pr("closed")
    assert result.code == 0 and "nothing to do" in result.stderr
    assert [r.method for r in gh.requests] == []


# -- issue_comment (/mle-review) -------------------------------------------------------


def reactions(gh: GitHubServer, comment: IssueComment) -> list[tuple[str, str]]:
    return [(u.login, content) for u, content, _ in gh.state.issue_comments[comment.id].reactions]


def test_owner_request_runs_a_full_review(gh: GitHubServer, action: Action) -> None:
    ask = gh.state.add_issue_comment(7, "/mle-review", "octocat", "OWNER")
    result = action.comment(ask)
    assert result.code == 1, result.stderr
    assert reactions(gh, ask) == [("github-actions[bot]", "eyes")]
    assert len(summaries(gh)) == 1 and len(gh.state.reviews_on(7)) == 1
    assert len(gh.state.check_runs_for(gh.state.pulls[7].head_sha)) == 1


def test_outsiders_get_no_run_and_at_most_one_reply(gh: GitHubServer, action: Action) -> None:
    for _ in range(2):
        ask = gh.state.add_issue_comment(7, "/mle-review", "mallory", "NONE")
        result = action.comment(ask)
        assert result.code == 0
        assert reactions(gh, ask) == []
    replies = [c for c in gh.state.comments_on(7) if UNAUTHORIZED_MARKER in c.body]
    assert len(replies) == 1
    assert gh.state.reviews == {} and gh.state.check_runs == {} and not summaries(gh)
    assert not gh.calls("GET", r"/pulls/7/files")


def test_allowed_associations_are_configurable(gh: GitHubServer, action: Action) -> None:
    ask = gh.state.add_issue_comment(7, "/mle-review compact", "carol", "CONTRIBUTOR")
    result = action.comment(ask, "--allowed-associations", "OWNER,CONTRIBUTOR")
    assert result.code == 0, result.stderr
    assert reactions(gh, ask) == [("github-actions[bot]", "eyes")]


def test_bots_and_own_comments_are_ignored(gh: GitHubServer, action: Action) -> None:
    bot = gh.state.add_issue_comment(7, "/mle-review", "dependabot[bot]", "NONE", type="Bot")
    assert action.comment(bot).code == 0
    own = gh.state.add_issue_comment(7, "/mle-review\n" + SUMMARY_MARKER, "octocat", "OWNER")
    assert action.comment(own).code == 0
    assert gh.requests == []


def test_explain_replies_with_the_rule_documentation(gh: GitHubServer, action: Action) -> None:
    ask = gh.state.add_issue_comment(7, "/mle-review explain MLR301", "octocat", "MEMBER")
    assert action.comment(ask).code == 0
    [reply] = [c for c in gh.state.comments_on(7) if c.user.login == "github-actions[bot]"]
    assert reply.body.startswith("# MLR301 unsafe-deserialization")
    assert reactions(gh, ask) == [("github-actions[bot]", "eyes")]
    assert gh.state.reviews == {} and gh.state.check_runs == {}

    ask = gh.state.add_issue_comment(
        7, "/mle-review explain random-split-temporal", "octocat", "MEMBER"
    )
    assert action.comment(ask).code == 0
    assert "MLR104" in gh.state.comments_on(7)[-1].body


def test_compact_and_unknown_requests(gh: GitHubServer, action: Action) -> None:
    ask = gh.state.add_issue_comment(7, "/mle-review compact", "octocat", "COLLABORATOR")
    assert action.comment(ask).code == 0
    reply = gh.state.comments_on(7)[-1].body
    assert "no Iteration Compact" in reply and "## Iteration Compact" in reply

    ask = gh.state.add_issue_comment(7, "/mle-review ship-it --force", "octocat", "OWNER")
    assert action.comment(ask).code == 0
    reply = gh.state.comments_on(7)[-1].body
    assert (
        "/mle-review explain MLR104" in reply and "ship-it" not in reply
    )  # the input is never echoed


def test_comments_on_plain_issues_are_ignored(gh: GitHubServer, action: Action) -> None:
    ask = gh.state.add_issue_comment(7, "/mle-review", "octocat", "OWNER")
    payload = issue_comment_event(gh, ask)
    del payload["issue"]["pull_request"]  # type: ignore[attr-defined]
    assert action.run("issue_comment", payload).code == 0
    assert gh.requests == []


def test_request_changes_only_when_configured_and_blocking(
    gh: GitHubServer, action: Action
) -> None:
    (action.workspace / ".mle-review.toml").write_text(
        ONLY_MLR301 + '\n[github]\nreview-event = "REQUEST_CHANGES"\n'
    )
    assert action.pr().code == 1
    assert [r.state for r in gh.state.reviews_on(7)] == ["CHANGES_REQUESTED"]
    clean = {**HEAD1, PATH: BASE[PATH]}
    gh.state.push(7, clean)
    result = action.pr("synchronize")
    assert result.code == 0, result.stderr
    # nothing new to say, so no new review; the earlier request for changes no longer blocks the merge
    assert [r.state for r in gh.state.reviews_on(7)] == ["DISMISSED"]
    assert "dismissed the earlier request for changes" in summaries(gh)[0].body
    assert all(resolved_fingerprint(c.body) for c in gh.state.review_comments_on(7))
    assert "APPROVE" in summaries(gh)[0].body


def test_enterprise_prefix_and_pull_request_target(tmp_path: Path) -> None:
    state = GitHubState()
    state.add_pull(BASE, HEAD1)
    with GitHubServer(state, prefix="/api/v3") as gh:
        action = Action(gh, tmp_path)
        result = action.run(
            "pull_request_target", pull_request_event(gh, 7, "opened"), token="ghs_write"
        )
        assert result.code == 1, result.stderr
        assert len(summaries(gh)) == 1 and len(state.review_comments_on(7)) == 3
        assert all(r.path.startswith("/api/v3/") for r in gh.requests)
        everything = (
            result.stdout
            + result.stderr
            + result.job_summary
            + "".join(c.body for c in state.comments_on(7))
        )
        assert "ghs_write" not in everything  # the token never reaches logs or comments


def test_comment_modes(gh: GitHubServer, action: Action) -> None:
    assert action.pr("opened", "--comment-mode", "summary", "--check-run", "false").code == 1
    assert len(summaries(gh)) == 1 and gh.state.reviews == {} and gh.state.check_runs == {}
    gh.state.issue_comments.clear()
    assert action.pr("opened", "--comment-mode", "inline").code == 1
    assert not summaries(gh) and len(gh.state.review_comments_on(7)) == 3
    gh.state.reviews.clear()
    gh.state.review_comments.clear()
    assert action.pr("opened", "--comment-mode", "none", "--check-run", "false").code == 1
    assert not summaries(gh) and gh.state.reviews == {}


def test_renamed_and_deleted_files(tmp_path: Path) -> None:
    state = GitHubState()
    base = {
        "old/loader.py": HEAD1[PATH].replace("  # inline", ""),
        "gone.py": "import pickle\npickle.load(open('x', 'rb'))\n",
    }
    head = {
        "new/loader.py": base["old/loader.py"]
        + "\n\ndef again(p):\n    return joblib.load(p)  # inline\n"
    }
    state.add_pull(base, head, renames={"new/loader.py": "old/loader.py"})
    with GitHubServer(state) as gh:
        action = Action(gh, tmp_path)
        result = action.pr()
        assert result.code == 1, result.stderr
        assert {(c.path, c.line) for c in state.review_comments_on(7)} == {
            ("new/loader.py", n) for n in inline_lines(head, "new/loader.py")
        }
        assert not [r for r in gh.requests if "gone.py" in r.path or "old/loader.py" in r.path]


def test_llm_auto_without_a_key_stays_deterministic(gh: GitHubServer, action: Action) -> None:
    result = action.pr("opened", "--llm", "auto")
    assert result.code == 1, result.stderr
    assert "LLM pass failed" not in result.stderr
    assert len(gh.state.review_comments_on(7)) == 3


def test_an_unexpected_answer_exits_2_not_1(gh: GitHubServer, action: Action) -> None:
    gh.inject("GET", r"/pulls/7$", 200, "not a pull request", times=5)
    result = action.pr()
    assert result.code == 2
    assert "::error title=mle-review::unexpected failure" in result.stdout


def test_a_bad_payload_or_environment_exits_2(gh: GitHubServer, action: Action) -> None:
    result = action.run("pull_request", {"action": "opened", "pull_request": {"number": "7"}})
    assert result.code == 2 and "pull_request.number" in result.stderr
    result = action.run("pull_request", pull_request_event(gh, 7), "--fail-on", "sometimes")
    assert result.code == 2 and "sometimes" in result.stderr


def test_duplicate_summaries_from_an_old_race_are_cleaned_up(
    gh: GitHubServer, action: Action
) -> None:
    first = gh.state.add_issue_comment(
        7, SUMMARY_MARKER + "\nold", "github-actions[bot]", type="Bot"
    )
    gh.state.add_issue_comment(7, SUMMARY_MARKER + "\nduplicate", "github-actions[bot]", type="Bot")
    human = gh.state.add_issue_comment(
        7, SUMMARY_MARKER + "\npasted by a person", "alice", "CONTRIBUTOR"
    )
    assert action.pr().code == 1
    assert [c.id for c in summaries(gh)] == [first.id, human.id]
    assert "MLR301" in gh.state.issue_comments[first.id].body
    assert gh.state.issue_comments[human.id].body.endswith("pasted by a person")
