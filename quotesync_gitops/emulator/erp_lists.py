"""ErpSync agent: list mappings (which CRM list item each ERP list item becomes).

There is one ``ErpConnectionListMapping`` per List-type ERP field of each enabled actor type.
Its ``CrmList`` is the CRM list behind the CRM field the ERP field is mapped to (null when it is
not mapped to a list field). Saving a list mapping replaces the item mappings of that field; each
ERP list item maps to at most one CRM list item.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from quotesync_gitops.emulator.crm_catalog import MDO_LIST_IDS, crm_field
from quotesync_gitops.emulator.erp_common import (
    connection_row,
    definition_of_connector,
    ensure_fields,
)
from quotesync_gitops.emulator.http import (
    AgentMessage,
    Call,
    Handler,
    Response,
    get_int,
    get_list,
    get_object,
    get_str,
    ok,
)
from quotesync_gitops.emulator.rights import with_rights


def _list_fields(db: sqlite3.Connection, connection_id: int) -> list[dict[str, Any]]:
    """List-type ERP fields of the enabled actor types, with their ERP list and CRM list."""
    row = connection_row(db, connection_id)
    definition = None if row is None else definition_of_connector(db, row["connector_id"])
    if definition is None:
        return []
    ensure_fields(db, connection_id, definition)
    result = []
    actors = db.execute(
        "SELECT actor_type, crm_actor FROM erp_actor WHERE connection_id = ? AND is_active = 1",
        (connection_id,),
    ).fetchall()
    for actor in sorted(actors, key=lambda a: list(definition.actors).index(a["actor_type"])):
        offered = {f.key: f for f in definition.actors.get(actor["actor_type"], ())}
        rows = db.execute(
            "SELECT id, field_key, crm_field_key FROM erp_field WHERE connection_id = ? "
            "AND actor_type = ? ORDER BY rank, id",
            (connection_id, actor["actor_type"]),
        )
        for field_row in rows:
            erp_field = offered.get(field_row["field_key"])
            if erp_field is None or erp_field.field_type != "List":
                continue
            crm = crm_field(actor["crm_actor"], field_row["crm_field_key"])
            result.append(
                {
                    "field_id": field_row["id"],
                    "actor": actor["actor_type"],
                    "erp_list": erp_field.list_name,
                    "erp_items": definition.lists.get(erp_field.list_name, ()),
                    "crm_list": crm.list_name if crm is not None else "",
                }
            )
    return result


def _crm_items(db: sqlite3.Connection, list_name: str) -> dict[int, str]:
    rows = db.execute(
        "SELECT id, name FROM mdo_item WHERE list_name = ? ORDER BY rank, id", (list_name,)
    )
    return {r["id"]: r["name"] for r in rows}


def _container(db: sqlite3.Connection, connection_id: int) -> dict[str, Any] | None:
    row = connection_row(db, connection_id)
    if row is None:
        return None
    mappings = []
    for spec in _list_fields(db, connection_id):
        crm_items = _crm_items(db, spec["crm_list"]) if spec["crm_list"] else {}
        stored = {
            r["erp_item_id"]: r["crm_item_id"]
            for r in db.execute(
                "SELECT erp_item_id, crm_item_id FROM erp_list_mapping WHERE erp_field_id = ?",
                (spec["field_id"],),
            )
        }
        items = []
        for erp_id, erp_name in spec["erp_items"]:
            crm_id = stored.get(erp_id)
            crm_item = (
                with_rights({"Id": crm_id, "Name": crm_items[crm_id]})
                if crm_id is not None and crm_id in crm_items
                else None
            )
            items.append(
                with_rights(
                    {"ErpListItemId": erp_id, "ErpListItemName": erp_name, "CrmListItem": crm_item}
                )
            )
        crm_list = (
            {"Id": MDO_LIST_IDS[spec["crm_list"]], "Name": spec["crm_list"]}
            if spec["crm_list"]
            else None
        )
        mappings.append(
            with_rights(
                {
                    "CrmList": crm_list,
                    "ErpListName": spec["erp_list"],
                    "ErpCrmListItemMappings": items,
                    "ErpActorTypeName": spec["actor"],
                    "ErpFieldId": spec["field_id"],
                }
            )
        )
    return with_rights(
        {
            "ErpListItemMappings": mappings,
            "ErpConnectionId": connection_id,
            "ErpConnectionName": row["display_name"],
        }
    )


def get_list_mappings(call: Call) -> Response:
    return ok(_container(call.db, get_int(call.request.json_object(), "ErpConnectionId")))


def _crm_item_id(item: dict[str, Any], crm_items: dict[int, str], label: str) -> int | None:
    crm_item = get_object(item, "CrmListItem")
    if crm_item is None:
        return None
    crm_id = get_int(crm_item, "Id")
    name = get_str(crm_item, "Name")
    if crm_id == 0 and name:
        crm_id = next((i for i, n in crm_items.items() if n == name), 0)
    if crm_id not in crm_items:
        shown = name or str(crm_id)
        raise AgentMessage(f"Unknown CRM list item '{shown}' for {label}.")
    return crm_id


def save_list_mappings(call: Call) -> Response:
    container = get_object(call.request.json_object(), "ListMapping")
    if container is None:
        raise AgentMessage("SaveConnectionListMappings needs a ListMapping.")
    connection_id = get_int(container, "ErpConnectionId")
    if connection_row(call.db, connection_id) is None:
        raise AgentMessage(f"ERP connection {connection_id} does not exist.")
    specs = {s["field_id"]: s for s in _list_fields(call.db, connection_id)}
    for mapping in get_list(container, "ErpListItemMappings"):
        if not isinstance(mapping, dict):
            raise AgentMessage("Each list mapping must be an object.")
        field_id = get_int(mapping, "ErpFieldId")
        spec = specs.get(field_id)
        if spec is None:
            raise AgentMessage(
                f"ErpFieldId {field_id} is not a list field of an enabled actor type of "
                f"ERP connection {connection_id}."
            )
        label = f"{spec['actor']} list '{spec['erp_list']}'"
        erp_ids = {erp_id for erp_id, _ in spec["erp_items"]}
        crm_items = _crm_items(call.db, spec["crm_list"]) if spec["crm_list"] else {}
        chosen: dict[str, int] = {}
        seen: set[str] = set()
        for item in get_list(mapping, "ErpCrmListItemMappings"):
            if not isinstance(item, dict):
                raise AgentMessage("Each list item mapping must be an object.")
            erp_id = get_str(item, "ErpListItemId")
            if erp_id not in erp_ids:
                raise AgentMessage(f"Unknown ERP list item '{erp_id}' in {label}.")
            if erp_id in seen:
                raise AgentMessage(
                    f"ERP list item '{erp_id}' of {label} is mapped more than once.",
                    "Each ERP list item maps to at most one CRM list item.",
                )
            seen.add(erp_id)
            if item.get("CrmListItem") is not None and not spec["crm_list"]:
                raise AgentMessage(
                    f"The ERP field of {label} is not mapped to a CRM list field.",
                    "Map it to a CRM list field (SaveActorTypeMapping) first.",
                )
            crm_id = _crm_item_id(item, crm_items, label)
            if crm_id is not None:
                chosen[erp_id] = crm_id
        call.db.execute("DELETE FROM erp_list_mapping WHERE erp_field_id = ?", (field_id,))
        call.db.executemany(
            "INSERT INTO erp_list_mapping (erp_field_id, erp_item_id, crm_item_id) "
            "VALUES (?, ?, ?)",
            [(field_id, erp_id, crm_id) for erp_id, crm_id in chosen.items()],
        )
    return ok(_container(call.db, connection_id))


METHODS: dict[str, tuple[Handler, bool]] = {
    "GetConnectionListMappings": (get_list_mappings, True),
    "SaveConnectionListMappings": (save_list_mappings, True),
}
