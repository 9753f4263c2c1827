"""Request binding ignores the case of property names, at every level, as SuperOffice's does.

SuperOffice's TypeScript client sends camelCase; each write the issue found ignored (answering
200 and changing nothing) is driven here in camelCase and its effect read back in PascalCase.
"""

from __future__ import annotations

from typing import Any

import httpx

from quotesync_gitops.emulator.binding import JsonObject
from tests.emulator.conftest import VALID_ERP_CONFIG, VALID_QUOTE_CONFIG, Api


def _camel(value: Any) -> Any:
    """PascalCase property names to camelCase, at every level (not inside ConfigFields)."""
    if isinstance(value, list):
        return [_camel(v) for v in value]
    if isinstance(value, dict):
        return {
            k[:1].lower() + k[1:]: (v if k == "ConfigFields" else _camel(v))
            for k, v in value.items()
        }
    return value


def test_json_object_looks_up_any_case_and_keeps_keys_as_sent() -> None:
    data = JsonObject([("erpConnectionId", 2), ("ConfigFields", {"endpointUrl": "x"})])
    assert data["ErpConnectionId"] == 2 and data.get("ERPCONNECTIONID") == 2
    assert "erpconnectionid" in data and "Missing" not in data
    assert list(data) == ["erpConnectionId", "ConfigFields"]
    assert data.sent_as("ErpConnectionId") == "erpConnectionId"
    assert data.sent_as("Missing") == "Missing"
    # among spellings of one name the last sent wins, as the server's JSON reader binds them
    both = JsonObject([("Run", True), ("run", False)])
    assert both["Run"] is False and both["RUN"] is False and both.sent_as("Run") == "run"


def test_camel_case_reads_find_what_pascal_case_wrote(api: Api) -> None:
    created = api.new_erp_connection("Camel read")
    cid = created["ErpConnectionId"]
    assert api.erp("GetConnection", {"erpConnectionId": cid})["DisplayName"] == "Camel read"
    config = api.erp("GetErpConnectionConfigFields", {"erpconnectionid": cid})
    assert config["username"] == "demo" and config["password"] == "********"
    assert api.erp("TestConnectionById", {"erpConnectionId": cid}) is True
    assert api.erp("TestConnectionByConfig", {"erpConnectionId": cid, "configFields": {}}) is True
    fields = api.erp("GetConfigurationFields", {"erpConnectorId": 1})
    assert [f["FieldKey"] for f in fields][:2] == ["endpointUrl", "companyNumber"]


def test_camel_case_erp_writes_take_effect(api: Api) -> None:
    first = api.new_erp_connection("First")["ErpConnectionId"]
    body = {
        "erpConnectionId": 0,
        "erpConnectorId": 1,
        "displayName": "  Camel  ",
        "displayDescription": "sent by the TypeScript client",
        "configFields": dict(VALID_ERP_CONFIG),
        "allAccess": True,
        "tableRight": None,
        "fieldProperties": None,
    }
    saved = api.erp("SaveConnection", {"connection": body})
    assert saved["DisplayName"] == "Camel" and saved["ErpConnectionId"] > first
    second = saved["ErpConnectionId"]
    # the field keys of ConfigFields are data, kept exactly as sent
    assert set(api.erp("GetErpConnectionConfigFields", {"ErpConnectionId": second})) >= {
        "endpointUrl",
        "companyNumber",
    }

    assert api.erp("ToggleErpConnectionActive", {"erpConnectionId": second}) == []
    assert api.erp("GetConnection", {"ErpConnectionId": second})["Active"] is True

    assert api.erp("SaveErpConnectionSyncPriorities", {"erpConnectionIds": [second, first]})
    names = [c["DisplayName"] for c in api.erp("GetAllConnections", {"IncludeDeleted": False})]
    assert names == ["Camel", "First"]

    api.erp("DeleteConnection", {"erpConnectionId": first})
    assert [c["DisplayName"] for c in api.erp("GetAllConnections", {})] == ["Camel"]
    everything = api.erp("GetAllConnections", {"includeDeleted": True})
    assert [(c["DisplayName"], c["Deleted"]) for c in everything] == [
        ("Camel", False),
        ("First", True),
    ]

    mapping = api.mapping(first)
    before = [f["ErpFieldKey"] for f in mapping["FieldMappings"]]
    moved = mapping["FieldMappings"][1]["ErpFieldId"]
    move = {
        "erpFieldId": moved,
        "direction": -1,
        "erpConnectionId": first,
        "erpActorType": "Customer",
    }
    api.agent("ErpSync", "MoveErpFieldItem", move)
    after = [f["ErpFieldKey"] for f in api.mapping(first)["FieldMappings"]]
    assert after == [before[1], before[0], *before[2:]]


