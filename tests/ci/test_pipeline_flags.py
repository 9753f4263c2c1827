"""The flags pipelines rely on: comment markers, Markdown files beside text output,
--detailed-exitcode, and apply PLANFILE as a CI job runs it (no terminal, no prompt)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quotesync_gitops.cli.plan_cmd import comment_marker, render
from quotesync_gitops.errors import QuotesyncError
from quotesync_gitops.render.markdown import COMMENT_MARKER
from tests.e2e.conftest import Workspace
from tests.render.sample_plans import big_plan

GITHUB_COMMENT_LIMIT = 65_536


def test_plan_writes_markdown_with_an_id_marker_while_printing_text(
    ws: Workspace, tmp_path: Path
) -> None:
    comment = tmp_path / "out" / "plan.md"
    result = ws.plan(
        "--out", str(tmp_path / "plan.json"), "--markdown-out", str(comment),
        "--comment-id", "production",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "<!--" not in result.output, "stdout stays text"
    assert "Plan: " in result.output
    body = comment.read_text(encoding="utf-8")
    assert body.split("\n", 1)[0] == "<!-- quotesync-plan:production -->"
    assert "## Plan: " in body
    shown = ws.plan("--format", "markdown", "--comment-id", "production")
    assert shown.output.startswith("<!-- quotesync-plan:production -->\n## Plan: ")


def test_default_marker_is_unchanged_without_comment_id(ws: Workspace) -> None:
    result = ws.plan("--format", "markdown")
    assert result.output.split("\n", 1)[0] == COMMENT_MARKER


@pytest.mark.parametrize("bad", ["two words", "a--b", "-lead", "trail-", "x>y", "é", "a" * 65])
def test_unusable_comment_id_is_refused_before_anything_is_written(
    ws: Workspace, tmp_path: Path, bad: str
) -> None:
    comment = tmp_path / "plan.md"
    planfile = tmp_path / "plan.json"
    for command in ("plan", "drift"):
        result = ws.run(
            command, str(ws.manifests), "--comment-id", bad,
            "--markdown-out", str(comment), "--out", str(planfile),
        )  # fmt: skip
        assert result.exit_code == 1, result.output
        assert f"--comment-id {bad!r} is not usable in a comment marker" in result.output
        assert not comment.exists() and not planfile.exists()


def test_long_comment_id_still_fits_githubs_limit_and_names_the_artifact() -> None:
    marker = comment_marker("a" * 64)
    hint = "the `quotesync-plan` artifact of [run 42](https://github.com/o/r/actions/runs/42)"
    text = render(big_plan(20_000), "markdown", "plan", hint, "a" * 64)
    assert text.startswith(marker + "\n## Plan: ")
    assert len(text) <= 65_000 < GITHUB_COMMENT_LIMIT
    assert f"The full plan is in {hint}." in text


def test_comment_marker_accepts_environment_names() -> None:
    assert comment_marker(None) == COMMENT_MARKER
    assert comment_marker("test.eu_1-b") == "<!-- quotesync-plan:test.eu_1-b -->"
    with pytest.raises(QuotesyncError):
        comment_marker("")


def test_full_plan_at_replaces_the_out_path_in_the_comment(ws: Workspace, tmp_path: Path) -> None:
    # The hint only shows when a comment is cut; here it must at least not break the run.
    result = ws.plan(
        "--out", str(tmp_path / "plan.json"), "--markdown-out", str(tmp_path / "plan.md"),
        "--full-plan-at", "the `quotesync-plan` artifact",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_detailed_exitcode_is_2_with_changes_0_without_and_1_on_failed_tests(
    ws: Workspace,
) -> None:
    assert ws.plan("--detailed-exitcode").exit_code == 2
    assert ws.plan().exit_code == 0, "without the flag, changes are not an error"
    failed = ws.plan(
        "--detailed-exitcode", "--test-connections", env={"DEMO_QUOTE_PASSWORD": "wrong"}
    )
    assert failed.exit_code == 1, "a failed connection test wins over 'changes'"
    assert "FAILED" in failed.output
    assert ws.apply().exit_code == 0
    assert ws.plan("--detailed-exitcode").exit_code == 0


def test_drift_markdown_out_holds_the_issue_body_while_stdout_is_text(
    applied: Workspace, tmp_path: Path
) -> None:
    body = tmp_path / "drift.md"
    in_sync = applied.run("drift", str(applied.manifests), "--markdown-out", str(body))
    assert in_sync.exit_code == 0, in_sync.output
    assert body.read_text(encoding="utf-8").startswith(COMMENT_MARKER + "\n## No drift")
    with applied.client() as client:
        row = next(
            c for c in client.quote_get_installed_connections() if c["DisplayName"] == "ERP Quotes"
        )
        row["DisplayDescription"] = "edited by hand"
        client.quote_save_connection(row)
    report = tmp_path / "drift.json"
    result = applied.run(
        "drift", str(applied.manifests), "--markdown-out", str(body),
        "--format", "json", "--out", str(report), "--comment-id", "production",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert json.loads(result.output) == json.loads(report.read_text(encoding="utf-8"))
    text = body.read_text(encoding="utf-8")
    assert text.startswith("<!-- quotesync-plan:production -->\n## Drift detected")
    assert "ERP Quotes" in text


def test_saved_plan_is_applied_without_a_prompt_off_a_terminal(
    ws: Workspace, tmp_path: Path
) -> None:
    planfile = tmp_path / "plan.json"
    assert ws.plan("--out", str(planfile)).exit_code == 0
    result = ws.run("apply", str(planfile))  # CliRunner's stdin is not a terminal
    assert result.exit_code == 0, result.output
    assert "Apply complete" in result.output
    assert ws.plan("--detailed-exitcode").exit_code == 0


def test_saved_plan_for_another_crm_is_refused_and_changes_nothing(
    ws: Workspace, tmp_path: Path
) -> None:
    planfile = tmp_path / "plan.json"
    other = f"local:{tmp_path / 'other.sqlite'}"
    assert ws.run("plan", str(ws.manifests), "--out", str(planfile), "--crm", other).exit_code == 0
    result = ws.run("apply", str(planfile))
    assert result.exit_code == 1, result.output
    assert f"the saved plan was made for {other}, not {ws.crm}; nothing was changed" in (
        result.output
    )
    with ws.client() as client:
        assert client.erp_get_all_connections(include_deleted=True) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["drift", "--bogus"], "No such option '--bogus'"),
        (["plan", "--format", "xml"], "Invalid value for '--format'"),
        (["apply", "--bogus"], "No such option '--bogus'"),
        (["show"], "Missing argument 'PLANFILE'"),
        (["nosuch"], "No such command 'nosuch'"),
        (["--bogus", "plan"], "No such option '--bogus'"),
        (["drift", "--format", "xml"], "Invalid value for '--format'"),
        (["export", "--kind", "Nope", "--out", "x"], "Invalid value for '--kind'"),
        (["validate", "--format", "xml"], "Invalid value for '--format'"),
        (["emulator", "nosuch"], "No such command 'nosuch'"),
        (["emulator", "serve", "--port", "abc"], "Invalid value for '--port'"),
        ([], "Usage:"),
    ],
)
def test_usage_errors_exit_1_so_a_pipeline_never_reads_them_as_drift(
    ws: Workspace, args: list[str], message: str
) -> None:
    result = ws.run(*args)
    assert result.exit_code == 1, result.output
    assert message in result.output


def test_usage_errors_exit_1_from_the_installed_command(tmp_path: Path) -> None:
    """The console script itself (not only CliRunner) maps click's exit 2 to 1."""
    for args in (["nosuch"], ["--bogus", "drift"], ["plan", "--format", "xml"]):
        result = subprocess.run(
            [sys.executable, "-m", "quotesync_gitops", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
        assert result.returncode == 1, (args, result.stderr)
        assert "Usage:" in result.stderr
