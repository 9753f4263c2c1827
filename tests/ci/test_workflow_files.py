"""The example CI files parse and hold together: triggers, minimal permissions, pinned
actions, the comment marker, the artifact hand-over, and secrets only where they belong."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest
import yaml

from quotesync_gitops.render.markdown import COMMENT_MARKER
from tests.ci.workflows import (
    ACTION_USES,
    EXAMPLE_MANIFESTS,
    GITHUB,
    GITLAB,
    GITLAB_HELPER,
    ROOT,
    github_action_calls,
    github_steps,
    gitlab_commands,
    gitlab_jobs,
    gitlab_pipeline,
    load,
    logical_lines,
    triggers,
)

PINNED_ACTIONS = {
    "actions/checkout",
    "actions/setup-python",
    "actions/upload-artifact",
    "actions/download-artifact",
    "actions/github-script",
}
PERMISSIONS = {
    "pr": {"contents": "read", "pull-requests": "write"},
    "apply": {"contents": "read", "actions": "read", "pull-requests": "read"},
    "drift": {"contents": "read", "issues": "write"},
}
SECRET_WORDS = re.compile(r"TOKEN|TICKET|PASSWORD|SECRET|API_KEY", re.IGNORECASE)
LEAKY_SHELL = re.compile(r"set\s+-[a-z]*x|\bprintenv\b|^\s*env\s*$|echo\s+\"?\$\{?QUOTESYNC_")


def _run_scripts(path: Path) -> list[str]:
    return [step["run"] for _, _, step in github_steps(path) if "run" in step]


def _script_step(path: Path) -> dict[str, Any]:
    return next(
        s for _, _, s in github_steps(path) if s.get("uses", "").startswith("actions/github-script")
    )


def _flag(line: str, name: str) -> str:
    words = shlex.split(line)
    return words[words.index(name) + 1]


@pytest.mark.parametrize("name", sorted(GITHUB))
def test_github_workflow_parses_with_minimal_permissions(name: str) -> None:
    workflow = load(GITHUB[name])
    assert workflow["permissions"] == PERMISSIONS[name]
    for job in workflow["jobs"].values():
        assert "permissions" not in job, "permissions are set once, at the top"
        assert job["runs-on"] == "ubuntu-latest" and job["timeout-minutes"] <= 30


@pytest.mark.parametrize("name", sorted(GITHUB))
def test_github_actions_are_well_known_and_pinned_to_a_major_version(name: str) -> None:
    for _, _, step in github_steps(GITHUB[name]):
        if "uses" in step:
            if ACTION_USES.match(step["uses"]):
                continue  # the quotesync action: see test_every_workflow_uses_one_action_ref
            action, _, version = step["uses"].partition("@")
            assert action in PINNED_ACTIONS, step["uses"]
            assert re.fullmatch(r"v\d+", version), step["uses"]
            if action == "actions/checkout":
                assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("name", sorted(GITHUB))
def test_github_secrets_only_as_step_env_and_never_in_scripts(name: str) -> None:
    path = GITHUB[name]
    text = path.read_text(encoding="utf-8")
    for script in _run_scripts(path):
        assert "${{" not in script, "values reach scripts through env, never ${{ }} in run:"
        assert not LEAKY_SHELL.search(script), script
    uses_of_secrets = re.findall(r"\$\{\{\s*secrets\.([A-Z_]+)\s*\}\}", text)
    assert len(uses_of_secrets) == text.count("secrets."), "only as ${{ secrets.NAME }}"
    for _, job, step in github_steps(path):
        for key, value in step.get("env", {}).items():
            if "secrets." in str(value):
                assert value == f"${{{{ secrets.{key} }}}}", "a secret keeps its name"
        for value in (job.get("env", {}) | load(path).get("env", {})).values():
            assert "secrets." not in str(value), "secrets only in the steps that need them"
    for key in load(path).get("env", {}):
        assert not SECRET_WORDS.search(key), f"{key} must be a secret, not a workflow value"


def test_github_triggers_and_the_artifact_hand_over() -> None:
    pr, apply, drift = (load(GITHUB[n]) for n in ("pr", "apply", "drift"))
    assert set(triggers(pr)) == {"pull_request", "workflow_dispatch"}
    assert set(triggers(apply)) == {"push", "workflow_dispatch"}
    assert triggers(apply)["push"]["branches"] == ["main"]
    assert triggers(apply)["push"]["paths"] == triggers(pr)["pull_request"]["paths"]
    assert f"{pr['env']['MANIFESTS']}/**" in triggers(pr)["pull_request"]["paths"]
    assert set(triggers(drift)) == {"schedule", "workflow_dispatch"}
    (cron,) = triggers(drift)["schedule"]
    assert len(cron["cron"].split()) == 5
    assert apply["env"]["PLAN_WORKFLOW"] == GITHUB["pr"].name
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert apply["jobs"]["apply"]["environment"] == "production"

    (_, plan) = github_action_calls(GITHUB["pr"])
    assert plan.subcommand == "plan"
    upload = next(
        s for _, _, s in github_steps(GITHUB["pr"]) if "upload-artifact" in s.get("uses", "")
    )
    assert upload["if"] == "steps.plan.outcome == 'success'", "only a plan that worked is kept"
    assert plan.inputs["plan-file"] in upload["with"]["path"].split()
    assert plan.inputs["markdown-file"] in upload["with"]["path"].split()
    assert upload["with"]["name"] == apply["env"]["PLAN_ARTIFACT"]
    download = next(
        s for _, _, s in github_steps(GITHUB["apply"]) if "download-artifact" in s.get("uses", "")
    )
    assert download["with"]["run-id"] == "${{ steps.reviewed.outputs.run-id }}"
    (applied,) = github_action_calls(GITHUB["apply"])
    assert applied.inputs["plan-file"] == f"{download['with']['path']}/{plan.inputs['plan-file']}"
    assert applied.inputs["args"] == "${{ steps.reviewed.outputs.allow-flags }}"


def test_every_workflow_uses_one_action_ref_and_no_install_of_its_own() -> None:
    """The plan a pull request made is applied by the same code: one ref in all three."""
    refs = set()
    for path in GITHUB.values():
        for _, _, step in github_steps(path):
            uses = step.get("uses", "")
            if ACTION_USES.match(uses):
                refs.add(uses)
            assert "pip install" not in step.get("run", ""), "the action installs quotesync"
    assert refs == {"OWNER/quotesync-gitops@REF"}, refs
    assert not any("QUOTESYNC_INSTALL" in p.read_text(encoding="utf-8") for p in GITHUB.values())
    guide = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "OWNER/quotesync-gitops@REF" in guide and "git rev-parse" in guide


def test_github_comment_and_issue_scripts_use_the_tools_marker_and_files() -> None:
    (_, plan) = github_action_calls(GITHUB["pr"])
    (drift,) = github_action_calls(GITHUB["drift"])
    for path, call in ((GITHUB["pr"], plan), (GITHUB["drift"], drift)):
        step = _script_step(path)
        assert step["env"]["QUOTESYNC_MARKER"] == COMMENT_MARKER
        assert "comment-id" not in call.inputs, "the marker env would have to match"
        assert f"'{call.inputs['markdown-file']}'" in step["with"]["script"]
    assert "updateComment" in _script_step(GITHUB["pr"])["with"]["script"]
    assert "--detailed-exitcode" not in plan.inputs.get("args", ""), "changes are not a failure"


def test_gitlab_pipeline_parses_and_holds_together() -> None:
    pipeline = gitlab_pipeline()
    jobs = gitlab_jobs()
    assert pipeline["stages"] == ["validate", "plan", "apply", "drift"]
    assert set(jobs) == {
        "quotesync-validate", "quotesync-plan", "quotesync-apply",
        "quotesync-apply-fresh-plan", "quotesync-drift",
    }  # fmt: skip
    for name, job in jobs.items():
        assert load(GITLAB)[name]["extends"] == f".{name}", "the job comes from the template"
        assert job["stage"] in pipeline["stages"]
        assert job["rules"], "every job says when it runs"
        assert job["before_script"] == pipeline[".quotesync"]["before_script"]
    assert pipeline["variables"]["QUOTESYNC_REF"] == "REF"
    assert "/REF/templates/quotesync.yml" in load(GITLAB)["include"][0]["remote"]
    assert jobs["quotesync-drift"]["allow_failure"] == {"exit_codes": [2]}
    assert jobs["quotesync-drift"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    groups = {
        jobs[n]["resource_group"]
        for n in jobs
        if n.startswith(("quotesync-apply", "quotesync-drift"))
    }
    assert groups == {"quotesync-production"}, "applies and drift never overlap"
    assert jobs["quotesync-apply-fresh-plan"]["rules"][0]["when"] == "manual"
    assert jobs["quotesync-apply-fresh-plan"]["needs"] == ["quotesync-plan"]

    commands = {c.job: c for c in gitlab_commands()}
    plan_out = _flag(commands["quotesync-plan"].line, "--out")
    assert plan_out in jobs["quotesync-plan"]["artifacts"]["paths"]
    assert shlex.split(commands["quotesync-apply"].line)[2] == f"reviewed-plan/{plan_out}"
    assert shlex.split(commands["quotesync-apply-fresh-plan"].line)[2] == plan_out
    assert any("fetch-plan reviewed-plan" in s for s in jobs["quotesync-apply"]["script"])

    helper = GITLAB_HELPER.read_text(encoding="utf-8")
    assert f'DEFAULT_MARKER = "{COMMENT_MARKER}"' in helper
    assert 'or "quotesync-plan")' in helper, "fetch-plan looks for the plan job by name"
    for key in pipeline["variables"]:
        assert not SECRET_WORDS.search(key), f"{key} must be a masked CI/CD variable"
    for job in jobs.values():
        for entry in job["script"] + job["before_script"]:
            for line in logical_lines(entry):
                assert not LEAKY_SHELL.search(line), line


def test_pre_commit_hook_validates_the_whole_folder_without_secrets(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "quotesync-validate" and hook["language"] == "python"
    assert hook["entry"] == "quotesync validate --no-env"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for name in ("a.yaml", "b/c.yml", "products.csv"):
        assert files.search(name)
    assert not files.search("README.md")

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_MANIFESTS, repo / "manifests")
    quotesync = str(Path(sys.executable).parent / "quotesync")
    entry = [quotesync, *shlex.split(hook["entry"])[1:]]
    env = {"PATH": "/usr/bin:/bin"}  # no secrets: ${env:} are checked for form only
    whole = subprocess.run([*entry, "manifests"], cwd=repo, env=env, capture_output=True, text=True)
    assert whole.returncode == 0, whole.stdout + whole.stderr
    # Why filenames are not passed: one file alone misses the objects it refers to.
    alone = subprocess.run(
        [*entry, "manifests/quote/erp-quotes.yaml"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert alone.returncode == 1 and "not declared in the manifests" in alone.stdout


def test_every_flag_the_guide_names_exists() -> None:
    guide = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    commands = r"(validate|plan|apply|drift|show)\s+(.*)"
    found_all = [re.match(commands, span) for span in re.findall(r"`([^`\n]+)`", guide)]
    found_all += [re.search(r"quotesync\s+" + commands, line) for line in guide.splitlines()]
    named: dict[str, set[str]] = {}
    for found in found_all:
        if found:
            named.setdefault(found.group(1), set()).update(re.findall(r"--[a-z][a-z-]+", found[2]))
    assert {"validate", "plan", "apply", "drift"} <= set(named)
    quotesync = str(Path(sys.executable).parent / "quotesync")
    for command, flags in named.items():
        shown = subprocess.run([quotesync, command, "--help"], capture_output=True, text=True)
        for flag in flags:
            assert flag in shown.stdout, f"docs/ci.md names `{command} {flag}`"


def test_gitlab_template_installs_quotesync_and_its_helper_from_the_pinned_ref(
    tmp_path: Path,
) -> None:
    """The template's before_script, run for real: fetch this repository at a ref, install
    it into a fresh venv with its constraints, and find the helper of that checkout."""
    (job,) = [j for n, j in gitlab_jobs().items() if n == "quotesync-plan"]
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    env = {
        "PATH": f"{env_dir / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        **{k: str(v) for k, v in gitlab_pipeline()["variables"].items()},
        "QUOTESYNC_REPOSITORY": str(ROOT),
        "QUOTESYNC_REF": head,
        "QUOTESYNC_HOME": str(tmp_path / "quotesync-gitops"),
    }
    script = "\n".join([*job["before_script"], 'test -f "$QUOTESYNC_HELPER"'])
    done = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"quotesync, version \d+\.\d+", done.stdout)
    assert (env_dir / "bin" / "quotesync").exists()
