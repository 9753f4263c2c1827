"""ErpSync agent: registered sync connectors (``ErpSyncConnectorEntity``) and their fields."""

from __future__ import annotations

import sqlite3
from typing import Any

from quotesync_gitops.emulator.connectors import erp_connector_for_url
from quotesync_gitops.emulator.erp_common import connector_row, definition_of_connector, unreachable
from quotesync_gitops.emulator.http import (
    MAX_VALUE,
    NO_CONTENT,
    AgentMessage,
    Call,
    Handler,
    Response,
    bad_request,
    check_length,
    get_bool,
    get_int,
    get_str,
    ok,
)
from quotesync_gitops.emulator.rights import with_rights


def connector_carrier(row: sqlite3.Row) -> dict[str, Any]:
    return with_rights(
        {
            "ErpConnectorId": row["id"],
            "DisplayName": row["display_name"],
            "URL": row["url"],
            "Deleted": bool(row["deleted"]),
        }
    )


def _query_id(call: Call) -> int:
    value = call.request.int_param("erpSyncConnectorEntityId")
    if value is None:
        raise bad_request("The query parameter 'erpSyncConnectorEntityId' is required.")
    return value


def get_all_connectors(call: Call) -> Response:
    rows = call.db.execute("SELECT * FROM erp_connector WHERE deleted = 0 ORDER BY id")
    return ok([{"Id": r["id"], "Name": r["display_name"], "ToolTip": r["url"]} for r in rows])


def get_connector_entity(call: Call) -> Response:
    row = connector_row(call.db, _query_id(call))
    return ok(None if row is None else connector_carrier(row))


def create_default_connector_entity(call: Call) -> Response:
    return ok({"ErpConnectorId": 0, "DisplayName": "", "URL": "", "Deleted": False})


def save_connector_entity(call: Call) -> Response:
    body = call.request.json_object()
    connector_id = get_int(body, "ErpConnectorId")
    name = get_str(body, "DisplayName").strip()
    url = get_str(body, "URL").strip()
    deleted = get_bool(body, "Deleted")
    if not name:
        raise AgentMessage("A sync connector needs a name (DisplayName).")
    if not url:
        raise AgentMessage("A sync connector needs a URL.")
    check_length("DisplayName", name)
    check_length("URL", url, MAX_VALUE)
    if connector_id == 0:
        cursor = call.db.execute(
            "INSERT INTO erp_connector (display_name, url, deleted) VALUES (?, ?, ?)",
            (name, url, int(deleted)),
        )
        connector_id = int(cursor.lastrowid or 0)
    else:
        if connector_row(call.db, connector_id) is None:
            raise AgentMessage(f"Sync connector {connector_id} does not exist.")
        call.db.execute(
            "UPDATE erp_connector SET display_name = ?, url = ?, deleted = ? WHERE id = ?",
            (name, url, int(deleted), connector_id),
        )
    row = connector_row(call.db, connector_id)
    assert row is not None
    return ok(connector_carrier(row))


def delete_connector_entity(call: Call) -> Response:
    connector_id = _query_id(call)
    if connector_row(call.db, connector_id) is None:
        raise AgentMessage(f"Sync connector {connector_id} does not exist.")
    call.db.execute("UPDATE erp_connector SET deleted = 1 WHERE id = ?", (connector_id,))
    return NO_CONTENT


def can_delete_connector_entity(call: Call) -> Response:
    """``ErrorConnectorHasConnections`` while a connection (not soft-deleted) uses it."""
    connector_id = get_int(call.request.json_object(), "ErpSyncConnectorId")
    if connector_row(call.db, connector_id) is None:
        return ok("ErrorNotFound")
    used = call.db.execute(
        "SELECT 1 FROM erp_connection WHERE connector_id = ? AND deleted = 0", (connector_id,)
    ).fetchone()
    return ok("ErrorConnectorHasConnections" if used else "NoError")


def test_connector_url(call: Call) -> Response:
    url = get_str(call.request.json_object(), "Url")
    return ok("NoError" if erp_connector_for_url(url) is not None else "ErrorNotFound")


def get_configuration_fields(call: Call) -> Response:
    connector_id = get_int(call.request.json_object(), "ErpConnectorId")
    if connector_row(call.db, connector_id) is None:
        return ok(None)
    definition = definition_of_connector(call.db, connector_id)
    if definition is None:
        raise unreachable(call.db, connector_id)
    return ok([f.metadata() for f in sorted(definition.config_fields, key=lambda f: f.rank)])


METHODS: dict[str, tuple[Handler, bool]] = {
    "GetAllConnectors": (get_all_connectors, False),
    "GetErpSyncConnectorEntity": (get_connector_entity, False),
    "CreateDefaultErpSyncConnectorEntity": (create_default_connector_entity, False),
    "SaveErpSyncConnectorEntity": (save_connector_entity, True),
    "DeleteErpSyncConnectorEntity": (delete_connector_entity, True),
    "CanDeleteErpSyncConnectorEntity": (can_delete_connector_entity, False),
    "TestConnectorUrl": (test_connector_url, False),
    "GetConfigurationFields": (get_configuration_fields, False),
}
