"""The client against the real emulator: served on 127.0.0.1 with credentials, and in process.

These are the tests where transport matters: real sockets, real drops, real 429s.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("quotesync_gitops.emulator.server")

from quotesync_gitops.crm import (
    CrmAuthError,
    CrmClient,
    CrmConnectionError,
    CrmNotFound,
    CrmRejected,
    RetryPolicy,
)
from quotesync_gitops.emulator.app import Credentials
from quotesync_gitops.emulator.server import RunningServer, start_in_thread
from quotesync_gitops.target import open_client

TICKET = "7T:emulator-ticket-42"
APP_TOKEN = "emulator-app-token-42"
ENV = {"QUOTESYNC_TICKET": TICKET, "QUOTESYNC_APP_TOKEN": APP_TOKEN}
AUTH_HEADERS = {"Authorization": f"SOTicket {TICKET}", "SO-AppToken": APP_TOKEN}
FAST = RetryPolicy(max_attempts=6, base_delay=0.001, max_delay=0.01, total_timeout=20.0)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    running = start_in_thread(
        tmp_path / "served.sqlite", credentials=Credentials(ticket=TICKET, app_token=APP_TOKEN)
    )
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def client(server: RunningServer) -> Iterator[CrmClient]:
    with open_client(server.url, ENV, timeout=5.0, max_concurrency=4, retry=FAST) as crm:
        yield crm


@pytest.fixture
def local_client(tmp_path: Path) -> Iterator[CrmClient]:
    with open_client(f"local:{tmp_path}/local/crm.sqlite", {}, retry=FAST) as crm:
        yield crm


def set_faults(server: RunningServer, *rules: dict[str, Any]) -> None:
    """Change faults at runtime through the emulator's control endpoint."""
    answer = httpx.post(
        f"{server.url}/_emulator/faults", json={"rules": list(rules)}, headers=AUTH_HEADERS
    )
    assert answer.status_code == 200, answer.text


def emulator_stats(server: RunningServer) -> dict[str, Any]:
    answer = httpx.get(f"{server.url}/_emulator/stats", headers=AUTH_HEADERS)
    assert answer.status_code == 200
    result: dict[str, Any] = answer.json()
    return result


def read_everything(crm: CrmClient) -> dict[str, Any]:
    """Every read the live reader needs, through the list calls and keyset pages."""
    connectors = crm.erp_get_all_connectors()
    connections = crm.erp_get_all_connections()
    return {
        "connectors": connectors,
        "entities": crm.run_bulk(
            [lambda i=c["Id"]: crm.erp_get_connector_entity(i) for c in connectors]
        ),
        "fields": crm.run_bulk(
            [lambda i=c["Id"]: crm.erp_get_configuration_fields(i) for c in connectors]
        ),
        "connections": connections,
        "configs": [
            crm.erp_get_connection_config_fields(c["ErpConnectionId"]) for c in connections
        ],
        "installed": crm.quote_get_installed_connections(),
        "available": crm.quote_get_available_connections(),
        "quote_fields": crm.quote_get_configuration_fields("DemoErpQuote"),
        "lines": crm.quote_get_line_configurations(),
        "engine": crm.erp_get_engine_status(),
        "pricelists": list(crm.iter_pricelists(page_size=3)),
        "products": list(crm.iter_products(page_size=7)),
        "lists": {n: crm.mdo_list(n) for n in ("associate", "usergroup", "country", "currency")},
    }


def new_erp_connection(name: str) -> dict[str, Any]:
    return {
        "ErpConnectionId": 0,
        "ErpConnectorId": 1,
        "DisplayName": name,
        "DisplayDescription": "made by a test",
        "Active": False,
        "ConfigFields": {},
        "Deleted": False,
        "AllAccess": True,
        "UserGroupAccessIds": [],
        "AssociateAccessIds": [],
    }


def new_pricelist(name: str) -> dict[str, Any]:
    return {
        "PriceListId": 0,
        "ERPPriceListKey": "",
        "QuoteConnectionId": 0,
        "Name": name,
        "Description": "",
        "Currency": "NOK",
        "CurrencyName": "Norwegian krone",
        "ValidFrom": "2024-01-01",
        "ValidTo": "2030-12-31",
        "IsActive": True,
    }


def new_product(list_key: str, code: str) -> dict[str, Any]:
    return {
        "ProductId": 0,
        "ERPPriceListKey": list_key,
        "Code": code,
        "Name": f"Product {code}",
        "UnitListPrice": 10.0,
        "InAssortment": True,
    }


def seed_products(crm: CrmClient, count: int) -> str:
    key = str(crm.create_pricelist(new_pricelist("Seeded"))["ERPPriceListKey"])
    crm.run_bulk(
        [lambda i=i: crm.create_product(new_product(key, f"S-{i:03}")) for i in range(count)]
    )
    return key


# --- served over HTTP -------------------------------------------------------------------------


