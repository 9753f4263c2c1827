"""Bring desired and live specs onto common ground before they are compared.

Two things only the CRM knows decide how a manifest value must be read:

* which connector fields are ``Password`` fields (their values are secrets even when written
  literally in a manifest, and the CRM does not hand them back);
* which default a connector field has (a field the manifest leaves out takes its default).

Also checks manifests against what the CRM declares (connectors, fields, users, groups),
returning diagnostics that point at the manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from quotesync_gitops.model import (
    Diagnostic,
    FieldInfo,
    Kind,
    LiveContext,
    Resource,
    SourceRef,
)
from quotesync_gitops.plan.diff import with_config_defaults
from quotesync_gitops.secrets import Secret

_NOWHERE = SourceRef("<crm>", 1, 1)


def connector_fields(resource: Resource, ctx: LiveContext) -> dict[str, FieldInfo] | None:
    """The connector's declared config fields, or None when the CRM has no such connector."""
    connector = str(resource.spec.get("connector", ""))
    if resource.kind == Kind.ERP_CONNECTION:
        found = ctx.erp_connectors.get(connector)
        return found[1] if found is not None else None
    if resource.kind == Kind.QUOTE_CONNECTION:
        return ctx.quote_connectors.get(connector)
    return None


def prepare_desired(resource: Resource, ctx: LiveContext) -> Resource:
    """Wrap Password values as secrets and fill config defaults from the connector."""
    fields = connector_fields(resource, ctx)
    if not fields:
        return resource
    config: dict[str, Any] = {}
    for key, value in dict(resource.spec.get("config", {})).items():
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
    spec["config"] = with_config_defaults(dict(resource.spec.get("config", {})), defaults)
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


def check_against_crm(resource: Resource, ctx: LiveContext) -> list[Diagnostic]:
    """Problems only the CRM can reveal: unknown connectors, fields, users, groups."""
    where = resource.source or _NOWHERE
    label = f"{resource.kind} {resource.name!r}"
    problems: list[str] = []
    if resource.deleted:
        return []
    if resource.kind in (Kind.ERP_CONNECTION, Kind.QUOTE_CONNECTION):
        problems += _check_connection(resource, ctx, label)
    if resource.kind == Kind.PRODUCT_FIELD_SETTINGS and ctx.line_fields:
        problems += _check_line_fields(resource.spec, ctx, label)
    return [Diagnostic(where, message) for message in problems]


def _check_connection(resource: Resource, ctx: LiveContext, label: str) -> list[str]:
    spec = resource.spec
    connector = str(spec.get("connector", ""))
    fields = connector_fields(resource, ctx)
    problems: list[str] = []
    if fields is None:
        known = ctx.erp_connectors if resource.kind == Kind.ERP_CONNECTION else ctx.quote_connectors
        return [
            f"{label}: the CRM has no connector named {connector!r}; "
            f"installed connectors: {', '.join(sorted(known)) or 'none'}"
        ]
    config: Mapping[str, Any] = spec.get("config", {})
    for key in sorted(config):
        if key not in fields:
            problems.append(
                f"{label}: connector {connector!r} has no configuration field {key!r}; "
                f"its fields are: {', '.join(sorted(fields))}"
            )
    for key, info in sorted(fields.items()):
        value = config.get(key, info.default)
        if info.access == "Mandatory" and value in ("", None):
            problems.append(
                f"{label}: configuration field {key!r} is mandatory for connector "
                f"{connector!r} and has no value"
            )
        text = value.reveal() if isinstance(value, Secret) else value
        if info.max_length and isinstance(text, str) and len(text) > info.max_length:
            problems.append(
                f"{label}: configuration field {key!r} is longer than the connector allows "
                f"({info.max_length} characters)"
            )
    scope: Mapping[str, Any] = spec.get("scope", {})
    for user in scope.get("users", []):
        if user not in ctx.users:
            problems.append(f"{label}: scope names user {user!r}, who does not exist in the CRM")
    for group in scope.get("groups", []):
        if group not in ctx.groups:
            problems.append(
                f"{label}: scope names group {group!r}, which does not exist in the CRM"
            )
    if resource.kind == Kind.ERP_CONNECTION:
        problems += _check_erp_fields(resource, ctx, label)
    return problems


def _check_erp_fields(resource: Resource, ctx: LiveContext, label: str) -> list[str]:
    """ERP fields are known only for connections that exist; new ones are checked on apply."""
    problems: list[str] = []
    actors: Mapping[str, Any] = resource.spec.get("actors", {})
    for actor, spec in sorted(actors.items()):
        offered = ctx.erp_fields.get((resource.name, actor))
        if offered is None:
            continue
        for section in ("mappings", "defaults"):
            for key in sorted(spec.get(section, {})):
                if key not in offered:
                    problems.append(
                        f"{label}: actor {actor} has no ERP field {key!r}; "
                        f"the connector offers: {', '.join(sorted(offered))}"
                    )
        mappings = spec.get("mappings", {})
        if resource.spec.get("active") and spec.get("enabled", True):
            for key, info in sorted(offered.items()):
                mapped = mappings.get(key)
                if info.access == "Mandatory" and (mapped is None or mapped["direction"] == "none"):
                    problems.append(
                        f"{label}: ERP field {actor}/{key} is mandatory and needs a sync "
                        f"direction before the connection can be active"
                    )
    return problems


def _check_line_fields(spec: Mapping[str, Any], ctx: LiveContext, label: str) -> list[str]:
    problems: list[str] = []
    for name, settings in sorted(dict(spec.get("fields", {})).items()):
        known = ctx.line_fields.get(name)
        if known is None:
            problems.append(
                f"{label}: the CRM has no quote line field {name!r}; "
                f"known fields: {', '.join(sorted(ctx.line_fields))}"
            )
        elif known["restrictEdit"] and (settings.get("editable") or settings.get("mandatory")):
            problems.append(
                f"{label}: quote line field {name!r} is restricted by the CRM and cannot be "
                f"made editable or mandatory"
            )
    return problems
