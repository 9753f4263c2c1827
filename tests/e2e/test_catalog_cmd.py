"""`quotesync catalog`: what the tenant offers, in text and JSON, never a value."""

from __future__ import annotations

import json

from tests.e2e.conftest import Workspace

CANARY = "canary-Cat4l0g-pw"


def test_a_fresh_tenant_shows_its_directory_connectors_and_quote_line_fields(
    ws: Workspace,
) -> None:
    result = ws.run("catalog")
    assert result.exit_code == 0, result.output
    assert "Users: ADM0, ANNA, BJORN, CARLA, DAVID" in result.output
    assert "Currencies: DKK, EUR, GBP, NOK, SEK, USD" in result.output
    assert "ERP connector 'Demo ERP', configuration fields:" in result.output
    assert "  companyNumber        Integer   mandatory" in result.output
    assert "Code*" in result.output  # locked by the CRM
    assert "ERP connection" not in result.output  # none exists yet


def test_json_after_apply_holds_each_connections_erp_catalog(ws: Workspace) -> None:
    env = {"DEMO_ERP_PASSWORD": "demo-password", "DEMO_ACCOUNTING_API_KEY": "demo-api-key"}
    assert ws.apply(env=env).exit_code == 0
    result = ws.run("catalog", "--format", "json", env={"DEMO_ERP_PASSWORD": CANARY})
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["formatVersion"] == 1
    assert set(data) == {
        "formatVersion",
        "users",
        "groups",
        "currencies",
        "erpConnectors",
        "quoteConnectors",
        "erpConnections",
        "crmLists",
        "crmFieldsInUse",
        "quoteLineFields",
    }
    assert "contact.email" in data["crmFieldsInUse"]["Contact"]
    production = data["erpConnections"]["Demo ERP – Production"]
    assert production["actors"]["Customer"]["customerNo"]["access"] == "Mandatory"
    country = production["lists"]["Customer/country"]
    assert country["erpItems"]["GB"] == "United Kingdom"
    assert (country["crmField"], country["crmList"]) == ("contact.country", "country")
    assert "Denmark" in data["crmLists"]["country"]
    password = data["erpConnectors"]["Demo ERP"]["configFields"]["password"]
    assert password["type"] == "Password"
    assert "demo-password" not in result.output and CANARY not in result.output
    text = ws.run("catalog").output
    assert "list Customer/country: DE (Deutschland)" in text
    assert "-> CRM list country" in text
