"""Run each example pipeline's quotesync commands, in order, against the emulator served
over HTTP on 127.0.0.1, as the CI would: review a change, apply the reviewed plan, refuse a
stale one, and report drift.

The commands come from the workflow files themselves, so a flag renamed in the tool or a
step edited in a workflow breaks this test.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from quotesync_gitops.render.markdown import COMMENT_MARKER
from quotesync_gitops.target import open_client
from tests.ci.conftest import ServedCrm
from tests.ci.workflows import (
    EXAMPLE_MANIFESTS,
    GITHUB,
    GITLAB_HELPER,
    ActionCall,
    Command,
    github_action_calls,
    github_steps,
    gitlab_commands,
    load,
    run,
    run_action,
)

GITHUB_COMMENT_LIMIT = 65_536
MANIFEST_SECRETS = {
    "DEMO_ERP_PASSWORD": "demo-password",
    "DEMO_QUOTE_PASSWORD": "demo-password",
    "DEMO_ACCOUNTING_API_KEY": "demo-api-key",
}
QUOTE = "ERP Quotes"


def _repo(tmp_path: Path) -> Path:
    """A manifest repository as a user would have it: the manifests in manifests/."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_MANIFESTS, repo / "manifests")
    return repo


def _github_context(crm: ServedCrm) -> dict[str, str]:
    context = {
        "vars.QUOTESYNC_CRM": crm.url,
        "secrets.QUOTESYNC_TICKET": crm.credentials["QUOTESYNC_TICKET"],
        "secrets.QUOTESYNC_APP_TOKEN": crm.credentials["QUOTESYNC_APP_TOKEN"],
        "secrets.QUOTESYNC_ACCESS_TOKEN": "",  # an unset secret is an empty string
        "github.run_id": "4242",
        "github.server_url": "https://github.com",
        "github.repository": "acme/crm-settings",
        "steps.reviewed.outputs.allow-flags": "",
    }
    context.update({f"secrets.{name}": value for name, value in MANIFEST_SECRETS.items()})
    return context


def _secret_values(crm: ServedCrm) -> list[str]:
    return [*crm.credentials.values(), *MANIFEST_SECRETS.values()]


class Pipeline:
    """Runs commands of one CI file in a repository directory and checks every output."""

    def __init__(self, repo: Path, crm: ServedCrm, commands: list[Command], **run_args: Any):
        self.repo = repo
        self.crm = crm
        self.commands = commands
        self.run_args = run_args

    def by(self, subcommand: str, job: str | None = None) -> list[Command]:
        return [
            c for c in self.commands if c.subcommand == subcommand and (job is None or c.job == job)
        ]

    def run(self, command: Command, expect: int) -> str:
        result = run(command, self.repo, **self.run_args)
        return self.check(command.line, result.returncode, result.stdout + result.stderr, expect)

    def check(self, what: str, code: int, output: str, expect: int) -> str:
        assert code == expect, f"{what}\n→ {code}\n{output}"
        for secret in _secret_values(self.crm):
            assert secret not in output, f"a secret reached the log of {what}"
        return output

    def files_without_secrets(self, *names: str) -> None:
        for name in names:
            text = (self.repo / name).read_text(encoding="utf-8")
            for secret in _secret_values(self.crm):
                assert secret not in text, f"a secret reached {name}"


class ActionPipeline(Pipeline):
    """The steps of one GitHub workflow that use the quotesync action, run through the
    action's own script (action.yml), as the runner would."""

    def __init__(self, repo: Path, crm: ServedCrm, path: Path, **run_args: Any):
        super().__init__(repo, crm, [], **run_args)
        self.calls = github_action_calls(path)
        self.outputs: dict[str, str] = {}

    def step(self, command: str) -> ActionCall:
        (call,) = [c for c in self.calls if c.subcommand == command]
        return call

    def run_step(self, command: str, expect: int) -> str:
        call = self.step(command)
        result = run_action(call, self.repo, **self.run_args)
        self.outputs = result.outputs
        output = self.check(f"{call.step}: {call.inputs}", result.returncode,
                            result.stdout + result.stderr, expect)  # fmt: skip
        assert result.outputs["exit-code"] == str(expect)
        return output

    def run_step_passing(self, command: str, code: int) -> str:
        """A step whose quotesync exits ``code`` (2: changes or drift) and that still passes."""
        call = self.step(command)
        result = run_action(call, self.repo, **self.run_args)
        self.outputs = result.outputs
        assert result.outputs["exit-code"] == str(code)
        return self.check(call.step, result.returncode, result.stdout + result.stderr, 0)


def _hand_edit_quote_description(crm: ServedCrm, text: str) -> None:
    with open_client(crm.url, crm.credentials) as client:
        row = next(c for c in client.quote_get_installed_connections() if c["DisplayName"] == QUOTE)
        row["DisplayDescription"] = text
        client.quote_save_connection(row)


