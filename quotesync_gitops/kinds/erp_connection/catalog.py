"""What the CRM offers, read into the ``LiveContext`` that plan and apply check manifests against.

Where each catalog lives in SuperOffice's API (``superoffice-api/``):

==============================  ==========================================================
users, groups                   ``MDOList/associate``, ``MDOList/usergroup``
currencies                      ``MDOList/currency``
CRM list items                  ``MDOList/{name}``, the list named by a list mapping's
                                ``CrmList`` (``GetConnectionListMappings``)
ERP connectors, config fields   ``GetAllConnectors`` + ``GetConfigurationFields`` (the
                                ``FieldMetadata``: type, access, max length, default)
quote connectors, config fields ``GetAllAvailableQuoteConnections`` + ``GetConfigurationFields``
ERP actor types and fields      ``GetActorTypeMapping`` per connection and actor type (only
                                for a connection that exists)
ERP list items                  ``GetConnectionListMappings`` (``ErpCrmListItemMappings`` of
                                each List-type ERP field of an enabled actor type)
quote line field names          ``GetAllQuoteLineConfigurations``
==============================  ==========================================================

The API has **no** catalog of CRM field keys (``crmField``) and none of the values a
connector's List-type configuration field accepts (``FieldMetadata.ListName`` names a list
no method returns). Apply's first write of a connection's mappings is the judge of CRM
field keys (apply/erp_guard.py); the connector's connection test, which runs before any
configuration is written, is the only judge of List-type values (docs/manifests.md).

The directory lists are independent, so they are read at once, through the client's
bounded concurrency; one call per list, never one per value.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from typing import Any

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.errors import CrmNotFound, CrmRejected
from quotesync_gitops.kinds import normalise as norm
from quotesync_gitops.kinds.reading import only_agent_refusals
from quotesync_gitops.model import ErpFieldInfo, LiveContext

#: MDO lists every plan needs: users, groups, currencies.
DIRECTORY_LISTS = ("associate", "usergroup", "currency")


def _named(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    return {norm.text(r.get("Name")): int(r.get("Id") or 0) for r in rows}


def read_directory(client: CrmClient, ctx: LiveContext) -> None:
    """Users, groups and currencies, in one concurrent batch."""
    users, groups, currencies = client.run_bulk([_mdo(client, name) for name in DIRECTORY_LISTS])
    ctx.users = _named(users)
    ctx.groups = _named(groups)
    ctx.currencies = _named(currencies)


def _mdo(client: CrmClient, name: str) -> Any:
    return lambda: client.mdo_list(name)


def read_crm_lists(client: CrmClient, ctx: LiveContext, names: Iterable[str]) -> None:
    """The items of each CRM list named (once per list, concurrently; cached in ``ctx``)."""
    wanted = sorted({n for n in names if n and n not in ctx.crm_lists})
    for name, rows in zip(wanted, client.run_bulk([_mdo(client, n) for n in wanted]), strict=True):
        keep_crm_list(ctx, name, rows)


def keep_crm_list(ctx: LiveContext, name: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """The items of CRM list ``name`` as ``MDOList/{name}`` answered, cached in ``ctx``."""
    ctx.crm_lists[name] = _named(rows)


class CrmListReads:
    """Reads of CRM lists shared by concurrent readers: each list is read once, by the
    first reader that asks for it; the others wait for that answer (or its error).

    Each ERP connection's reader asks for the CRM lists behind its list mappings as soon as
    it knows them, alongside its default values, instead of a round of its own after every
    connection is read; two connections mapping to the same list still cost one call.
    """

    def __init__(self, client: CrmClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._reads: dict[str, Future[list[dict[str, Any]]]] = {}

    def read(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            future = self._reads.get(name)
            first = future is None
            if future is None:
                future = self._reads[name] = Future()
        if first:
            try:
                future.set_result(self._client.mdo_list(name))
            except BaseException as exc:
                future.set_exception(exc)
                raise
        return future.result()


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