def test_served_emulator_needs_the_credentials(server: RunningServer) -> None:
    with (
        open_client(server.url, {}, retry=FAST) as anonymous,
        pytest.raises(CrmAuthError, match="credentials refused") as info,
    ):
        anonymous.erp_get_all_connectors()
    assert info.value.status == 401
    wrong = {**ENV, "QUOTESYNC_TICKET": "7T:wrong-ticket"}
    with open_client(server.url, wrong, retry=FAST) as crm, pytest.raises(CrmAuthError) as info:
        crm.erp_get_all_connectors()
    assert "7T:wrong-ticket" not in str(info.value) and APP_TOKEN not in str(info.value)


def test_reads_everything_over_http(client: CrmClient) -> None:
    seed_products(client, 15)
    data = read_everything(client)
    assert [c["Name"] for c in data["connectors"]] == ["Demo ERP", "Demo Accounting"]
    assert [e["DisplayName"] for e in data["entities"]] == ["Demo ERP", "Demo Accounting"]
    assert all(isinstance(f, list) and f for f in data["fields"])
    names = {c["ConnectorName"] for c in data["available"]}
    assert {"DemoErpQuote", "CrmQuoteConnector"} <= names
    assert len(data["products"]) == 15
    assert len({p["ProductId"] for p in data["products"]}) == 15
    assert data["lists"]["associate"] and data["lists"]["usergroup"]
    assert client.stats.retries == 0


def test_keyset_pages_against_the_emulator(server: RunningServer, client: CrmClient) -> None:
    seed_products(client, 23)
    httpx.delete(f"{server.url}/_emulator/stats", headers=AUTH_HEADERS)
    rows = list(client.iter_products(page_size=10))
    assert len(rows) == 23 and [r["ProductId"] for r in rows] == sorted(
        r["ProductId"] for r in rows
    )
    assert emulator_stats(server)["requests_per_path"] == {"/api/v1/Product": 3}


def test_create_update_soft_delete_and_restore(client: CrmClient) -> None:
    # ERP connection: create, update, soft delete, restore (SaveConnection with Deleted false)
    created = client.erp_save_connection(new_erp_connection("Round trip ERP"))
    conn_id = created["ErpConnectionId"]
    assert conn_id > 0
    updated = client.erp_save_connection({**created, "DisplayDescription": "changed"})
    assert (
        client.erp_get_connection(conn_id)["DisplayDescription"]
        == "changed"
        == updated["DisplayDescription"]
    )
    client.erp_delete_connection(conn_id)
    listed = {c["ErpConnectionId"]: c for c in client.erp_get_all_connections(True)}
    assert listed[conn_id]["Deleted"] is True
    assert conn_id not in {c["ErpConnectionId"] for c in client.erp_get_all_connections(False)}
    client.erp_save_connection({**client.erp_get_connection(conn_id), "Deleted": False})
    assert client.erp_get_connection(conn_id)["Deleted"] is False

    # Quote connection: create, delete (marks deleted), restore
    quote = client.quote_save_connection(
        {
            "QuoteConnectionId": 0,
            "ConnectorName": "CrmQuoteConnector",
            "DisplayName": "Round trip quotes",
            "DisplayDescription": "",
            "ERPName": "",
            "ErpConnectionId": conn_id,
            "AllAccess": True,
            "Deleted": False,
            "UserGroupAccessIds": [],
            "AssociateAccessIds": [],
        }
    )
    quote_id = quote["QuoteConnectionId"]
    client.quote_delete_connection(quote_id)
    installed = {q["QuoteConnectionId"]: q for q in client.quote_get_installed_connections()}
    assert installed[quote_id]["Deleted"] is True
    client.quote_restore_connection(quote_id)
    assert client.quote_get_connection(quote_id)["Deleted"] is False

    # Price list and product: create, update, soft delete by flags
    pricelist = client.create_pricelist(new_pricelist("Round trip list"))
    list_id, key = pricelist["PriceListId"], pricelist["ERPPriceListKey"]
    assert key == str(list_id)
    client.update_pricelist(list_id, {**pricelist, "IsActive": False})
    assert client.get_pricelist(list_id)["IsActive"] is False
    product = client.create_product(new_product(key, "RT-1"))
    client.update_product(product["ProductId"], {**product, "InAssortment": False})
    assert client.get_product(product["ProductId"])["InAssortment"] is False
    assert [p["ProductId"] for p in client.find_products(key, "RT-1")] == [product["ProductId"]]


def test_missing_objects_and_rule_violations(client: CrmClient) -> None:
    with pytest.raises(CrmNotFound) as info:
        client.erp_get_connection(999)
    assert info.value.subject == "ERP connection #999"
    with pytest.raises(CrmNotFound, match="does not exist"):
        client.get_product(999)
    with pytest.raises(CrmRejected) as rejected:
        client.erp_save_connection(new_erp_connection("x" * 300))
    assert rejected.value.crm_message and rejected.value.operation == "ErpSync/SaveConnection"


