"""A soft-deleted ERP connector: the API lists it only through the connections that name it
(GetAllConnectors leaves it out); plan, apply and drift see it as soft-deleted, not absent."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import Workspace, edit, plan_json

NAME = "Demo Accounting"
CONNECTOR = (
    "---\napiVersion: quotesync.io/v1\nkind: ErpConnector\nmetadata:\n  name: Demo Accounting\n"
    "spec:\n  url: https://connectors.example.com/demo-accounting\n"
)
CONNECTOR_TOMBSTONE = (
    "---\napiVersion: quotesync.io/v1\nkind: ErpConnector\nmetadata:\n  name: Demo Accounting\n"
    "spec:\n  deleted: true\n"
)
CONNECTION_TOMBSTONE = (
    "apiVersion: quotesync.io/v1\nkind: ErpConnection\nmetadata:\n  name: Demo Accounting\n"
    "spec:\n  connector: Demo Accounting\n  deleted: true\n"
)


def _connector_ids(ws: Workspace) -> tuple[list[int], int]:
    """(ids GetAllConnectors lists under NAME, the id the connection uses)."""
    with ws.client() as client:
        listed = [int(c["Id"]) for c in client.erp_get_all_connectors() if c["Name"] == NAME]
        rows = client.erp_get_all_connections(include_deleted=True)
    used = next(int(r["ErpConnectorId"]) for r in rows if r["DisplayName"] == NAME)
    return listed, used


def _retire(ws: Workspace) -> dict[str, str]:
    """Tombstone the accounting connection and its connector; the originals, by path."""
    erp, settings = ws.manifests / "erp", ws.manifests / "settings"
    paths = [erp / "demo-accounting.yaml", erp / "connectors.yaml", settings / "sync.yaml"]
    originals = {str(p): p.read_text(encoding="utf-8") for p in paths}
    edit(paths[2], "    - Demo Accounting\n", "")
    paths[0].write_text(CONNECTION_TOMBSTONE, encoding="utf-8")
    edit(paths[1], CONNECTOR, CONNECTOR_TOMBSTONE)
    return originals


def _actions(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(c["kind"], c["name"], c["action"]) for c in data["changes"]}


def test_tombstoned_connector_plans_as_no_change_and_restores_with_the_same_id(
    applied: Workspace,
) -> None:
    _, connector_id = _connector_ids(applied)
    originals = _retire(applied)
    result = applied.apply("--allow-deletes")
    assert result.exit_code == 0, result.output
    assert _connector_ids(applied) == ([], connector_id)
    with applied.client() as client:
        assert client.erp_get_connector_entity(connector_id)["Deleted"] is True

    again = applied.plan("--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes. The CRM matches the manifests." in again.output
    drift = applied.run("drift", str(applied.manifests))
    assert drift.exit_code == 0, drift.output

    for path, text in originals.items():
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    actions = _actions(plan_json(applied))
    assert ("ErpConnector", NAME, "restore") in actions
    assert ("ErpConnection", NAME, "restore") in actions
    result = applied.apply()
    assert result.exit_code == 0, result.output
    assert _connector_ids(applied) == ([connector_id], connector_id)
    converged = applied.plan("--detailed-exitcode")
    assert converged.exit_code == 0, converged.output


def test_connector_soft_deleted_by_hand_is_drift_to_restore(applied: Workspace) -> None:
    _, connector_id = _connector_ids(applied)
    with applied.client() as client:
        rows = client.erp_get_all_connections(include_deleted=True)
        client.erp_delete_connection(
            next(int(r["ErpConnectionId"]) for r in rows if r["DisplayName"] == NAME)
        )
        entity = client.erp_get_connector_entity(connector_id)
        client.erp_save_connector_entity({**entity, "Deleted": True})
    result = applied.run("drift", str(applied.manifests), "--format", "json")
    assert result.exit_code == 2, result.output
    actions = _actions(json.loads(result.stdout))
    assert ("ErpConnector", NAME, "restore") in actions
    assert ("ErpConnector", NAME, "create") not in actions


def test_a_deleted_connector_under_a_name_in_use_leaves_the_live_one_alone(
    applied: Workspace,
) -> None:
    """A retired registration named like a connector in use: plan and export see the live one."""
    with applied.client() as client:
        old = client.erp_save_connector_entity(
            {"ErpConnectorId": 0, "DisplayName": NAME, "Deleted": False,
             "URL": "https://connectors.example.com/demo-accounting"}
        )  # fmt: skip
        saved = client.erp_save_connection(
            {"ErpConnectionId": 0, "ErpConnectorId": old["ErpConnectorId"], "Deleted": False,
             "DisplayName": "Old accounting", "DisplayDescription": "", "Active": False,
             "AllAccess": True, "AssociateAccessIds": [], "UserGroupAccessIds": [],
             "ConfigFields": {"apiUrl": "https://accounting.example.com", "clientId": "old",
                              "apiKey": "demo-api-key"}}
        )  # fmt: skip
        client.erp_delete_connection(int(saved["ErpConnectionId"]))
        client.erp_save_connector_entity({**old, "Deleted": True})
    result = applied.plan("--detailed-exitcode")
    assert result.exit_code == 0, result.output
    out = applied.root / "exported"
    exported = applied.run("export", "--out", str(out), "--include-deleted")
    assert exported.exit_code == 0, exported.output
    text = (out / "erp/connectors/demo-accounting.yaml").read_text(encoding="utf-8")
    assert "url: https://connectors.example.com/demo-accounting" in text
    assert "deleted" not in text


def test_a_connection_naming_a_soft_deleted_connector_it_does_not_restore_is_refused(
    applied: Workspace,
) -> None:
    """The connector is soft-deleted in the CRM and no manifest declares it: a connection
    cannot use it (apply would be refused by the CRM), so plan and apply say so, at the
    connection's ``connector`` key, and write nothing."""
    _, connector_id = _connector_ids(applied)
    with applied.client() as client:
        rows = client.erp_get_all_connections(include_deleted=True)
        connection = next(int(r["ErpConnectionId"]) for r in rows if r["DisplayName"] == NAME)
        client.erp_delete_connection(connection)
        entity = client.erp_get_connector_entity(connector_id)
        client.erp_save_connector_entity({**entity, "Deleted": True})
    edit(applied.manifests / "erp" / "connectors.yaml", CONNECTOR, "")
    manifest = applied.manifests / "erp" / "demo-accounting.yaml"
    line = manifest.read_text(encoding="utf-8").splitlines().index("  connector: Demo Accounting")
    where = f"{manifest}:{line + 1}:14: error: ErpConnection 'Demo Accounting': "
    message = "the CRM has no connector named 'Demo Accounting'; installed connectors: Demo ERP"
    for result in (applied.plan(), applied.apply()):
        assert result.exit_code == 1, result.output
        assert where + message in result.output
    with applied.client() as client:
        assert client.erp_get_connector_entity(connector_id)["Deleted"] is True
        rows = client.erp_get_all_connections(include_deleted=True)
    assert next(r for r in rows if r["ErpConnectionId"] == connection)["Deleted"] is True
    assert _connector_ids(applied) == ([], connector_id)
