"""ErpConnection's live read (``KindDef.fetch``/``add``): per connection its config, actor
mappings, defaults, list mappings, and the ERP catalog that comes with them.

The API has per-object calls only for these (see benchmarks/README.md, "Fewer calls"): a
connection costs 2 + 7 actor types + one call per ERP field. Connections are read at once,
each one's calls together, within the client's bound on requests in flight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.kinds import erp_connector
from quotesync_gitops.kinds import normalise as norm
from quotesync_gitops.kinds.erp_connection import kind as erp_connection
from quotesync_gitops.kinds.erp_connection.catalog import (
    crm_list_names,
    erp_field_infos,
    list_field_addresses,
    record_list_items,
    safe_actor_mapping,
)
from quotesync_gitops.kinds.erp_connection.spec import (
    ActorSpec,
    ErpConnectionSpec,
    MappingSpec,
    spec_of,
)
from quotesync_gitops.kinds.reading import (
    CrmListReads,
    LiveRead,
    bind,
    keep_crm_list,
    read_crm_lists,
)
from quotesync_gitops.model import (
    ERP_ACTOR_TYPES,
    Kind,
    LiveContext,
    LiveState,
    Resource,
)


@dataclass(frozen=True)
class ConnectionRead:
    """What the CRM holds for one ERP connection beyond its list row."""

    config: dict[str, Any]
    #: per ERP actor type (``ERP_ACTOR_TYPES`` order), None where the connector has none;
    #: None for a connection whose actors and list mappings are kept from an earlier read
    mappings: list[dict[str, Any] | None] | None
    list_mappings: dict[str, Any]
    #: (actor, ErpFieldId) -> the field's default value carrier
    defaults: dict[tuple[str, int], Any]
    #: the CRM lists behind its list fields: name -> ``MDOList/{name}`` rows
    crm_lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


#: The list rows (soft-deleted ones too) and, when asked for, every connection's details.
Fetched = tuple[list[dict[str, Any]], list[ConnectionRead]]


def fetch(read: LiveRead) -> Callable[[], Fetched]:
    """The list always (quote connections and SyncSettings name connections from it); the
    details when ErpConnection or SyncSettings is asked for, except those ``reuse`` may keep."""
    details = read.wants(Kind.ERP_CONNECTION, Kind.SYNC_SETTINGS)
    kept = read.kept(Kind.ERP_CONNECTION)
    return lambda: fetch_erp_connections(read.client, details, kept)


def add(state: LiveState, fetched: Fetched, read: LiveRead) -> None:
    """Every connection's name by id and its list row into ``read`` (for the kinds after it);
    with details, the connections as resources, their catalogs, and the CRM lists that a
    kept connection's list fields name (read once, after the branches)."""
    connections, details = fetched
    read.names[Kind.ERP_CONNECTION] = {
        int(c["ErpConnectionId"]): norm.text(c.get("DisplayName")) for c in connections
    }
    read.rows[Kind.ERP_CONNECTION] = connections
    erp_connector.add_retired(state, read, connections)
    if not read.wants(Kind.ERP_CONNECTION, Kind.SYNC_SETTINGS):
        return
    ctx = state.context
    add_erp_connections(state, connections, details, read.reuse)
    read_crm_lists(read.client, ctx, [crm_list for _, crm_list in ctx.crm_list_of.values()])


def fetch_erp_connections(
    client: CrmClient, details: bool, kept: frozenset[int]
) -> tuple[list[dict[str, Any]], list[ConnectionRead]]:
    connections = client.erp_get_all_connections(include_deleted=True)
    if not details:
        return connections, []
    ids = [int(c["ErpConnectionId"]) for c in connections]
    lists = CrmListReads(client)
    # One thread per connection: each waits for its own calls, holding no request slot.
    calls: list[Callable[[], ConnectionRead]] = [
        bind(lambda i: _fetch_connection(client, i, i not in kept, lists), i) for i in ids
    ]
    return connections, client.run_bulk(calls, workers=len(ids))


