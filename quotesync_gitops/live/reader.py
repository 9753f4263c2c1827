"""Read the live CRM into a LiveState: bulk reads, then normalise.

Only list calls where SuperOffice has them; per-object calls only where the API offers
nothing else (config values, actor mappings, default values), and those run through the
client's bounded-concurrency ``run_bulk``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.errors import CrmNotFound, CrmRejected
from quotesync_gitops.live import normalise as norm
from quotesync_gitops.live.catalog import (
    erp_field_infos,
    list_field_addresses,
    read_crm_lists,
    read_directory,
    record_list_items,
    safe_actor_mapping,
)
from quotesync_gitops.live.common import SINGLETON_NAME, bind, only_agent_refusals
from quotesync_gitops.live.quote_reader import (
    read_line_configuration,
    read_price_lists,
    read_quote_connections,
)
from quotesync_gitops.model import (
    ERP_ACTOR_TYPES,
    FieldInfo,
    Kind,
    LiveContext,
    LiveState,
    Resource,
)


def read_live(client: CrmClient, kinds: Iterable[str] | None = None) -> LiveState:
    """Read every Quote/Sync object (or only those of ``kinds``) into a LiveState."""
    wanted = set(kinds) if kinds is not None else {str(k) for k in Kind}
    state = LiveState()
    ctx = state.context
    read_directory(client, ctx)
    connections = client.erp_get_all_connections(include_deleted=True)
    erp_names = {int(c["ErpConnectionId"]): norm.text(c.get("DisplayName")) for c in connections}
    _read_connectors(client, state, Kind.ERP_CONNECTOR in wanted)
    if wanted & {Kind.ERP_CONNECTION, Kind.SYNC_SETTINGS}:
        _read_erp_connections(client, state, connections)
    if Kind.SYNC_SETTINGS in wanted:
        _read_sync_settings(client, state, connections)
    quote_names: dict[int, str] = {}
    if wanted & {Kind.QUOTE_CONNECTION, Kind.PRICE_LIST}:
        quote_names = read_quote_connections(client, state, erp_names)
    if Kind.PRICE_LIST in wanted:
        read_price_lists(client, state, quote_names)
    if Kind.PRODUCT_FIELD_SETTINGS in wanted:
        read_line_configuration(client, state)
    for resource in list(state):
        if resource.kind not in wanted:
            del state.resources[resource.key]
    return state


def _read_connectors(client: CrmClient, state: LiveState, include: bool) -> None:
    listed = client.erp_get_all_connectors()
    entities = client.run_bulk(
        [bind(client.erp_get_connector_entity, int(c["Id"])) for c in listed]
    )
    metas = client.run_bulk([_safe_fields(client, int(c["Id"])) for c in listed])
    for entity, meta in zip(entities, metas, strict=True):
        name = norm.text(entity.get("DisplayName"))
        fields = {f.key: f for f in (norm.field_info(m) for m in meta)}
        state.context.erp_connectors[name] = (int(entity["ErpConnectorId"]), fields)
        if include:
            state.add(
                Resource(
                    kind=Kind.ERP_CONNECTOR,
                    name=name,
                    spec={
                        "url": norm.text(entity.get("URL")),
                        "deleted": bool(entity.get("Deleted")),
                    },
                    ids={"id": int(entity["ErpConnectorId"])},
                )
            )


def _safe_fields(client: CrmClient, connector_id: int) -> Callable[[], list[dict[str, Any]]]:
    """A connector the CRM cannot reach declares no fields (plan reports it when used)."""

    def call() -> list[dict[str, Any]]:
        try:
            return client.erp_get_configuration_fields(connector_id)
        except (CrmRejected, CrmNotFound) as exc:
            only_agent_refusals(exc)
            return []

    return call


def _read_erp_connections(
    client: CrmClient, state: LiveState, connections: list[dict[str, Any]]
) -> None:
    ctx = state.context
    users = {v: k for k, v in ctx.users.items()}
    groups = {v: k for k, v in ctx.groups.items()}
    connector_names = {cid: name for name, (cid, _) in ctx.erp_connectors.items()}
    ids = [int(c["ErpConnectionId"]) for c in connections]
    configs = client.run_bulk([bind(client.erp_get_connection_config_fields, i) for i in ids])
    mapping_calls = [safe_actor_mapping(client, i, actor) for i in ids for actor in ERP_ACTOR_TYPES]
    mappings = client.run_bulk(mapping_calls)
    list_mappings = client.run_bulk([bind(client.erp_get_list_mappings, i) for i in ids])
    for index, carrier in enumerate(connections):
        name = norm.text(carrier.get("DisplayName"))
        connector = connector_names.get(int(carrier.get("ErpConnectorId") or 0), "")
        fields = ctx.erp_connectors.get(connector, (0, {}))[1]
        per_actor = mappings[index * len(ERP_ACTOR_TYPES) : (index + 1) * len(ERP_ACTOR_TYPES)]
        actors, field_ids = _actors(client, ctx, name, per_actor)
        spec: dict[str, Any] = {
            "connector": connector,
            "description": norm.text(carrier.get("DisplayDescription")),
            "active": bool(carrier.get("Active", False)),
            "scope": norm.scope(carrier, users, groups),
            "config": norm.config(configs[index], fields),
            "actors": actors,
            "listMappings": _list_mappings(ctx, name, list_mappings[index], per_actor),
            "deleted": bool(carrier.get("Deleted", False)),
        }
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
    read_crm_lists(client, ctx, [crm_list for _, crm_list in ctx.crm_list_of.values()])


def _actors(
    client: CrmClient,
    ctx: LiveContext,
    connection: str,
    per_actor: list[dict[str, Any] | None],
) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    actors: dict[str, Any] = {}
    field_ids: dict[str, dict[str, int]] = {}
    offered: list[tuple[str, dict[str, Any]]] = []
    for actor, mapping in zip(ERP_ACTOR_TYPES, per_actor, strict=True):
        if not mapping or not mapping.get("FieldMappings"):
            continue
        offered.append((actor, mapping))
    all_fields = [(actor, fm) for actor, m in offered for fm in m["FieldMappings"]]
    defaults = client.run_bulk(
        [bind(client.erp_get_default_value_info, int(fm["ErpFieldId"])) for _, fm in all_fields]
    )
    default_of = {
        (actor, norm.text(fm.get("ErpFieldKey"))): norm.default_value(dv)
        for (actor, fm), dv in zip(all_fields, defaults, strict=True)
    }
    for actor, mapping in offered:
        infos = erp_field_infos(mapping)
        mapped: dict[str, Any] = {}
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
                    "direction": norm.direction(fm.get("SyncToCrm"), fm.get("SyncToErp")),
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
    ctx: LiveContext,
    connection: str,
    container: dict[str, Any],
    per_actor: list[dict[str, Any] | None],
) -> dict[str, Any]:
    address_of: dict[int, tuple[str, str]] = {}
    for actor, mapping in zip(ERP_ACTOR_TYPES, per_actor, strict=True):
        address_of.update(list_field_addresses(actor, mapping or {}))
    record_list_items(ctx, connection, container, address_of)
    out: dict[str, Any] = {}
    for entry in container.get("ErpListItemMappings") or []:
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


def _read_sync_settings(
    client: CrmClient, state: LiveState, connections: list[dict[str, Any]]
) -> None:
    engine = client.erp_get_engine_status()
    priority = [norm.text(c.get("DisplayName")) for c in connections if not c.get("Deleted")]
    state.add(
        Resource(
            kind=Kind.SYNC_SETTINGS,
            name=SINGLETON_NAME,
            spec={
                "priority": priority,
                "automaticSync": bool(engine.get("IsRunning", False)),
                "interval": norm.interval(engine.get("Interval")),
                "deleted": False,
            },
            ids={
                "connectionIds": {
                    norm.text(c.get("DisplayName")): int(c["ErpConnectionId"])
                    for c in connections
                    if not c.get("Deleted")
                }
            },
        )
    )


__all__ = ["SINGLETON_NAME", "FieldInfo", "read_live"]
