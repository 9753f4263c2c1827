"""Every request body the client sends matches SuperOffice's documented request carrier (strict)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from quotesync_gitops.crm import CrmClient
from tests.crm.helpers import json_response, make_client
from tests.support.contract import assert_matches

ERP = "SuperOffice.WebApi.v1.Carriers.ErpSyncCarriers."
QUOTE = "SuperOffice.WebApi.v1.Carriers.QuoteCarriers."

CONNECTION = {
    "ErpConnectionId": 0,
    "ErpConnectorId": 1,
    "DisplayName": "Demo ERP",
    "DisplayDescription": "",
    "Active": True,
    "ConnectionId": "",
    "ConfigFields": {"url": "https://erp.example.com", "password": "s3cret"},
    "Deleted": False,
    "AllAccess": False,
    "UserGroupAccessIds": [1],
    "AssociateAccessIds": [2, 3],
}
MAPPING = {
    "ErpConnectionId": 4,
    "IsActive": True,
    "ActorTypeErp": "Customer",
    "ActorTypeCrm": "Contact",
    "FieldMappings": [
        {
            "ErpFieldId": 11,
            "CrmFieldKey": "contact/name",
            "ErpFieldKey": "name",
            "SyncToCrm": True,
            "SyncToErp": False,
            "ShowInGui": True,
            "ShowInSearch": False,
        }
    ],
}
LIST_MAPPINGS = {
    "ErpConnectionId": 4,
    "ErpListItemMappings": [
        {
            "ErpFieldId": 12,
            "ErpActorTypeName": "Customer",
            "ErpListName": "country",
            "ErpCrmListItemMappings": [
                {"ErpListItemId": "NO", "CrmListItem": {"Id": 3, "Name": "Norway"}}
            ],
        }
    ],
}
DEFAULT_VALUE = {
    "ErpFieldId": 12,
    "DefaultValue": "NO",
    "HasFirstSyncDefaultValue": False,
    "PromptUser": False,
    "Mandatory": True,
}
QUOTE_CONNECTION = {
    "QuoteConnectionId": 0,
    "ERPName": "Demo",
    "DisplayName": "Quotes",
    "DisplayDescription": "",
    "ConnectorName": "DemoErpQuote",
    "ErpConnectionId": 4,
    "AllAccess": True,
    "Deleted": False,
    "UserGroupAccessIds": [],
    "AssociateAccessIds": [],
}
LINE_CONFIG = {
    "QuoteLineConfigurationId": 5,
    "FieldName": "QuoteLine.Discount",
    "Label": "Discount",
    "Tooltip": "",
    "Editable": True,
    "InUse": True,
    "Mandatory": False,
    "Rank": 3,
    "RestrictEdit": False,
}
PRICELIST = {
    "PriceListId": 0,
    "ERPPriceListKey": "",
    "QuoteConnectionId": 2,
    "Name": "Main",
    "Description": "",
    "Currency": "NOK",
    "CurrencyName": "Norwegian krone",
    "ValidFrom": "2024-01-01",
    "ValidTo": "2030-12-31",
    "IsActive": True,
}
PRODUCT = {
    "ProductId": 0,
    "ERPProductKey": "",
    "ERPPriceListKey": "7",
    "Name": "Widget",
    "Description": "",
    "Code": "W-1",
    "PriceUnit": "NOK",
    "QuantityUnit": "pcs",
    "IsSubscription": False,
    "SubscriptionUnit": "",
    "DefaultSubscriptionQuantity": 0.0,
    "ItemNumber": "",
    "Url": "",
    "ProductCategoryKey": "",
    "ProductFamilyKey": "",
    "ProductTypeKey": "",
    "VAT": 25.0,
    "VATInfo": "",
    "UnitCost": 5.0,
    "UnitMinimumPrice": 8.0,
    "UnitListPrice": 10.0,
    "InAssortment": True,
    "Supplier": "",
    "SupplierCode": "",
    "Rule": "",
    "ExtraField1": "",
    "InStock": 3.0,
}

#: (call, document, request carrier) — one row per method that sends a body.
CASES: list[tuple[str, Callable[[CrmClient], Any], str, str]] = [
    ("erp_save_connector_entity", lambda c: c.erp_save_connector_entity(
        {"ErpConnectorId": 0, "DisplayName": "X", "URL": "https://x", "Deleted": False}),
     "ErpSyncAgent", "SuperOffice.CRM.Services.ErpSyncConnectorEntity"),
    ("erp_get_configuration_fields", lambda c: c.erp_get_configuration_fields(1),
     "ErpSyncAgent", ERP + "GetConfigurationFieldsRequest"),
    ("erp_get_all_connections", lambda c: c.erp_get_all_connections(False),
     "ErpSyncAgent", ERP + "GetAllConnectionsRequest"),
    ("erp_get_connection", lambda c: c.erp_get_connection(4),
     "ErpSyncAgent", ERP + "GetConnectionRequest"),
    ("erp_get_connection_config_fields", lambda c: c.erp_get_connection_config_fields(4),
     "ErpSyncAgent", ERP + "GetErpConnectionConfigFieldsRequest"),
    ("erp_save_connection", lambda c: c.erp_save_connection(dict(CONNECTION)),
     "ErpSyncAgent", ERP + "SaveConnectionRequest"),
    ("erp_delete_connection", lambda c: c.erp_delete_connection(4),
     "ErpSyncAgent", ERP + "DeleteConnectionRequest"),
    ("erp_toggle_active", lambda c: c.erp_toggle_active(4),
     "ErpSyncAgent", ERP + "ToggleErpConnectionActiveRequest"),
    ("erp_test_connection_by_id", lambda c: c.erp_test_connection_by_id(4),
     "ErpSyncAgent", ERP + "TestConnectionByIdRequest"),
    ("erp_test_connection_by_config", lambda c: c.erp_test_connection_by_config(4, {"a": "b"}),
     "ErpSyncAgent", ERP + "TestConnectionByConfigRequest"),
    ("erp_get_actor_type_mapping", lambda c: c.erp_get_actor_type_mapping(4, "Customer"),
     "ErpSyncAgent", ERP + "GetActorTypeMappingRequest"),
    ("erp_save_actor_type_mapping", lambda c: c.erp_save_actor_type_mapping(dict(MAPPING)),
     "ErpSyncAgent", ERP + "SaveActorTypeMappingRequest"),
    ("erp_get_list_mappings", lambda c: c.erp_get_list_mappings(4),
     "ErpSyncAgent", ERP + "GetConnectionListMappingsRequest"),
    ("erp_save_list_mappings", lambda c: c.erp_save_list_mappings(dict(LIST_MAPPINGS)),
     "ErpSyncAgent", ERP + "SaveConnectionListMappingsRequest"),
    ("erp_get_default_value_info", lambda c: c.erp_get_default_value_info(12),
     "ErpSyncAgent", ERP + "GetDefaultValueInfoRequest"),
    ("erp_save_default_value_info", lambda c: c.erp_save_default_value_info(dict(DEFAULT_VALUE)),
     "ErpSyncAgent", ERP + "SaveDefaultValueInfoRequest"),
    ("erp_move_field_item", lambda c: c.erp_move_field_item(4, "Customer", 11, -1),
     "ErpSyncAgent", ERP + "MoveErpFieldItemRequest"),
    ("erp_save_sync_priorities", lambda c: c.erp_save_sync_priorities([4, 2]),
     "ErpSyncAgent", ERP + "SaveErpConnectionSyncPrioritiesRequest"),
    ("erp_change_engine_status", lambda c: c.erp_change_engine_status(True),
     "ErpSyncAgent", ERP + "ChangeEngineStatusRequest"),
    ("erp_change_engine_interval", lambda c: c.erp_change_engine_interval("00:15:00"),
     "ErpSyncAgent", ERP + "ChangeEngineIntervalRequest"),
    ("quote_get_connection", lambda c: c.quote_get_connection(2),
     "QuoteAgent", QUOTE + "GetConnectionRequest"),
    ("quote_save_connection", lambda c: c.quote_save_connection(dict(QUOTE_CONNECTION)),
     "QuoteAgent", QUOTE + "SaveConnectionRequest"),
    ("quote_delete_connection", lambda c: c.quote_delete_connection(2),
     "QuoteAgent", QUOTE + "DeleteConnectionRequest"),
    ("quote_restore_connection", lambda c: c.quote_restore_connection(2),
     "QuoteAgent", QUOTE + "RestoreConnectionRequest"),
    ("quote_get_connection_config_fields", lambda c: c.quote_get_connection_config_fields(2),
     "QuoteAgent", QUOTE + "GetConnectionConfigFieldsRequest"),
    ("quote_save_connection_config_fields",
     lambda c: c.quote_save_connection_config_fields(2, {"a": "b"}),
     "QuoteAgent", QUOTE + "SaveConnectionConfigFieldsRequest"),
    ("quote_get_configuration_fields", lambda c: c.quote_get_configuration_fields("DemoErpQuote"),
     "QuoteAgent", QUOTE + "GetConfigurationFieldsRequest"),
    ("quote_test_connection", lambda c: c.quote_test_connection("DemoErpQuote", {"a": "b"}),
     "QuoteAgent", QUOTE + "TestConnectionRequest"),
    ("quote_get_connection_startup_response",
     lambda c: c.quote_get_connection_startup_response(2),
     "QuoteAgent", QUOTE + "GetConnectionStartupResponseRequest"),
    ("quote_save_line_configurations", lambda c: c.quote_save_line_configurations([LINE_CONFIG]),
     "QuoteAgent", QUOTE + "SaveQuoteLineConfigurationsRequest"),
    ("create_pricelist", lambda c: c.create_pricelist(dict(PRICELIST)),
     "Pricelist", "SuperOffice.CRM.Services.PriceList"),
    ("update_pricelist", lambda c: c.update_pricelist(7, {**PRICELIST, "PriceListId": 7}),
     "Pricelist", "SuperOffice.CRM.Services.PriceList"),
    ("create_product", lambda c: c.create_product(dict(PRODUCT)),
     "Product", "SuperOffice.CRM.Services.Product"),
    ("update_product", lambda c: c.update_product(9, {**PRODUCT, "ProductId": 9}),
     "Product", "SuperOffice.CRM.Services.Product"),
]  # fmt: skip

#: Methods that send no body at all (the id travels in the query, or there is no argument).
BODILESS: list[tuple[str, Callable[[CrmClient], Any]]] = [
    ("erp_get_all_connectors", lambda c: c.erp_get_all_connectors()),
    ("erp_get_connector_entity", lambda c: c.erp_get_connector_entity(1)),
    ("erp_get_engine_status", lambda c: c.erp_get_engine_status()),
    ("quote_get_available_connections", lambda c: c.quote_get_available_connections()),
    ("quote_get_installed_connections", lambda c: c.quote_get_installed_connections()),
    ("quote_get_line_configurations", lambda c: c.quote_get_line_configurations()),
    ("get_pricelist", lambda c: c.get_pricelist(7)),
    ("get_product", lambda c: c.get_product(9)),
    ("mdo_list", lambda c: c.mdo_list("associate")),
    ("get_product_image_info", lambda c: c.get_product_image_info(9)),
    ("get_product_image", lambda c: c.get_product_image(9)),
]


def plausible_answer(request: httpx.Request) -> httpx.Response:
    """Enough of an answer for each method's shape check; the bodies sent are what we test."""
    name = request.url.path.rsplit("/", 1)[1]
    lists = {
        "GetConfigurationFields": [],
        "GetAllConnections": [],
        "GetAllConnectors": [],
        "ToggleErpConnectionActive": [],
        "SaveQuoteLineConfigurations": [],
        "GetAllInstalledQuoteConnections": [],
        "GetAllAvailableQuoteConnections": [],
        "GetAllQuoteLineConfigurations": [],
        "associate": [],
    }
    if "/Agents/Quote/" in request.url.path and name == "GetConfigurationFields":
        return json_response({"url": {"FieldKey": "url"}})
    if name in lists:
        return json_response(lists[name])
    if name in ("TestConnectionByConfig", "TestConnectionById", "SaveErpConnectionSyncPriorities"):
        return json_response(True)
    if name in ("GetErpConnectionConfigFields", "GetConnectionConfigFields",
                "SaveConnectionConfigFields"):  # fmt: skip
        return json_response({"a": "b"})
    if name in ("DeleteConnection", "RestoreConnection", "MoveErpFieldItem",
                "ChangeEngineInterval"):  # fmt: skip
        return httpx.Response(204)
    return json_response({"Id": 1})


