"""Read the example CI files and pull out the quotesync commands they run, in order.

A command is a logical line of a `run:` (GitHub) or `script:` (GitLab) block whose first
word is `quotesync`, with backslash continuations joined and a trailing exit-code capture
(`|| code=$?`) dropped: the tests run exactly that text with bash, as the CI would, and
check the exit code themselves.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "examples" / "ci"
GITHUB = {name: CI / "github" / f"quotesync-{name}.yml" for name in ("pr", "apply", "drift")}
GITLAB = CI / "gitlab" / ".gitlab-ci.yml"
GITLAB_HELPER = CI / "gitlab" / "quotesync_gitlab.py"
EXAMPLE_MANIFESTS = ROOT / "examples" / "manifests"
ACTION = ROOT / "action.yml"
#: How the example workflows name the quotesync action: OWNER/quotesync-gitops@REF.
ACTION_USES = re.compile(r"^[A-Za-z0-9_.-]+/quotesync-gitops@[A-Za-z0-9_.-]+$")

_CAPTURE = re.compile(r"\s*\|\|\s*[A-Za-z_]\w*=\$\?\s*$")
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
GITLAB_RESERVED = {"variables", "stages", "default", "workflow", "include", "image", "cache"}


def source_copy(folder: Path) -> Path:
    """The repository as git holds it (what actions/checkout gives a workflow), in ``folder``.

    Recipes that build the package build in such a copy, never in ROOT: a build writes
    ``build/`` and ``*.egg-info`` into its source folder, which tests running at the same
    time (pytest-xdist) read from."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    return folder


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: Mapping[Any, Any]) -> dict[str, Any]:
    """`on:` of a workflow (PyYAML reads the bare key `on` as the boolean True)."""
    value = workflow.get("on", workflow.get(True))
    assert isinstance(value, dict), "triggers as a mapping"
    return value


def logical_lines(script: str) -> Iterator[str]:
    pending = ""
    for raw in script.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        yield (pending + line.strip()).strip()
        pending = ""
    if pending.strip():
        yield pending.strip()


def quotesync_lines(script: str) -> list[str]:
    return [
        _CAPTURE.sub("", line) for line in logical_lines(script) if line.startswith("quotesync ")
    ]


@dataclass(frozen=True)
class Command:
    """One quotesync invocation of a CI file, with the environment its step declares."""

    job: str
    step: str
    line: str
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def subcommand(self) -> str:
        return self.line.split()[1]


def github_steps(path: Path) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(job name, job, step) in file order."""
    for job_name, job in load(path)["jobs"].items():
        for step in job["steps"]:
            yield job_name, job, step


def github_commands(path: Path) -> list[Command]:
    workflow = load(path)
    commands = []
    for job_name, job, step in github_steps(path):
        if "run" not in step:
            continue
        env = {**workflow.get("env", {}), **job.get("env", {}), **step.get("env", {})}
        for line in quotesync_lines(step["run"]):
            commands.append(Command(job_name, step.get("name", ""), line, env))
    return commands


GITLAB_TEMPLATE = ROOT / "templates" / "quotesync.yml"
GITLAB_TEMPLATE_URL = re.compile(
    r"^https://raw\.githubusercontent\.com/[^/]+/quotesync-gitops/[^/]+/templates/quotesync\.yml$"
)


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """GitLab's merge for `extends` and includes: mappings merge, anything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def gitlab_pipeline(path: Path = GITLAB) -> dict[str, Any]:
    """The pipeline as GitLab sees it: the quotesync template included (from this
    repository, where the file names it by URL), then the file's own keys on top."""
    own = load(path)
    merged: dict[str, Any] = {}
    for entry in own.get("include", []):
        remote = entry.get("remote", "") if isinstance(entry, dict) else entry
        assert GITLAB_TEMPLATE_URL.match(remote), f"unknown include {entry!r}"
        merged = _deep_merge(merged, load(GITLAB_TEMPLATE))
    return _deep_merge(merged, {k: v for k, v in own.items() if k != "include"})


