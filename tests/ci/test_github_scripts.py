"""The actions/github-script steps of the GitHub workflows, run with node against an
in-memory GitHub: one plan comment updated in place, one drift issue opened, updated and
closed, and the merge run finding the reviewed plan (or refusing without one)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from quotesync_gitops.cli.plan_cmd import render
from quotesync_gitops.plan.model import Plan
from quotesync_gitops.render.markdown import COMMENT_MARKER
from tests.ci.workflows import GITHUB, github_steps, load, resolve

NODE = shutil.which("node")
HARNESS = Path(__file__).with_name("github_script_harness.js")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is needed to run github-script steps")

MERGE_SHA = "a" * 40
HEAD_SHA = "b" * 40
REPO = {"owner": "acme", "repo": "crm-settings"}
BOT = {"type": "Bot", "login": "github-actions[bot]"}


def _script_step(workflow: str) -> dict[str, Any]:
    return next(
        s
        for _, _, s in github_steps(GITHUB[workflow])
        if s.get("uses", "").startswith("actions/github-script@")
    )


def run_step(
    workflow: str, cwd: Path, state: dict[str, Any], expressions: dict[str, str]
) -> dict[str, Any]:
    """Run the workflow's github-script step once; returns the state after it."""
    step = _script_step(workflow)
    script = cwd / "step.js"
    script.write_text(step["with"]["script"], encoding="utf-8")
    state_file = cwd / "state.json"
    state_file.write_text(json.dumps(state), encoding="utf-8")
    env = {**load(GITHUB[workflow]).get("env", {}), **step.get("env", {})}
    env = {k: resolve(str(v), expressions) for k, v in env.items()}
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(HARNESS), str(script), str(state_file)],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    after: dict[str, Any] = json.loads(state_file.read_text(encoding="utf-8"))
    return after


def _pr_state() -> dict[str, Any]:
    return {
        "context": {
            "repo": REPO,
            "issue": {"number": 7},
            "payload": {"pull_request": {"number": 7, "head": {"sha": HEAD_SHA}}},
            "eventName": "pull_request",
            "runId": 4242,
            "serverUrl": "https://github.com",
            "sha": MERGE_SHA,
        },
        "comments": [
            {"id": 1, "issue_number": 7, "body": "Looks good", "user": {"type": "User"}},
            {"id": 2, "issue_number": 7, "body": f"{COMMENT_MARKER}\nquoted by a human",
             "user": {"type": "User"}},
            {"id": 3, "issue_number": 7, "body": "<!-- other-bot -->\nx", "user": BOT},
            {"id": 4, "issue_number": 8, "body": f"{COMMENT_MARKER}\nanother PR", "user": BOT},
        ],
    }  # fmt: skip


PR_EXPRESSIONS = {"steps.validate.outcome": "success"}


def _ours(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        c
        for c in state["comments"]
        if c["issue_number"] == 7
        and c["user"]["type"] == "Bot"
        and c["body"].startswith(COMMENT_MARKER + "\n")
    ]


def test_plan_comment_is_posted_once_then_updated_in_place(tmp_path: Path) -> None:
    (tmp_path / "plan.md").write_text(render(Plan(), "markdown", "plan") + "\n", encoding="utf-8")
    state = run_step("pr", tmp_path, _pr_state(), PR_EXPRESSIONS)
    assert state["failed"] is None, state["failed"]
    (ours,) = _ours(state)
    assert ours["body"].startswith(COMMENT_MARKER + "\n## No changes")
    assert f"Plan of {HEAD_SHA[:7]}" in ours["body"] and "/actions/runs/4242" in ours["body"]

    (tmp_path / "plan.md").write_text(f"{COMMENT_MARKER}\n## Plan: 1 to create\n", encoding="utf-8")
    state = run_step("pr", tmp_path, state, PR_EXPRESSIONS)
    (again,) = _ours(state)
    assert again["id"] == ours["id"] and "## Plan: 1 to create" in again["body"]
    assert [name for name, _ in state["calls"]] == ["issues.listComments", "issues.updateComment"]
    assert {c["id"]: c["body"] for c in state["comments"] if c["id"] < 5} == {
        c["id"]: c["body"] for c in _pr_state()["comments"]
    }, "other comments are never touched"


