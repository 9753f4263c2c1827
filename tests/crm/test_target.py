"""Target strings: which forms are accepted, credentials required, and what is refused."""

from __future__ import annotations

import httpx
import pytest

from quotesync_gitops.crm import BearerAuth, CrmConfigError, SoTicketAuth
from quotesync_gitops.errors import QuotesyncError
from quotesync_gitops.target import (
    DEFAULT_TARGET,
    describe_target,
    open_client,
    resolve_target,
)

TICKET_ENV = {"QUOTESYNC_TICKET": "tkt-secret-1", "QUOTESYNC_APP_TOKEN": "app-secret-2"}


def test_default_is_the_embedded_crm() -> None:
    assert describe_target(None, {}) == DEFAULT_TARGET == "local:.quotesync/crm.sqlite"
    assert resolve_target(None, {}).kind == "local"
    assert resolve_target("", {"QUOTESYNC_CRM": ""}).location == ".quotesync/crm.sqlite"


def test_flag_wins_over_environment() -> None:
    env = {"QUOTESYNC_CRM": "local:/tmp/env.sqlite"}
    assert describe_target(None, env) == "local:/tmp/env.sqlite"
    assert describe_target("local:/tmp/flag.sqlite", env) == "local:/tmp/flag.sqlite"


@pytest.mark.parametrize(
    ("target", "base"),
    [
        ("https://online.superoffice.com/Cust12345", "https://online.superoffice.com/Cust12345"),
        ("https://online.superoffice.com/Cust12345/", "https://online.superoffice.com/Cust12345"),
        ("https://crm.example.com", "https://crm.example.com"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("http://localhost:8123/", "http://localhost:8123"),
    ],
)
def test_urls_resolve_to_a_tenant_base(target: str, base: str) -> None:
    assert resolve_target(target, {}) == resolve_target(None, {"QUOTESYNC_CRM": target})
    assert describe_target(target, {}) == base


def test_https_client_appends_api_paths_and_verifies_tls() -> None:
    client = open_client("https://online.superoffice.com/Cust12345", TICKET_ENV, timeout=12.0)
    with client:
        http = client._http
        url = http.build_request("GET", "/api/v1/Product").url
        assert str(url) == "https://online.superoffice.com/Cust12345/api/v1/Product"
        assert isinstance(http.auth, SoTicketAuth)
        assert http.timeout.read == 12.0 and http.timeout.connect == 10.0
        assert not http.follow_redirects
        assert "tkt-secret-1" not in repr(client) + repr(http.auth)


def test_bearer_credentials_are_used_when_given() -> None:
    with open_client("https://x.example.com/Cust1", {"QUOTESYNC_ACCESS_TOKEN": "at-1"}) as client:
        assert isinstance(client._http.auth, BearerAuth)


def test_https_without_credentials_names_the_variables() -> None:
    with pytest.raises(CrmConfigError) as info:
        open_client("https://online.superoffice.com/Cust12345", {})
    message = str(info.value)
    for name in ("QUOTESYNC_TICKET", "QUOTESYNC_APP_TOKEN", "QUOTESYNC_ACCESS_TOKEN"):
        assert name in message


def test_half_a_ticket_is_refused_without_showing_it() -> None:
    with pytest.raises(CrmConfigError, match="QUOTESYNC_APP_TOKEN is not set") as info:
        open_client("https://x.example.com", {"QUOTESYNC_TICKET": "half-secret"})
    assert "half-secret" not in str(info.value)


def test_loopback_http_without_credentials_is_allowed() -> None:
    with open_client("http://127.0.0.1:9", {}) as client:
        assert client._http.auth is None


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("ftp://crm.example.com", "accepted|use https://"),
        ("crm.example.com", "unknown CRM target"),
        ("local:", "names no file"),
        ("http://crm.example.com/Cust1", "plain http:// off this machine"),
        ("http://192.168.1.10:8000", "plain http:// off this machine"),
        ("https://", "no host|not a valid URL"),
        ("https://crm.example.com/Cust1?x=1", "query or fragment"),
        ("https://online.superoffice.com/Cust1/api/v1", "without /api/v1"),
    ],
)
def test_bad_targets_say_which_forms_are_accepted(target: str, message: str) -> None:
    with pytest.raises(CrmConfigError, match=message) as info:
        open_client(target, TICKET_ENV)
    assert isinstance(info.value, QuotesyncError) and info.value.exit_code == 1


def test_credentials_in_the_url_are_refused_and_not_echoed() -> None:
    with pytest.raises(CrmConfigError, match="credentials in the URL") as info:
        open_client("https://admin:pa55word@crm.example.com/Cust1", {})
    assert "pa55word" not in str(info.value)
    assert "(sensitive)@crm.example.com" in str(info.value)


def test_unknown_forms_are_shown_without_userinfo() -> None:
    with pytest.raises(CrmConfigError) as info:
        resolve_target("gopher://u:secretpw@host", {})
    assert "secretpw" not in str(info.value)


def test_embedded_target_uses_wsgi_transport_without_credentials(tmp_path: object) -> None:
    pytest.importorskip("quotesync_gitops.emulator.app")
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    db = tmp_path / "nested" / "dir" / "crm.sqlite"
    with open_client(f"local:{db}", TICKET_ENV) as client:
        assert not db.parent.exists(), "made by the first write, not by opening"
        assert client._http.auth is None
        assert isinstance(client._http._transport, httpx.WSGITransport)
        assert str(client.base_url).startswith("http://embedded.local")
