"""Every way export refuses or fails: exit code, message, and nothing half-written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quotesync_gitops.target import open_client
from tests.export.conftest import run, tree_of


def _siblings(folder: Path) -> list[str]:
    """Hidden staging or set-aside folders left next to the destination."""
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith("."))


@pytest.fixture
def occupied(tmp_path: Path) -> Path:
    out = tmp_path / "manifests"
    (out / "old").mkdir(parents=True)
    (out / "old" / "keep.yaml").write_text("mine: true\n", encoding="utf-8")
    (out / "README.md").write_text("# my notes\n", encoding="utf-8")
    return out


def test_non_empty_folder_is_refused_without_force_and_left_untouched(
    examples_crm: str, occupied: Path
) -> None:
    before = tree_of(occupied)
    result = run("export", "--out", str(occupied), "--crm", examples_crm)
    assert result.exit_code == 1
    assert f"error: --out {occupied} is not empty; choose a new or empty folder, or pass " in (
        result.stderr
    )
    assert "--force" in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert tree_of(occupied) == before
    assert _siblings(occupied) == []


def test_force_replaces_the_old_contents(examples_crm: str, occupied: Path) -> None:
    result = run("export", "--out", str(occupied), "--crm", examples_crm, "--force")
    assert result.exit_code == 0, result.output
    files = tree_of(occupied)
    assert "README.md" not in files and "old/keep.yaml" not in files
    assert "erp/connections/demo-accounting.yaml" in files
    assert _siblings(occupied) == []


def test_an_empty_existing_folder_needs_no_force(examples_crm: str, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    result = run("export", "--out", str(out), "--crm", examples_crm)
    assert result.exit_code == 0, result.output
    assert (out / "settings" / "sync.yaml").is_file()


def test_a_file_is_not_a_folder(examples_crm: str, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    out.write_text("{}", encoding="utf-8")
    result = run("export", "--out", str(out), "--crm", examples_crm, "--force")
    assert result.exit_code in (1, 2)  # click may refuse it first
    assert "is a file" in result.output
    assert out.read_text(encoding="utf-8") == "{}"


def test_force_never_replaces_a_git_work_tree(examples_crm: str, occupied: Path) -> None:
    (occupied / ".git").mkdir()
    before = tree_of(occupied)
    result = run("export", "--out", str(occupied), "--crm", examples_crm, "--force")
    assert result.exit_code == 1
    assert "is a git work tree (it holds .git)" in result.stderr
    assert "Export into a subfolder instead" in result.stderr
    assert tree_of(occupied) == before


def test_force_never_removes_the_current_folder(
    examples_crm: str, occupied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(occupied / "old")
    before = tree_of(occupied)
    result = run("export", "--out", str(occupied), "--crm", examples_crm, "--force")
    assert result.exit_code == 1
    assert "holds the current folder" in result.stderr
    assert tree_of(occupied) == before


def _interrupt_after(calls: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+C in the middle of writing: the ``calls``-th flush to disk is interrupted."""
    real_fsync = os.fsync
    seen = {"n": 0}

    def fsync(fd: int) -> None:
        seen["n"] += 1
        if seen["n"] == calls:
            raise KeyboardInterrupt
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.parametrize("calls", [1, 5, 17])
def test_an_interrupted_export_leaves_the_old_contents(
    examples_crm: str, occupied: Path, monkeypatch: pytest.MonkeyPatch, calls: int
) -> None:
    before = tree_of(occupied)
    _interrupt_after(calls, monkeypatch)
    result = run("export", "--out", str(occupied), "--crm", examples_crm, "--force")
    assert result.exit_code == 130  # 128 + SIGINT, as a shell reports Ctrl+C
    assert result.stderr.splitlines()[-1] == "interrupted"
    assert tree_of(occupied) == before
    assert _siblings(occupied) == []


def test_an_interrupted_export_leaves_no_folder(
    examples_crm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "new"
    _interrupt_after(3, monkeypatch)
    result = run("export", "--out", str(out), "--crm", examples_crm)
    assert result.exit_code == 130
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_unreachable_crm_is_a_clean_error_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("export", "--out", str(out), "--crm", "http://127.0.0.1:9")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "Connection refused" in result.stderr or "gave up" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_real_tenant_without_credentials_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    result = run(
        "export",
        "--out",
        str(out),
        "--crm",
        "https://online.superoffice.com/Cust12345",
        env={"QUOTESYNC_TICKET": None, "QUOTESYNC_APP_TOKEN": None, "QUOTESYNC_ACCESS_TOKEN": None},  # type: ignore[dict-item]
    )
    assert result.exit_code == 1
    assert "needs credentials" in result.stderr
    assert not out.exists()


def test_values_manifests_cannot_hold_are_reported_with_exit_1(tmp_path: Path) -> None:
    """A connector registered with an ftp:// address cannot be written as a valid manifest:
    the export is still written (the user fixes it), the problem points at the file."""
    crm = f"local:{tmp_path / 'crm.sqlite'}"
    with open_client(crm, {}) as client:
        client.erp_save_connector_entity(
            {"ErpConnectorId": 0, "DisplayName": "FTP drop", "URL": "ftp://files.example.com",
             "Deleted": False}
        )  # fmt: skip
    out = tmp_path / "out"
    result = run("export", "--out", str(out), "--crm", crm)
    assert result.exit_code == 1
    assert f"{out}/erp/connectors/ftp-drop.yaml:7:8: error:" in result.stderr
    assert "are not valid in manifests" in result.stderr
    assert (out / "erp/connectors/ftp-drop.yaml").is_file()


def test_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    result = run("export", "--out", str(tmp_path / "x"), "--kind", "Nope", "--crm", "local:x")
    assert result.exit_code == 1  # 2 would read as drift to a pipeline
    assert "Invalid value for '--kind'" in result.output
    assert not (tmp_path / "x").exists()


def test_a_symbolic_link_is_refused(examples_crm: str, occupied: Path) -> None:
    link = occupied.parent / "link"
    link.symlink_to(occupied, target_is_directory=True)
    result = run("export", "--out", str(link), "--crm", examples_crm, "--force")
    assert result.exit_code == 1
    assert f"--out {link} is a symbolic link" in result.stderr
    assert link.is_symlink()
    assert (occupied / "README.md").is_file()
