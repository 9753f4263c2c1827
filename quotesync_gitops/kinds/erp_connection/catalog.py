"""The ERP catalog of a connection: its actor types and ERP fields, its ERP list items and
the CRM lists behind its list fields, read into the ``LiveContext`` that plan and apply check
manifests against (``read.py`` reads it with the connection; apply reads it with
``read_erp_catalog`` right after creating one, since it exists only then).

==============================  ==========================================================
ERP actor types and fields      ``GetActorTypeMapping`` per connection and actor type (only
                                for a connection that exists)
ERP list items                  ``GetConnectionListMappings`` (``ErpCrmListItemMappings`` of
                                each List-type ERP field of an enabled actor type)
CRM list items                  ``MDOList/{name}``, the list named by a list mapping's
                                ``CrmList`` (``GetConnectionListMappings``)
==============================  ==========================================================

The API has **no** catalog of CRM field keys (``crmField``): apply's first write of a
connection's mappings is their judge (apply/erp_guard.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.errors import CrmNotFound, CrmRejected
from quotesync_gitops.kinds import normalise as norm
from quotesync_gitops.kinds.reading import only_agent_refusals, read_crm_lists
from quotesync_gitops.model import ErpFieldInfo, LiveContext


def crm_list_names(list_mappings: Mapping[str, Any], mappings: Iterable[Any]) -> list[str]:
    """The CRM lists behind a connection's list fields (``record_list_items`` records them):
    from its ``GetConnectionListMappings`` answer and its actor mappings (ERP_ACTOR_TYPES
    order, None for an actor type the connector does not offer)."""
    fields: set[int] = set()
    for mapping in mappings:
        fields.update(int(fm["ErpFieldId"]) for fm in (mapping or {}).get("FieldMappings") or [])
    names = {
        crm_list_name(entry)
        for entry in list_mappings.get("ErpListItemMappings") or []
        if int(entry.get("ErpFieldId") or 0) in fields
    }
    return sorted(n for n in names if n)


def crm_list_name(entry: Mapping[str, Any]) -> str:
    """The CRM list a list-mapping entry's ERP items map to ("" when its field is not mapped
    to a CRM list field). ``CrmList`` is an MDOListItem naming the list."""
    crm_list = entry.get("CrmList") or {}
    return norm.text(crm_list.get("Name") or crm_list.get("ExtraInfo")).lower()


def erp_field_infos(mapping: Mapping[str, Any]) -> dict[str, ErpFieldInfo]:
    """The ERP fields an actor type offers, from its ``GetActorTypeMapping`` answer."""
    infos: dict[str, ErpFieldInfo] = {}
    for fm in mapping.get("FieldMappings") or []:
        key = norm.text(fm.get("ErpFieldKey"))
        infos[key] = ErpFieldInfo(
            key=key,
            field_id=int(fm["ErpFieldId"]),
            field_type=norm.text(fm.get("FieldType")) or "Text",
            access=norm.text(fm.get("Access")) or "Normal",
            list_name=norm.text(fm.get("ListReference")),
        )
    return infos


def list_field_addresses(actor: str, mapping: Mapping[str, Any]) -> dict[int, tuple[str, str]]:
    """ERP field id -> ("actor/erpField", CRM field key) for one actor type's mapping."""
    return {
        int(fm["ErpFieldId"]): (
            f"{actor}/{norm.text(fm.get('ErpFieldKey'))}",
            norm.text(fm.get("CrmFieldKey")),
        )
        for fm in mapping.get("FieldMappings") or []
    }


def record_list_items(
    ctx: LiveContext,
    connection: str,
    container: Mapping[str, Any],
    address_of: Mapping[int, tuple[str, str]],
) -> None:
    """ERP list items and the CRM list of each list field of a connection's list mappings
    (``address_of``: ERP field id -> ("actor/erpField", the CRM field it is mapped to))."""
    for entry in container.get("ErpListItemMappings") or []:
        found = address_of.get(int(entry.get("ErpFieldId") or 0))
        if found is None:
            continue
        address, crm_field = found
        ctx.erp_list_items[(connection, address)] = {
            norm.text(item.get("ErpListItemId")): norm.text(item.get("ErpListItemName"))
            for item in entry.get("ErpCrmListItemMappings") or []
        }
        ctx.crm_list_of[(connection, address)] = (crm_field, crm_list_name(entry))


def read_erp_catalog(
    client: CrmClient, ctx: LiveContext, connection: str, connection_id: int, actors: Iterable[str]
) -> None:
    """The ERP catalog of one connection (for apply, right after creating it): the fields of
    each actor type named, the ERP list items and the CRM lists behind its list fields."""
    actors = sorted(set(actors))
    mappings = client.run_bulk([safe_actor_mapping(client, connection_id, a) for a in actors])
    address_of: dict[int, tuple[str, str]] = {}
    for actor, mapping in zip(actors, mappings, strict=True):
        infos = erp_field_infos(mapping or {})
        if infos:
            ctx.erp_fields[(connection, actor)] = infos
        address_of.update(list_field_addresses(actor, mapping or {}))
    record_list_items(ctx, connection, client.erp_get_list_mappings(connection_id), address_of)
    lists = [n for (c, _), (_, n) in ctx.crm_list_of.items() if c == connection]
    read_crm_lists(client, ctx, lists)
    ctx.erp_catalog_read.add(connection)


def safe_actor_mapping(
    client: CrmClient, connection_id: int, actor: str
) -> Callable[[], dict[str, Any] | None]:
    """GetActorTypeMapping as a bulk call; None when the connector does not offer the type."""

    def call() -> dict[str, Any] | None:
        try:
            return client.erp_get_actor_type_mapping(connection_id, actor)
        except (CrmRejected, CrmNotFound) as exc:
            only_agent_refusals(exc)
            return None  # the connector does not offer this actor type

    return call
