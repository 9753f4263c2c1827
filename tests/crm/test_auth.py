"""Auth headers, masked credentials, and the plain-http guard."""

from __future__ import annotations

import pickle

import httpx
import pytest

from quotesync_gitops.crm import (
    BearerAuth,
    CrmClient,
    CrmConfigError,
    CrmRejected,
    SoTicketAuth,
    auth_from_env,
)
from tests.crm.helpers import APP_TOKEN, TICKET, json_response, make_client


def test_soticket_auth_sends_ticket_and_app_token() -> None:
    client, recorder = make_client(lambda r: json_response([]))
    client.erp_get_all_connectors()
    headers = recorder.requests[0].headers
    assert headers["Authorization"] == f"SOTicket {TICKET}"
    assert headers["SO-AppToken"] == APP_TOKEN
    assert headers["Accept"] == "application/json"


def test_bearer_auth_sends_bearer_token_only() -> None:
    client, recorder = make_client(lambda r: json_response([]), auth=BearerAuth("tok-123456"))
    client.erp_get_all_connectors()
    headers = recorder.requests[0].headers
    assert headers["Authorization"] == "Bearer tok-123456"
    assert "SO-AppToken" not in headers


@pytest.mark.parametrize(
    "auth", [SoTicketAuth(TICKET, APP_TOKEN), BearerAuth("tok-123456")], ids=["ticket", "bearer"]
)
def test_auth_objects_never_show_credentials(auth: httpx.Auth) -> None:
    for text in (repr(auth), str(auth), f"{auth}", repr(vars(auth).keys())):
        assert TICKET not in text and APP_TOKEN not in text and "tok-123456" not in text
    assert "credentials hidden" in repr(auth)
    with pytest.raises(TypeError):
        pickle.dumps(auth)


def test_client_repr_does_not_show_credentials() -> None:
    client, _ = make_client(lambda r: json_response([]))
    assert TICKET not in repr(client) and APP_TOKEN not in repr(client)


@pytest.mark.parametrize(
    "url",
    ["http://crm.example.com/Cust1", "http://10.0.0.5:8080", "http://127.evil.example.com"],
)
def test_plain_http_off_loopback_is_refused_before_any_request(url: str) -> None:
    with pytest.raises(CrmConfigError, match="refusing to send CRM credentials over http://"):
        make_client(lambda r: json_response([]), base_url=url)


def test_plain_http_refused_per_request_even_for_absolute_urls() -> None:
    """The guard lives in the auth flow, so no request path can carry credentials in clear."""
    seen: list[httpx.Request] = []
    http = httpx.Client(
        transport=httpx.MockTransport(lambda r: seen.append(r) or json_response([])),
        auth=SoTicketAuth(TICKET, APP_TOKEN),
    )
    with pytest.raises(CrmConfigError, match=r"crm\.example\.com"):
        http.get("http://crm.example.com/api/v1/MDOList/associate")
    assert seen == []


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8123", "http://127.1.2.3", "http://localhost:9", "http://[::1]:80"]
)
def test_plain_http_allowed_for_loopback(url: str) -> None:
    client, recorder = make_client(lambda r: json_response([]), base_url=url)
    assert client.erp_get_all_connectors() == []
    assert recorder.requests[0].headers["Authorization"].startswith("SOTicket ")


def test_credentials_in_default_headers_are_guarded_too() -> None:
    http = httpx.Client(
        base_url="http://crm.example.com",
        headers={"Authorization": "Bearer abcdefgh"},
        transport=httpx.MockTransport(lambda r: json_response([])),
    )
    with pytest.raises(CrmConfigError):
        CrmClient(http)


def test_server_echo_of_a_credential_is_redacted() -> None:
    client, _ = make_client(
        lambda r: json_response({"Message": f"bad ticket {TICKET} / {APP_TOKEN}"})
    )
    with pytest.raises(CrmRejected) as info:
        client.erp_get_engine_status()
    text = str(info.value) + repr(info.value) + info.value.crm_message
    assert TICKET not in text and APP_TOKEN not in text
    assert "bad ticket (sensitive) / (sensitive)" in str(info.value)


def test_auth_from_env_picks_the_scheme() -> None:
    ticket = auth_from_env({"QUOTESYNC_TICKET": "t1", "QUOTESYNC_APP_TOKEN": "a1"})
    assert isinstance(ticket, SoTicketAuth)
    assert ticket.secret_values() == ("t1", "a1")
    bearer = auth_from_env({"QUOTESYNC_ACCESS_TOKEN": "b1"})
    assert isinstance(bearer, BearerAuth)
    assert auth_from_env({}) is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"QUOTESYNC_TICKET": "t-value"}, "QUOTESYNC_APP_TOKEN is not set"),
        ({"QUOTESYNC_APP_TOKEN": "a-value"}, "QUOTESYNC_TICKET is not set"),
        (
            {"QUOTESYNC_TICKET": "t-value", "QUOTESYNC_ACCESS_TOKEN": "b-value"},
            "not both",
        ),
    ],
)
def test_auth_from_env_rejects_incomplete_or_ambiguous_credentials(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(CrmConfigError, match=message) as info:
        auth_from_env(env)
    for value in env.values():
        assert value not in str(info.value)
