"""ErpSync agent: field mappings per actor type, field order, and default values.

``GetActorTypeMapping`` lists every ERP field the connector offers for the actor type, in rank
order; ``ErpFieldId`` is stable per (connection, actor type, ERP field key). Saving changes only
the field mappings it carries (identified by ErpFieldId) and never the order: order changes go
through ``MoveErpFieldItem``, one place at a time.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from quotesync_gitops.emulator.connectors import ErpConnectorDef, ErpField
from quotesync_gitops.emulator.crm_catalog import CRM_ACTOR_TYPES, ERP_ACTOR_TYPES, crm_field
from quotesync_gitops.emulator.erp_common import (
    connection_row,
    definition_of_connector,
    ensure_fields,
)
from quotesync_gitops.emulator.http import (
    MAX_VALUE,
    NO_CONTENT,
    AgentMessage,
    Call,
    Handler,
    Response,
    check_length,
    get_bool,
    get_int,
    get_list,
    get_object,
    get_str,
    ok,
)
from quotesync_gitops.emulator.rights import with_rights


def _actor_context(
    db: sqlite3.Connection, connection_id: int, actor: str
) -> tuple[ErpConnectorDef, tuple[ErpField, ...]] | None:
    """The connector and the ERP fields it offers for ``actor``; None when there are none."""
    row = connection_row(db, connection_id)
    if row is None:
        return None
    definition = definition_of_connector(db, row["connector_id"])
    if definition is None or actor not in definition.actors:
        return None
    ensure_fields(db, connection_id, definition)
    return definition, definition.actors[actor]


def _field_rows(db: sqlite3.Connection, connection_id: int, actor: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM erp_field WHERE connection_id = ? AND actor_type = ? ORDER BY rank, id",
        (connection_id, actor),
    ).fetchall()


def mapping_carrier(
    db: sqlite3.Connection, connection_id: int, actor: str
) -> dict[str, Any] | None:
    context = _actor_context(db, connection_id, actor)
    if context is None:
        return None
    _, offered = context
    by_key = {f.key: f for f in offered}
    state = db.execute(
        "SELECT is_active, crm_actor FROM erp_actor WHERE connection_id = ? AND actor_type = ?",
        (connection_id, actor),
    ).fetchone()
    mappings = []
    for row in _field_rows(db, connection_id, actor):
        erp_field = by_key.get(row["field_key"])
        if erp_field is None:
            continue
        crm = crm_field(state["crm_actor"], row["crm_field_key"])
        mappings.append(
            with_rights(
                {
                    "ErpFieldId": row["id"],
                    "CrmFieldKey": row["crm_field_key"],
                    "CrmDisplayName": crm.display_name if crm else "",
                    "CrmDisplayTooltip": "",
                    "ErpFieldKey": erp_field.key,
                    "FieldType": erp_field.field_type,
                    "ErpDisplayName": erp_field.display_name,
                    "ErpDisplayTooltip": "",
                    "SyncToCrm": bool(row["sync_to_crm"]),
                    "SyncToErp": bool(row["sync_to_erp"]),
                    "ShowInGui": bool(row["show_in_gui"]),
                    "ShowInSearch": bool(row["show_in_search"]),
                    "AlreadyMapped": False,
                    "MissingInERP": False,
                    "MissingInCRM": bool(row["crm_field_key"]) and crm is None,
                    "Access": erp_field.access,
                    "ListReference": erp_field.list_name,
                }
            )
        )
    return with_rights(
        {
            "ErpConnectionId": connection_id,
            "IsActive": bool(state["is_active"]),
            "FieldMappings": mappings,
            "ActorTypeErp": actor,
            "ActorTypeCrm": state["crm_actor"],
        }
    )


def get_actor_type_mapping(call: Call) -> Response:
    body = call.request.json_object()
    actor = get_str(body, "ActorType")
    return ok(mapping_carrier(call.db, get_int(body, "ErpConnectionId"), actor))


def save_actor_type_mapping(call: Call) -> Response:
    mapping = get_object(call.request.json_object(), "Mapping")
    if mapping is None:
        raise AgentMessage("SaveActorTypeMapping needs a Mapping.")
    connection_id = get_int(mapping, "ErpConnectionId")
    actor = get_str(mapping, "ActorTypeErp")
    if actor not in ERP_ACTOR_TYPES:
        raise AgentMessage(
            f"Mapping.ActorTypeErp must be one of {', '.join(ERP_ACTOR_TYPES)}"
            + (f", not '{actor}'." if actor else "; it is missing.")
        )
    if _actor_context(call.db, connection_id, actor) is None:
        raise AgentMessage(
            f"ERP connection {connection_id} has no actor type '{actor}'.",
            "The connection does not exist or its connector does not offer this actor type.",
        )
    state = call.db.execute(
        "SELECT is_active, crm_actor FROM erp_actor WHERE connection_id = ? AND actor_type = ?",
        (connection_id, actor),
    ).fetchone()
    crm_actor = get_str(mapping, "ActorTypeCrm") or "Unknown"
    if crm_actor == "Unknown":
        crm_actor = state["crm_actor"]
    if crm_actor not in CRM_ACTOR_TYPES:
        raise AgentMessage(f"'{crm_actor}' is not a CRM actor type.")
    rows = {r["id"]: r for r in _field_rows(call.db, connection_id, actor)}
    updates: dict[int, dict[str, Any]] = {}
    for item in get_list(mapping, "FieldMappings"):
        if not isinstance(item, dict):
            raise AgentMessage("Each field mapping must be an object.")
        field_id = get_int(item, "ErpFieldId")
        if field_id not in rows:
            raise AgentMessage(
                f"Unknown ErpFieldId {field_id} for {actor} of ERP connection {connection_id}.",
                "Read the mapping with GetActorTypeMapping to get the field ids.",
            )
        updates[field_id] = {
            "crm_field_key": get_str(item, "CrmFieldKey"),
            "sync_to_crm": int(get_bool(item, "SyncToCrm")),
            "sync_to_erp": int(get_bool(item, "SyncToErp")),
            "show_in_gui": int(get_bool(item, "ShowInGui")),
            "show_in_search": int(get_bool(item, "ShowInSearch")),
        }
    for field_id, row in rows.items():
        values = updates.get(field_id, dict(row))
        key = values["crm_field_key"]
        if key and crm_field(crm_actor, key) is None:
            raise AgentMessage(
                f"Unknown CRM field '{key}' for CRM actor {crm_actor} "
                f"(ERP field '{row['field_key']}').",
                "Valid keys start with the CRM actor, e.g. contact.name.",
            )
        if not key and (values["sync_to_crm"] or values["sync_to_erp"]):
            raise AgentMessage(
                f"ERP field '{row['field_key']}' has a sync direction but no CRM field.",
            )
    for field_id, values in updates.items():
        assignments = ", ".join(f"{c} = ?" for c in values)
        call.db.execute(
            f"UPDATE erp_field SET {assignments} WHERE id = ?", (*values.values(), field_id)
        )
    call.db.execute(
        "UPDATE erp_actor SET is_active = ?, crm_actor = ? WHERE connection_id = ? "
        "AND actor_type = ?",
        (
            int(get_bool(mapping, "IsActive", bool(state["is_active"]))),
            crm_actor,
            connection_id,
            actor,
        ),
    )
    return ok(mapping_carrier(call.db, connection_id, actor))


def move_field(call: Call) -> Response:
    body = call.request.json_object()
    field_id = get_int(body, "ErpFieldId")
    direction = get_int(body, "Direction")
    connection_id = get_int(body, "ErpConnectionId")
    actor = get_str(body, "ErpActorType")
    rows = _field_rows(call.db, connection_id, actor)
    position = next((i for i, r in enumerate(rows) if r["id"] == field_id), None)
    if position is None:
        raise AgentMessage(
            f"Unknown ErpFieldId {field_id} for {actor} of ERP connection {connection_id}."
        )
    target = position + (1 if direction > 0 else -1 if direction < 0 else 0)
    if target != position and 0 <= target < len(rows):
        order = [r["id"] for r in rows]
        order[position], order[target] = order[target], order[position]
        call.db.executemany(
            "UPDATE erp_field SET rank = ? WHERE id = ?",
            [(rank, fid) for rank, fid in enumerate(order, start=1)],
        )
    return NO_CONTENT


def _default_carrier(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any] | None:
    context = _actor_context(db, row["connection_id"], row["actor_type"])
    erp_field = (
        None
        if context is None
        else next((f for f in context[1] if f.key == row["field_key"]), None)
    )
    if erp_field is None:
        return None
    return with_rights(
        {
            "ErpFieldId": row["id"],
            "DefaultValue": row["default_value"],
            "HasFirstSyncDefaultValue": bool(row["has_first_sync_default"]),
            "FirstSyncDefaultValue": row["first_sync_default"],
            "PromptUser": bool(row["prompt_user"]),
            "Mandatory": bool(row["mandatory"]),
            "ErpFieldKey": erp_field.key,
            "FieldType": erp_field.field_type,
            "ListName": erp_field.list_name,
            "Access": erp_field.access,
        }
    )


def _field_row(db: sqlite3.Connection, field_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM erp_field WHERE id = ?", (field_id,)
    ).fetchone()
    return row


def get_default_value(call: Call) -> Response:
    row = _field_row(call.db, get_int(call.request.json_object(), "ErpFieldId"))
    return ok(None if row is None else _default_carrier(call.db, row))


def save_default_value(call: Call) -> Response:
    value = get_object(call.request.json_object(), "ErpSyncDefaultValue")
    if value is None:
        raise AgentMessage("SaveDefaultValueInfo needs an ErpSyncDefaultValue.")
    field_id = get_int(value, "ErpFieldId")
    row = _field_row(call.db, field_id)
    if row is None or _default_carrier(call.db, row) is None:
        raise AgentMessage(f"Unknown ErpFieldId {field_id}.")
    default = get_str(value, "DefaultValue")
    first_sync = get_str(value, "FirstSyncDefaultValue")
    check_length("DefaultValue", default, MAX_VALUE)
    check_length("FirstSyncDefaultValue", first_sync, MAX_VALUE)
    call.db.execute(
        "UPDATE erp_field SET default_value = ?, has_first_sync_default = ?, "
        "first_sync_default = ?, prompt_user = ?, mandatory = ? WHERE id = ?",
        (
            default,
            int(get_bool(value, "HasFirstSyncDefaultValue")),
            first_sync,
            int(get_bool(value, "PromptUser")),
            int(get_bool(value, "Mandatory")),
            field_id,
        ),
    )
    saved = _field_row(call.db, field_id)
    assert saved is not None
    return ok(_default_carrier(call.db, saved))


METHODS: dict[str, tuple[Handler, bool]] = {
    "GetActorTypeMapping": (get_actor_type_mapping, True),
    "SaveActorTypeMapping": (save_actor_type_mapping, True),
    "MoveErpFieldItem": (move_field, True),
    "GetDefaultValueInfo": (get_default_value, True),
    "SaveDefaultValueInfo": (save_default_value, True),
}