def test_plan_comment_says_why_there_is_no_plan(tmp_path: Path) -> None:
    (tmp_path / "plan.md").write_text(f"{COMMENT_MARKER}\n## Plan: 1 to create\n")
    state = run_step("pr", tmp_path, _pr_state(), PR_EXPRESSIONS)
    (tmp_path / "plan.md").unlink()
    state = run_step("pr", tmp_path, state, {"steps.validate.outcome": "failure"})
    (ours,) = _ours(state)
    assert "## No plan: the manifests are not valid" in ours["body"]
    state = run_step("pr", tmp_path, state, PR_EXPRESSIONS)
    (ours,) = _ours(state)
    assert "## No plan: quotesync plan failed" in ours["body"]


def test_plan_comment_refuses_a_file_with_another_marker(tmp_path: Path) -> None:
    (tmp_path / "plan.md").write_text(
        render(Plan(), "markdown", "plan", comment_id="test"), encoding="utf-8"
    )
    state = run_step("pr", tmp_path, _pr_state(), PR_EXPRESSIONS)
    assert "set QUOTESYNC_MARKER to match --comment-id" in state["failed"]
    assert _ours(state) == []


def _drift_state() -> dict[str, Any]:
    return {
        "context": {"repo": REPO, "runId": 99, "serverUrl": "https://github.com"},
        "issues": [
            {"number": 1, "body": "unrelated", "labels": [], "state": "open", "user": {}},
            {"number": 2, "body": f"{COMMENT_MARKER}\nold, closed", "labels": [],
             "state": "closed", "user": {}},
        ],
    }  # fmt: skip


def _open_drift_issues(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        i
        for i in state["issues"]
        if i["state"] == "open" and i["body"].startswith(COMMENT_MARKER + "\n")
    ]


def test_drift_issue_is_opened_updated_and_closed(tmp_path: Path) -> None:
    report = tmp_path / "drift.md"
    report.write_text(f"{COMMENT_MARKER}\n## Drift detected: one\n", encoding="utf-8")
    state = run_step("drift", tmp_path, _drift_state(), {"steps.drift.outputs.exit-code": "2"})
    assert state["failed"] is None, state["failed"]
    (issue,) = _open_drift_issues(state)
    assert issue["labels"] == ["quotesync-drift"] and "Drift detected: one" in issue["body"]
    assert [
        "warning",
        f"Drift: the CRM differs from the manifests; opened {issue['html_url']}",
    ] in (state["logs"])

    report.write_text(f"{COMMENT_MARKER}\n## Drift detected: two\n", encoding="utf-8")
    state = run_step("drift", tmp_path, state, {"steps.drift.outputs.exit-code": "2"})
    (again,) = _open_drift_issues(state)
    assert again["number"] == issue["number"] and "Drift detected: two" in again["body"]
    assert "Drift detected: one" not in again["body"]

    state = run_step("drift", tmp_path, state, {"steps.drift.outputs.exit-code": "0"})
    assert _open_drift_issues(state) == []
    closed = next(i for i in state["issues"] if i["number"] == issue["number"])
    assert closed["state"] == "closed" and closed["state_reason"] == "completed"
    assert "No drift any more" in state["issueComments"][-1]["body"]

    state = run_step("drift", tmp_path, state, {"steps.drift.outputs.exit-code": "0"})
    assert [name for name, _ in state["calls"]] == ["issues.listForRepo"], "nothing to close"


PLAN_WORKFLOW_ID = 17


def _pr_run(run_id: int, conclusion: str, created_at: str) -> dict[str, Any]:
    return {
        "id": run_id,
        "workflow_id": PLAN_WORKFLOW_ID,
        "head_sha": HEAD_SHA,
        "event": "pull_request",
        "conclusion": conclusion,
        "created_at": created_at,
        "html_url": f"https://github.com/acme/crm-settings/actions/runs/{run_id}",
    }


def _apply_state(event: str = "push") -> dict[str, Any]:
    return {
        "context": {"repo": REPO, "eventName": event, "sha": MERGE_SHA, "ref": "refs/heads/main"},
        "workflows": {"quotesync-pr.yml": PLAN_WORKFLOW_ID},
        "pulls": [
            {"number": 7, "merged_at": "2026-01-02T00:00:00Z", "merge_commit_sha": MERGE_SHA,
             "head": {"sha": HEAD_SHA}, "labels": [{"name": "quotesync:allow-deletes"}],
             "commits": [MERGE_SHA]},
        ],
        "runs": [
            _pr_run(11, "success", "2026-01-01T10:00:00Z"),
            _pr_run(12, "success", "2026-01-01T11:00:00Z"),
            _pr_run(13, "failure", "2026-01-01T12:00:00Z"),
        ],
        "artifacts": {
            "11": [{"name": "quotesync-plan", "expired": False}],
            "12": [{"name": "quotesync-plan", "expired": False}],
        },
    }  # fmt: skip