def _fetch_connection(
    client: CrmClient, connection_id: int, details: bool, lists: CrmListReads
) -> ConnectionRead:
    """Config, actor mappings and list mappings together; then every field's default value
    and the CRM lists behind its list fields. Without ``details``, only the config (the rest
    is kept from an earlier read).

    The API has no bulk form of ``GetDefaultValueInfo``: one call per ERP field, the fields
    known only from ``GetActorTypeMapping``. They go out together, for every actor at once,
    with the CRM lists (known from the list mappings and the actor mappings; each read once
    for all connections, see ``CrmListReads``).
    """
    if not details:
        return ConnectionRead(client.erp_get_connection_config_fields(connection_id), None, {}, {})
    first = client.run_bulk(
        [
            bind(client.erp_get_connection_config_fields, connection_id),
            bind(client.erp_get_list_mappings, connection_id),
            *(safe_actor_mapping(client, connection_id, actor) for actor in ERP_ACTOR_TYPES),
        ]
    )
    config, list_mappings, mappings = first[0], first[1], first[2:]
    fields = [
        (actor, int(fm["ErpFieldId"]))
        for actor, mapping in zip(ERP_ACTOR_TYPES, mappings, strict=True)
        if mapping
        for fm in mapping.get("FieldMappings") or []
    ]
    names = crm_list_names(list_mappings, mappings)
    values = client.run_bulk(
        [bind(client.erp_get_default_value_info, i) for _, i in fields]
        + [partial(lists.read, name) for name in names]
    )
    defaults = dict(zip(fields, values[: len(fields)], strict=True))
    crm_lists = dict(zip(names, values[len(fields) :], strict=True))
    return ConnectionRead(config, mappings, list_mappings, defaults, crm_lists)


def add_erp_connections(
    state: LiveState,
    connections: list[dict[str, Any]],
    reads: list[ConnectionRead],
    reuse: LiveState | None,
) -> None:
    ctx = state.context
    users = {v: k for k, v in ctx.users.items()}
    groups = {v: k for k, v in ctx.groups.items()}
    connector_names = {cid: name for name, (cid, _) in ctx.erp_connectors.items()}
    earlier = {int(r.ids["id"]): r for r in (reuse.of_kind(Kind.ERP_CONNECTION) if reuse else ())}
    for carrier, read in zip(connections, reads, strict=True):
        name = norm.text(carrier.get("DisplayName"))
        connector = connector_names.get(int(carrier.get("ErpConnectorId") or 0), "")
        fields = ctx.erp_connectors.get(connector, (0, {}))[1]
        if read.mappings is None:
            assert reuse is not None
            before = earlier[int(carrier["ErpConnectionId"])]
            kept = spec_of(before)
            actors, field_ids = kept["actors"], before.ids["fieldIds"]
            list_mappings = kept["listMappings"]
            _keep_context(ctx, reuse.context, before.name, name)
        else:
            actors, field_ids = _actors(ctx, name, read)
            list_mappings = _list_mappings(ctx, name, read)
            for crm_list, rows in read.crm_lists.items():
                keep_crm_list(ctx, crm_list, rows)
        _, header = erp_connection.header_from_carrier(
            carrier, read.config, connector=connector, fields=fields, users=users, groups=groups
        )
        # The header's keys but "deleted", then the actors and list mappings, "deleted" last:
        # an ErpConnectionSpec the comprehension hides from the type checker.
        spec = cast(
            ErpConnectionSpec,
            {
                **{k: v for k, v in header.items() if k != "deleted"},
                "actors": actors,
                "listMappings": list_mappings,
                "deleted": header["deleted"],
            },
        )
        state.add(
            Resource(
                kind=Kind.ERP_CONNECTION,
                name=name,
                spec=spec,
                ids={
                    "id": int(carrier["ErpConnectionId"]),
                    "connectorId": int(carrier.get("ErpConnectorId") or 0),
                    "fieldIds": field_ids,
                },
            )
        )
        ctx.erp_catalog_read.add(name)


