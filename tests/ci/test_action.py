"""The composite GitHub Action (action.yml): its inputs reach quotesync only through env,
its install step installs quotesync from the action's own checkout, and its run step maps
inputs to flags and exit codes to outputs and annotations."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.ci.workflows import (
    ACTION,
    EXAMPLE_MANIFESTS,
    ROOT,
    ActionCall,
    action_inputs,
    action_install_step,
    action_step,
    load,
    run_action,
    run_github_step,
    source_copy,
)
from tests.ci.workflows import (
    resolve as _resolve,
)

LEAKY_SHELL = re.compile(r"set\s+-[a-z]*x|\bprintenv\b|^\s*env\s*$", re.MULTILINE)


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_MANIFESTS, repo / "manifests")
    return repo


def test_action_declares_every_input_and_hands_it_over_through_env() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    for name, spec in inputs.items():
        assert spec.get("description"), f"input {name} has no description"
        assert "default" in spec or spec.get("required"), name
    run = action_step("run")
    handed = {str(v) for v in run["env"].values()}
    for name in set(inputs) - {"python-version", "working-directory"}:
        assert f"${{{{ inputs.{name} }}}}" in handed, f"input {name} is not passed to the script"
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], "inputs reach scripts through env, never ${{ }}"
            assert not LEAKY_SHELL.search(step["run"]), step["run"]
    for name, spec in action["outputs"].items():
        assert spec["description"]
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"


def test_an_unknown_command_fails_and_says_which_commands_exist(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    result = run_action(ActionCall("job", "step", {"command": "destroy"}), repo)
    assert result.returncode == 1 and result.outputs == {"exit-code": "1"}
    assert "command must be validate, plan, apply or drift, not 'destroy'" in result.stdout
    assert not (repo / ".quotesync").exists()


def test_invalid_manifests_fail_validate_with_annotations_and_the_exit_code(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path)
    path = repo / "manifests" / "quote" / "erp-quotes.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "erpConnection: Demo ERP – Production", "erpConnection: Nope"
        ),
        encoding="utf-8",
    )
    result = run_action(ActionCall("job", "step", {"command": "validate"}), repo)
    assert result.returncode == 1 and result.outputs["exit-code"] == "1"
    assert "::error file=manifests/quote/erp-quotes.yaml,line=" in result.stdout
    assert "Nope" in result.stdout


def test_plan_with_args_comment_id_and_detailed_exitcode_fails_only_when_asked(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path)
    inputs = {
        "command": "plan",
        "comment-id": "acme",
        "test-connections": "false",
        "args": "--detailed-exitcode",
        "plan-file": "out/acme.json",
        "markdown-file": "out/acme.md",
    }
    env = {"DEMO_ERP_PASSWORD": "x", "DEMO_QUOTE_PASSWORD": "x", "DEMO_ACCOUNTING_API_KEY": "x"}
    result = run_action(ActionCall("job", "step", inputs, env), repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.outputs == {
        "exit-code": "2", "plan-file": "out/acme.json", "comment": "out/acme.md",
    }  # fmt: skip
    assert "::warning title=quotesync plan::changes found (exit 2)" in result.stdout
    marker = (repo / "out" / "acme.md").read_text(encoding="utf-8").split("\n", 1)[0]
    assert marker == "<!-- quotesync-plan:acme -->"
    strict = {**inputs, "fail-on-changes": "true"}
    failing = run_action(ActionCall("job", "step", strict, env), repo)
    assert failing.returncode == 2 and failing.outputs["exit-code"] == "2"


def test_install_step_installs_quotesync_from_the_actions_checkout_once(tmp_path: Path) -> None:
    """The real install: a virtual environment of the action's own, quotesync built from the
    checkout (a copy of the repository as git holds it) with constraints.txt, its bin folder
    added to GITHUB_PATH."""
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    checkout = source_copy(tmp_path / "action")
    context = {
        "github.action_path": str(checkout),
        "runner.temp": str(runner_temp),
        "steps.python.outputs.python-path": sys.executable,
    }
    step = action_install_step()
    first = run_github_step(step, work, context, {})
    assert first.returncode == 0, first.stdout + first.stderr
    venv_bin = runner_temp / "quotesync-venv" / "bin"
    assert (work / ".github-path").read_text(encoding="utf-8").strip() == str(venv_bin)
    assert re.search(r"quotesync, version \d+\.\d+", first.stdout)
    config = runner_temp / "quotesync-venv" / "pyvenv.cfg"
    made = config.stat().st_mtime_ns
    again = run_github_step(step, work, context, {})
    assert again.returncode == 0 and config.stat().st_mtime_ns == made, "installed once a job"

    repo = _repo(tmp_path)
    result = run_github_step(
        action_step("run"),
        repo,
        {"runner.temp": str(runner_temp),
         **{f"inputs.{k}": v for k, v in action_inputs({"command": "validate"}).items()}},
        {"PATH": "/usr/bin:/bin"},  # only the install step's venv has quotesync
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout


def test_this_repositorys_own_workflow_runs_the_action_on_the_examples(tmp_path: Path) -> None:
    """.github/workflows/ci.yml's action job, step by step, in a copy of the repository's
    examples, against the embedded CRM: validate, plan (changes: exit 2, the step passes),
    apply the plan file the plan step output, drift (none), then its check of the outputs."""
    job = load(ROOT / ".github" / "workflows" / "ci.yml")["jobs"]["action"]
    work = tmp_path / "checkout"
    shutil.copytree(ROOT / "examples", work / "examples")
    outputs: dict[str, dict[str, str]] = {}
    commands = []
    for step in job["steps"]:
        context = {
            f"steps.{sid}.outputs.{name}": value
            for sid, values in outputs.items()
            for name, value in values.items()
        }
        if step.get("uses") == "./":
            call = ActionCall("action", step["name"], step["with"])
            result = run_action(call, work, context)
            assert result.returncode == 0, result.stdout + result.stderr
            outputs[step.get("id", step["name"])] = result.outputs
            commands.append(call.subcommand)
        elif "run" in step:
            env = {k: str(v) for k, v in step.get("env", {}).items()}
            step_env = {k: _resolve(v, context) for k, v in env.items()}
            done = subprocess.run(
                ["bash", "-eo", "pipefail", "-c", step["run"]], cwd=work,
                env={"PATH": "/usr/bin:/bin", **step_env}, capture_output=True, text=True,
                check=False,
            )  # fmt: skip
            assert done.returncode == 0, (step_env, done.stdout + done.stderr)
    assert commands == ["validate", "plan", "apply", "drift"]
    assert outputs["plan"]["exit-code"] == "2" and outputs["drift"]["exit-code"] == "0"
