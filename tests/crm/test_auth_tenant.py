"""Tenant addressing: /api/state, ValidUntil, moves (421), suspended tenants, bad answers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from quotesync_gitops.crm import CrmAuthError, CrmConfigError
from quotesync_gitops.crm.auth_login import LoginEndpoint
from quotesync_gitops.crm.auth_tenant import TenantTransport, look_up_tenant
from quotesync_gitops.target import describe_target, environment_url, open_client, resolve_target
from tests.crm import online


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("online:Cust12345", "online:Cust12345"),
        ("SOD:Cust1", "sod:Cust1"),
        ("stage:C_9", "stage:C_9"),
    ],
)
def test_tenant_targets_are_named_not_resolved(text: str, shown: str) -> None:
    target = resolve_target(text, {})
    assert target.kind == "tenant" and describe_target(text, {}) == shown
    assert environment_url(target, {}).startswith("https://")


def test_the_environment_host_can_be_replaced_but_stays_safe() -> None:
    target = resolve_target("sod:Cust1", {})
    assert environment_url(target, {}) == "https://sod.superoffice.com"
    override = {"QUOTESYNC_ENVIRONMENT_URL": "http://127.0.0.1:8765/"}
    assert environment_url(target, override) == "http://127.0.0.1:8765"
    for bad, message in [
        ("http://sod.example.com", "plain http"),
        ("https://sod.example.com/login", "host only"),
        ("ftp://x", "https://"),
    ]:
        with pytest.raises(CrmConfigError, match=message):
            environment_url(target, {"QUOTESYNC_ENVIRONMENT_URL": bad})


def test_a_tenant_that_moves_is_followed_after_421(tmp_path: Path) -> None:
    with online.online(tmp_path) as server:
        env = online.system_user_env(server)
        assert server.login is not None
        with open_client(env["QUOTESYNC_CRM"], env) as client:
            client.erp_get_all_connectors()
            server.login.move()
            assert client.erp_get_all_connectors()
            transport = client._http._transport
            assert isinstance(transport, TenantTransport) and transport.lookups == 1
            assert server.login.counts["misdirected"] == 1
            server.login.move()
            client.erp_get_all_connectors()
            assert server.login.counts["misdirected"] == 2
            assert client._http.auth.obtained == 1  # type: ignore[union-attr]


def test_valid_until_is_honoured_before_a_request(tmp_path: Path) -> None:
    with online.online(tmp_path, state_validity=-1) as server:
        env = online.system_user_env(server)
        assert server.login is not None
        with open_client(env["QUOTESYNC_CRM"], env) as client:
            before = server.login.counts["state"]
            client.erp_get_all_connectors()
            client.erp_get_all_connectors()
            assert server.login.counts["state"] == before + 2  # looked up again each time
            assert server.login.counts["misdirected"] == 0


@pytest.mark.parametrize("state", ["Suspended", "Provisioning", "Deleted"])
def test_a_tenant_that_is_not_running_is_refused_before_sign_in(tmp_path: Path, state: str) -> None:
    with online.online(tmp_path, state=state) as server:
        env = online.system_user_env(server)
        with pytest.raises(CrmConfigError, match=f"is {state}, not Running") as info:
            open_client(env["QUOTESYNC_CRM"], env)
        assert server.login is not None
        assert server.login.counts["system_user"] == 0
    assert online.leaks(str(info.value)) == []


def test_an_unknown_tenant_is_a_clear_error(tmp_path: Path) -> None:
    with online.online(tmp_path) as server:
        env = {**online.system_user_env(server), "QUOTESYNC_CRM": "online:Cust999"}
        with pytest.raises(CrmConfigError, match="no such endpoint or tenant"):
            open_client(env["QUOTESYNC_CRM"], env)


def _login(handler: object) -> LoginEndpoint:
    return LoginEndpoint(
        httpx.Client(base_url="https://sod.example.com", transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"State": "Running"}, "names no Api"),
        ({"State": "Running", "Api": "http://sod2.example.com/Cust1/api"}, "plain http|http://"),
        ({"State": 4, "Api": "https://sod2.example.com/Cust1/api"}, "is Suspended"),
        (["not", "an", "object"], "not an object"),
    ],
)
def test_bad_state_answers_are_refused(answer: object, message: str) -> None:
    login = _login(lambda request: httpx.Response(200, json=answer))
    with pytest.raises((CrmConfigError, CrmAuthError, Exception), match=message):
        look_up_tenant(login, "Cust1", now=0)


def test_state_answer_with_dotnet_time_and_api_suffix() -> None:
    answer = {
        "State": "Running",
        "Api": "https://sod2.example.com/Cust1/api",
        "ValidUntil": "2020-10-05T09:52:01.9342965Z",
    }
    state = look_up_tenant(_login(lambda r: httpx.Response(200, json=answer)), "Cust1", now=0)
    assert state.base_url == "https://sod2.example.com/Cust1"
    assert state.valid_until == pytest.approx(1601891521.934296)
