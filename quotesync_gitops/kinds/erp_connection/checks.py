"""ErpConnection's checks against the CRM's catalogs (``KindDef.crm_checks``): its connector,
config and scope (as every connection's, ``kinds/checking.py``), its CRM field keys (a
warning: the API lists none), and, once the connection exists, its actor types, ERP fields,
default values and list mappings against its ERP catalog (``catalog.py`` reads it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from quotesync_gitops.kinds.base import Found
from quotesync_gitops.kinds.checking import connection_problems, fixed_at_creation, listing, shown
from quotesync_gitops.kinds.erp_connection.spec import (
    ActorSpec,
    DefaultSpec,
    ErpConnectionSpec,
    MappingSpec,
    spec_of,
)
from quotesync_gitops.model import ErpFieldInfo, FieldInfo, LiveContext, Match, Resource, SpecPath
from quotesync_gitops.secrets import is_sensitive, plain
from quotesync_gitops.suggest import closest, did_you_mean


def crm_checks(
    resource: Resource,
    fields: Mapping[str, FieldInfo] | None,
    ctx: LiveContext,
    live: Resource | None,
) -> Found:
    """Everything the CRM declares about the connection (``fields``: its connector's config
    fields, None when the CRM has no such connector)."""
    yield from connection_problems(resource, fields, ctx.erp_connectors, ctx)
    yield from _crm_fields(spec_of(resource).get("actors", {}), ctx)
    if resource.name in ctx.erp_catalog_read:
        yield from _erp_catalog(resource, ctx)
    yield from fixed_at_creation(resource, live)


def _crm_fields(actors: Mapping[str, ActorSpec], ctx: LiveContext) -> Found:
    """The API has no catalog of CRM field keys: a key no mapping in this CRM uses, close
    to one that is used, is likely a typo. A warning (apply is the judge, and refuses the
    whole actor mapping, writing nothing, if the CRM does not know it)."""
    for actor, settings in sorted(actors.items()):
        seen = ctx.crm_fields_seen.get(str(settings.get("crmActor", "")), set())
        for key, mapping in sorted(dict(settings.get("mappings", {})).items()):
            crm_field = str(mapping.get("crmField", ""))
            if not seen or crm_field in seen:
                continue
            near = closest(crm_field, seen)
            if near is not None and near != crm_field:
                yield (
                    ("actors", actor, "mappings", Match.of(erpField=key), "crmField"),
                    f"no mapping in this CRM uses the CRM field {crm_field!r}; did you mean "
                    f"{near!r}? (the API publishes no list of CRM field keys: apply checks "
                    "it before writing anything of this connection)",
                    "warn",
                )


def _erp_catalog(resource: Resource, ctx: LiveContext) -> Found:
    name = resource.name
    offered_actors = {a: f for (c, a), f in ctx.erp_fields.items() if c == name}
    active = bool(resource.spec.get("active"))
    spec = spec_of(resource)
    actors = spec.get("actors", {})
    for actor, settings in sorted(actors.items()):
        offered = offered_actors.get(actor)
        if offered is None:
            hint = did_you_mean(actor, offered_actors, listing="it offers")
            yield (
                ("actors", actor),
                f"the connector offers no ERP actor type {actor}{hint}",
                "key",
            )
            continue
        yield from _actor(name, actor, settings, offered, active, ctx)
    yield from _list_mappings(name, spec, offered_actors, ctx)


def _actor(
    connection: str,
    actor: str,
    settings: ActorSpec,
    offered: Mapping[str, ErpFieldInfo],
    active: bool,
    ctx: LiveContext,
) -> Found:
    base: SpecPath = ("actors", actor)
    mappings: Mapping[str, MappingSpec] = settings.get("mappings", {})
    sections: tuple[Literal["mappings", "defaults"], ...] = ("mappings", "defaults")
    for section in sections:
        for key in sorted(settings.get(section, {})):
            if key not in offered:
                hint = did_you_mean(key, offered, listing="the connector offers")
                yield (
                    (*base, section, Match.of(erpField=key), "erpField"),
                    f"actor {actor} has no ERP field {key!r}{hint}",
                    "value",
                )
    defaults: Mapping[str, DefaultSpec] = settings.get("defaults", {})
    for key, default in sorted(defaults.items()):
        info = offered.get(key)
        raw = default.get("value") if isinstance(default, Mapping) else None
        value = plain(raw)
        items = ctx.erp_list_items.get((connection, f"{actor}/{key}"))
        if info is None or info.field_type != "List" or not value or items is None:
            continue
        if value not in items:
            hint = (
                listing(items)
                if is_sensitive(raw)
                else did_you_mean(str(value), items, listing="its items are")
            )
            yield (
                (*base, "defaults", Match.of(erpField=key), "value"),
                f"default value {shown(raw)} of {actor}/{key} is not an item of its ERP list{hint}",
                "value",
            )
    if active and settings.get("enabled", True):
        for key, info in sorted(offered.items()):
            if info.access != "Mandatory":
                continue
            mapped = mappings.get(key)
            if mapped is None:
                yield (
                    (*base, "mappings"),
                    f"ERP field {actor}/{key} is mandatory and needs a sync direction before "
                    "the connection can be active; map it, or set active: false",
                    "key",
                )
            elif mapped.get("direction") == "none":
                yield (
                    (*base, "mappings", Match.of(erpField=key), "direction"),
                    f"ERP field {actor}/{key} is mandatory and needs a sync direction other "
                    "than none before the connection can be active",
                    "value",
                )


def _list_mappings(
    connection: str,
    spec: ErpConnectionSpec,
    offered_actors: Mapping[str, Mapping[str, ErpFieldInfo]],
    ctx: LiveContext,
) -> Found:
    list_mappings: Mapping[str, Mapping[str, str]] = spec.get("listMappings", {})
    mapped_crm_fields = {
        f"{actor}/{key}": mapping.get("crmField", "")
        for actor, settings in dict(spec.get("actors", {})).items()
        for key, mapping in dict(settings.get("mappings", {})).items()
    }
    for address, items in sorted(list_mappings.items()):
        actor, _, key = address.partition("/")
        entry: SpecPath = ("listMappings", Match.of(actor=actor, erpField=key))
        info = offered_actors.get(actor, {}).get(key)
        if info is None:
            continue  # reported at the mapping (or the actor) already
        if info.field_type != "List":
            yield (
                (*entry, "erpField"),
                f"ERP field {actor}/{key} is a {info.field_type} field, not a list; only "
                "list fields have list mappings",
                "value",
            )
            continue
        erp_items = ctx.erp_list_items.get((connection, address))
        if erp_items is None:
            continue  # the actor type is not enabled yet: apply checks after enabling it
        # The CRM list follows the CRM field the ERP field is mapped to *now*; when the
        # manifest maps it elsewhere, apply checks the items once that mapping is saved.
        live_field, crm_list = ctx.crm_list_of.get((connection, address), ("", ""))
        wanted_field = str(mapped_crm_fields.get(address, ""))
        same_field = live_field == wanted_field
        crm_items = ctx.crm_lists.get(crm_list) if crm_list and same_field else None
        for erp_item, crm_item in sorted(items.items()):
            item: SpecPath = (*entry, "items", Match.of(erpItem=erp_item))
            if erp_item not in erp_items:
                hint = did_you_mean(erp_item, erp_items, listing="its items are")
                yield (
                    (*item, "erpItem"),
                    f"the ERP list of {actor}/{key} has no item {erp_item!r}{hint}",
                    "value",
                )
            if crm_items is not None and crm_item not in crm_items:
                hint = did_you_mean(crm_item, crm_items, listing="its items are")
                yield (
                    (*item, "crmItem"),
                    f"the CRM list {crm_list!r} has no item {crm_item!r}{hint}",
                    "value",
                )
        if same_field and live_field and not crm_list and items:
            yield (
                (*entry, "erpField"),
                f"{actor}/{key} is mapped to {live_field!r}, which is not a CRM list field, "
                "so its items cannot be mapped",
                "value",
            )


def waits_for_creation(resource: Resource, ctx: LiveContext) -> bool:
    """A new ERP connection: its actor types, ERP fields and lists are known only once it
    exists, so those checks run in apply, right after it is created (inactive)."""
    return (
        not resource.deleted
        and bool(resource.spec.get("actors") or resource.spec.get("listMappings"))
        and resource.name not in ctx.erp_catalog_read
    )


def deferred_checks(resource: Resource, ctx: LiveContext) -> list[str]:
    """What plan cannot check yet, as notes: the ERP catalog of a new connection, and list
    mappings of an existing one whose ERP items appear once apply has enabled the actor."""
    if waits_for_creation(resource, ctx):
        return [
            f"ErpConnection {resource.name!r} is new: its actor types, ERP fields, ERP list "
            "items and default values are checked against its connector when apply has "
            "created it (inactive), before anything else is written for it."
        ]
    if resource.deleted:
        return []
    waiting = sorted(
        address
        for address in spec_of(resource).get("listMappings", {})
        if (resource.name, address) not in ctx.erp_list_items
    )
    if not waiting or resource.name not in ctx.erp_catalog_read:
        return []
    return [
        f"ErpConnection {resource.name!r}: the list items of {', '.join(waiting)} are known "
        "once apply has saved the actor mappings; apply checks them then, before anything "
        "else is written (and puts the mappings back on a problem)."
    ]
