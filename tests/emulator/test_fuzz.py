"""Whatever a caller sends, the emulator answers with a 2xx or 4xx and JSON, never a 500.

Bodies are carrier-shaped (documented property names with values of any JSON type), sent to
every route of a populated database through the in-process WSGI app (fast; the routing and
transaction code is the same as over HTTP).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotesync_gitops.emulator import EmulatorApp, create_app
from quotesync_gitops.emulator.app import ROUTES
from tests.emulator.conftest import VALID_ERP_CONFIG, Api

KEYS = [
    "ErpConnectionId", "ErpConnectorId", "DisplayName", "DisplayDescription", "Active",
    "ConfigFields", "Deleted", "AllAccess", "AssociateAccessIds", "UserGroupAccessIds",
    "Connection", "IncludeDeleted", "ActorType", "Mapping", "IsActive", "FieldMappings",
    "ActorTypeErp", "ActorTypeCrm", "ErpFieldId", "CrmFieldKey", "SyncToCrm", "SyncToErp",
    "Direction", "ErpActorType", "ListMapping", "ErpListItemMappings", "ErpCrmListItemMappings",
    "ErpListItemId", "CrmListItem", "Id", "Name", "ErpSyncDefaultValue", "DefaultValue",
    "ErpConnectionIds", "Run", "Interval", "Url", "URL", "QuoteConnectionId", "ConnectorName",
    "ConnectionData", "ConnectionConfigFields", "ConnectionId", "QuoteLineConfiguration",
    "QuoteLineConfigurations", "FieldName", "Editable", "Mandatory", "Rank", "Currency",
    "ValidFrom", "ValidTo", "ERPPriceListKey", "IsActive", "Code", "UnitListPrice", "InStock",
    "PriceListId", "ProductId", "ERPProductKey", "CurrencyId", "ErpSyncConnectionId",
    "ErpSyncConnectorId", "AssociateId", "SearchValue", "ListName", "QuoteLineConfigurationId",
]  # fmt: skip
# Binding ignores case (SuperOffice's TypeScript client sends camelCase): fuzz those spellings too.
KEYS += [k[0].lower() + k[1:] for k in KEYS] + [k.upper() for k in KEYS[:8]]

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["", "********", "Customer", "Contact", "NOK", "2025-01-01", "1"])
)
values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=10,
)
bodies = st.dictionaries(st.sampled_from(KEYS), values, max_size=5) | values
QUERY = ["$filter", "$orderBy", "$select", "$top", "$skip", "erpSyncConnectorEntityId",
         "priceListId", "ProductId"]  # fmt: skip
queries = st.dictionaries(st.sampled_from(QUERY), st.text(max_size=15), max_size=2)


def _concrete(method: str, template: str) -> str:
    row_id = "999" if method == "DELETE" else "1"  # keep the populated rows for other calls
    return template.replace("{id}", row_id).replace("{listname}", "country")


ENDPOINTS = sorted({(r.method, _concrete(r.method, r.template)) for r in ROUTES})
for_each_endpoint = st.sampled_from(ENDPOINTS)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorApp]:
    emulator = create_app(Path(tmp_path_factory.mktemp("fuzz")) / "crm.sqlite")
    with httpx.Client(transport=httpx.WSGITransport(app=emulator), base_url="http://crm") as http:
        api = Api(http)
        cid = api.new_erp_connection(ConfigFields=VALID_ERP_CONFIG)["ErpConnectionId"]
        api.map_fields(cid, "Customer", {"customerNo": "contact.number1",
                                         "country": "contact.country"})  # fmt: skip
        price_list = api.new_price_list()
        http.post("/api/v1/Product", json={"Name": "W", "ERPPriceListKey":
                                           price_list["ERPPriceListKey"]})  # fmt: skip
    yield emulator
    emulator.close()


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(endpoint=for_each_endpoint, body=bodies, query=queries)
def test_no_input_gives_a_server_error(
    app: EmulatorApp, endpoint: tuple[str, str], body: Any, query: dict[str, str]
) -> None:
    method = endpoint[0]
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://crm") as http:
        content = json.dumps(body).encode() if method in ("POST", "PUT") else None
        response = http.request(method, endpoint[1], content=content, params=query)
    assert response.status_code < 500, (endpoint, body, query, response.text)
    if response.content:
        json.loads(response.content)