def _quote_description(crm: ServedCrm) -> str:
    with open_client(crm.url, crm.credentials) as client:
        row = next(c for c in client.quote_get_installed_connections() if c["DisplayName"] == QUOTE)
    return str(row["DisplayDescription"])


def _edit_manifest(repo: Path, old: str, new: str) -> None:
    path = repo / "manifests" / "quote" / "erp-quotes.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _step(path: Path, uses_prefix: str) -> dict[str, Any]:
    return next(s for _, _, s in github_steps(path) if s.get("uses", "").startswith(uses_prefix))


def _carry_artifact(repo: Path, workflow_env: Mapping[str, Any]) -> str:
    """What the artifact actions do between the pull request run and the merge run: the
    files uploaded by quotesync-pr.yml land where quotesync-apply.yml downloads them."""
    upload = _step(GITHUB["pr"], "actions/upload-artifact@")["with"]
    download = _step(GITHUB["apply"], "actions/download-artifact@")["with"]
    assert download["name"] == "${{ env.PLAN_ARTIFACT }}"
    assert upload["name"] == workflow_env["PLAN_ARTIFACT"]
    target = repo / download["path"]
    target.mkdir(exist_ok=True)
    for name in upload["path"].split():
        shutil.copy(repo / name, target / name)
    return str(download["path"])


