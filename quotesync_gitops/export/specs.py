"""Canonical live specs → manifest specs, in the manifest form and with defaults left out.

Each builder is the inverse of the loader's ``manifest/canonical.py`` for one kind: what it
writes loads back to the canonical spec it was given. A value is left out only when the loader
(or plan, for connector config defaults) would fill in that very value; keys come in the order
of the kind's reference. Password fields that are set become ``${env:NAME}`` references; the
caller decides the names (:class:`SpecContext.env_name`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from quotesync_gitops.export.yamlout import Flow, FlowList, Reference
from quotesync_gitops.kinds.connection_parts import PASSWORD_MASK
from quotesync_gitops.kinds.erp_connection import DEFAULT_FLAGS, MAPPING_FLAGS
from quotesync_gitops.manifest.canonical import canonical_spec
from quotesync_gitops.model import (
    ERP_ACTOR_TYPES,
    SALE_TYPE_QUOTE_KEYS,
    FieldInfo,
    Kind,
    LiveContext,
    Resource,
)
from quotesync_gitops.plan.prepare import connector_fields as declared_fields
from quotesync_gitops.secrets import UNREADABLE

Spec = dict[str, Any]


@dataclass(frozen=True)
class SpecContext:
    live: LiveContext
    #: (kind, resource name, config field key) → environment variable name
    env_name: Callable[[str, str, str], str]


def connector_fields(resource: Resource, ctx: LiveContext) -> dict[str, FieldInfo]:
    """The connector's declared fields ({} when the CRM has no such connector)."""
    return declared_fields(resource, ctx) or {}


def is_hidden_secret(value: Any, info: FieldInfo | None) -> bool:
    """A value not to write into a manifest: a set Password field (the CRM would not hand
    it back), or a set field whose key names a credential though the connector declares it
    as Text (the CRM hands it back in clear; it belongs in the environment, not in git).

    When the connector's fields are unknown (it could not be reached), the CRM's mask
    ``********`` is the only sign, and is taken as a password too.
    """
    if value is UNREADABLE:
        return True
    if info is not None:
        return info.secret and bool(value)
    return bool(value == PASSWORD_MASK)


def secret_fields(resource: Resource, ctx: LiveContext) -> list[str]:
    """Config keys of ``resource`` whose values must come from the environment."""
    if resource.deleted or resource.kind not in (Kind.ERP_CONNECTION, Kind.QUOTE_CONNECTION):
        return []
    fields = connector_fields(resource, ctx)
    config: Mapping[str, Any] = resource.spec.get("config", {})
    return [key for key, value in config.items() if is_hidden_secret(value, fields.get(key))]


def _set(
    kind: str, spec: Mapping[str, Any], keys: tuple[str, ...], *, always: tuple[str, ...] = ()
) -> Spec:
    """The values of ``keys`` (in that order) that differ from what the loader fills in when a
    manifest leaves them out; ``always`` ones are written whatever their value. The defaults
    come from the loader itself, so the two cannot drift apart."""
    defaults = canonical_spec(kind, {}, None)
    return {k: spec[k] for k in keys if k in always or spec[k] != defaults[k]}


def _secrets_version(spec: Mapping[str, Any], out: Spec) -> None:
    """The version of the secrets the CRM has (see ``secrets_version.py``), when it has one."""
    if spec.get("secretsVersion") is not None:
        out["secretsVersion"] = spec["secretsVersion"]


def tombstone() -> Spec:
    return {"deleted": True}


def erp_connector(resource: Resource, ctx: SpecContext) -> Spec:
    return {"url": resource.spec["url"]}


def erp_connection(resource: Resource, ctx: SpecContext) -> Spec:
    spec = resource.spec
    out = _set(
        Kind.ERP_CONNECTION, spec, ("connector", "description", "active"), always=("connector",)
    )
    _secrets_version(spec, out)
    _scope(spec["scope"], out)
    _config(resource, ctx, out)
    actors = {
        actor: _actor(spec["actors"][actor]) for actor in _ordered(spec["actors"], ERP_ACTOR_TYPES)
    }
    if actors:
        out["actors"] = actors
    list_mappings = _list_mappings(spec["listMappings"], spec["actors"])
    if list_mappings:
        out["listMappings"] = list_mappings
    return out