def _keep_context(ctx: LiveContext, before: LiveContext, old_name: str, name: str) -> None:
    """A kept connection's ERP fields and list items, as the earlier read found them."""
    for (connection, actor), infos in before.erp_fields.items():
        if connection == old_name:
            ctx.erp_fields[(name, actor)] = infos
    for (connection, address), items in before.erp_list_items.items():
        if connection == old_name:
            ctx.erp_list_items[(name, address)] = items
    for (connection, address), found in before.crm_list_of.items():
        if connection == old_name:
            ctx.crm_list_of[(name, address)] = found
    for actor, keys in before.crm_fields_seen.items():
        ctx.crm_fields_seen.setdefault(actor, set()).update(keys)


def _actors(
    ctx: LiveContext, connection: str, read: ConnectionRead
) -> tuple[dict[str, ActorSpec], dict[str, dict[str, int]]]:
    actors: dict[str, ActorSpec] = {}
    field_ids: dict[str, dict[str, int]] = {}
    offered: list[tuple[str, dict[str, Any]]] = []
    assert read.mappings is not None  # only called for a connection read in full
    for actor, mapping in zip(ERP_ACTOR_TYPES, read.mappings, strict=True):
        if not mapping or not mapping.get("FieldMappings"):
            continue
        offered.append((actor, mapping))
    default_of = {
        (actor, norm.text(fm.get("ErpFieldKey"))): erp_connection.default_from_carrier(
            read.defaults[(actor, int(fm["ErpFieldId"]))]
        )
        for actor, m in offered
        for fm in m["FieldMappings"]
    }
    for actor, mapping in offered:
        infos = erp_field_infos(mapping)
        mapped: dict[str, MappingSpec] = {}
        order: list[str] = []
        for fm in mapping["FieldMappings"]:
            key = norm.text(fm.get("ErpFieldKey"))
            order.append(key)
            if norm.text(fm.get("CrmFieldKey")):
                if not fm.get("MissingInCRM"):
                    crm_actor = norm.text(mapping.get("ActorTypeCrm"))
                    seen = ctx.crm_fields_seen.setdefault(crm_actor, set())
                    seen.add(norm.text(fm.get("CrmFieldKey")))
                mapped[key] = {
                    "crmField": norm.text(fm.get("CrmFieldKey")),
                    "direction": erp_connection.direction(fm.get("SyncToCrm"), fm.get("SyncToErp")),
                    "showInSearch": bool(fm.get("ShowInSearch", False)),
                    "showInTab": bool(fm.get("ShowInGui", False)),
                }
        ctx.erp_fields[(connection, actor)] = infos
        field_ids[actor] = {k: i.field_id for k, i in infos.items()}
        actor_defaults = {k: d for k in order if (d := default_of.get((actor, k))) is not None}
        enabled = bool(mapping.get("IsActive", False))
        if enabled or mapped or actor_defaults:
            actors[actor] = {
                "enabled": enabled,
                "crmActor": norm.text(mapping.get("ActorTypeCrm")),
                "mappings": mapped,
                "defaults": actor_defaults,
                "fieldOrder": order,
            }
    return actors, field_ids


def _list_mappings(
    ctx: LiveContext, connection: str, read: ConnectionRead
) -> dict[str, dict[str, str]]:
    """The list mappings in canonical form; the ERP list items and the CRM list behind each
    list field go to ``ctx`` (the catalog plan checks ``erpItem``/``crmItem`` against)."""
    assert read.mappings is not None  # only called for a connection read in full
    address_of: dict[int, tuple[str, str]] = {}
    for actor, mapping in zip(ERP_ACTOR_TYPES, read.mappings, strict=True):
        address_of.update(list_field_addresses(actor, mapping or {}))
    record_list_items(ctx, connection, read.list_mappings, address_of)
    out: dict[str, dict[str, str]] = {}
    for entry in read.list_mappings.get("ErpListItemMappings") or []:
        found = address_of.get(int(entry.get("ErpFieldId") or 0))
        if found is None:
            continue
        items = {
            norm.text(item.get("ErpListItemId")): norm.text(item["CrmListItem"].get("Name"))
            for item in entry.get("ErpCrmListItemMappings") or []
            if item.get("CrmListItem") and int(item["CrmListItem"].get("Id") or 0) > 0
        }
        if items:
            out[found[0]] = items
    return out
