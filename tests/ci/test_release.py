"""The release workflow of this repository: its build job's commands run here on a copy of
the repository (build the sdist and wheel, install the wheel in a fresh venv, run the
README's main job), and its jobs hold together (release only on a tag, PyPI only by trusted
publishing and only when switched on)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.ci.workflows import ROOT, load, logical_lines, source_copy, triggers

RELEASE = ROOT / ".github" / "workflows" / "release.yml"
SCRIPTS = ROOT / "scripts"


def _build_job_lines() -> list[str]:
    steps = load(RELEASE)["jobs"]["build"]["steps"]
    return [line for s in steps if "run" in s for line in logical_lines(s["run"]) if line]


def test_release_workflow_builds_checks_and_publishes_only_from_a_tag() -> None:
    workflow = load(RELEASE)
    assert triggers(workflow)["push"] == {"tags": ["v*"]}
    assert "workflow_dispatch" in triggers(workflow)
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    lines = _build_job_lines()
    assert "python -m build --outdir dist" in lines
    assert "python -m twine check --strict dist/*" in lines
    assert "python scripts/check_dist.py dist" in lines
    for name in ("github-release", "pypi"):
        assert jobs[name]["needs"] == "build"
        assert jobs[name]["if"].startswith("startsWith(github.ref, 'refs/tags/v')")
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}, "trusted publishing, no token"
    assert jobs["pypi"]["environment"] == "pypi"
    assert "vars.PUBLISH_TO_PYPI == 'true'" in jobs["pypi"]["if"]
    assert "secrets." not in RELEASE.read_text(encoding="utf-8")


VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@pytest.mark.parametrize(
    ("tag", "code"), [(f"v{VERSION}", 0), ("v9.9.9", 1), (VERSION, 1)]
)  # fmt: skip
def test_a_release_tag_must_name_the_version_being_built(tag: str, code: int) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "check_version.py"), tag],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == code, done.stdout + done.stderr
    if code:
        assert f"tag {tag} does not match the version" in done.stderr


def test_build_job_builds_a_wheel_that_runs_the_readmes_main_job(tmp_path: Path) -> None:
    """The build job's own commands, but the install of build and twine (the dev install
    has build; twine check runs in the workflow only)."""
    source = source_copy(tmp_path / "src")
    skipped = ("python -m pip install", "python -m twine", "python scripts/check_version")
    wanted = [line for line in _build_job_lines() if not line.startswith(skipped)]
    assert wanted == ["python -m build --outdir dist", "python scripts/check_dist.py dist"]
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
    for line in wanted:
        done = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", line.replace("python ", f"{sys.executable} ", 1)],
            cwd=source, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    assert "ok: quotesync plan examples/manifests with quotesync_gitops-" in done.stdout
    assert sorted(p.suffix for p in (source / "dist").iterdir()) == [".gz", ".whl"]


def test_check_dist_refuses_a_folder_without_one_wheel(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "check_dist.py"), str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "expected one *.whl" in done.stderr
