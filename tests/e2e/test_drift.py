"""drift finds exactly what was changed behind the tool's back, in all three formats."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import Workspace

ERP = "Demo ERP – Production"


def _connection(ws: Workspace, name: str) -> dict[str, Any]:
    with ws.client() as client:
        for row in client.erp_get_all_connections(include_deleted=True):
            if row["DisplayName"] == name:
                return row
    raise AssertionError(f"no connection {name}")


def _change_crm_by_hand(ws: Workspace) -> None:
    with ws.client() as client:
        conn = _connection(ws, ERP)
        conn_id = conn["ErpConnectionId"]
        # 1. a mapping's direction
        mapping = client.erp_get_actor_type_mapping(conn_id, "Customer")
        for fm in mapping["FieldMappings"]:
            if fm["ErpFieldKey"] == "email":
                fm["SyncToErp"] = False
        client.erp_save_actor_type_mapping(mapping)
        # 2. the sync priority order
        rows = client.erp_get_all_connections(include_deleted=False)
        client.erp_save_sync_priorities([r["ErpConnectionId"] for r in reversed(rows)])
        # 3. an unmanaged quote connection
        client.quote_save_connection(
            {
                "QuoteConnectionId": 0,
                "ConnectorName": "CrmQuoteConnector",
                "DisplayName": "Hand made",
                "AllAccess": True,
            }
        )
        # 4. a product price
        for product in client.iter_products():
            if product["Code"] == "HW-1002":
                product["UnitListPrice"] = 1.5
                client.update_product(product["ProductId"], product)
                break
        else:
            raise AssertionError("example product HW-1002 not found")
        # 5. soft-delete a connection
        quote = next(
            c for c in client.quote_get_installed_connections() if c["DisplayName"] == "ERP Quotes"
        )
        client.quote_delete_connection(quote["QuoteConnectionId"])


def test_no_drift_right_after_apply(applied: Workspace) -> None:
    result = applied.run("drift", str(applied.manifests))
    assert result.exit_code == 0, result.output


def test_drift_finds_each_hand_change_once(applied: Workspace) -> None:
    _change_crm_by_hand(applied)
    text = applied.run("drift", str(applied.manifests))
    assert text.exit_code == 2, text.output
    data = json.loads(applied.run("drift", str(applied.manifests), "--format", "json").output)
    by_address = {f"{c['kind']}/{c['name']}": c for c in data["changes"]}
    erp = by_address[f"ErpConnection/{ERP}"]
    assert [f["path"] for f in erp["fields"]] == ["actors.Customer.mappings.email.direction"]
    assert by_address["QuoteConnection/ERP Quotes"]["action"] == "restore"
    sync = next(c for c in data["changes"] if c["kind"] == "SyncSettings")
    assert sync["action"] == "reorder"
    prices = by_address["PriceList/Standard NOK 2026"]
    assert [c["name"] for c in prices["children"]] == ["Standard NOK 2026/HW-1002"]
    assert [u["name"] for u in data["unmanaged"]] == ["Hand made"]
    markdown = applied.run("drift", str(applied.manifests), "--format", "markdown")
    assert markdown.exit_code == 2
    for needle in ("ERP Quotes", "HW-1002", "Hand made", "email"):
        assert needle in markdown.output and needle in text.output
