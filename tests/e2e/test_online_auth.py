"""Unattended plan/apply/drift against an emulated SuperOffice Online tenant over HTTP.

Every sign-in mode end to end through the real CLI, a ticket that expires mid-run, a tenant
that moves mid-run (421), a suspended tenant, a refused (restricted) ErpSync agent; and no
output ever shows a key, a token, a secret or a ticket.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from quotesync_gitops.emulator.server import RunningServer
from tests.crm import online
from tests.e2e.conftest import Workspace

Env = Callable[[RunningServer], dict[str, str]]
MODES: dict[str, Env] = {
    "system user": online.system_user_env,
    "system user, RSA XML key": lambda s: online.system_user_env(
        s, QUOTESYNC_PRIVATE_KEY=online.private_xml()
    ),
    "refresh token": online.refresh_env,
    "basic": online.basic_env,
}


@pytest.fixture
def tenant(tmp_path: Path) -> Iterator[RunningServer]:
    with online.online(tmp_path) as server:
        yield server


def _clean(result: Result, server: RunningServer) -> Result:
    assert "Traceback" not in result.output, result.output
    assert online.leaks(result.output, server) == [], result.output
    return result


def _writes(server: RunningServer) -> list[str]:
    paths = server.app.stats.to_json()["requests_per_path"]
    words = ("Save", "Delete", "Toggle", "Move", "Restore")
    return [p for p in paths if any(w in p for w in words)]


@pytest.mark.parametrize("mode", list(MODES))
def test_apply_plan_and_drift_unattended(ws: Workspace, tenant: RunningServer, mode: str) -> None:
    env = MODES[mode](tenant)
    applied = _clean(ws.apply(env=env), tenant)
    assert applied.exit_code == 0, applied.output
    again = _clean(ws.plan("--detailed-exitcode", env=env), tenant)
    assert again.exit_code == 0, again.output
    drift = _clean(ws.run("drift", str(ws.manifests), env=env), tenant)
    assert drift.exit_code == 0, drift.output
    assert tenant.login is not None
    if mode.startswith("system user"):
        assert tenant.login.counts["system_user"] == 3  # one sign-in per run, not per request


def test_saved_plan_for_a_tenant_applies_under_its_name(
    ws: Workspace, tenant: RunningServer, tmp_path: Path
) -> None:
    env = online.system_user_env(tenant)
    planfile = tmp_path / "plan.json"
    made = _clean(ws.plan("--out", str(planfile), env=env), tenant)
    assert made.exit_code == 0, made.output
    text = planfile.read_text(encoding="utf-8")
    assert f'"online:{online.CONTEXT_ID}"' in text and online.leaks(text, tenant) == []
    tenant.login.move()  # type: ignore[union-attr]  (the tenant moved between plan and apply)
    applied = _clean(ws.run("apply", str(planfile), env=env), tenant)
    assert applied.exit_code == 0, applied.output


def test_a_ticket_that_expires_mid_run_is_renewed(ws: Workspace, tmp_path: Path) -> None:
    with online.online(tmp_path, max_uses=25) as server:
        env = online.system_user_env(server)
        applied = _clean(ws.apply(env=env), server)
        assert applied.exit_code == 0, applied.output
        assert server.login is not None and server.login.counts["system_user"] > 3
        again = _clean(ws.plan("--detailed-exitcode", env=env), server)
        assert again.exit_code == 0, again.output


def test_an_access_token_that_expires_mid_run_is_refreshed(ws: Workspace, tmp_path: Path) -> None:
    with online.online(tmp_path, max_uses=30) as server:
        applied = _clean(ws.apply(env=online.refresh_env(server)), server)
        assert applied.exit_code == 0, applied.output
        assert server.login is not None and server.login.counts["refresh"] > 2


def test_a_tenant_that_moves_mid_run_is_followed(ws: Workspace, tmp_path: Path) -> None:
    with online.online(tmp_path, move_every=40) as server:
        env = online.system_user_env(server)
        applied = _clean(ws.apply(env=env), server)
        assert applied.exit_code == 0, applied.output
        assert server.login is not None and server.login.counts["misdirected"] >= 2
        again = _clean(ws.plan("--detailed-exitcode", env=env), server)
        assert again.exit_code == 0, again.output


def test_a_suspended_tenant_is_refused_and_nothing_is_written(
    ws: Workspace, tmp_path: Path
) -> None:
    with online.online(tmp_path, state="Suspended") as server:
        result = _clean(ws.apply(env=online.system_user_env(server)), server)
        assert result.exit_code == 1
        assert f"tenant {online.CONTEXT_ID}" in result.output
        assert "is Suspended, not Running" in result.output
        assert server.app.stats.to_json()["requests_per_path"] == {}


def test_a_restricted_erpsync_agent_says_what_to_request(ws: Workspace, tmp_path: Path) -> None:
    with online.online(tmp_path, restricted_agents=frozenset({"ErpSync"})) as server:
        for result in (
            ws.plan(env=online.system_user_env(server)),
            ws.apply(env=online.system_user_env(server)),
        ):
            _clean(result, server)
            assert result.exit_code == 1, result.output
            assert "the app must be granted the ErpSync agent at registration" in result.output
        assert _writes(server) == []


def test_refused_sign_in_is_exit_1_without_secrets(ws: Workspace, tenant: RunningServer) -> None:
    wrong = {**online.system_user_env(tenant), "QUOTESYNC_CLIENT_SECRET": "wrong-secret-Qq"}
    result = _clean(ws.apply(env=wrong), tenant)
    assert result.exit_code == 1
    assert "system user sign-in refused" in result.output
    assert "wrong-secret-Qq" not in result.output
    assert _writes(tenant) == []


def test_served_by_the_cli_with_an_online_registration(ws: Workspace, tmp_path: Path) -> None:
    """``quotesync emulator serve --online FILE`` as a subprocess, signed in as system user."""
    import json

    from tests.emulator.test_cli import served

    registration = dataclasses.asdict(online.settings())
    registration["restricted_agents"] = []
    config = tmp_path / "online.json"
    config.write_text(json.dumps(registration), encoding="utf-8")
    db = str(tmp_path / "served.sqlite")
    with served("--db", db, "--online", str(config)) as (url, _process):
        env = online.system_user_env(url)
        applied = ws.apply(env=env)
        assert applied.exit_code == 0, applied.output
        assert online.leaks(applied.output) == []
        again = ws.plan("--detailed-exitcode", env=env)
        assert again.exit_code == 0, again.output