@pytest.mark.parametrize(("name", "call", "document", "carrier"), CASES, ids=[c[0] for c in CASES])
def test_request_body_matches_the_documented_carrier(
    name: str, call: Callable[[CrmClient], Any], document: str, carrier: str
) -> None:
    client, recorder = make_client(plausible_answer)
    call(client)
    (body,) = recorder.bodies()
    assert body is not None, f"{name} sent no body"
    assert_matches(document, carrier, body)
    assert recorder.requests[0].headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(("name", "call"), BODILESS, ids=[c[0] for c in BODILESS])
def test_bodiless_calls_send_nothing(name: str, call: Callable[[CrmClient], Any]) -> None:
    client, recorder = make_client(plausible_answer)
    call(client)
    assert recorder.bodies() == [None]


def test_agent_calls_post_to_the_documented_paths() -> None:
    client, recorder = make_client(plausible_answer)
    for _, call, document, _ in CASES:
        if document in ("ErpSyncAgent", "QuoteAgent"):
            call(client)
    for request in recorder.requests:
        assert request.method == "POST"
        assert re.match(r"^/Cust12345/api/v1/Agents/(ErpSync|Quote)/[A-Za-z]+$", request.url.path)


def test_connector_entity_id_travels_in_the_query() -> None:
    client, recorder = make_client(plausible_answer)
    client.erp_get_connector_entity(3)
    url = recorder.requests[0].url
    assert url.path.endswith("/api/v1/Agents/ErpSync/GetErpSyncConnectorEntity")
    assert url.params["erpSyncConnectorEntityId"] == "3"


def test_every_public_method_is_covered_by_a_contract_case() -> None:
    covered = (
        {c[0] for c in CASES}
        | {c[0] for c in BODILESS}
        # GETs without a body, covered by test_paging_bulk.py and test_ranged_paging.py
        | {"iter_pricelists", "iter_products", "iter_product_pages"}
    )
    public = {
        n for n in dir(CrmClient)
        if not n.startswith("_") and callable(getattr(CrmClient, n))
        and (n.startswith(("erp_", "quote_", "mdo_", "iter_", "get_", "create_", "update_")))
    }  # fmt: skip
    assert public - covered == set()