def test_reads_complete_under_throttling_errors_and_drops(
    server: RunningServer, client: CrmClient
) -> None:
    seed_products(client, 12)
    calm = read_everything(client)
    set_faults(
        server,
        {"status": 429, "calls": [1, 4, 9], "retry_after": 0},
        {"status": 503, "calls": [2, 12]},
        {"status": "drop", "calls": [6, 15]},
        {"status": 502, "calls": [7], "path": "/api/v1/Product"},
        {"status": 504, "calls": [1], "path": "MDOList"},
    )
    stormy = read_everything(client)
    assert stormy == calm
    stats = client.stats.as_dict()
    assert client.stats.retries >= 7
    by_status = stats["by_status"]
    assert isinstance(by_status, dict)
    assert by_status["429"] >= 3 and by_status["503"] >= 2 and by_status["504"] >= 1
    assert emulator_stats(server)["faults_injected"] >= 8


def test_create_is_not_duplicated_when_the_answer_is_dropped_after_processing(
    server: RunningServer, client: CrmClient
) -> None:
    key = str(client.create_pricelist(new_pricelist("Drops"))["ERPPriceListKey"])
    set_faults(
        server,
        {"status": "drop", "calls": [1], "path": "/api/v1/Product", "after_processing": True},
    )

    def landed() -> dict[str, Any] | None:
        return next(client.find_products(key, "D-1"), None)

    product = client.create_product(new_product(key, "D-1"), landed=landed)
    assert product["Code"] == "D-1" and product["ProductId"] > 0
    assert len(list(client.find_products(key, "D-1"))) == 1
    assert client.stats.landed_found == 1


def test_create_without_landed_reports_an_unknown_outcome_and_does_not_resend(
    server: RunningServer, client: CrmClient
) -> None:
    set_faults(
        server, {"status": 502, "calls": [1], "path": "SaveConnection", "after_processing": True}
    )
    with pytest.raises(CrmConnectionError, match="outcome unknown") as info:
        client.erp_save_connection(new_erp_connection("Maybe saved"))
    assert info.value.outcome_unknown
    names = [c["DisplayName"] for c in client.erp_get_all_connections()]
    assert names.count("Maybe saved") == 1


def test_agent_create_uses_landed_after_a_gateway_timeout(
    server: RunningServer, client: CrmClient
) -> None:
    set_faults(
        server, {"status": 504, "calls": [1], "path": "SaveConnection", "after_processing": True}
    )

    def landed() -> dict[str, Any] | None:
        found = [c for c in client.erp_get_all_connections() if c["DisplayName"] == "Gateway ERP"]
        return found[0] if found else None

    saved = client.erp_save_connection(new_erp_connection("Gateway ERP"), landed=landed)
    assert saved["DisplayName"] == "Gateway ERP"
    names = [c["DisplayName"] for c in client.erp_get_all_connections()]
    assert names.count("Gateway ERP") == 1


def test_bulk_work_stays_within_max_concurrency(server: RunningServer, client: CrmClient) -> None:
    httpx.delete(f"{server.url}/_emulator/stats", headers=AUTH_HEADERS)
    client.run_bulk([lambda: client.erp_get_engine_status() for _ in range(40)])
    assert 1 <= emulator_stats(server)["max_in_flight"] <= 4
    assert client.stats.max_in_flight <= 4


# --- in process (the embedded default) ------------------------------------------------------


def test_embedded_crm_reads_and_writes(local_client: CrmClient, tmp_path: Path) -> None:
    assert not (tmp_path / "local").exists(), "the first write makes the folder, not opening"
    key = seed_products(local_client, 5)
    assert (tmp_path / "local").is_dir()
    data = read_everything(local_client)
    assert len(data["products"]) == 5
    assert {p["ERPPriceListKey"] for p in data["products"]} == {key}
    created = local_client.erp_save_connection(new_erp_connection("Local ERP"))
    local_client.erp_delete_connection(created["ErpConnectionId"])
    assert local_client.erp_get_connection(created["ErpConnectionId"])["Deleted"] is True


def test_embedded_crm_keeps_its_data_between_clients(tmp_path: Path) -> None:
    target = f"local:{tmp_path}/crm.sqlite"
    with open_client(target, {}) as first:
        first.erp_save_connection(new_erp_connection("Persistent"))
    with open_client(target, {}) as second:
        assert [c["DisplayName"] for c in second.erp_get_all_connections()] == ["Persistent"]


def test_embedded_drop_reads_as_a_lost_answer(local_client: CrmClient) -> None:
    """In process, the app raises on a drop; the client must treat it as a network failure."""
    app = local_client._http._transport.app  # type: ignore[attr-defined]
    from quotesync_gitops.emulator.faults import FaultConfig, FaultRule

    app.faults.configure(
        FaultConfig(
            rules=[
                FaultRule(status="drop", calls=(1,), path="SaveConnection", after_processing=True)
            ]
        )
    )
    with pytest.raises(CrmConnectionError, match="outcome unknown"):
        local_client.erp_save_connection(new_erp_connection("Dropped locally"))
    names = [c["DisplayName"] for c in local_client.erp_get_all_connections()]
    assert names == ["Dropped locally"]
    app.faults.configure(FaultConfig(rules=[FaultRule(status="drop", calls=(1,))]))
    assert local_client.erp_get_engine_status()["Interval"]  # idempotent: retried
