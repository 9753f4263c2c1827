"""Check a desired resource against what the CRM offers (its catalogs, in ``LiveContext``).

Plan runs these for new and existing resources alike; apply runs them again for a new ERP
connection once it exists (its ERP catalog only exists then). Every problem names the spec
path of the offending key, in manifest form, so the pipeline can point at its own line, and
carries a did-you-mean from the catalog. All problems of a resource are returned together.

What the API offers no catalog for is not checked here: CRM field keys only get a warning
when close to a key the CRM's mappings use (apply/erp_guard.py has the CRM judge them before
anything else is written); the values of a List-type config field are for the connector's
connection test to judge.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from quotesync_gitops.kinds import KINDS
from quotesync_gitops.model import (
    ErpFieldInfo,
    FieldInfo,
    Kind,
    LiveContext,
    Match,
    Resource,
    SpecPath,
    SpecProblem,
)
from quotesync_gitops.secrets import is_sensitive, plain
from quotesync_gitops.suggest import closest, did_you_mean

Found = Iterator[tuple[SpecPath, str, str]]  # (path, message, at); at "warn": a warning


def check_against_crm(
    resource: Resource, ctx: LiveContext, live: Resource | None = None
) -> list[SpecProblem]:
    """Problems only the CRM can reveal, each at the offending key of ``resource``
    (``live``: the object as the CRM holds it, for what cannot change after creation)."""
    if resource.deleted:
        return []
    check = _CHECKS.get(resource.kind)
    if check is None:
        return []
    found = list(check(resource, ctx))
    if live is not None:
        found += _fixed_at_creation(resource, live)
    return [
        SpecProblem(resource.kind, resource.name, path, message, "value", "warning")
        if at == "warn"
        else SpecProblem(resource.kind, resource.name, path, message, at)
        for path, message, at in found
    ]


def _fixed_at_creation(resource: Resource, live: Resource) -> Found:
    """The CRM refuses to move a connection to another connector."""
    if resource.kind not in (Kind.ERP_CONNECTION, Kind.QUOTE_CONNECTION):
        return
    wanted, held = resource.spec.get("connector"), live.spec.get("connector")
    if held and wanted != held:
        yield (
            ("connector",),
            f"the connector of an existing connection cannot be changed (it is {held!r}); "
            "give the new connection another name and tombstone this one (deleted: true)",
            "value",
        )


def waits_for_creation(resource: Resource, ctx: LiveContext) -> bool:
    """A new ERP connection: its actor types, ERP fields and lists are known only once it
    exists, so those checks run in apply, right after it is created (inactive)."""
    return (
        resource.kind == Kind.ERP_CONNECTION
        and not resource.deleted
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
    if resource.kind != Kind.ERP_CONNECTION or resource.deleted:
        return []
    waiting = sorted(
        address
        for address in resource.spec.get("listMappings", {})
        if (resource.name, address) not in ctx.erp_list_items
    )
    if not waiting or resource.name not in ctx.erp_catalog_read:
        return []
    return [
        f"ErpConnection {resource.name!r}: the list items of {', '.join(waiting)} are known "
        "once apply has saved the actor mappings; apply checks them then, before anything "
        "else is written (and puts the mappings back on a problem)."
    ]


def connector_fields(resource: Resource, ctx: LiveContext) -> dict[str, FieldInfo] | None:
    """The connector's declared config fields, or None when the CRM has no such connector
    (or the resource's kind has none)."""
    definition = KINDS.get(resource.kind)
    return definition.connector_fields(resource.spec, ctx) if definition is not None else None


# --- connections ---------------------------------------------------------------------------


def _connection(resource: Resource, ctx: LiveContext) -> Found:
    spec = resource.spec
    connector = str(spec.get("connector", ""))
    fields = connector_fields(resource, ctx)
    if fields is None:
        known = ctx.erp_connectors if resource.kind == Kind.ERP_CONNECTION else ctx.quote_connectors
        hint = did_you_mean(connector, known, listing="installed connectors")
        yield ("connector",), f"the CRM has no connector named {connector!r}{hint}", "value"
    else:
        yield from _config(connector, spec.get("config", {}), fields)
    yield from _scope(spec.get("scope", {}), ctx)
    if resource.kind == Kind.ERP_CONNECTION:
        yield from _crm_fields(spec.get("actors", {}), ctx)
    if resource.kind == Kind.ERP_CONNECTION and resource.name in ctx.erp_catalog_read:
        yield from _erp_catalog(resource, ctx)


def _crm_fields(actors: Mapping[str, Any], ctx: LiveContext) -> Found:
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


_WHOLE = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FLAGS = ("true", "false")


def _config(connector: str, config: Mapping[str, Any], fields: Mapping[str, FieldInfo]) -> Found:
    for key in sorted(config):
        if key not in fields:
            hint = did_you_mean(key, fields, listing="its fields are")
            yield (
                ("config", key),
                f"connector {connector!r} has no configuration field {key!r}{hint}",
                "key",
            )
    for key, info in sorted(fields.items()):
        given = key in config
        value = config.get(key, info.default)
        text = plain(value) if isinstance(plain(value), str) else ""
        where: SpecPath = ("config", key) if given else ("config",)
        at = "value" if given else "key"
        if info.access == "Mandatory" and not text.strip():
            yield (
                where,
                f"configuration field {key!r} is mandatory for connector {connector!r} "
                "and has no value",
                at,
            )
            continue
        if not given or not text:
            continue
        shown = _shown(value)
        if info.access == "ReadOnly" and text != info.default:
            yield where, f"configuration field {key!r} is read-only; remove it", "key"
        if info.max_length and len(text) > info.max_length:
            yield (
                where,
                f"configuration field {key!r} is longer than the connector allows "
                f"({len(text)} > {info.max_length} characters)",
                at,
            )
        problem = _type_problem(info.field_type, text.strip())
        if problem:
            yield (
                where,
                f"configuration field {key!r} is a {info.field_type} field: "
                + (f"{shown} {problem}"),
                at,
            )


def _shown(value: Any) -> str:
    """A value for a message: a secret is never shown (nor a did-you-mean derived from it)."""
    return "(sensitive)" if is_sensitive(value) else repr(value)


def _listing(items: Mapping[str, Any]) -> str:
    return f"; its items are: {', '.join(sorted(items))}"


def _type_problem(field_type: str, text: str) -> str:
    if field_type == "Integer" and not _WHOLE.fullmatch(text):
        return "is not a whole number"
    if field_type == "Double" and not _NUMBER.fullmatch(text):
        return "is not a number"
    if field_type == "Checkbox" and text.lower() not in _FLAGS:
        return 'must be "true" or "false"'
    if field_type == "Date":
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return "is not a date (YYYY-MM-DD)"
    return ""


def _scope(scope: Mapping[str, Any], ctx: LiveContext) -> Found:
    for part, known, what in (("users", ctx.users, "user"), ("groups", ctx.groups, "group")):
        for name in scope.get(part, []):
            if name not in known:
                hint = did_you_mean(str(name), known)
                yield (
                    ("scope", part, Match.item(str(name))),
                    f"scope names {what} {name!r}, who does not exist in the CRM{hint}"
                    if what == "user"
                    else f"scope names group {name!r}, which does not exist in the CRM{hint}",
                    "value",
                )


# --- ERP catalog of an existing (or just created) connection --------------------------------


def _erp_catalog(resource: Resource, ctx: LiveContext) -> Found:
    name = resource.name
    offered_actors = {a: f for (c, a), f in ctx.erp_fields.items() if c == name}
    active = bool(resource.spec.get("active"))
    actors: Mapping[str, Any] = resource.spec.get("actors", {})
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
    yield from _list_mappings(name, resource.spec, offered_actors, ctx)


def _actor(
    connection: str,
    actor: str,
    settings: Mapping[str, Any],
    offered: Mapping[str, ErpFieldInfo],
    active: bool,
    ctx: LiveContext,
) -> Found:
    base: SpecPath = ("actors", actor)
    mappings: Mapping[str, Any] = settings.get("mappings", {})
    for section in ("mappings", "defaults"):
        for key in sorted(settings.get(section, {})):
            if key not in offered:
                hint = did_you_mean(key, offered, listing="the connector offers")
                yield (
                    (*base, section, Match.of(erpField=key), "erpField"),
                    f"actor {actor} has no ERP field {key!r}{hint}",
                    "value",
                )
    defaults: Mapping[str, Any] = settings.get("defaults", {})
    for key, default in sorted(defaults.items()):
        info = offered.get(key)
        raw = default.get("value") if isinstance(default, Mapping) else None
        value = plain(raw)
        items = ctx.erp_list_items.get((connection, f"{actor}/{key}"))
        if info is None or info.field_type != "List" or not value or items is None:
            continue
        if value not in items:
            hint = (
                _listing(items)
                if is_sensitive(raw)
                else did_you_mean(str(value), items, listing="its items are")
            )
            yield (
                (*base, "defaults", Match.of(erpField=key), "value"),
                f"default value {_shown(raw)} of {actor}/{key} is not an item of its ERP list"
                f"{hint}",
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
    spec: Mapping[str, Any],
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


# --- price lists and quote line fields ------------------------------------------------------


def _price_list(resource: Resource, ctx: LiveContext) -> Found:
    currency = str(resource.spec.get("currency", ""))
    if ctx.currencies and currency and currency not in ctx.currencies:
        hint = did_you_mean(currency, ctx.currencies, listing="it has")
        yield ("currency",), f"the CRM has no currency {currency!r}{hint}", "value"


def _line_fields(resource: Resource, ctx: LiveContext) -> Found:
    if not ctx.line_fields:
        return
    for name, settings in sorted(dict(resource.spec.get("fields", {})).items()):
        known = ctx.line_fields.get(name)
        if known is None:
            hint = did_you_mean(name, ctx.line_fields, listing="known fields")
            yield ("fields", name), f"the CRM has no quote line field {name!r}{hint}", "key"
        elif known["restrictEdit"] and (settings.get("editable") or settings.get("mandatory")):
            yield (
                ("fields", name),
                f"quote line field {name!r} is restricted by the CRM and cannot be made "
                "editable or mandatory",
                "key",
            )


_CHECKS: dict[str, Callable[[Resource, LiveContext], Found]] = {
    Kind.ERP_CONNECTION: _connection,
    Kind.QUOTE_CONNECTION: _connection,
    Kind.PRICE_LIST: _price_list,
    Kind.PRODUCT_FIELD_SETTINGS: _line_fields,
}
