"""Bad command-line input is a clean error (exit 1 and a message), never a traceback.

Run as real subprocesses, so an uncaught exception shows as what a user would see.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.helpers import copy_examples, run_subprocess


def _clean_error(result_output: str, code: int) -> None:
    assert code == 1, result_output
    assert "Traceback" not in result_output
    assert "error:" in result_output.lower()


@pytest.mark.parametrize(
    "target", ["/etc/hostname", "{folder}"], ids=["not a database", "a folder"]
)
def test_a_local_crm_that_is_no_database(tmp_path: Path, target: str) -> None:
    manifests = copy_examples(tmp_path)
    crm = "local:" + target.format(folder=tmp_path)
    result = run_subprocess("plan", str(manifests), "--crm", crm, env={})
    _clean_error(result.stderr, result.returncode)
    assert "cannot use" in result.stderr and "as the local CRM" in result.stderr


@pytest.mark.parametrize("content", [b"a: [\n", b"\xff\xfe"], ids=["syntax", "not UTF-8"])
def test_bad_var_files(tmp_path: Path, content: bytes) -> None:
    manifests = copy_examples(tmp_path)
    var_file = tmp_path / "vars.yaml"
    var_file.write_bytes(content)
    crm = f"local:{tmp_path / 'crm.sqlite'}"
    result = run_subprocess(
        "plan", str(manifests), "--var-file", str(var_file), "--crm", crm, env={}
    )
    _clean_error(result.stderr, result.returncode)
    assert "--var-file" in result.stderr


@pytest.mark.parametrize(
    "content", [b"{", b'{"formatVersion": 99}'], ids=["truncated", "unknown version"],
)  # fmt: skip
def test_bad_plan_files(tmp_path: Path, content: bytes) -> None:
    planfile = tmp_path / "plan.json"
    planfile.write_bytes(content)
    for args in (["show", str(planfile)], ["apply", str(planfile), "--auto-approve"]):
        result = run_subprocess(*args, env={"QUOTESYNC_CRM": f"local:{tmp_path / 'c.sqlite'}"})
        _clean_error(result.stderr, result.returncode)


def test_a_plan_file_that_is_not_text(tmp_path: Path) -> None:
    planfile = tmp_path / "plan.json"
    planfile.write_bytes(b"\x00\xff{")
    result = run_subprocess("show", str(planfile), env={})
    _clean_error(result.stderr, result.returncode)


@pytest.mark.parametrize("option", ["--out", "--markdown-out"])
def test_an_output_file_that_cannot_be_written(tmp_path: Path, option: str) -> None:
    manifests = copy_examples(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    crm = f"local:{tmp_path / 'crm.sqlite'}"
    result = run_subprocess(
        "plan", str(manifests), option, str(blocker / "out.json"), "--crm", crm, env={}
    )
    _clean_error(result.stderr, result.returncode)