NO_INPUTS = {"inputs.plan-run": "", "inputs.allow-deletes": "", "inputs.allow-mass-changes": ""}


def test_merge_run_finds_the_newest_reviewed_plan_and_the_labels_flags(tmp_path: Path) -> None:
    state = run_step("apply", tmp_path, _apply_state(), NO_INPUTS)
    assert state["failed"] is None, state["failed"]
    assert state["outputs"] == {"run-id": "12", "allow-flags": "--allow-deletes"}
    assert "pull request #7" in state["summary"]

    expired = _apply_state()
    expired["artifacts"]["12"] = [{"name": "quotesync-plan", "expired": True}]
    state = run_step("apply", tmp_path, expired, NO_INPUTS)
    assert state["outputs"]["run-id"] == "11"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("no-pull-request", "without a merged pull request, so no plan was reviewed"),
        ("no-artifact", "No plan file found for pull request #7"),
        ("plan-failed", "No plan file found for pull request #7"),
    ],
)
def test_merge_run_without_a_reviewed_plan_applies_nothing(
    tmp_path: Path, change: str, message: str
) -> None:
    state = _apply_state()
    if change == "no-pull-request":
        state["pulls"] = []
    elif change == "no-artifact":
        state["artifacts"] = {}
    else:
        state["runs"] = [r for r in state["runs"] if r["conclusion"] == "failure"]
    after = run_step("apply", tmp_path, state, NO_INPUTS)
    assert message in after["failed"] and "nothing was applied" in after["failed"]
    assert "run-id" not in after["outputs"]


def _dispatch(run: dict[str, Any]) -> dict[str, Any]:
    state = _apply_state("workflow_dispatch")
    state["runs"] = [run]
    state["artifacts"] = {str(run["id"]): [{"name": "quotesync-plan", "expired": False}]}
    return state


DISPATCHED = {
    "id": 55, "workflow_id": PLAN_WORKFLOW_ID, "head_sha": MERGE_SHA, "event": "workflow_dispatch",
    "conclusion": "success", "created_at": "2026-01-03T00:00:00Z", "html_url": "r55",
}  # fmt: skip


def test_run_by_hand_applies_the_named_fresh_plan_of_main(tmp_path: Path) -> None:
    inputs = {
        "inputs.plan-run": "https://github.com/acme/crm-settings/actions/runs/55/attempts/2",
        "inputs.allow-deletes": "false",
        "inputs.allow-mass-changes": "true",
    }
    state = run_step("apply", tmp_path, _dispatch(DISPATCHED), inputs)
    assert state["failed"] is None, state["failed"]
    assert state["outputs"] == {"run-id": "55", "allow-flags": "--allow-mass-changes"}


@pytest.mark.parametrize(
    ("run", "given", "message"),
    [
        ({}, "not a run", '"not a run" is not a run URL or id'),
        ({"head_sha": HEAD_SHA}, "55", "planned commit bbbbbbb, but refs/heads/main is at aaaaaaa"),
        ({"workflow_id": 3}, "55", "is not a successful run of quotesync-pr.yml"),
        ({"conclusion": "failure"}, "55", "is not a successful run of quotesync-pr.yml"),
    ],
)
def test_run_by_hand_refuses_a_plan_that_is_not_a_fresh_plan_of_main(
    tmp_path: Path, run: dict[str, Any], given: str, message: str
) -> None:
    inputs = {**NO_INPUTS, "inputs.plan-run": given}
    state = run_step("apply", tmp_path, _dispatch({**DISPATCHED, **run}), inputs)
    assert message in state["failed"] and "nothing was applied" in state["failed"]
    assert state["outputs"] == {}


def test_drift_exit_2_without_a_report_fails_instead_of_opening_an_empty_issue(
    tmp_path: Path,
) -> None:
    state = run_step("drift", tmp_path, _drift_state(), {"steps.drift.outputs.exit-code": "2"})
    assert "exited 2 without writing drift.md" in state["failed"]
    assert _open_drift_issues(state) == []
