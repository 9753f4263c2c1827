"""JSON Schemas narrowed to one tenant: `quotesync schema --from-crm`.

The shipped schemas accept any name; narrowed ones list the names this CRM offers (its
catalogs, see live/tenant.py), so an editor completes and underlines them as you type:
connectors and, per connector, its configuration field keys (and the mandatory ones
without a default); users and groups; currencies; quote line field names; and, per
existing ERP connection (by ``metadata.name``), its actor types and their ERP field keys.
CRM field keys stay free text: the API publishes no list of them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from quotesync_gitops.manifest.schemas import schema_text
from quotesync_gitops.model import FieldInfo, Kind, LiveContext


def narrow_schema(kind: str, schema: Mapping[str, Any], ctx: LiveContext) -> dict[str, Any]:
    """A copy of ``schema`` (a kind's, or the any-kind ``manifest`` one) narrowed to ``ctx``."""
    out = copy.deepcopy(dict(schema))
    if kind == "manifest":
        for name, embedded in out.get("$defs", {}).items():
            if name in {str(k) for k in Kind}:
                out["$defs"][name] = narrow_schema(name, embedded, ctx)
        return out
    spec = out.get("properties", {}).get("spec", {})
    props = spec.get("properties", {})
    if kind in (Kind.ERP_CONNECTION, Kind.QUOTE_CONNECTION):
        connectors: Mapping[str, Mapping[str, FieldInfo]] = (
            {name: fields for name, (_, fields) in ctx.erp_connectors.items()}
            if kind == Kind.ERP_CONNECTION
            else ctx.quote_connectors
        )
        _enum(props.get("connector"), connectors)
        spec["allOf"] = [*spec.get("allOf", []), *_config_rules(connectors)]
        _narrow_scope(out.get("$defs", {}).get("scope"), ctx)
    if kind == Kind.ERP_CONNECTION:
        out["allOf"] = [*out.get("allOf", []), *_erp_catalog_rules(ctx)]
    if kind == Kind.PRICE_LIST and ctx.currencies:
        _enum(props.get("currency"), ctx.currencies)
    if kind == Kind.PRODUCT_FIELD_SETTINGS and ctx.line_fields:
        fields = props.get("fields")
        if isinstance(fields, dict):
            fields["propertyNames"] = {"enum": sorted(ctx.line_fields)}
    out["description"] = f"{out.get('description', '')} Narrowed to one CRM's catalogs.".strip()
    return out


def narrowed_schema_texts(kinds: list[str], ctx: LiveContext) -> dict[str, str]:
    """Each kind's schema narrowed to ``ctx``, as the JSON text `schema --from-crm` writes."""
    return {
        kind: json.dumps(narrow_schema(kind, json.loads(schema_text(kind)), ctx), indent=2) + "\n"
        for kind in kinds
    }


def _enum(node: Any, names: Mapping[str, Any]) -> None:
    if isinstance(node, dict) and names:
        node["enum"] = sorted(names)


def _narrow_scope(scope: Any, ctx: LiveContext) -> None:
    if not isinstance(scope, dict):
        return
    for branch in scope.get("anyOf", []):
        props = branch.get("properties", {}) if isinstance(branch, dict) else {}
        for part, names in (("users", ctx.users), ("groups", ctx.groups)):
            items = props.get(part, {}).get("items")
            if isinstance(items, dict) and names:
                items["enum"] = sorted(names)


def _config_rules(connectors: Mapping[str, Mapping[str, FieldInfo]]) -> list[dict[str, Any]]:
    """Per connector: the config keys it declares, and the mandatory ones without default."""
    rules = []
    for name, fields in sorted(connectors.items()):
        config: dict[str, Any] = (
            {"propertyNames": {"enum": sorted(fields)}} if fields else {"maxProperties": 0}
        )
        required = sorted(k for k, f in fields.items() if f.access == "Mandatory" and not f.default)
        if required:
            config["required"] = required
        rules.append(
            {
                "if": {"properties": {"connector": {"const": name}}, "required": ["connector"]},
                "then": {"properties": {"config": config}},
            }
        )
    return rules


def _erp_catalog_rules(ctx: LiveContext) -> list[dict[str, Any]]:
    """Per existing ERP connection: its actor types and their ERP field keys."""
    by_connection: dict[str, dict[str, list[str]]] = {}
    for (connection, actor), infos in sorted(ctx.erp_fields.items()):
        by_connection.setdefault(connection, {})[actor] = sorted(infos)
    rules = []
    for connection, actors in sorted(by_connection.items()):
        actor_rules = {}
        for actor, keys in actors.items():
            key = {"properties": {"erpField": {"enum": keys}}}
            actor_rules[actor] = {
                "properties": {
                    "mappings": {"items": key},
                    "defaults": {"items": key},
                    "fieldOrder": {"items": {"enum": keys}},
                }
            }
        rules.append(
            {
                "if": {
                    "properties": {"metadata": {"properties": {"name": {"const": connection}}}},
                    "required": ["metadata"],
                },
                "then": {
                    "properties": {
                        "spec": {
                            "properties": {
                                "actors": {
                                    "propertyNames": {"enum": sorted(actors)},
                                    "properties": actor_rules,
                                }
                            }
                        }
                    }
                },
            }
        )
    return rules
