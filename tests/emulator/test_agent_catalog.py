"""Quote agent price lists / products / quote-line reads, and the MDO agent, over real HTTP."""

from __future__ import annotations

import httpx

from tests.emulator.conftest import VALID_QUOTE_CONFIG, Api


def _count(http: httpx.Client, resource: str) -> int:
    return len(http.get(f"/api/v1/{resource}").json()["value"])


def test_price_lists_through_the_quote_agent(api: Api, http: httpx.Client) -> None:
    default = api.quote("CreateDefaultPriceList")
    assert default["PriceListId"] == 0 and default["IsActive"] is True
    body = {
        **default,
        "Name": "Agent NOK",
        "Currency": "NOK",
        "ValidFrom": "2020-01-01",
        "ValidTo": "2099-12-31",
    }
    saved = api.quote("SavePriceList", body)
    pid = saved["PriceListId"]
    assert saved["ERPPriceListKey"] == str(pid) and "_Links" not in saved
    # GetPriceList takes its id in the query string, as SuperOffice's client sends it
    assert api.quote("GetPriceList", priceListId=pid)["Name"] == "Agent NOK"
    assert api.quote("GetPriceList", PriceListId=999) is None
    renamed = api.quote("SavePriceList", {**saved, "name": "Agent NOK 2"})
    assert renamed["Name"] == "Agent NOK 2" and renamed["PriceListId"] == pid

    assert [p["Name"] for p in api.quote("GetAllPriceLists", {"QuoteConnectionId": 0})] == [
        "Agent NOK 2"
    ]
    assert api.quote("GetActivePriceLists", {"QuoteConnectionId": 0, "Currency": "NOK"})
    assert api.quote("GetActivePriceLists", {"QuoteConnectionId": 0, "Currency": "SEK"}) == []
    nok = next(i["Id"] for i in api.erp_mdo("currency") if i["Name"] == "NOK")
    by_id = api.quote("GetAllPriceListsByCurrencyId", {"QuoteConnectionId": 0, "CurrencyId": nok})
    assert [p["PriceListId"] for p in by_id] == [pid]
    api.quote("SavePriceList", {**renamed, "IsActive": False})
    assert api.quote("GetActivePriceLists", {"QuoteConnectionId": 0, "Currency": ""}) == []


def test_price_list_rules_answer_a_message_and_write_nothing(api: Api, http: httpx.Client) -> None:
    refused = api.quote("SavePriceList", {"Name": "X", "Currency": "XXX"})
    assert set(refused) == {"Message", "MessageDetail"} and "Unknown currency" in refused["Message"]
    assert _count(http, "Pricelist") == 0
    saved = api.quote("SavePriceList", {"Name": "Y", "Currency": "NOK"})
    moved = api.quote("SavePriceList", {**saved, "Currency": "SEK"})
    assert moved["MessageDetail"] == "PriceListImmutableField"
    assert api.quote("GetPriceList", priceListId=saved["PriceListId"])["Currency"] == "NOK"
    wrong = api.agent("Quote", "SavePriceList", {"Name": 5})
    assert wrong.status_code == 400 and "'Name'" in wrong.json()["ErrorMessage"]
    gone = api.agent("Quote", "SavePriceList", {**saved, "PriceListId": 999}).json()
    assert "999 does not exist" in gone["Message"]


def test_products_through_the_quote_agent(api: Api, http: httpx.Client) -> None:
    connection = api.quote(
        "SaveConnection",
        {"Connection": {"ConnectorName": "CrmQuoteConnector", "DisplayName": "CRM quotes"}},
    )
    qid = connection["QuoteConnectionId"]
    price_list = api.quote(
        "SavePriceList", {"Name": "P", "Currency": "NOK", "QuoteConnectionId": qid}
    )
    key = price_list["ERPPriceListKey"]
    product = {
        **api.quote("CreateDefaultProduct"),
        "ERPPriceListKey": key,
        "Code": "A-1",
        "ERPProductKey": "erp-a1",
        "UnitListPrice": 100.0,
    }
    saved = api.quote("SaveProduct", product)
    prod_id = saved["ProductId"]
    assert (saved["Code"], saved["InAssortment"]) == ("A-1", True)
    assert api.quote("GetProductFromDbId", {"productId": prod_id})["UnitListPrice"] == 100.0
    assert api.quote("GetProductFromDbId", {"ProductId": 999}) is None
    found = api.quote("GetProduct", {"QuoteConnectionId": qid, "ERPProductKey": "erp-a1"})
    assert found["ProductId"] == prod_id
    assert api.quote("GetProduct", {"QuoteConnectionId": 0, "ERPProductKey": "erp-a1"}) is None

    assert (
        api.agent("Quote", "ToggleProductInAssortment", {"ProductId": prod_id}).status_code == 204
    )
    assert http.get(f"/api/v1/Product/{prod_id}").json()["InAssortment"] is False
    orphan = api.quote("SaveProduct", {"ERPPriceListKey": "nope", "Code": "B"})
    assert "No price list has the ERPPriceListKey 'nope'" in orphan["Message"]
    assert _count(http, "Product") == 1
    assert "does not exist" in api.quote("ToggleProductInAssortment", {"ProductId": 999})["Message"]


