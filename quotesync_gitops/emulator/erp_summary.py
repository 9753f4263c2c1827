"""ErpSync agent: what a connection and its connector offer, read-only summaries and checks.

``GetErpSyncConnectionSummary`` summarises a connection's actor types (``Mappings`` and
``Defaults`` list the mapped ERP field keys, comma-separated); ``LastSync`` is the minimum date,
as the emulator never syncs. ``GetFieldsForNewErpActor`` lists the ERP fields of an actor type as
``FieldMetadata``. The demo connectors offer no advanced search, and ``UpdateConnectionFields``
has nothing to refresh: their fields are fixed.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from quotesync_gitops.emulator.erp_common import connection_row, definition_of_connector
from quotesync_gitops.emulator.erp_mappings import mapping_carrier
from quotesync_gitops.emulator.http import Call, Handler, Response, get_int, get_str, ok
from quotesync_gitops.emulator.rights import with_rights

NEVER = "0001-01-01T00:00:00"


def _actor_summary(db: sqlite3.Connection, connection_id: int, actor: str) -> dict[str, Any]:
    mapping = mapping_carrier(db, connection_id, actor) or {"FieldMappings": []}
    mapped = [f["ErpFieldKey"] for f in mapping["FieldMappings"] if f["CrmFieldKey"]]
    defaults = [
        r["field_key"]
        for r in db.execute(
            "SELECT field_key FROM erp_field WHERE connection_id = ? AND actor_type = ? "
            "AND (default_value <> '' OR prompt_user = 1 OR mandatory = 1) ORDER BY rank, id",
            (connection_id, actor),
        )
    ]
    return with_rights(
        {
            "ActorType": actor,
            "HasMappings": bool(mapped),
            "Defaults": ", ".join(defaults),
            "Mappings": ", ".join(mapped),
        }
    )


def get_connection_summary(call: Call) -> Response:
    connection_id = get_int(call.request.json_object(), "ErpSyncConnectionId")
    row = connection_row(call.db, connection_id)
    if row is None:
        return ok(None)
    definition = definition_of_connector(call.db, row["connector_id"])
    actors = list(definition.actors) if definition is not None else []
    return ok(
        with_rights(
            {
                "DisplayName": row["display_name"],
                "DisplayDescription": row["description"],
                "Active": bool(row["active"]),
                "Deleted": bool(row["deleted"]),
                "LastSync": NEVER,
                "Actors": [_actor_summary(call.db, connection_id, a) for a in actors],
            }
        )
    )


def get_crm_actor_type(call: Call) -> Response:
    body = call.request.json_object()
    mapping = mapping_carrier(
        call.db, get_int(body, "ErpConnectionId"), get_str(body, "ErpActorType")
    )
    return ok("Unknown" if mapping is None else mapping["ActorTypeCrm"])


def get_fields_for_new_actor(call: Call) -> Response:
    body = call.request.json_object()
    connection_id = get_int(body, "ErpConnectionId")
    row = connection_row(call.db, connection_id)
    definition = None if row is None else definition_of_connector(call.db, row["connector_id"])
    fields = () if definition is None else definition.actors.get(get_str(body, "ErpActorType"), ())
    return ok([f.metadata(rank) for rank, f in enumerate(fields, start=1)])


def supports_advanced_search(call: Call) -> Response:
    get_int(call.request.json_object(), "ErpConnectionId")
    return ok(False)


def update_connection_fields(call: Call) -> Response:
    """True for a connection whose connector answers (its fields are fixed: nothing to do)."""
    row = connection_row(call.db, get_int(call.request.json_object(), "ErpConnectionId"))
    return ok(row is not None and definition_of_connector(call.db, row["connector_id"]) is not None)


METHODS: dict[str, tuple[Handler, bool]] = {
    "GetErpSyncConnectionSummary": (get_connection_summary, True),
    "GetCrmActorType": (get_crm_actor_type, True),
    "GetFieldsForNewErpActor": (get_fields_for_new_actor, False),
    "SupportsAdvancedSearch": (supports_advanced_search, False),
    "UpdateConnectionFields": (update_connection_fields, False),
}
