"""Tenant addressing: /api/state, ValidUntil, moves (421), suspended tenants, bad answers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from quotesync_gitops.crm import CrmAuthError, CrmConfigError, CrmConnectionError, CrmProtocolError
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
    ("answer", "error", "message"),
    [
        ({"State": "Running"}, CrmProtocolError, "names no Api"),
        (
            {"State": "Running", "Api": "http://sod2.example.com/Cust1/api"},
            CrmConfigError,
            "refusing to send CRM credentials over http://",
        ),
        ({"State": 4, "Api": "https://sod2.example.com/Cust1/api"}, CrmConfigError, "is Suspended"),
        (["not", "an", "object"], CrmProtocolError, "not an object"),
    ],
)
def test_bad_state_answers_are_refused(
    answer: object, error: type[Exception], message: str
) -> None:
    login = _login(lambda request: httpx.Response(200, json=answer))
    with pytest.raises(error, match=message):
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


def test_the_login_control_endpoint_needs_credentials_and_moves_the_tenant(
    tmp_path: Path,
) -> None:
    with online.online(tmp_path) as server:
        control = f"{server.url}/_emulator/login"
        assert httpx.post(control, json={"move": True}).status_code == 401
        env = online.system_user_env(server)
        with open_client(env["QUOTESYNC_CRM"], env) as client:
            client.erp_get_all_connectors()
            auth = client._http.auth
            headers = dict(auth._headers_for(auth._current))  # type: ignore[union-attr]
            answer = httpx.post(control, json={"move": True, "state": "Running"}, headers=headers)
            assert answer.status_code == 200 and answer.json()["server"] == 2
            assert client.erp_get_all_connectors()  # followed after a 421
        assert server.login is not None and server.login.counts["misdirected"] == 1


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (404, {"Error": True, "ErrorMessage": "nope"}, CrmConfigError, "no such endpoint"),
        (500, {"ErrorMessage": "boom"}, CrmConnectionError, "login service failed"),
        (200, b"<html>", CrmProtocolError, "not JSON"),
        (401, {"error_description": "bad client"}, CrmAuthError, "sign-in refused"),
    ],
)
def test_login_service_failures_are_clear_errors(
    status: int, body: object, error: type[Exception], message: str
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body)
        return httpx.Response(status, json=body)

    with pytest.raises(error, match=message):
        look_up_tenant(_login(answer), "Cust1", now=0)