def test_quote_line_configuration_reads(api: Api) -> None:
    everything = api.quote("GetAllQuoteLineConfigurations")
    vat = next(c for c in everything if c["FieldName"] == "VAT")
    got = api.quote(
        "GetQuoteLineConfiguration", {"quoteLineConfigurationId": vat["QuoteLineConfigurationId"]}
    )
    assert got == vat
    assert api.quote("GetQuoteLineConfigurationFromFieldName", {"fieldName": "vat"}) == vat
    assert api.quote("GetQuoteLineConfigurationFromFieldName", {"FieldName": "Nope"}) is None
    assert api.quote("GetQuoteLineConfiguration", {"QuoteLineConfigurationId": 999}) is None
    in_use = api.quote("GetInUseQuoteLineConfigurations")
    assert in_use == [c for c in everything if c["InUse"]]


def test_mdo_agent_lists(api: Api, http: httpx.Client) -> None:
    rest_list = http.get("/api/v1/MDOList/associate").json()
    assert api.erp_mdo("associate") == rest_list
    assert api.mdo("GetSimpleList", {"name": "Associate"}) == rest_list
    filtered = api.mdo("GetListWithRestriction", {"Name": "usergroup", "SearchValue": "sal"})
    assert [i["Name"] for i in filtered] == ["Sales"]
    selectable = api.mdo("GetSelectableList", {"Name": "usergroup"})
    assert {i["Selected"] for i in selectable} == {False}
    first = rest_list[0]
    assert api.mdo("GetListItem", {"ListName": "associate", "Id": first["Id"]}) == first
    assert api.mdo("GetListItem", {"ListName": "associate", "Id": 999}) is None
    assert api.mdo("GetList", {"Name": "no-such-list"}) is None


def test_answers_carry_table_right_and_field_properties(api: Api, http: httpx.Client) -> None:
    """As a real server's do (the documents list both on every carrier)."""
    connection = api.new_erp_connection("Rights")
    price_list = api.new_price_list()
    answers = [
        connection,
        api.erp("GetConnection", {"ErpConnectionId": connection["ErpConnectionId"]}),
        api.mapping(connection["ErpConnectionId"])["FieldMappings"][0],
        api.erp("GetEngineStatus"),
        api.quote("GetAllQuoteLineConfigurations")[0],
        price_list,
        api.quote("GetPriceList", priceListId=price_list["PriceListId"]),
        http.get("/api/v1/MDOList/currency").json()[0],
    ]
    for answer in answers:
        assert answer["TableRight"] == {"Mask": "Select, Update, Insert, Delete", "Reason": ""}
        fields = set(answer) - {"TableRight", "FieldProperties", "_Links"}
        assert set(answer["FieldProperties"]) == fields
    props = connection["FieldProperties"]
    assert props["ErpConnectionId"] == {
        "FieldRight": {"Mask": "Update", "Reason": ""},
        "FieldType": "System.Int32",
        "FieldLength": 4,
    }
    assert props["DisplayName"]["FieldType"] == "System.String"
    assert props["Active"]["FieldType"] == "System.Boolean"
    assert price_list["FieldProperties"]["ValidFrom"]["FieldType"] == "System.DateTime"
    # OData rows are not carriers: no rights on them
    assert "TableRight" not in http.get("/api/v1/Pricelist").json()["value"][0]


def test_erp_connection_summary_and_actor_queries(api: Api) -> None:
    cid = api.new_erp_connection("Summary")["ErpConnectionId"]
    api.map_fields(cid, "Customer", {"name": "contact.name", "email": "contact.email"})
    summary = api.erp("GetErpSyncConnectionSummary", {"erpSyncConnectionId": cid})
    assert (summary["DisplayName"], summary["Active"], summary["LastSync"]) == (
        "Summary",
        False,
        "0001-01-01T00:00:00",
    )
    actors = {a["ActorType"]: a for a in summary["Actors"]}
    assert set(actors) == {"Customer", "Supplier", "Person", "Project"}
    assert (actors["Customer"]["HasMappings"], actors["Customer"]["Mappings"]) == (
        True,
        "name, email",
    )
    assert actors["Supplier"]["HasMappings"] is False
    assert api.erp("GetErpSyncConnectionSummary", {"ErpSyncConnectionId": 999}) is None

    assert (
        api.erp("GetCrmActorType", {"ErpConnectionId": cid, "ErpActorType": "Person"}) == "Person"
    )
    assert api.erp("GetCrmActorType", {"ErpConnectionId": 999, "ErpActorType": "Person"}) == (
        "Unknown"
    )
    fields = api.erp(
        "GetFieldsForNewErpActor", {"ErpConnectionId": cid, "ErpActorType": "Supplier"}
    )
    assert [(f["FieldKey"], f["Access"], f["Rank"]) for f in fields][:2] == [
        ("supplierNo", "Mandatory", 1),
        ("name", "Mandatory", 2),
    ]
    assert api.erp("GetFieldsForNewErpActor", {"ErpConnectionId": 999, "ErpActorType": "X"}) == []
    assert (
        api.erp("SupportsAdvancedSearch", {"ErpConnectionId": cid, "ErpActorType": "Customer"})
        is False
    )
    assert api.erp("UpdateConnectionFields", {"ErpConnectionId": cid}) is True
    assert api.erp("UpdateConnectionFields", {"ErpConnectionId": 999}) is False


