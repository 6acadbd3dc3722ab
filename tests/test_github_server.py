"""The local GitHub server answers PyGithub the way GitHub does, for the behaviours the bot depends on.

Everything here goes through the real PyGithub client pointed at the server
with ``base_url``; nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator

import github
import pytest
from github import Auth
from github_server import GitHubServer, GitHubState

BASE = {"train.py": "import pandas as pd\n\nx = 1\n", "README.md": "hello\n"}
HEAD = {
    "train.py": "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\n\nx = 2\ny = 3\n",
    "README.md": "hello\n",
    "new.py": "print(1)\n",
}


@pytest.fixture
def gh() -> Iterator[GitHubServer]:
    state = GitHubState()
    state.add_pull(BASE, HEAD)
    with GitHubServer(state) as server:
        yield server


def client(gh: GitHubServer, token: str = "ghs_write", per_page: int = 30) -> github.Github:
    return github.Github(
        auth=Auth.Token(token), base_url=gh.base_url, retry=None, per_page=per_page
    )


def test_every_url_field_points_back_at_the_server(gh: GitHubServer) -> None:
    pr = client(gh).get_repo("acme/churn").get_pull(7)
    comment = pr.create_issue_comment("hi")
    review = pr.create_review(
        body="b",
        event="COMMENT",
        comments=[{"path": "new.py", "line": 1, "side": "RIGHT", "body": "c"}],
    )
    assert review.id
    for url in (pr.url, pr.issue_url, comment.url, next(iter(pr.get_review_comments())).url):
        assert url.startswith(gh.base_url + "/repos/acme/churn/")
    # and following one of them with PyGithub works
    assert pr.get_issue_comment(comment.id).body == "hi"


def test_files_are_paginated_with_absolute_link_headers(gh: GitHubServer) -> None:
    files = list(client(gh, per_page=1).get_repo("acme/churn").get_pull(7).get_files())
    assert [f.filename for f in files] == ["new.py", "train.py"]
    pages = gh.calls("GET", r"/pulls/7/files$")
    assert len(pages) == 2 and pages[1].query["page"] == ["2"]
    first = gh.calls("GET", r"/pulls/7/files$")[0]
    assert first.status == 200
    # the Link header PyGithub followed was absolute
    state = gh.state
    assert state.pulls[7].files[1].patch is not None and state.pulls[7].files[1].patch.startswith(
        "@@ -1,3 +1,5 @@"
    )


def test_link_header_is_absolute_and_complete() -> None:
    import json
    import urllib.request

    state = GitHubState()
    state.add_pull({}, {f"f{i}.py": f"x = {i}\n" for i in range(5)})
    with GitHubServer(state, prefix="/api/v3") as gh:
        req = urllib.request.Request(
            gh.base_url + "/repos/acme/churn/pulls/7/files?per_page=2&page=2",
            headers={"Authorization": "token ghs_write"},
        )
        with urllib.request.urlopen(req) as resp:
            link = resp.headers["Link"]
            body = json.loads(resp.read())
        base = gh.base_url
    assert len(body) == 2
    assert f'<{base}/repos/acme/churn/pulls/7/files?per_page=2&page=3>; rel="next"' in link
    assert 'rel="prev"' in link and 'rel="last"' in link and 'rel="first"' in link


def test_diff_media_type_and_406_past_the_limits(gh: GitHubServer) -> None:
    g = client(gh)
    pr = g.get_repo("acme/churn").get_pull(7)
    _, data = g.requester.requestJsonAndCheck(
        "GET", pr.url, headers={"Accept": "application/vnd.github.diff"}
    )
    text = data["data"]
    assert "diff --git a/new.py b/new.py\nnew file mode 100644" in text
    assert "+from sklearn.preprocessing import StandardScaler" in text
    gh.state.max_diff_files = 1
    with pytest.raises(github.GithubException) as err:
        g.requester.requestJsonAndCheck(
            "GET", pr.url, headers={"Accept": "application/vnd.github.v3.diff"}
        )
    assert err.value.status == 406
    assert err.value.data["errors"][0]["code"] == "too_large"
    gh.state.max_diff_files = 300
    gh.state.max_diff_lines = 5
    with pytest.raises(github.GithubException) as err:
        g.requester.requestJsonAndCheck(
            "GET", pr.url, headers={"Accept": "application/vnd.github.diff"}
        )
    assert "maximum number of lines" in err.value.data["message"]


def test_review_with_an_anchor_off_the_diff_is_refused_whole(gh: GitHubServer) -> None:
    pr = client(gh).get_repo("acme/churn").get_pull(7)
    good = {"path": "train.py", "line": 2, "side": "RIGHT", "body": "ok"}
    bad = {"path": "train.py", "line": 40, "side": "RIGHT", "body": "off"}
    with pytest.raises(github.GithubException) as err:
        pr.create_review(body="r", event="COMMENT", comments=[good, bad])
    assert err.value.status == 422 and err.value.data["errors"] == ["Line could not be resolved"]
    assert gh.state.reviews == {} and gh.state.review_comments == {}
    # context lines are in the diff too; README.md is not part of the change
    pr.create_review(body="r", event="COMMENT", comments=[good, {**good, "line": 1}])
    with pytest.raises(github.GithubException):
        pr.create_review(
            body="r", event="COMMENT", comments=[{**good, "path": "README.md", "line": 1}]
        )


def test_pending_reviews_are_private_and_deletable(gh: GitHubServer) -> None:
    g = client(gh)
    pr = g.get_repo("acme/churn").get_pull(7)
    review = pr.create_review(
        body="probe", comments=[{"path": "new.py", "line": 1, "side": "RIGHT", "body": "c"}]
    )
    assert review.state == "PENDING"
    assert list(pr.get_review_comments()) == []  # pending comments are not listed
    with pytest.raises(github.GithubException) as err:
        pr.create_review(body="second pending")
    assert err.value.status == 422
    review.delete()
    assert gh.state.reviews == {}


def test_read_only_token_gets_403_and_personal_token_no_check_runs(gh: GitHubServer) -> None:
    pr = client(gh, "ghs_readonly").get_repo("acme/churn").get_pull(7)
    with pytest.raises(github.GithubException) as err:
        pr.create_issue_comment("x")
    assert err.value.status == 403 and "not accessible" in err.value.data["message"]
    gh.state.add_token("ghp_alice", "alice")
    repo = client(gh, "ghp_alice").get_repo("acme/churn")
    with pytest.raises(github.GithubException) as err:
        repo.create_check_run(
            name="mle-review", head_sha=gh.state.pulls[7].head_sha, conclusion="success"
        )
    assert err.value.status == 403
    repo.get_pull(7).create_issue_comment("a person may comment")


def test_check_run_annotations_at_most_50_per_request_and_appended(gh: GitHubServer) -> None:
    repo = client(gh).get_repo("acme/churn")
    sha = gh.state.pulls[7].head_sha
    ann = {
        "path": "train.py",
        "start_line": 1,
        "end_line": 1,
        "annotation_level": "warning",
        "message": "m",
    }
    with pytest.raises(github.GithubException) as err:
        repo.create_check_run(
            name="mle-review",
            head_sha=sha,
            conclusion="success",
            output={"title": "t", "summary": "s", "annotations": [ann] * 51},
        )
    assert err.value.status == 422
    run = repo.create_check_run(
        name="mle-review",
        head_sha=sha,
        conclusion="success",
        output={"title": "t", "summary": "s", "annotations": [ann] * 50},
    )
    run.edit(output={"title": "t", "summary": "s", "annotations": [ann] * 7})
    assert len(gh.state.check_runs[run.id].annotations) == 57


def test_contents_at_a_ref_and_blobs_past_one_megabyte() -> None:
    state = GitHubState()
    big = "x" * 1_100_000 + "\n"
    state.add_pull({}, {"big.txt": big, "small.py": "a = 1\n"})
    with GitHubServer(state) as gh:
        repo = client(gh).get_repo("acme/churn")
        sha = state.pulls[7].head_sha
        small = repo.get_contents("small.py", ref=sha)
        assert not isinstance(small, list) and small.decoded_content == b"a = 1\n"
        meta = repo.get_contents("big.txt", ref=sha)
        assert not isinstance(meta, list) and meta.encoding == "none" and meta.content == ""
        assert repo.get_git_blob(meta.sha).size == len(big)
        with pytest.raises(github.UnknownObjectException):
            repo.get_contents("missing.py", ref=sha)
        with pytest.raises(github.UnknownObjectException):
            repo.get_contents("small.py")  # not on the default branch


def test_rate_limits_on_demand(gh: GitHubServer) -> None:
    repo = client(gh).get_repo("acme/churn")
    gh.secondary_rate_limit("GET", r"/pulls/7$", retry_after=7)
    with pytest.raises(github.RateLimitExceededException) as err:
        repo.get_pull(7)
    assert err.value.headers["retry-after"] == "7"
    gh.primary_rate_limit("GET", r"/pulls/7$", reset_in=30, status=429)
    with pytest.raises(github.GithubException) as err2:
        repo.get_pull(7)
    assert err2.value.status == 429 and err2.value.headers["x-ratelimit-remaining"] == "0"
    assert repo.get_pull(7).number == 7  # faults are used up


def test_bad_credentials_and_comment_edits_by_others(gh: GitHubServer) -> None:
    with pytest.raises(github.BadCredentialsException):
        client(gh, "nope").get_repo("acme/churn").get_pull(7)
    human = gh.state.add_issue_comment(7, "mine", "alice", "OWNER")
    comment = client(gh).get_repo("acme/churn").get_issue(7).get_comment(human.id)
    with pytest.raises(github.GithubException) as err:
        comment.edit("bot rewrites a human")
    assert err.value.status == 403


def test_push_outdates_comments_whose_line_changed(gh: GitHubServer) -> None:
    pr = client(gh).get_repo("acme/churn").get_pull(7)
    pr.create_review(
        body="r",
        event="COMMENT",
        comments=[
            {"path": "train.py", "line": 2, "side": "RIGHT", "body": "import"},
            {"path": "train.py", "line": 5, "side": "RIGHT", "body": "y"},
        ],
    )
    head = dict(
        HEAD,
        **{
            "train.py": "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\n\nx = 2\ny = 4\n"
        },
    )
    gh.state.push(7, head)
    by_body = {c.body: c for c in gh.state.review_comments.values()}
    assert by_body["import"].line == 2
    assert by_body["y"].line is None and by_body["y"].original_line == 5