def quote_connection(resource: Resource, ctx: SpecContext) -> Spec:
    spec = resource.spec
    keys = ("connector", "erpName", "erpConnection", "description")
    out = _set(Kind.QUOTE_CONNECTION, spec, keys, always=("connector",))
    _secrets_version(spec, out)
    _scope(spec["scope"], out)
    _config(resource, ctx, out)
    return out


def sync_settings(resource: Resource, ctx: SpecContext) -> Spec:
    """Priority only with two connections or more: one connection has nothing to order."""
    spec = resource.spec
    out: Spec = {}
    if len(spec["priority"]) > 1:
        out["priority"] = list(spec["priority"])
    if spec["automaticSync"] is not None:
        out["automaticSync"] = spec["automaticSync"]
    if spec["interval"] is not None:
        out["interval"] = spec["interval"]
    return out


def price_list(resource: Resource, ctx: SpecContext) -> Spec:
    """Everything but the products (the caller writes them inline or as CSV).

    An ``erpKey`` the CRM assigned itself (``str(PriceListId)``, when saved without one) is a
    server id: left out, so another CRM assigns its own.
    """
    spec = resource.spec
    keys = ("description", "currency", "currencyName", "validFrom", "validTo", "active")
    out = _set(Kind.PRICE_LIST, spec, keys, always=("currency", "validFrom", "validTo"))
    if spec["erpKey"] and spec["erpKey"] != str(resource.ids.get("id", "")):
        out["erpKey"] = spec["erpKey"]
    return out | _set(Kind.PRICE_LIST, spec, ("quoteConnection",))


#: Quote line field settings, in the order of the reference.
LINE_FIELD_KEYS = ("shown", "label", "tooltip", "editable", "mandatory", "order")


def product_field_settings(resource: Resource, ctx: SpecContext) -> Spec:
    """Every field with every setting: the loader fills in nothing here (only the settings
    a manifest gives are managed), so leaving one out would leave it to the other CRM."""
    fields: Mapping[str, Mapping[str, Any]] = resource.spec["fields"]
    ordered = sorted(fields, key=lambda name: (fields[name].get("order", 0), name))
    out = {
        name: {key: fields[name][key] for key in LINE_FIELD_KEYS if key in fields[name]}
        for name in ordered
    }
    return {"fields": out} if out else {}


def sale_type_quote_settings(resource: Resource, ctx: SpecContext) -> Spec:
    """Every setting, null ones too: only the settings a manifest gives are managed, so one
    left out would be left to the other CRM."""
    return {key: resource.spec[key] for key in SALE_TYPE_QUOTE_KEYS}


def repository_settings() -> Spec:
    return {"prune": FlowList()}


BUILDERS: dict[str, Callable[[Resource, SpecContext], Spec]] = {
    Kind.ERP_CONNECTOR: erp_connector,
    Kind.ERP_CONNECTION: erp_connection,
    Kind.QUOTE_CONNECTION: quote_connection,
    Kind.SYNC_SETTINGS: sync_settings,
    Kind.PRICE_LIST: price_list,
    Kind.PRODUCT_FIELD_SETTINGS: product_field_settings,
    Kind.SALE_TYPE_QUOTE_SETTINGS: sale_type_quote_settings,
}


def _ordered(keys: Mapping[str, Any], order: tuple[str, ...] | list[str]) -> list[str]:
    """``keys`` in the order given, the ones not in it last, by name."""
    rank = {name: index for index, name in enumerate(order)}
    return sorted(keys, key=lambda k: (rank.get(k, len(rank)), k))