def test_can_delete_connector_entity(api: Api) -> None:
    assert api.erp("CanDeleteErpSyncConnectorEntity", {"ErpSyncConnectorId": 2}) == "NoError"
    cid = api.new_erp_connection("Uses connector 1")["ErpConnectionId"]
    assert api.erp("CanDeleteErpSyncConnectorEntity", {"erpSyncConnectorId": 1}) == (
        "ErrorConnectorHasConnections"
    )
    api.erp("DeleteConnection", {"ErpConnectionId": cid})
    assert api.erp("CanDeleteErpSyncConnectorEntity", {"ErpSyncConnectorId": 1}) == "NoError"
    assert api.erp("CanDeleteErpSyncConnectorEntity", {"ErpSyncConnectorId": 99}) == "ErrorNotFound"


def test_quote_connection_helpers(api: Api) -> None:
    assert api.quote("HasConnections")["IsOk"] is False
    template = api.quote("CreateConnectionFromConnectorName", {"connectorName": "DemoErpQuote"})
    assert (template["QuoteConnectionId"], template["ConnectorName"]) == (0, "DemoErpQuote")
    assert api.quote("CreateConnectionFromConnectorName", {"ConnectorName": "Nope"}) is None
    assert api.quote("GetAllInstalledQuoteConnections") == []  # creating a template saves nothing
    everyone = api.quote("SaveConnection", {"Connection": {**template, "DisplayName": "Everyone"}})
    anna_only = api.quote(
        "SaveConnection",
        {
            "Connection": {
                **template,
                "DisplayName": "Anna only",
                "AllAccess": False,
                "AssociateAccessIds": [2],
            }
        },
    )
    assert api.quote("HasConnections")["IsOk"] is True

    def names(who: int) -> list[str]:
        found = api.quote("GetConnectionsForAssociate", {"AssociateId": who})
        return [c["DisplayName"] for c in found]

    assert names(2) == ["Everyone", "Anna only"]
    assert names(3) == ["Everyone"]
    api.quote("DeleteConnection", {"QuoteConnectionId": everyone["QuoteConnectionId"]})
    assert names(3) == []
    assert anna_only["AllAccess"] is False
    with_lists = api.quote("GetAllAvailableQuoteConnectionsWithPriceLists")
    assert [c["ConnectorName"] for c in with_lists] == ["DemoErpQuote", "CrmQuoteConnector"]


def test_quote_connection_startup_and_capabilities(api: Api) -> None:
    good = api.quote(
        "SaveConnection",
        {"Connection": {"ConnectorName": "DemoErpQuote", "DisplayName": "Configured"}},
    )
    api.quote(
        "SaveConnectionConfigFields",
        {
            "QuoteConnectionId": good["QuoteConnectionId"],
            "ConnectionConfigFields": VALID_QUOTE_CONFIG,
        },
    )
    bad = api.quote(
        "SaveConnection",
        {"Connection": {"ConnectorName": "DemoErpQuote", "DisplayName": "Unconfigured"}},
    )
    ok_response = api.quote(
        "GetConnectionStartupResponse", {"QuoteConnectionId": good["QuoteConnectionId"]}
    )
    assert (ok_response["IsOk"], ok_response["Status"]) == (True, "Ok")
    failed = api.quote(
        "GetConnectionStartupResponse", {"quoteConnectionId": bad["QuoteConnectionId"]}
    )
    assert failed["IsOk"] is False and "baseUrl" in failed["UserExplanation"]
    assert api.quote("GetConnectionStartupResponse", {"QuoteConnectionId": 999}) is None
    errors = api.quote("GetConnectionStartupErrors")
    assert [e["UserExplanation"] for e in errors] == [failed["UserExplanation"]]
    api.quote("DeleteConnection", {"QuoteConnectionId": bad["QuoteConnectionId"]})
    assert api.quote("GetConnectionStartupErrors") == []
    qid = {"QuoteConnectionId": good["QuoteConnectionId"]}
    assert api.quote("GetConnectorCapabilityNames", qid) == []
    assert api.quote("GetConnectorCapabilities", qid) == []
    assert api.quote("CanConnectorProvideCapability", {**qid, "CapabilityName": "x"}) is False
