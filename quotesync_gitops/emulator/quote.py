"""Quote agent: quote connections, their config and tests, quote line settings, price lists."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from quotesync_gitops.emulator import config_values, erp_side
from quotesync_gitops.emulator.connectors import QUOTE_CONNECTORS, QuoteConnectorDef, TestResult
from quotesync_gitops.emulator.erp_common import check_access_ids, connection_row, load_ids
from quotesync_gitops.emulator.http import (
    NO_CONTENT,
    AgentMessage,
    Call,
    Handler,
    Response,
    check_length,
    get_bool,
    get_int,
    get_int_list,
    get_object,
    get_str,
    get_str_dict,
    ok,
)
from quotesync_gitops.emulator.rights import with_rights
from quotesync_gitops.emulator.tables import PRICE_LIST

CONFIG = "quote_config"


def plugin_response(result: TestResult) -> dict[str, Any]:
    return with_rights(
        {
            "IsOk": result.ok,
            "UserExplanation": result.explanation,
            "TechExplanation": result.tech,
            "ErrorCode": "" if result.ok else "ConnectionTestFailed",
            "Status": "Ok" if result.ok else "Error",
        }
    )


def _price_lists(db: sqlite3.Connection, connection_id: int) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT * FROM price_list WHERE quote_connection_id = ? ORDER BY id", (connection_id,)
    )
    return [with_rights(PRICE_LIST.carrier(r)) for r in rows]


def _carrier(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    return with_rights(
        {
            "QuoteConnectionId": row["id"],
            "ERPName": row["erp_name"],
            "DisplayName": row["display_name"],
            "DisplayDescription": row["description"],
            "Rank": row["rank"],
            "ConnectorName": row["connector_name"],
            "ErpConnectionId": row["erp_connection_id"],
            "ExtraData": row["extra_data"],
            "IsAvailable": row["connector_name"] in QUOTE_CONNECTORS,
            "PriceLists": _price_lists(db, row["id"]),
            "AllAccess": bool(row["all_access"]),
            "Deleted": bool(row["deleted"]),
            "UserGroupAccessIds": load_ids(row["usergroup_ids"]),
            "AssociateAccessIds": load_ids(row["associate_ids"]),
        }
    )


def _row(db: sqlite3.Connection, connection_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM quote_connection WHERE id = ?", (connection_id,)
    ).fetchone()
    return row


def _existing(db: sqlite3.Connection, connection_id: int) -> sqlite3.Row:
    row = _row(db, connection_id)
    if row is None:
        raise AgentMessage(f"Quote connection {connection_id} does not exist.")
    return row


def _connector(name: str) -> QuoteConnectorDef:
    connector = QUOTE_CONNECTORS.get(name)
    if connector is None:
        raise AgentMessage(
            f"'{name}' is not an installed quote connector.",
            f"Installed: {', '.join(QUOTE_CONNECTORS)}.",
        )
    return connector


def _template(connector: QuoteConnectorDef, rank: int) -> dict[str, Any]:
    """An unsaved connection of ``connector`` (id 0), as the available connections list it."""
    return with_rights(
        {
            "QuoteConnectionId": 0,
            "ERPName": "",
            "DisplayName": connector.display_name,
            "DisplayDescription": connector.description,
            "Rank": rank,
            "ConnectorName": connector.name,
            "ErpConnectionId": 0,
            "ExtraData": "",
            "IsAvailable": True,
            "PriceLists": [],
            "AllAccess": True,
            "Deleted": False,
            "UserGroupAccessIds": [],
            "AssociateAccessIds": [],
        }
    )


def get_available(call: Call) -> Response:
    return ok([_template(c, rank) for rank, c in enumerate(QUOTE_CONNECTORS.values(), start=1)])


def create_from_connector_name(call: Call) -> Response:
    """A new, unsaved connection of the named connector; null for an unknown connector."""
    name = get_str(call.request.json_object(), "ConnectorName")
    ranks = {n: rank for rank, n in enumerate(QUOTE_CONNECTORS, start=1)}
    connector = QUOTE_CONNECTORS.get(name)
    return ok(None if connector is None else _template(connector, ranks[name]))


def has_connections(call: Call) -> Response:
    found = call.db.execute("SELECT 1 FROM quote_connection WHERE deleted = 0").fetchone()
    explanation = "" if found else "There are no quote connections."
    return ok(plugin_response(TestResult(found is not None, explanation, "")))


def get_for_associate(call: Call) -> Response:
    """Connections (not soft-deleted) open to everyone or naming the user in AssociateAccessIds."""
    associate = get_int(call.request.json_object(), "AssociateId")
    rows = call.db.execute(
        "SELECT * FROM quote_connection WHERE deleted = 0 ORDER BY rank, id"
    ).fetchall()
    return ok(
        [
            _carrier(call.db, r)
            for r in rows
            if r["all_access"] or associate in load_ids(r["associate_ids"])
        ]
    )


def get_installed(call: Call) -> Response:
    rows = call.db.execute("SELECT * FROM quote_connection ORDER BY rank, id").fetchall()
    return ok([_carrier(call.db, r) for r in rows])


def get_connection(call: Call) -> Response:
    row = _row(call.db, get_int(call.request.json_object(), "QuoteConnectionId"))
    return ok(None if row is None else _carrier(call.db, row))


def save_connection(call: Call) -> Response:
    connection = get_object(call.request.json_object(), "Connection")
    if connection is None:
        raise AgentMessage("SaveConnection needs a Connection.")
    connection_id = get_int(connection, "QuoteConnectionId")
    existing = _existing(call.db, connection_id) if connection_id else None
    name = get_str(connection, "DisplayName").strip()
    connector_name = get_str(connection, "ConnectorName")
    if existing is not None and connector_name in ("", existing["connector_name"]):
        connector_name = existing["connector_name"]
    elif existing is not None:
        raise AgentMessage("The connector of a quote connection cannot be changed.")
    _connector(connector_name)
    if not name:
        raise AgentMessage("A quote connection needs a name (DisplayName).")
    erp_name = get_str(connection, "ERPName")
    description = get_str(connection, "DisplayDescription")
    for label, value in (
        ("DisplayName", name),
        ("DisplayDescription", description),
        ("ERPName", erp_name),
    ):
        check_length(label, value)
    erp_connection_id = get_int(connection, "ErpConnectionId")
    if erp_connection_id and connection_row(call.db, erp_connection_id) is None:
        raise AgentMessage(f"ERP connection {erp_connection_id} does not exist.")
    associates = get_int_list(connection, "AssociateAccessIds")
    groups = get_int_list(connection, "UserGroupAccessIds")
    check_access_ids(call.db, associates, groups)
    rank = get_int(connection, "Rank")
    if rank <= 0:
        rank = (
            existing["rank"]
            if existing is not None
            else call.db.execute(
                "SELECT COALESCE(MAX(rank), 0) + 1 FROM quote_connection"
            ).fetchone()[0]
        )
    columns = {
        "connector_name": connector_name,
        "erp_name": erp_name,
        "display_name": name,
        "description": description,
        "rank": rank,
        "erp_connection_id": erp_connection_id,
        "extra_data": get_str(connection, "ExtraData"),
        "all_access": int(get_bool(connection, "AllAccess", True)),
        "associate_ids": json.dumps(associates),
        "usergroup_ids": json.dumps(groups),
        "deleted": int(get_bool(connection, "Deleted")),
    }
    if existing is None:
        cursor = call.db.execute(
            f"INSERT INTO quote_connection ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            tuple(columns.values()),
        )
        connection_id = int(cursor.lastrowid or 0)
    else:
        assignments = ", ".join(f"{c} = ?" for c in columns)
        call.db.execute(
            f"UPDATE quote_connection SET {assignments} WHERE id = ?",
            (*columns.values(), connection_id),
        )
    return ok(_carrier(call.db, _existing(call.db, connection_id)))


def _set_deleted(call: Call, deleted: bool) -> Response:
    connection_id = get_int(call.request.json_object(), "QuoteConnectionId")
    _existing(call.db, connection_id)
    call.db.execute(
        "UPDATE quote_connection SET deleted = ? WHERE id = ?", (int(deleted), connection_id)
    )
    return NO_CONTENT


def delete_connection(call: Call) -> Response:
    return _set_deleted(call, True)


def restore_connection(call: Call) -> Response:
    return _set_deleted(call, False)


def get_config_fields(call: Call) -> Response:
    connection_id = get_int(call.request.json_object(), "QuoteConnectionId")
    if _row(call.db, connection_id) is None:
        return ok(None)
    return ok(config_values.masked(config_values.load(call.db, CONFIG, connection_id)))


def save_config_fields(call: Call) -> Response:
    body = call.request.json_object()
    connection_id = get_int(body, "QuoteConnectionId")
    row = _existing(call.db, connection_id)
    connector = _connector(row["connector_name"])
    sent = get_str_dict(body, "ConnectionConfigFields") or {}
    stored = config_values.load(call.db, CONFIG, connection_id)
    merged = config_values.merge(
        connector.config_fields, stored, sent, f"quote connector '{connector.name}'"
    )
    config_values.save(call.db, CONFIG, connection_id, merged)
    return ok(config_values.masked(merged))


def get_configuration_fields(call: Call) -> Response:
    body = call.request.json_object()
    name = get_str(body, "ConnectorName")
    connection_id = get_int(body, "ConnectionId")
    if not name and connection_id:
        row = _row(call.db, connection_id)
        name = row["connector_name"] if row is not None else ""
    connector = QUOTE_CONNECTORS.get(name)
    if connector is None:
        return ok(None)
    return ok({f.key: f.metadata() for f in sorted(connector.config_fields, key=lambda f: f.rank)})


def test_connection(call: Call) -> Response:
    body = call.request.json_object()
    name = get_str(body, "ConnectorName")
    connector = QUOTE_CONNECTORS.get(name)
    if connector is None:
        return ok(
            plugin_response(
                TestResult(
                    False,
                    f"'{name}' is not an installed quote connector.",
                    f"Installed: {', '.join(QUOTE_CONNECTORS)}.",
                )
            )
        )
    sent = get_str_dict(body, "ConnectionData") or {}
    return ok(plugin_response(erp_side.run_test(call.db, connector, sent)))


METHODS: dict[str, tuple[Handler, bool]] = {
    "GetAllAvailableQuoteConnections": (get_available, False),
    "GetAllAvailableQuoteConnectionsWithPriceLists": (get_available, False),
    "GetAllInstalledQuoteConnections": (get_installed, False),
    "CreateConnectionFromConnectorName": (create_from_connector_name, False),
    "HasConnections": (has_connections, False),
    "GetConnectionsForAssociate": (get_for_associate, False),
    "GetConnection": (get_connection, False),
    "SaveConnection": (save_connection, True),
    "DeleteConnection": (delete_connection, True),
    "RestoreConnection": (restore_connection, True),
    "GetConnectionConfigFields": (get_config_fields, False),
    "SaveConnectionConfigFields": (save_config_fields, True),
    "GetConfigurationFields": (get_configuration_fields, False),
    "TestConnection": (test_connection, False),
}
