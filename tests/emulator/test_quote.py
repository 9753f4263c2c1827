"""Quote connections, their configuration and tests, and the quote line settings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import VALID_QUOTE_CONFIG, Api


def _message(body: object) -> str:
    assert isinstance(body, dict) and set(body) == {"Message", "MessageDetail"}, body
    return str(body["Message"])


def _new(api: Api, name: str = "ERP quotes", connector: str = "DemoErpQuote", **extra: Any) -> Any:
    return api.quote(
        "SaveConnection",
        {
            "Connection": {
                "QuoteConnectionId": 0,
                "ConnectorName": connector,
                "DisplayName": name,
                **extra,
            }
        },
    )


def test_available_connections_are_templates_of_installed_connectors(api: Api) -> None:
    available = api.quote("GetAllAvailableQuoteConnections")
    assert [(c["ConnectorName"], c["QuoteConnectionId"]) for c in available] == [
        ("DemoErpQuote", 0),
        ("CrmQuoteConnector", 0),
    ]
    assert api.quote("GetAllInstalledQuoteConnections") == []


def test_save_delete_restore_keep_the_id(api: Api) -> None:
    created = _new(api, ERPName="Demo ERP")
    qid = created["QuoteConnectionId"]
    assert (qid, created["Deleted"], created["ERPName"]) == (1, False, "Demo ERP")
    assert api.quote("DeleteConnection", {"QuoteConnectionId": qid}) is None
    installed = api.quote("GetAllInstalledQuoteConnections")
    assert [(c["QuoteConnectionId"], c["Deleted"]) for c in installed] == [(qid, True)]
    assert api.quote("RestoreConnection", {"QuoteConnectionId": qid}) is None
    restored = api.quote("GetConnection", {"QuoteConnectionId": qid})
    assert (restored["QuoteConnectionId"], restored["Deleted"]) == (qid, False)
    renamed = api.quote("SaveConnection", {"Connection": {**restored, "DisplayName": "Quotes"}})
    assert (renamed["QuoteConnectionId"], renamed["DisplayName"]) == (qid, "Quotes")
    assert len(api.quote("GetAllInstalledQuoteConnections")) == 1
    assert "does not exist" in _message(api.quote("DeleteConnection", {"QuoteConnectionId": 9}))


@pytest.mark.parametrize(
    ("connection", "expected"),
    [
        ({"ConnectorName": "NoSuchConnector", "DisplayName": "x"}, "not an installed"),
        ({"ConnectorName": "DemoErpQuote", "DisplayName": ""}, "needs a name"),
        ({"ConnectorName": "DemoErpQuote", "DisplayName": "x" * 255}, "too long"),
        (
            {"ConnectorName": "DemoErpQuote", "DisplayName": "x", "ErpConnectionId": 5},
            "ERP connection 5 does not exist",
        ),
        (
            {"ConnectorName": "DemoErpQuote", "DisplayName": "x", "UserGroupAccessIds": [7]},
            "Unknown user group id(s): 7",
        ),
    ],
)
def test_save_connection_rejections(api: Api, connection: dict[str, Any], expected: str) -> None:
    body = {"Connection": {"QuoteConnectionId": 0, **connection}}
    assert expected in _message(api.quote("SaveConnection", body))
    assert api.quote("GetAllInstalledQuoteConnections") == []


def test_config_fields_mask_passwords_and_keep_them(api: Api) -> None:
    qid = _new(api)["QuoteConnectionId"]
    saved = api.quote(
        "SaveConnectionConfigFields",
        {"QuoteConnectionId": qid, "ConnectionConfigFields": VALID_QUOTE_CONFIG},
    )
    assert saved == {**VALID_QUOTE_CONFIG, "apiPassword": "********"}
    assert api.quote("GetConnectionConfigFields", {"QuoteConnectionId": qid}) == saved
    again = api.quote(
        "SaveConnectionConfigFields", {"QuoteConnectionId": qid, "ConnectionConfigFields": saved}
    )
    assert again == saved
    unknown = api.quote(
        "SaveConnectionConfigFields",
        {"QuoteConnectionId": qid, "ConnectionConfigFields": {"x": "1"}},
    )
    assert "Unknown configuration field 'x'" in _message(unknown)


def test_configuration_fields_by_connector_or_connection(api: Api) -> None:
    by_name = api.quote("GetConfigurationFields", {"ConnectorName": "DemoErpQuote"})
    assert [(k, v["FieldType"], v["Access"]) for k, v in by_name.items()] == [
        ("baseUrl", "Text", "Mandatory"),
        ("apiUser", "Text", "Mandatory"),
        ("apiPassword", "Password", "Mandatory"),
        ("priceSource", "List", "Normal"),
    ]
    assert by_name["priceSource"]["DefaultValue"] == "erp"
    qid = _new(api, connector="CrmQuoteConnector")["QuoteConnectionId"]
    assert api.quote("GetConfigurationFields", {"ConnectionId": qid}) == {}
    assert api.quote("GetConfigurationFields", {"ConnectorName": "Nope"}) is None


@pytest.mark.parametrize(
    ("data", "explanation"),
    [
        (
            {**VALID_QUOTE_CONFIG, "apiPassword": "wrong"},
            "The user name or password was not accepted by the ERP system.",
        ),
        ({**VALID_QUOTE_CONFIG, "baseUrl": ""}, "Mandatory field 'baseUrl' is empty."),
        ({**VALID_QUOTE_CONFIG, "baseUrl": "http://plain"}, "must start with https://"),
    ],
)
def test_test_connection_explains_failures(
    api: Api, data: dict[str, str], explanation: str
) -> None:
    result = api.quote("TestConnection", {"ConnectorName": "DemoErpQuote", "ConnectionData": data})
    assert (result["IsOk"], result["Status"]) == (False, "Error")
    assert explanation in result["UserExplanation"]


def test_test_connection_passes(api: Api) -> None:
    ok = api.quote(
        "TestConnection", {"ConnectorName": "DemoErpQuote", "ConnectionData": VALID_QUOTE_CONFIG}
    )
    assert (ok["IsOk"], ok["Status"]) == (True, "Ok")
    crm = api.quote("TestConnection", {"ConnectorName": "CrmQuoteConnector", "ConnectionData": {}})
    assert crm["IsOk"] is True
    unknown = api.quote("TestConnection", {"ConnectorName": "Nope", "ConnectionData": {}})
    assert unknown["IsOk"] is False and "not an installed" in unknown["UserExplanation"]


def test_quote_line_configuration(api: Api) -> None:
    lines = api.quote("GetAllQuoteLineConfigurations")
    assert len(lines) == 15
    assert [line["FieldName"] for line in lines][:4] == ["Code", "Name", "Description", "Quantity"]
    assert {line["FieldName"] for line in lines if line["RestrictEdit"]} == {"Code", "Name"}
    description = {**lines[2], "Label": "Details", "InUse": False, "Rank": 20}
    saved = api.quote("SaveQuoteLineConfiguration", {"QuoteLineConfiguration": description})
    assert (saved["Label"], saved["InUse"], saved["Rank"]) == ("Details", False, 20)
    assert api.quote("GetAllQuoteLineConfigurations")[-1]["FieldName"] == "Description"
    # by field name, without the id
    by_name = api.quote(
        "SaveQuoteLineConfiguration",
        {"QuoteLineConfiguration": {"FieldName": "VAT", "Tooltip": "Tax"}},
    )
    assert by_name["Tooltip"] == "Tax" and by_name["Label"] == "VAT"


@pytest.mark.parametrize("change", [{"Editable": True}, {"Mandatory": True}])
def test_restricted_fields_cannot_become_editable_or_mandatory(
    api: Api, change: dict[str, bool]
) -> None:
    code = api.quote("GetAllQuoteLineConfigurations")[0]
    message = _message(
        api.quote("SaveQuoteLineConfiguration", {"QuoteLineConfiguration": {**code, **change}})
    )
    assert "'Code' cannot be made editable or mandatory" in message
    # a batch with one bad entry saves nothing
    lines = api.quote("GetAllQuoteLineConfigurations")
    batch = [{**lines[2], "Label": "Changed"}, {**lines[1], **change}]
    assert "'Name'" in _message(
        api.quote("SaveQuoteLineConfigurations", {"QuoteLineConfigurations": batch})
    )
    assert api.quote("GetAllQuoteLineConfigurations")[2]["Label"] == "Description"
    # the other settings of a restricted field may change
    renamed = api.quote(
        "SaveQuoteLineConfiguration", {"QuoteLineConfiguration": {**code, "Label": "Item code"}}
    )
    assert renamed["Label"] == "Item code"


def test_price_lists_of_a_quote_connection(api: Api) -> None:
    qid = _new(api)["QuoteConnectionId"]
    api.new_price_list("NOK list", QuoteConnectionId=qid)
    api.new_price_list("EUR list", QuoteConnectionId=qid, Currency="EUR")
    api.new_price_list("Unattached")
    names = [p["Name"] for p in api.quote("GetAllPriceLists", {"QuoteConnectionId": qid})]
    assert names == ["NOK list", "EUR list"]
    eur = api.quote("GetAllPriceLists", {"QuoteConnectionId": qid, "Currency": "EUR"})
    assert [p["Name"] for p in eur] == ["EUR list"]
    connection = api.quote("GetConnection", {"QuoteConnectionId": qid})
    assert [p["Name"] for p in connection["PriceLists"]] == ["NOK list", "EUR list"]
