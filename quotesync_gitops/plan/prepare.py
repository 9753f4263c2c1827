"""Bring desired and live specs onto common ground before they are compared.

Two things only the CRM knows decide how a manifest value must be read:

* which connector fields are ``Password`` fields (their values are secrets even when written
  literally in a manifest, and the CRM does not hand them back);
* which default a connector field has (a field the manifest leaves out takes its default).

The checks against what the CRM declares are each kind's (kinds/crm_checks.py dispatches them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from quotesync_gitops.kinds.connection_parts import ConfigValue, config_of
from quotesync_gitops.kinds.crm_checks import connector_fields
from quotesync_gitops.model import Diagnostic, Kind, LiveContext, Resource, SourceRef
from quotesync_gitops.plan.diff import with_config_defaults
from quotesync_gitops.plan.sale_types import check_sale_type_settings
from quotesync_gitops.secrets import Secret

__all__ = [
    "check_live_duplicates",
    "check_sale_types",
    "connector_fields",
    "prepare_desired",
    "prepare_live",
]

_NOWHERE = SourceRef("<crm>", 1, 1)


def prepare_desired(resource: Resource, ctx: LiveContext) -> Resource:
    """Wrap Password values as secrets and fill config defaults from the connector."""
    fields = connector_fields(resource, ctx)
    if not fields:
        return resource
    config: dict[str, ConfigValue] = {}
    for key, value in dict(config_of(resource)).items():
        info = fields.get(key)
        if info is not None and info.secret and isinstance(value, str) and value:
            value = Secret(value)
        config[key] = value
    defaults = {k: ("" if f.write_only else f.default) for k, f in fields.items()}
    spec = dict(resource.spec)
    spec["config"] = with_config_defaults(config, defaults)
    return replace(resource, spec=spec)


def prepare_live(resource: Resource, ctx: LiveContext) -> Resource:
    """Live config with every declared field present (missing = its default)."""
    fields = connector_fields(resource, ctx)
    if not fields:
        return resource
    defaults = {k: ("" if f.write_only else f.default) for k, f in fields.items()}
    spec = dict(resource.spec)
    spec["config"] = with_config_defaults(dict(config_of(resource)), defaults)
    return replace(resource, spec=spec)


def check_live_duplicates(resource: Resource, live: Resource) -> list[Diagnostic]:
    """Product codes the CRM holds more than once in a managed price list: plan cannot tell
    which product the manifest means, so it refuses to write to the list until a person
    retires the extra copies (another writer, or a person, created them)."""
    products = live.spec.get("products")
    duplicates: Mapping[str, list[int]] = getattr(products, "duplicates", {})
    if resource.kind != Kind.PRICE_LIST or not duplicates:
        return []
    where = resource.source or _NOWHERE
    shown = sorted(duplicates.items())[:20]
    listed = "; ".join(
        f"{code!r} ({len(ids)} products: ids {', '.join(map(str, sorted(ids)))})"
        for code, ids in shown
    )
    more = f" and {len(duplicates) - len(shown)} more codes" if len(duplicates) > len(shown) else ""
    return [
        Diagnostic(
            where,
            f"{resource.kind} {resource.name!r}: the CRM holds more than one product with the "
            f"same code in this price list: {listed}{more}. quotesync cannot tell which one "
            "the manifest means and writes nothing to this price list until the extra copies "
            "are given another code in the CRM",
        )
    ]


def check_sale_types(resource: Resource, ctx: LiveContext) -> list[Diagnostic]:
    """A sale type the CRM does not have, or a template it has not, at the key's own line."""
    if resource.deleted or resource.kind != Kind.SALE_TYPE_QUOTE_SETTINGS:
        return []
    where = resource.source or _NOWHERE
    label = f"{resource.kind} {resource.name!r}"
    return [
        Diagnostic(resource.key_sources.get(key, where) if key else where, message)
        for key, message in check_sale_type_settings(resource, ctx, label)
    ]