def _scope(scope: Mapping[str, Any], out: Spec) -> None:
    """Everyone (the default) is left out; nobody is ``{allUsers: false}``."""
    if scope["allUsers"]:
        return
    written: Spec = {}
    if scope["users"]:
        written["users"] = FlowList(scope["users"])
    if scope["groups"]:
        written["groups"] = FlowList(scope["groups"])
    out["scope"] = written or Flow(allUsers=False)


def _config(resource: Resource, ctx: SpecContext, out: Spec) -> None:
    """Config in the connector's rank order; a value equal to the connector's default is left
    out (plan fills defaults in); a set password becomes an ``${env:}`` reference."""
    fields = connector_fields(resource, ctx.live)
    config: Mapping[str, Any] = resource.spec["config"]
    ranked = sorted(
        config, key=lambda k: (k not in fields, fields[k].rank if k in fields else 0, k)
    )
    written: Spec = {}
    for key in ranked:
        value = config[key]
        info = fields.get(key)
        if is_hidden_secret(value, info):
            written[key] = Reference.env(ctx.env_name(resource.kind, resource.name, key))
        elif info is not None and not info.secret and value == info.default:
            continue
        else:
            written[key] = value
    if written:
        out["config"] = written


def _actor(actor: Mapping[str, Any]) -> Spec:
    order: list[str] = list(actor["fieldOrder"])
    out: Spec = {}
    if not actor["enabled"]:
        out["enabled"] = False
    out["crmActor"] = actor["crmActor"]
    mapped = _ordered(actor["mappings"], order)
    if mapped:
        out["mappings"] = [_mapping(key, actor["mappings"][key]) for key in mapped]
    with_defaults = _ordered(actor["defaults"], order)
    if with_defaults:
        out["defaults"] = [_default(key, actor["defaults"][key]) for key in with_defaults]
    ordered = [key for key in order if key in actor["mappings"]]
    if len(ordered) > 1:
        out["fieldOrder"] = FlowList(ordered)
    return out


def _mapping(key: str, mapping: Mapping[str, Any]) -> Flow:
    out = Flow(erpField=key, crmField=mapping["crmField"], direction=mapping["direction"])
    out.update({f: mapping[f] for f, default in MAPPING_FLAGS.items() if mapping[f] != default})
    return out


def _default(key: str, default: Mapping[str, Any]) -> Flow:
    out = Flow(erpField=key)
    if default["value"] is not None:
        out["value"] = default["value"]
    out.update({f: default[f] for f, unset in DEFAULT_FLAGS.items() if default[f] != unset})
    return out


def _list_mappings(
    list_mappings: Mapping[str, Mapping[str, str]], actors: Mapping[str, Any]
) -> list[Spec]:
    def position(address: str) -> tuple[int, int, str]:
        actor, _, field = address.partition("/")
        actor_rank = ERP_ACTOR_TYPES.index(actor) if actor in ERP_ACTOR_TYPES else 99
        order = list(actors.get(actor, {}).get("fieldOrder", []))
        return actor_rank, order.index(field) if field in order else len(order), field

    out: list[Spec] = []
    for address in sorted(list_mappings, key=position):
        actor, _, field = address.partition("/")
        items = [
            Flow(erpItem=erp_item, crmItem=crm_item)
            for erp_item, crm_item in list_mappings[address].items()
        ]
        out.append({"actor": actor, "erpField": field, "items": items})
    return out


def escape_refs(value: Any) -> Any:
    """Values written as they are: ``${`` becomes ``$${`` so the loader reads no reference.

    Keys are left alone (the loader resolves references in values only), and so are the
    :class:`Reference` values export puts in on purpose.
    """
    if isinstance(value, Reference):
        return value
    if isinstance(value, str):
        return value.replace("${", "$${") if "${" in value else value
    if isinstance(value, Flow):
        return Flow({k: escape_refs(v) for k, v in value.items()})
    if isinstance(value, dict):
        return {k: escape_refs(v) for k, v in value.items()}
    if isinstance(value, FlowList):
        return FlowList(escape_refs(v) for v in value)
    if isinstance(value, list):
        return [escape_refs(v) for v in value]
    return value
