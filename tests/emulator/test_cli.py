"""`quotesync emulator serve|reset`: as a subprocess on port 0, and its rejection paths."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from quotesync_gitops.cli.emulator_cmd import emulator
from quotesync_gitops.emulator import create_app

RUN_GROUP = "from quotesync_gitops.cli.emulator_cmd import emulator; emulator(prog_name='emulator')"
CONNECTORS = "/api/v1/Agents/ErpSync/GetAllConnectors"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTESYNC_")}
    env.update(extra)
    return env


@contextmanager
def served(
    *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_GROUP, "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or _env(),
    )
    try:
        first = process.stdout.readline() if process.stdout else ""
        assert first.startswith("Serving SuperOffice-compatible WebAPI on http://127.0.0.1:"), (
            first + (process.stderr.read() if process.stderr else "")
        )
        yield first.rsplit(" ", 1)[1].strip(), process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_prints_the_url_first_and_serves(tmp_path: Path) -> None:
    with served("--db", str(tmp_path / "crm.sqlite"), "--fault", "503,calls=1") as (url, process):
        assert httpx.post(url + CONNECTORS).status_code == 503
        assert [c["Name"] for c in httpx.post(url + CONNECTORS).json()] == [
            "Demo ERP",
            "Demo Accounting",
        ]
        process.terminate()
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        assert "warning: no credentials configured" in process.stderr.read()
    assert (tmp_path / "crm.sqlite").exists()


def test_serve_takes_credentials_from_the_environment_and_never_echoes_them(
    tmp_path: Path,
) -> None:
    env = _env(
        QUOTESYNC_TICKET="env-ticket-1",
        QUOTESYNC_APP_TOKEN="env-app-2",
        QUOTESYNC_ACCESS_TOKEN="env-bearer-3",
    )
    with served("--db", str(tmp_path / "crm.sqlite"), env=env) as (url, process):
        assert httpx.post(url + CONNECTORS).status_code == 401
        ticket = {"Authorization": "SOTicket env-ticket-1", "SO-AppToken": "env-app-2"}
        assert httpx.post(url + CONNECTORS, headers=ticket).status_code == 200
        bearer = {"Authorization": "Bearer env-bearer-3"}
        assert httpx.post(url + CONNECTORS, headers=bearer).status_code == 200
        process.terminate()
        output, errors = process.communicate(timeout=10)
    for secret in ("env-ticket-1", "env-app-2", "env-bearer-3"):
        assert secret not in output + errors
    assert "warning" not in errors


def test_serve_refuses_an_open_emulator_off_loopback(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        emulator, ["serve", "--db", str(tmp_path / "c.sqlite"), "--host", "0.0.0.0"], env=_env()
    )
    assert result.exit_code == 1
    assert "refusing to serve without credentials on 0.0.0.0" in result.output
    assert not (tmp_path / "c.sqlite").exists()


def test_serve_rejects_a_bad_fault_spec(tmp_path: Path) -> None:
    result = CliRunner().invoke(emulator, ["serve", "--fault", "418,rate=0.1"], env=_env())
    assert result.exit_code == 2
    assert "fault status must be one of 429, 500, 502, 503, 504 or 'drop'" in result.output


def test_serve_needs_a_ticket_with_an_app_token(tmp_path: Path) -> None:
    result = CliRunner().invoke(emulator, ["serve", "--app-token", "secret-app"], env=_env())
    assert result.exit_code == 1
    assert "--app-token needs --ticket" in result.output
    assert "secret-app" not in result.output


def test_serve_reports_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = CliRunner().invoke(
            emulator, ["serve", "--db", str(tmp_path / "c.sqlite"), "--port", port], env=_env()
        )
    assert result.exit_code == 1
    assert f"cannot serve on 127.0.0.1:{port}" in result.output


def test_reset_seeds_again(tmp_path: Path) -> None:
    db = tmp_path / "crm.sqlite"
    app = create_app(db)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://crm") as http:
        body = {"Connection": {"ErpConnectorId": 1, "DisplayName": "Temporary"}}
        assert http.post("/api/v1/Agents/ErpSync/SaveConnection", json=body).status_code == 200
    app.close()
    result = CliRunner().invoke(emulator, ["reset", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"Reset {db}" in result.output
    app = create_app(db)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://crm") as http:
        listed = http.post(
            "/api/v1/Agents/ErpSync/GetAllConnections", json={"IncludeDeleted": True}
        )
        assert listed.json() == []
        assert [c["Id"] for c in http.post(CONNECTORS).json()] == [1, 2]
    app.close()


def test_reset_reports_an_unusable_path(tmp_path: Path) -> None:
    result = CliRunner().invoke(emulator, ["reset", "--db", str(tmp_path)])
    assert result.exit_code == 1
    assert f"cannot reset {tmp_path}" in result.output


@pytest.mark.parametrize("command", ["serve", "reset"])
def test_help(command: str) -> None:
    result = CliRunner().invoke(emulator, [command, "--help"])
    assert result.exit_code == 0
    assert "--db" in result.output
