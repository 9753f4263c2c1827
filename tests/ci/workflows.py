"""Read the example CI files and pull out the quotesync commands they run, in order.

A command is a logical line of a `run:` (GitHub) or `script:` (GitLab) block whose first
word is `quotesync`, with backslash continuations joined and a trailing exit-code capture
(`|| code=$?`) dropped: the tests run exactly that text with bash, as the CI would, and
check the exit code themselves.
"""

from __future__ import annotations

import os
import re
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

_CAPTURE = re.compile(r"\s*\|\|\s*[A-Za-z_]\w*=\$\?\s*$")
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
GITLAB_RESERVED = {"variables", "stages", "default", "workflow", "include", "image", "cache"}


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


def gitlab_jobs(path: Path = GITLAB) -> dict[str, dict[str, Any]]:
    return {
        name: job
        for name, job in load(path).items()
        if isinstance(name, str) and not name.startswith(".") and name not in GITLAB_RESERVED
    }


def gitlab_commands(path: Path = GITLAB) -> list[Command]:
    pipeline = load(path)
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
