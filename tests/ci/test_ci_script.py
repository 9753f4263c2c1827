"""`.ci/run` runs exactly the README's test command (plus ruff and mypy), and that command
runs the suite on every core without any option of its own."""

from __future__ import annotations

import re
import shlex
import tomllib

from tests.ci.workflows import ROOT

CI_RUN = ROOT / ".ci" / "run"
#: Lines of .ci/run that are bookkeeping, not commands the README names.
_BOOKKEEPING = re.compile(r"^(set |cd |SECONDS=|phase\b|phase\(\)|trap )")


def _readme_test_command() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Install and run the tests:\n\n```sh\n(.*?)\n```", readme, re.DOTALL)
    assert block, "the README shows how to install and run the tests"
    return [part.strip() for part in block.group(1).split(" && ")]


def _ci_commands() -> list[str]:
    lines = CI_RUN.read_text(encoding="utf-8").splitlines()
    return [
        line.strip()
        for line in lines
        if line.strip() and not line.lstrip().startswith("#") and not _BOOKKEEPING.match(line)
    ]


def _without_quiet(command: str) -> str:
    return shlex.join(word for word in shlex.split(command) if word != "-q")


def test_ci_runs_the_readmes_test_command_and_ruff_and_mypy() -> None:
    commands = _ci_commands()
    checks = ["ruff check --no-cache .", "mypy"]
    assert commands[-3:] == [*checks, "pytest"]
    installs_and_tests = [_without_quiet(c) for c in commands if c not in checks]
    assert installs_and_tests == [_without_quiet(c) for c in _readme_test_command()]


def test_plain_pytest_runs_in_parallel_and_one_test_runs_without_workers() -> None:
    """The parallelism lives in pyproject.toml, so `pytest` alone is the whole suite on
    every core; the README says how to run one test without starting workers."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    addopts = shlex.split(pyproject["tool"]["pytest"]["ini_options"]["addopts"])
    assert addopts[addopts.index("-n") + 1] == "auto"
    assert addopts[addopts.index("--dist") + 1] == "loadgroup"  # TIMING tests share a worker
    assert any(dep.startswith("pytest-xdist") for dep in pyproject["project"][
        "optional-dependencies"]["dev"])  # fmt: skip
    pins = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    assert any(pin.startswith("pytest-xdist==") for pin in pins)
    assert any(pin.startswith("execnet==") for pin in pins)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^pytest -n 0 tests/\S+::test_\w+$", readme, re.MULTILINE)