def _extended(name: str, pipeline: Mapping[str, Any], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    assert name not in seen, f"extends loop through {name}"
    job = pipeline[name]
    parents = job.get("extends", [])
    resolved: dict[str, Any] = {}
    for parent in [parents] if isinstance(parents, str) else parents:
        resolved = _deep_merge(resolved, _extended(parent, pipeline, (*seen, name)))
    return _deep_merge(resolved, job)


def gitlab_jobs(path: Path = GITLAB) -> dict[str, dict[str, Any]]:
    """The jobs that run, with `extends` resolved."""
    pipeline = gitlab_pipeline(path)
    return {
        name: _extended(name, pipeline)
        for name in pipeline
        if isinstance(name, str) and not name.startswith(".") and name not in GITLAB_RESERVED
    }


def gitlab_commands(path: Path = GITLAB) -> list[Command]:
    pipeline = gitlab_pipeline(path)
    commands = []
    for name, job in gitlab_jobs(path).items():
        env = {**pipeline.get("variables", {}), **job.get("variables", {})}
        for index, entry in enumerate(job.get("script", [])):
            for line in quotesync_lines(entry):
                commands.append(Command(name, f"script[{index}]", line, env))
    return commands


def resolve(value: str, context: Mapping[str, str]) -> str:
    """A GitHub `${{ expression }}` value with each expression taken from ``context``.

    An expression the test did not expect fails the test, naming it: a new expression in a
    workflow has to be thought about here too.
    """

    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression not in context:
            raise AssertionError(f"the test does not know the expression ${{{{ {expression} }}}}")
        return context[expression]

    return _EXPRESSION.sub(one, str(value))


def run(
    command: Command,
    cwd: Path,
    context: Mapping[str, str] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the command's line with bash in ``cwd``, with its step's environment."""
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
    }
    env.update({k: resolve(str(v), context or {}) for k, v in command.env.items()})
    env.update(extra_env or {})
    return subprocess.run(
        ["bash", "-c", command.line],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass(frozen=True)
class ActionCall:
    """One step of a workflow that uses the quotesync action, with its inputs and env."""

    job: str
    step: str
    inputs: Mapping[str, str]
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def subcommand(self) -> str:
        return str(self.inputs["command"])


@dataclass(frozen=True)
class ActionResult:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


def github_action_calls(path: Path) -> list[ActionCall]:
    workflow = load(path)
    calls = []
    for job_name, job, step in github_steps(path):
        if ACTION_USES.match(step.get("uses", "")):
            env = {**workflow.get("env", {}), **job.get("env", {}), **step.get("env", {})}
            inputs = {k: str(v) for k, v in step.get("with", {}).items()}
            calls.append(ActionCall(job_name, step.get("name", ""), inputs, env))
    return calls


def action_step(step_id: str) -> dict[str, Any]:
    return next(s for s in load(ACTION)["runs"]["steps"] if s.get("id") == step_id)


def action_install_step() -> dict[str, Any]:
    return next(s for s in load(ACTION)["runs"]["steps"] if "action_path" in str(s.get("env")))


def action_inputs(given: Mapping[str, str]) -> dict[str, str]:
    """The inputs as GitHub hands them to the action: its defaults, then what was given."""
    declared = load(ACTION)["inputs"]
    unknown = set(given) - set(declared)
    assert not unknown, f"the action has no input {sorted(unknown)}"
    for name, spec in declared.items():
        if spec.get("required"):
            assert name in given, f"the action needs the input {name}"
    return {name: str(given.get(name, spec.get("default", ""))) for name, spec in declared.items()}


def run_github_step(
    step: Mapping[str, Any],
    cwd: Path,
    context: Mapping[str, str],
    extra_env: Mapping[str, str],
) -> ActionResult:
    """One `run:` step of the action as the runner runs it: `bash -eo pipefail`, its env
    resolved, GITHUB_OUTPUT and GITHUB_PATH as files; returns the outputs it wrote."""
    output, path_file = cwd / ".github-output", cwd / ".github-path"
    output.write_text("", encoding="utf-8")
    path_file.write_text("", encoding="utf-8")
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
        **extra_env,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_PATH": str(path_file),
    }
    env.update({k: resolve(str(v), context) for k, v in step.get("env", {}).items()})
    workdir = cwd / resolve(str(step.get("working-directory", ".")), context)
    assert step["shell"] == "bash"
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    outputs = dict(
        line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if line
    )
    return ActionResult(done.returncode, done.stdout, done.stderr, outputs)


def run_action(
    call: ActionCall,
    cwd: Path,
    context: Mapping[str, str] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> ActionResult:
    """The action's quotesync step for one workflow step, with the quotesync under test on
    PATH (the install step is tested on its own)."""
    outer = {**{f"env.{k}": str(v) for k, v in call.env.items()}, **(context or {})}
    inputs = action_inputs({k: resolve(v, outer) for k, v in call.inputs.items()})
    inner = {f"inputs.{k}": v for k, v in inputs.items()}
    inner["runner.temp"] = str(cwd / ".runner-temp")  # no venv there: the PATH's quotesync runs
    step_env = {k: resolve(str(v), outer) for k, v in call.env.items()}
    return run_github_step(action_step("run"), cwd, inner, {**step_env, **(extra_env or {})})