def test_github_review_apply_stale_and_drift(served_crm: ServedCrm, tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    context = _github_context(served_crm)
    ci = {"GITHUB_ACTIONS": "true", "CI": "true"}
    pr = ActionPipeline(repo, served_crm, GITHUB["pr"], context=context, extra_env=ci)
    apply = ActionPipeline(repo, served_crm, GITHUB["apply"], context=context, extra_env=ci)
    drift = ActionPipeline(repo, served_crm, GITHUB["drift"], context=context, extra_env=ci)
    assert [c.subcommand for c in pr.calls] == ["validate", "plan"]
    assert [c.subcommand for c in apply.calls] == ["apply"]
    assert [c.subcommand for c in drift.calls] == ["drift"]
    apply_env = load(GITHUB["apply"])["env"]

    # 1. The pull request: validate (annotations format), then plan with the comment file.
    assert "valid" in pr.run_step("validate", expect=0)
    out = pr.run_step("plan", expect=0)
    assert "Plan: " in out and "<!--" not in out, "the log shows the text plan"
    assert pr.outputs["plan-file"] == "plan.json" and pr.outputs["comment"] == "plan.md"
    pr.files_without_secrets("plan.json", "plan.md")
    comment = (repo / "plan.md").read_text(encoding="utf-8")
    marker = _step(GITHUB["pr"], "actions/github-script@")["env"]["QUOTESYNC_MARKER"]
    assert marker == COMMENT_MARKER == comment.split("\n", 1)[0]
    assert len(comment) < GITHUB_COMMENT_LIMIT - 500, "room for the workflow's footer line"
    assert comment.split("\n")[1].startswith("## Plan: 36 to create (31 products)")
    assert json.loads((repo / "plan.json").read_text(encoding="utf-8"))["kind"] == "quotesync-plan"

    # 2. Merged: the merge run applies exactly the reviewed plan file.
    folder = _carry_artifact(repo, apply_env)
    assert apply.step("apply").inputs["plan-file"].startswith(folder + "/")
    assert "Apply complete" in apply.run_step("apply", expect=0)

    # 3. The nightly drift job: in sync.
    drift.run_step("drift", expect=0)
    assert (
        (repo / "drift.md").read_text(encoding="utf-8").startswith(COMMENT_MARKER + "\n## No drift")
    )

    # 4. A second pull request is reviewed, then someone edits the same object in the CRM
    #    before the merge: the merge run refuses the stale plan and changes nothing.
    _edit_manifest(repo, "description: Prices", "description: Reviewed prices")
    pr.run_step("plan", expect=0)
    assert QUOTE in (repo / "plan.md").read_text(encoding="utf-8")
    _carry_artifact(repo, apply_env)
    _hand_edit_quote_description(served_crm, "edited by hand")
    out = apply.run_step("apply", expect=3)
    assert "stale" in out and f"QuoteConnection/{QUOTE}" in out
    assert "::error title=Stale plan: nothing applied::" in out
    assert _quote_description(served_crm) == "edited by hand"

    # 5. Drift sees the hand edit (exit 2, the step passes and says so) and writes the issue.
    out = drift.run_step_passing("drift", code=2)
    assert "Drift detected" in out and drift.outputs["comment"] == "drift.md"
    report = (repo / "drift.md").read_text(encoding="utf-8")
    assert report.startswith(COMMENT_MARKER + "\n## Drift detected") and QUOTE in report
    drift.files_without_secrets("drift.md")

    # 6. Recovery: a fresh plan of main (the plan workflow run by hand), then apply it.
    pr.run_step("plan", expect=0)
    _carry_artifact(repo, apply_env)
    apply.run_step("apply", expect=0)
    assert _quote_description(served_crm).startswith("Reviewed prices")
    drift.run_step("drift", expect=0)


def test_github_plan_step_reports_a_failed_connection_test_and_keeps_the_comment(
    served_crm: ServedCrm, tmp_path: Path
) -> None:
    repo = _repo(tmp_path)
    context = {**_github_context(served_crm), "secrets.DEMO_QUOTE_PASSWORD": "wrong-password"}
    pr = ActionPipeline(repo, served_crm, GITHUB["pr"], context=context)
    out = pr.run_step("plan", expect=1)
    assert "FAILED" in out and "wrong-password" not in out
    comment = (repo / "plan.md").read_text(encoding="utf-8")
    assert comment.startswith(COMMENT_MARKER) and "### Connection tests" in comment
    assert "**failed**" in comment
    assert "wrong-password" not in comment


def test_github_plan_step_without_credentials_fails_and_names_them(
    served_crm: ServedCrm, tmp_path: Path
) -> None:
    repo = _repo(tmp_path)
    context = {**_github_context(served_crm), "secrets.QUOTESYNC_APP_TOKEN": ""}
    pr = ActionPipeline(repo, served_crm, GITHUB["pr"], context=context)
    out = pr.run_step("plan", expect=1)
    assert "QUOTESYNC_APP_TOKEN is not set" in out
    assert not (repo / "plan.json").exists() and not (repo / "plan.md").exists()
    assert "plan-file" not in pr.outputs and "comment" not in pr.outputs


def _gitlab_env(crm: ServedCrm) -> dict[str, str]:
    """CI/CD variables as GitLab puts them into every job's environment."""
    return {
        "QUOTESYNC_CRM": crm.url,
        **crm.credentials,
        **MANIFEST_SECRETS,
        "GITLAB_CI": "true",
        "CI_JOB_ID": "77",
        "CI_JOB_URL": "https://gitlab.example.com/acme/crm/-/jobs/77",
        "ALLOW_FLAGS": "",
    }


def test_gitlab_review_apply_stale_and_drift(served_crm: ServedCrm, tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    ci = Pipeline(repo, served_crm, gitlab_commands(), extra_env=_gitlab_env(served_crm))
    assert [(c.job, c.subcommand) for c in ci.commands] == [
        ("quotesync-validate", "validate"),
        ("quotesync-plan", "plan"),
        ("quotesync-apply", "apply"),
        ("quotesync-apply-fresh-plan", "apply"),
        ("quotesync-drift", "drift"),
    ]
    validate, plan, apply, apply_fresh, drift = ci.commands

    # Merge request: validate into the Code Quality report, then plan.
    ci.run(validate, expect=0)
    quality = run(
        Command("helper", "", f"python {GITLAB_HELPER} code-quality validate.json cq.json"), repo
    )
    assert quality.returncode == 0 and json.loads((repo / "cq.json").read_text()) == []
    ci.run(plan, expect=0)
    ci.files_without_secrets("plan.json", "plan.md")
    assert (repo / "plan.md").read_text(encoding="utf-8").startswith(COMMENT_MARKER)

    # Merged: the helper's fetch-plan puts the reviewed plan in reviewed-plan/.
    (repo / "reviewed-plan").mkdir()
    shutil.copy(repo / "plan.json", repo / "reviewed-plan" / "plan.json")
    assert "Apply complete" in ci.run(apply, expect=0)
    ci.run(drift, expect=0)

    # A stale plan is refused; drift reports the hand edit; a fresh plan (the manual
    # pipeline on the default branch) repairs it.
    _edit_manifest(repo, "description: Prices", "description: Reviewed prices")
    ci.run(plan, expect=0)
    shutil.copy(repo / "plan.json", repo / "reviewed-plan" / "plan.json")
    _hand_edit_quote_description(served_crm, "edited by hand")
    assert "stale" in ci.run(apply, expect=3)
    ci.run(drift, expect=2)
    assert QUOTE in (repo / "drift.md").read_text(encoding="utf-8")
    ci.run(plan, expect=0)
    ci.run(apply_fresh, expect=0)
    ci.run(drift, expect=0)


@pytest.mark.parametrize("broken", ["erpConnection: Nope"])
def test_gitlab_validate_job_reports_problems_as_code_quality(
    served_crm: ServedCrm, tmp_path: Path, broken: str
) -> None:
    repo = _repo(tmp_path)
    _edit_manifest(repo, "erpConnection: Demo ERP – Production", broken)
    ci = Pipeline(repo, served_crm, gitlab_commands(), extra_env=_gitlab_env(served_crm))
    ci.run(ci.by("validate")[0], expect=1)
    quality = run(
        Command("helper", "", f"python {GITLAB_HELPER} code-quality validate.json cq.json"), repo
    )
    assert quality.returncode == 0, quality.stderr
    assert "manifests/quote/erp-quotes.yaml:" in quality.stdout
    (issue,) = json.loads((repo / "cq.json").read_text())
    assert issue["location"]["path"] == "manifests/quote/erp-quotes.yaml"
    assert issue["severity"] == "major" and "Nope" in issue["description"]
