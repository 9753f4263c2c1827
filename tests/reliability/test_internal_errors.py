"""An unexpected exception is one line, exit 1; --debug adds the traceback; no secret in either.

The crash is forced from outside the product: the subprocess tests start the real entry point
(``python -m quotesync_gitops``, through ``runpy``) after replacing the CRM read with
one that raises; the in-process tests monkeypatch the same function and drive the CLI with
click's runner. The exception text quotes canary secrets: a value the manifests take from
``${env:}`` (a Password field), its base64 form (as a server might echo it), and the CRM
credential from the environment. None may reach stdout or stderr, in either mode.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from quotesync_gitops.cli.crash import DEBUG_HINT, HINT
from quotesync_gitops.cli.main import cli
from quotesync_gitops.errors import QuotesyncError
from quotesync_gitops.live import ahead
from tests.reliability.helpers import copy_examples

CANARY = "crashcanary-Vb6pQ1"
CREDENTIAL = "crashtoken-Hs4kT9-never-print"
B64 = base64.b64encode(CANARY.encode()).decode()
CANARIES = (CANARY, CREDENTIAL, B64)

#: Replaces ``live.ahead.read_live`` (the first CRM read of plan, drift and apply, run on
#: the read-ahead thread while the manifests load), then runs the real entry point with the
#: given arguments.
CRASHING_ENTRY = """
import base64, os, runpy, sys
import quotesync_gitops.live.ahead as ahead

def read_live(*args, **kwargs):
    secret = os.environ["DEMO_ERP_PASSWORD"]
    if os.environ.get("CRASH_WITH") == "interrupt":
        raise KeyboardInterrupt
    raise RuntimeError(
        f"reading went wrong for {secret}\\n(echoed {base64.b64encode(secret.encode()).decode()}"
        f" with {os.environ['QUOTESYNC_ACCESS_TOKEN']})"
    )

ahead.read_live = read_live
sys.argv = ["quotesync", *sys.argv[1:]]
runpy.run_module("quotesync_gitops", run_name="__main__")
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTESYNC_")}
    env.update(
        {
            "QUOTESYNC_CRM": f"local:{tmp_path / 'crm.sqlite'}",
            "QUOTESYNC_ACCESS_TOKEN": CREDENTIAL,
            "DEMO_ERP_PASSWORD": CANARY,
            "NO_COLOR": "1",
        }
    )
    env.update(extra)
    return env


def _crash(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    manifests = copy_examples(tmp_path)
    return subprocess.run(
        [sys.executable, "-c", CRASHING_ENTRY, *args, str(manifests)],
        env=_env(tmp_path, **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _no_canary(*texts: str) -> None:
    for text in texts:
        assert not [c for c in CANARIES if c in text], text


def _nothing_written(tmp_path: Path) -> None:
    # The embedded CRM is created by its first write (Store(lazy=True)).
    assert not (tmp_path / "crm.sqlite").exists()


@pytest.mark.parametrize("command", [["plan"], ["drift"], ["apply", "--auto-approve"]])
def test_a_crash_is_one_line_and_exit_1(tmp_path: Path, command: list[str]) -> None:
    done = _crash(tmp_path, *command)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert lines == [
        "quotesync: internal error: RuntimeError: reading went wrong for (sensitive) "
        f"(echoed (sensitive) with (sensitive)) ({HINT})"
    ]
    assert "Traceback" not in done.stdout + done.stderr
    _no_canary(done.stdout, done.stderr)
    _nothing_written(tmp_path)


@pytest.mark.parametrize("switch", ["flag", "env"])
def test_debug_adds_the_traceback_redacted(tmp_path: Path, switch: str) -> None:
    if switch == "flag":
        done = _crash(tmp_path, "--debug", "plan")
    else:
        done = _crash(tmp_path, "plan", QUOTESYNC_DEBUG="1")
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert any("in read_live" in line for line in lines)
    assert "RuntimeError: reading went wrong for (sensitive)" in done.stderr
    assert "(echoed (sensitive) with (sensitive))" in done.stderr
    assert lines[-1].startswith("quotesync: internal error: RuntimeError: ")
    assert lines[-1].endswith(f"({DEBUG_HINT})")
    _no_canary(done.stdout, done.stderr)
    _nothing_written(tmp_path)


def test_ctrl_c_is_interrupted_and_exit_130(tmp_path: Path) -> None:
    done = _crash(tmp_path, "apply", "--auto-approve", CRASH_WITH="interrupt")
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines() == ["interrupted"]
    _nothing_written(tmp_path)


# --- in process, through click's runner ------------------------------------------------


def _run_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException, *args: str
) -> Result:
    def read_live(*_: object, **__: object) -> None:
        raise error

    monkeypatch.setattr(ahead, "read_live", read_live)
    manifests = copy_examples(tmp_path)
    env = {
        "QUOTESYNC_CRM": f"local:{tmp_path / 'crm.sqlite'}",
        "QUOTESYNC_ACCESS_TOKEN": CREDENTIAL,
        "DEMO_ERP_PASSWORD": CANARY,
        "QUOTESYNC_DEBUG": "",
    }
    return CliRunner().invoke(cli, [*args, str(manifests)], env=env, catch_exceptions=False)


def test_in_process_a_crash_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    error = KeyError(f"no such field {CANARY}")
    result = _run_in_process(tmp_path, monkeypatch, error, "plan", "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"quotesync: internal error: KeyError: 'no such field (sensitive)' ({HINT})"
    ]
    _nothing_written(tmp_path)


def test_in_process_debug_shows_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = ValueError(f"bad value {CREDENTIAL}")
    result = _run_in_process(tmp_path, monkeypatch, error, "--debug", "apply", "--auto-approve")
    assert result.exit_code == 1
    assert "Traceback (most recent call last):" in result.stderr
    assert "ValueError: bad value (sensitive)" in result.stderr
    _no_canary(result.output)
    _nothing_written(tmp_path)


def test_known_errors_keep_their_message_and_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A QuotesyncError is not an internal error: `error: <message>`, its own exit code."""
    result = _run_in_process(tmp_path, monkeypatch, QuotesyncError("the CRM is asleep"), "plan")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["error: the CRM is asleep"]


def test_a_long_message_is_cut_to_one_bounded_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = RuntimeError("x" * 5000 + "\r\n" + "y" * 10)
    result = _run_in_process(tmp_path, monkeypatch, error, "drift")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert len(line) < 700
    assert line.endswith(f"… ({HINT})")


def test_a_command_that_cannot_be_imported_is_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside any command body (the lazy import of a command), the same one line."""
    import importlib

    real = importlib.import_module

    def import_module(name: str, package: str | None = None) -> object:
        if name == "quotesync_gitops.cli.catalog_cmd":
            raise ImportError(f"broken install near {CANARY}")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", import_module)
    result = CliRunner().invoke(cli, ["catalog"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(
        "quotesync: internal error: ImportError: broken install near "
    )


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no text")


def test_an_exception_that_cannot_be_printed_is_still_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run_in_process(tmp_path, monkeypatch, _Unprintable(), "plan")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"quotesync: internal error: _Unprintable: (its message cannot be shown) ({HINT})"
    ]


def test_a_reader_that_goes_away_is_no_internal_error(tmp_path: Path) -> None:
    """`quotesync catalog | head`: stdout closes early; no traceback, no 'report it'."""
    env = _env(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "quotesync_gitops", "catalog"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert stderr == ""
