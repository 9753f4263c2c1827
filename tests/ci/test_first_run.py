"""A newcomer's first commands in a fresh manifest repository, as the README gives them:
nothing is left behind until the embedded CRM is written, and export keeps that folder out
of git."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.workflows import EXAMPLE_MANIFESTS, ROOT

QUOTESYNC = str(Path(sys.executable).parent / "quotesync")


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), "NO_COLOR": "1"}
    return subprocess.run(
        [QUOTESYNC, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "crm-settings"
    shutil.copytree(EXAMPLE_MANIFESTS, repo / "manifests")
    return repo


def test_reading_commands_leave_no_embedded_crm_behind_and_apply_makes_it(repo: Path) -> None:
    for args, code in [
        (("validate", "manifests"), 0),
        (("plan", "manifests"), 0),
        (("plan", "manifests", "--test-connections", "--out", "plan.json"), 0),
        (("drift", "manifests"), 2),
        (("show", "plan.json"), 0),
    ]:
        result = _run(repo, *args)
        assert result.returncode == code, (args, result.stdout + result.stderr)
        assert not (repo / ".quotesync").exists(), f"{args} created .quotesync/"
    applied = _run(repo, "apply", "plan.json")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (repo / ".quotesync" / "crm.sqlite").is_file()
    again = _run(repo, "plan", "manifests")
    assert "No changes. The CRM matches the manifests." in again.stdout, "the writes were kept"


def test_invalid_manifests_and_an_empty_folder_leave_nothing_behind(repo: Path) -> None:
    (repo / "empty").mkdir()
    assert _run(repo, "plan", "empty").returncode == 1
    (repo / "manifests" / "bad.yaml").write_text("apiVersion: quotesync.io/v1\nkind: Nope\n")
    result = _run(repo, "apply", "manifests", "--auto-approve")
    assert result.returncode == 1
    assert "1 problem in 1 file; the manifests are not valid" in result.stderr
    assert not (repo / ".quotesync").exists()


def test_export_into_a_git_work_tree_ignores_the_embedded_crm(repo: Path) -> None:
    (repo / ".git").mkdir()  # what `git init` leaves; export only looks for it
    (repo / ".gitignore").write_text("*.log", encoding="utf-8")
    result = _run(repo, "export", "--out", "exported")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "note: added .quotesync/ (the embedded CRM's folder) to .gitignore" in result.stderr
    assert (repo / ".gitignore").read_text(encoding="utf-8") == "*.log\n.quotesync/\n"
    again = _run(repo, "export", "--out", "exported-again")
    assert "to .gitignore" not in again.stderr, "added once"
    assert (repo / ".gitignore").read_text(encoding="utf-8").count(".quotesync") == 1
    assert not (repo / ".quotesync").exists(), "export only reads the CRM"


def test_export_outside_a_git_work_tree_touches_no_gitignore(repo: Path) -> None:
    result = _run(repo, "export", "--out", "exported")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (repo / ".gitignore").exists()


def test_readme_tells_a_newcomer_to_ignore_the_embedded_crm() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "echo .quotesync/ >> .gitignore" in readme


def test_readmes_setup_of_a_manifest_repository_works_as_written(tmp_path: Path) -> None:
    """The README's setup block, line by line, but the two install lines: the quotesync under
    test is on PATH instead (installing from a ref is tested in test_action/test_release)."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- newcomer-setup -->\n```sh\n(.*?)```", readme, re.DOTALL)
    assert block, "the README shows how to set up a manifest repository"
    lines = block.group(1).strip().splitlines()
    installs = [line for line in lines if line.startswith(("python3 -m venv", "pip install"))]
    assert len(installs) == 2 and "@REF" in installs[1] and "constraints.txt" in installs[1]
    script = "\n".join(line for line in lines if line not in installs)
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "NO_COLOR": "1",
        **{f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER")
           for what, value in (("NAME", "Newcomer"), ("EMAIL", "new@example.com"))},
    }  # fmt: skip
    done = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No changes. The CRM matches the manifests." in done.stdout
    repo = tmp_path / "crm-settings"
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    assert ".gitignore" in tracked and any(f.startswith("manifests/") for f in tracked)
    assert not any(f.startswith(".quotesync") for f in tracked)
    assert (repo / ".gitignore").read_text(encoding="utf-8").count(".quotesync/") == 1
