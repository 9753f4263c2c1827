"""ErpSync agent: ERP connections, their configuration, activation, tests and sync priority.

Rules the CRM enforces (GUIDE §2): ids and the ``ConnectionId`` GUID are assigned by the server;
``Active`` changes only through ``ToggleErpConnectionActive`` (SaveConnection keeps the stored
state, new connections start inactive); config fields of an active connection cannot change;
Password values are never handed back; names and descriptions hold 254 characters.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from typing import Any

from quotesync_gitops.emulator import config_values, erp_side
from quotesync_gitops.emulator.connectors import ErpConnectorDef
from quotesync_gitops.emulator.erp_common import (
    check_access_ids,
    connection_row,
    connector_row,
    definition_of_connector,
    ensure_fields,
    load_ids,
    unreachable,
)
from quotesync_gitops.emulator.http import (
    NO_CONTENT,
    AgentMessage,
    Call,
    Handler,
    Response,
    bad_request,
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

CONFIG = "erp_config"


def connection_carrier(db: sqlite3.Connection, row: sqlite3.Row, *, config: bool) -> dict[str, Any]:
    values = config_values.masked(config_values.load(db, CONFIG, row["id"])) if config else {}
    return with_rights(
        {
            "ErpConnectionId": row["id"],
            "ErpConnectorId": row["connector_id"],
            "DisplayName": row["display_name"],
            "DisplayDescription": row["description"],
            "Active": bool(row["active"]),
            "ConnectionId": row["guid"],
            "MostRecentTimestamp": row["most_recent_timestamp"],
            "ConfigFields": values,
            "Deleted": bool(row["deleted"]),
            "AllAccess": bool(row["all_access"]),
            "UserGroupAccessIds": load_ids(row["usergroup_ids"]),
            "AssociateAccessIds": load_ids(row["associate_ids"]),
        }
    )


def _connection_id(call: Call) -> int:
    return get_int(call.request.json_object(), "ErpConnectionId")


def get_all_connections(call: Call) -> Response:
    include_deleted = get_bool(call.request.json_object(), "IncludeDeleted")
    where = "" if include_deleted else "WHERE deleted = 0"
    rows = call.db.execute(
        f"SELECT * FROM erp_connection {where} ORDER BY priority IS NULL, priority, id"
    ).fetchall()
    return ok([connection_carrier(call.db, r, config=False) for r in rows])


def get_connection(call: Call) -> Response:
    row = connection_row(call.db, _connection_id(call))
    return ok(None if row is None else connection_carrier(call.db, row, config=True))


def get_config_fields(call: Call) -> Response:
    connection_id = _connection_id(call)
    if connection_row(call.db, connection_id) is None:
        return ok(None)
    return ok(config_values.masked(config_values.load(call.db, CONFIG, connection_id)))


def save_connection(call: Call) -> Response:
    connection = get_object(call.request.json_object(), "Connection")
    if connection is None:
        raise AgentMessage("SaveConnection needs a Connection.")
    connection_id = get_int(connection, "ErpConnectionId")
    name = get_str(connection, "DisplayName").strip()
    description = get_str(connection, "DisplayDescription")
    sent_config = get_str_dict(connection, "ConfigFields") or {}
    associates = get_int_list(connection, "AssociateAccessIds")
    groups = get_int_list(connection, "UserGroupAccessIds")
    if not name:
        raise AgentMessage("An ERP connection needs a name (DisplayName).")
    check_length("DisplayName", name)
    check_length("DisplayDescription", description)
    check_access_ids(call.db, associates, groups)

    existing = connection_row(call.db, connection_id) if connection_id else None
    if connection_id and existing is None:
        raise AgentMessage(f"ERP connection {connection_id} does not exist.")
    connector_id = get_int(connection, "ErpConnectorId")
    if existing is not None and connector_id not in (0, existing["connector_id"]):
        raise AgentMessage(
            "The connector of an ERP connection cannot be changed.",
            "Create a new connection for the other connector.",
        )
    if existing is not None:
        connector_id = existing["connector_id"]
    connector = connector_row(call.db, connector_id)
    if connector is None or (existing is None and connector["deleted"]):
        raise AgentMessage(f"Sync connector {connector_id} does not exist.")
    definition = definition_of_connector(call.db, connector_id)
    if definition is None:
        raise unreachable(call.db, connector_id)

    stored = config_values.load(call.db, CONFIG, connection_id) if existing is not None else {}
    merged = config_values.merge(
        definition.config_fields, stored, sent_config, f"connector '{connector['display_name']}'"
    )
    if existing is not None and existing["active"] and merged != stored:
        raise AgentMessage(
            "The configuration of an active connection cannot be changed: deactivate first.",
            "Toggle the connection inactive (ToggleErpConnectionActive), save, then activate it.",
        )
    columns = {
        "display_name": name,
        "description": description,
        "deleted": int(get_bool(connection, "Deleted")),
        "all_access": int(get_bool(connection, "AllAccess", True)),
        "associate_ids": json.dumps(associates),
        "usergroup_ids": json.dumps(groups),
    }
    if existing is None:
        columns.update(
            connector_id=connector_id, active=0, guid=str(uuid.uuid4()), most_recent_timestamp=""
        )
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        cursor = call.db.execute(
            f"INSERT INTO erp_connection ({names}) VALUES ({marks})", tuple(columns.values())
        )
        connection_id = int(cursor.lastrowid or 0)
        ensure_fields(call.db, connection_id, definition)
    else:
        assignments = ", ".join(f"{c} = ?" for c in columns)
        call.db.execute(
            f"UPDATE erp_connection SET {assignments} WHERE id = ?",
            (*columns.values(), connection_id),
        )
    if columns["deleted"]:
        call.db.execute("UPDATE erp_connection SET active = 0 WHERE id = ?", (connection_id,))
    config_values.save(call.db, CONFIG, connection_id, merged)
    row = connection_row(call.db, connection_id)
    assert row is not None
    return ok(connection_carrier(call.db, row, config=True))


def delete_connection(call: Call) -> Response:
    connection_id = _connection_id(call)
    if connection_row(call.db, connection_id) is None:
        raise AgentMessage(f"ERP connection {connection_id} does not exist.")
    call.db.execute(
        "UPDATE erp_connection SET deleted = 1, active = 0 WHERE id = ?", (connection_id,)
    )
    return NO_CONTENT


def _activation_problems(
    db: sqlite3.Connection, row: sqlite3.Row, definition: ErpConnectorDef
) -> list[str]:
    reasons: list[str] = []
    enabled = [
        r["actor_type"]
        for r in db.execute(
            "SELECT actor_type FROM erp_actor WHERE connection_id = ? AND is_active = 1",
            (row["id"],),
        )
    ]
    for actor in enabled:
        mandatory = [f.key for f in definition.actors.get(actor, ()) if f.access == "Mandatory"]
        for key in mandatory:
            field = db.execute(
                "SELECT sync_to_crm, sync_to_erp FROM erp_field WHERE connection_id = ? "
                "AND actor_type = ? AND field_key = ?",
                (row["id"], actor, key),
            ).fetchone()
            if field is None or not (field["sync_to_crm"] or field["sync_to_erp"]):
                reasons.append(f"The mandatory ERP field '{key}' of {actor} has no sync direction.")
    stored = config_values.plain(config_values.load(db, CONFIG, row["id"]))
    result = erp_side.run_test(db, definition, stored)
    if not result.ok:
        reasons.append(f"The connection test failed: {result.explanation}")
    return reasons


def toggle_active(call: Call) -> Response:
    connection_id = _connection_id(call)
    row = connection_row(call.db, connection_id)
    if row is None:
        return ok([f"ERP connection {connection_id} does not exist."])
    if row["active"]:
        call.db.execute("UPDATE erp_connection SET active = 0 WHERE id = ?", (connection_id,))
        return ok([])
    if row["deleted"]:
        return ok(["The connection is deleted; restore it before activating it."])
    definition = definition_of_connector(call.db, row["connector_id"])
    if definition is None:
        return ok([unreachable(call.db, row["connector_id"]).message])
    reasons = _activation_problems(call.db, row, definition)
    if not reasons:
        call.db.execute("UPDATE erp_connection SET active = 1 WHERE id = ?", (connection_id,))
    return ok(reasons)


def test_by_id(call: Call) -> Response:
    row = connection_row(call.db, _connection_id(call))
    definition = None if row is None else definition_of_connector(call.db, row["connector_id"])
    if row is None or definition is None:
        return ok(False)
    values = config_values.plain(config_values.load(call.db, CONFIG, row["id"]))
    return ok(erp_side.run_test(call.db, definition, values).ok)


def _guess_definition(db: sqlite3.Connection, keys: set[str]) -> ErpConnectorDef | None:
    """For a connection not saved yet: the one registered connector whose fields fit the keys."""
    candidates = []
    for connector in db.execute("SELECT id FROM erp_connector WHERE deleted = 0"):
        definition = definition_of_connector(db, connector["id"])
        if definition is not None and keys <= {f.key for f in definition.config_fields}:
            candidates.append(definition)
    unique = {d.url: d for d in candidates}
    return next(iter(unique.values())) if len(unique) == 1 else None


def test_by_config(call: Call) -> Response:
    body = call.request.json_object()
    connection_id = get_int(body, "ErpConnectionId")
    sent = get_str_dict(body, "ConfigFields") or {}
    stored: config_values.Config = {}
    if connection_id:
        row = connection_row(call.db, connection_id)
        if row is None:
            return ok(False)
        definition = definition_of_connector(call.db, row["connector_id"])
        stored = config_values.load(call.db, CONFIG, connection_id)
    else:
        definition = _guess_definition(call.db, set(sent)) if sent else None
    if definition is None:
        return ok(False)
    values = config_values.resolve_for_test(definition.config_fields, stored, sent)
    return ok(erp_side.run_test(call.db, definition, values).ok)


def save_priorities(call: Call) -> Response:
    ids = get_int_list(call.request.json_object(), "ErpConnectionIds")
    known = [
        r["id"]
        for r in call.db.execute(
            "SELECT id FROM erp_connection ORDER BY priority IS NULL, priority, id"
        )
    ]
    if len(set(ids)) != len(ids) or not set(ids) <= set(known):
        return ok(False)
    order = ids + [i for i in known if i not in ids]
    call.db.executemany(
        "UPDATE erp_connection SET priority = ? WHERE id = ?",
        [(rank, connection_id) for rank, connection_id in enumerate(order, start=1)],
    )
    return ok(True)


def _engine(db: sqlite3.Connection) -> dict[str, Any]:
    row = db.execute("SELECT is_running, interval FROM engine WHERE id = 1").fetchone()
    running = bool(row["is_running"])
    message = (
        f"The sync engine is running every {row['interval']}."
        if running
        else "The sync engine is stopped."
    )
    return with_rights(
        {"IsRunning": running, "StatusMessage": message, "Interval": row["interval"]}
    )


def get_engine_status(call: Call) -> Response:
    return ok(_engine(call.db))


def change_engine_status(call: Call) -> Response:
    body = call.request.json_object()
    if "Run" not in body:
        raise bad_request("'Run' is required.")
    run = get_bool(body, "Run")
    call.db.execute("UPDATE engine SET is_running = ? WHERE id = 1", (int(run),))
    return ok(_engine(call.db))


_ISO_DURATION = re.compile(
    r"P(?:(?P<d>\d{1,9})D)?(?:T(?:(?P<h>\d{1,9})H)?(?:(?P<m>\d{1,9})M)?(?:(?P<s>\d{1,9}(?:\.0+)?)S)?)?",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"(?P<h>\d{1,2}):(?P<m>[0-5]\d):(?P<s>[0-5]\d)")
_MAX_INTERVAL = 100 * 3600  # what HH:MM:SS can hold


def interval_seconds(text: str) -> int | None:
    """Seconds of an interval as a TimeSpan binds it: ``hh:mm:ss`` or ISO-8601 (``PT15M``).

    SuperOffice answers ``hh:mm:ss``; its TypeScript client sends dayjs durations, which JSON
    writes as ISO-8601. None when ``text`` is neither.
    """
    clock = _CLOCK.fullmatch(text)
    match = clock or _ISO_DURATION.fullmatch(text)
    if match is None or text.upper() in ("P", "PT") or text.upper().endswith("T"):
        return None
    parts = {k: int(v.split(".")[0]) for k, v in match.groupdict(default="0").items()}
    return parts.get("d", 0) * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def change_engine_interval(call: Call) -> Response:
    interval = get_str(call.request.json_object(), "Interval").strip()
    seconds = interval_seconds(interval)
    if seconds is None or not 0 < seconds < _MAX_INTERVAL:
        raise AgentMessage(
            f"'{interval}' is not a valid interval.",
            "Use hh:mm:ss or an ISO-8601 duration (PT15M), longer than zero and under 100 hours.",
        )
    stored = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    call.db.execute("UPDATE engine SET interval = ? WHERE id = 1", (stored,))
    return NO_CONTENT


METHODS: dict[str, tuple[Handler, bool]] = {
    "GetAllConnections": (get_all_connections, False),
    "GetConnection": (get_connection, False),
    "GetErpConnectionConfigFields": (get_config_fields, False),
    "SaveConnection": (save_connection, True),
    "DeleteConnection": (delete_connection, True),
    "ToggleErpConnectionActive": (toggle_active, True),
    "TestConnectionById": (test_by_id, False),
    "TestConnectionByConfig": (test_by_config, False),
    "SaveErpConnectionSyncPriorities": (save_priorities, True),
    "GetEngineStatus": (get_engine_status, False),
    "ChangeEngineStatus": (change_engine_status, True),
    "ChangeEngineInterval": (change_engine_interval, True),
}
