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


@pytest.mark.parametrize(
    "content",
    [b"", b"\n", b'{"kind": "quotesync-plan", "formatVer', b"[" * 100_000 + b"]" * 100_000],
    ids=["empty", "a new line", "cut short", "nested 100,000 deep"],
)
def test_an_empty_truncated_or_nested_plan_file_is_not_a_plan(
    tmp_path: Path, content: bytes
) -> None:
    """Never read as a set of no manifests ("No changes", exit 0), never a traceback."""
    planfile = tmp_path / "plan.json"
    planfile.write_bytes(content)
    env = {"QUOTESYNC_CRM": f"local:{tmp_path / 'c.sqlite'}"}
    for args in (["show", str(planfile)], ["apply", str(planfile), "--auto-approve"]):
        result = run_subprocess(*args, env=env)
        _clean_error(result.stderr, result.returncode)
        assert "is not a quotesync plan file" in result.stderr, result.stderr
        assert "No changes" not in result.stdout


def _loop(path: Path) -> None:
    path.symlink_to(path.name)


@pytest.mark.parametrize("where", ["manifest", "file reference", "productsFile"])
def test_symbolic_link_loops_are_clean_errors(tmp_path: Path, where: str) -> None:
    manifests = copy_examples(tmp_path)
    if where == "manifest":
        _loop(manifests / "loop.yaml")
        expected = "loop.yaml: error: cannot read the file: Too many levels of symbolic links"
    elif where == "file reference":
        _loop(manifests / "erp" / "key")
        accounting = manifests / "erp" / "demo-accounting.yaml"
        accounting.write_text(
            accounting.read_text(encoding="utf-8").replace(
                "${env:DEMO_ACCOUNTING_API_KEY:-demo-api-key}", "${file:key}"
            ),
            encoding="utf-8",
        )
        expected = "demo-accounting.yaml:15:13: error: ${file:key}: cannot read"
    else:
        csv = manifests / "pricing" / "services-products.csv"
        csv.unlink()
        _loop(csv)
        expected = "productsFile 'services-products.csv': a symbolic link that leads nowhere"
    env = {"QUOTESYNC_CRM": f"local:{tmp_path / 'crm.sqlite'}"}
    for command in ("validate", "plan"):
        result = run_subprocess(command, str(manifests), env=env, cwd=tmp_path)
        _clean_error(result.stdout + result.stderr, result.returncode)
        assert expected in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("field", "digits"),
    [("minExisting", 5000), ("minExisting", 400), ("listPrice", 5000), ("listPrice", 400)],
)
def test_integers_too_large_for_python_or_a_float(tmp_path: Path, field: str, digits: int) -> None:
    manifests = copy_examples(tmp_path)
    number = "9" * digits
    if field == "minExisting":
        path = manifests / "settings" / "repository.yaml"
        old, new = "minExisting: ", f"minExisting: {number} #"
    else:
        path = manifests / "pricing" / "standard-nok-2026.yaml"
        old, new = "listPrice: ", f"listPrice: {number} #"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_subprocess("validate", str(manifests), env={}, cwd=tmp_path)
    _clean_error(result.stdout + result.stderr, result.returncode)
    assert "finite number" in result.stdout
    assert number not in result.stdout  # the number is not quoted back
