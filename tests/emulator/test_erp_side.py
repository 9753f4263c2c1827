"""``/_emulator/erp-side``: the ERP behind a demo connector rotates its credentials.

Every test the CRM runs asks that ERP as it is now: stored (``TestConnectionById``,
``GetConnectionStartupResponse``, activation) and given (``TestConnectionByConfig``, Quote
``TestConnection``) alike, so a rotated password fails stored and passes when given.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from quotesync_gitops.emulator import RunningServer
from quotesync_gitops.emulator.store import reset_database
from tests.emulator.conftest import VALID_ERP_CONFIG, VALID_QUOTE_CONFIG, Api

ERP_URL = "https://connectors.example.com/demo-erp"
ROTATED = "rotated-Xy72"


def _rotate(http: httpx.Client, system: str, **credentials: str) -> httpx.Response:
    return http.post("/_emulator/erp-side", json={"system": system, "credentials": credentials})


def test_a_rotated_erp_password_fails_stored_and_passes_given(api: Api, http: httpx.Client) -> None:
    conn_id = api.new_erp_connection()["ErpConnectionId"]
    assert api.erp("TestConnectionById", {"ErpConnectionId": conn_id}) is True
    answer = _rotate(http, ERP_URL.upper() + "/", password=ROTATED)  # URL as registered
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"system": ERP_URL, "fields": ["password"]}
    assert ROTATED not in answer.text
    assert api.erp("TestConnectionById", {"ErpConnectionId": conn_id}) is False
    given = {"ErpConnectionId": conn_id, "ConfigFields": {"password": ROTATED}}
    assert api.erp("TestConnectionByConfig", given) is True
    new = {"ErpConnectionId": 0, "ConfigFields": {**VALID_ERP_CONFIG, "password": ROTATED}}
    assert api.erp("TestConnectionByConfig", new) is True
    reasons = api.erp("ToggleErpConnectionActive", {"ErpConnectionId": conn_id})
    assert any("connection test failed" in r for r in reasons)  # activation asks the ERP too


def test_a_rotated_quote_password_fails_startup_and_passes_given(
    api: Api, http: httpx.Client
) -> None:
    saved = api.quote(
        "SaveConnection",
        {"Connection": {"QuoteConnectionId": 0, "ConnectorName": "DemoErpQuote",
                        "DisplayName": "Quotes", "ERPName": "Demo ERP"}},
    )  # fmt: skip
    conn_id = saved["QuoteConnectionId"]
    api.quote(
        "SaveConnectionConfigFields",
        {"QuoteConnectionId": conn_id, "ConnectionConfigFields": VALID_QUOTE_CONFIG},
    )
    startup = {"QuoteConnectionId": conn_id}
    assert api.quote("GetConnectionStartupResponse", startup)["IsOk"] is True
    assert _rotate(http, "DemoErpQuote", apiPassword=ROTATED).status_code == 200
    assert api.quote("GetConnectionStartupResponse", startup)["IsOk"] is False
    given = {**VALID_QUOTE_CONFIG, "apiPassword": ROTATED}
    test = {"ConnectorName": "DemoErpQuote", "ConnectionData": given}
    assert api.quote("TestConnection", test)["IsOk"] is True
    old = {"ConnectorName": "DemoErpQuote", "ConnectionData": VALID_QUOTE_CONFIG}
    assert api.quote("TestConnection", old)["IsOk"] is False


def test_bad_requests_are_refused_and_change_nothing(api: Api, http: httpx.Client) -> None:
    unknown = _rotate(http, "https://connectors.example.com/nowhere", password="x")
    assert unknown.status_code == 400 and "DemoErpQuote" in unknown.json()["ErrorMessage"]
    not_strings = http.post(
        "/_emulator/erp-side", json={"system": ERP_URL, "credentials": {"password": 1}}
    )
    assert not_strings.status_code == 400
    assert http.post("/_emulator/erp-side", json=[1]).status_code == 400
    typo = _rotate(http, ERP_URL, pasword="x")
    assert typo.status_code == 400 and "pasword: not a config field" in typo.text
    assert http.get("/_emulator/erp-side").status_code == 405
    conn_id = api.new_erp_connection()["ErpConnectionId"]
    assert api.erp("TestConnectionById", {"ErpConnectionId": conn_id}) is True


def test_the_control_needs_the_servers_credentials(secured: RunningServer) -> None:
    with httpx.Client(base_url=secured.url) as http:
        assert _rotate(http, ERP_URL, password=ROTATED).status_code == 401


def test_reset_gives_the_documented_credentials_back(http: httpx.Client, db_path: Path) -> None:
    new = {"ErpConnectionId": 0, "ConfigFields": VALID_ERP_CONFIG}
    path = "/api/v1/Agents/ErpSync/TestConnectionByConfig"
    assert _rotate(http, ERP_URL, password=ROTATED).status_code == 200
    assert http.post(path, json=new).json() is False
    reset_database(db_path)  # `quotesync emulator reset`: a new tenant, a new ERP
    assert http.post(path, json=new).json() is True