def test_camel_case_nested_carriers_bind(api: Api) -> None:
    cid = api.new_erp_connection("Nested")["ErpConnectionId"]
    mapping = api.mapping(cid)
    for field in mapping["FieldMappings"]:
        if field["ErpFieldKey"] == "name":
            field.update(CrmFieldKey="contact.name", SyncToCrm=True, SyncToErp=False)
    mapping["IsActive"] = True
    saved = api.erp("SaveActorTypeMapping", {"mapping": _camel(mapping)})
    name = next(f for f in saved["FieldMappings"] if f["ErpFieldKey"] == "name")
    assert (name["CrmFieldKey"], name["SyncToCrm"], name["SyncToErp"]) == (
        "contact.name",
        True,
        False,
    )
    assert saved["IsActive"] is True


def test_camel_case_quote_writes_take_effect(api: Api) -> None:
    connection = {
        "quoteConnectionId": 0,
        "connectorName": "DemoErpQuote",
        "displayName": "Camel quotes",
        "erpName": "Demo",
        "allAccess": True,
    }
    saved = api.quote("SaveConnection", {"connection": connection})
    qid = saved["QuoteConnectionId"]
    assert saved["DisplayName"] == "Camel quotes" and qid > 0
    api.quote(
        "SaveConnectionConfigFields",
        {"quoteConnectionId": qid, "connectionConfigFields": dict(VALID_QUOTE_CONFIG)},
    )
    assert api.quote("GetConnectionConfigFields", {"quoteConnectionId": qid})["apiUser"] == "demo"
    api.quote("DeleteConnection", {"quoteConnectionId": qid})
    assert api.quote("GetConnection", {"quoteConnectionId": qid})["Deleted"] is True
    api.quote("RestoreConnection", {"quoteConnectionId": qid})
    assert api.quote("GetConnection", {"QuoteConnectionId": qid})["Deleted"] is False

    configs = api.quote("GetAllQuoteLineConfigurations")
    vat = next(c for c in configs if c["FieldName"] == "VAT")
    changed = _camel({**vat, "Label": "Tax", "InUse": not vat["InUse"]})
    api.quote("SaveQuoteLineConfiguration", {"quoteLineConfiguration": changed})
    after = next(c for c in api.quote("GetAllQuoteLineConfigurations") if c["FieldName"] == "VAT")
    assert (after["Label"], after["InUse"]) == ("Tax", not vat["InUse"])


def test_camel_case_rest_bodies_bind(http: httpx.Client) -> None:
    body = {"name": "Camel list", "currency": "NOK", "validFrom": "2025-01-01", "isActive": True}
    created = http.post("/api/v1/Pricelist", json=body)
    assert created.status_code == 200, created.text
    price_list = created.json()
    assert (price_list["Name"], price_list["Currency"]) == ("Camel list", "NOK")
    key = price_list["ERPPriceListKey"]
    product = http.post(
        "/api/v1/Product", json={"erpPriceListKey": key, "code": "P-1", "unitListPrice": 12.5}
    )
    assert product.status_code == 200, product.text
    assert (product.json()["Code"], product.json()["UnitListPrice"]) == ("P-1", 12.5)


def test_errors_name_the_property_as_documented_and_as_sent(api: Api) -> None:
    response = api.agent("ErpSync", "GetConnection", {"erpConnectionId": "two"})
    assert response.status_code == 400
    assert response.json()["ErrorMessage"] == (
        "'ErpConnectionId' (sent as 'erpConnectionId') must be an integer."
    )
    response = api.agent("ErpSync", "GetConnection", {"ErpConnectionId": "two"})
    assert response.json()["ErrorMessage"] == "'ErpConnectionId' must be an integer."
    response = api.agent("ErpSync", "SaveConnection", {"connection": []})
    assert response.status_code == 400
    assert "(sent as 'connection') must be an object" in response.json()["ErrorMessage"]
