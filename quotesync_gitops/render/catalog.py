"""What a tenant offers (its catalogs, as plan checks manifests against them), as data, text
or JSON: `quotesync catalog`. Holds names, keys and types only, never a configuration value
(a connector's declared default of a Password field is not shown either)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Literal, TypedDict

from quotesync_gitops.model import FieldInfo, LiveContext
from quotesync_gitops.secrets import MASK

#: Version of the JSON shape of `quotesync catalog --format json`.
CATALOG_FORMAT_VERSION = 1


class ConfigFieldDoc(TypedDict):
    type: str
    access: str
    default: str
    maxLength: int
    listName: str


class ConnectorDoc(TypedDict):
    configFields: dict[str, ConfigFieldDoc]


class ErpFieldDoc(TypedDict):
    type: str
    access: str
    list: str


class ErpListDoc(TypedDict):
    erpItems: dict[str, str]
    crmField: str
    crmList: str


class ConnectionDoc(TypedDict):
    #: actor type -> ERP field key -> field
    actors: dict[str, dict[str, ErpFieldDoc]]
    #: "actor/erpField" -> its ERP list
    lists: dict[str, ErpListDoc]


class QuoteLineFieldDoc(TypedDict):
    restrictEdit: bool


class CatalogDoc(TypedDict):
    """The catalogs' JSON shape (formatVersion 1)."""

    formatVersion: int
    users: list[str]
    groups: list[str]
    currencies: list[str]
    erpConnectors: dict[str, ConnectorDoc]
    quoteConnectors: dict[str, ConnectorDoc]
    erpConnections: dict[str, ConnectionDoc]
    crmLists: dict[str, list[str]]
    crmFieldsInUse: dict[str, list[str]]
    quoteLineFields: dict[str, QuoteLineFieldDoc]


def _fields(fields: Mapping[str, FieldInfo]) -> dict[str, ConfigFieldDoc]:
    return {
        key: {
            "type": info.field_type,
            "access": info.access,
            "default": MASK if info.secret and info.default else info.default,
            "maxLength": info.max_length,
            "listName": info.list_name,
        }
        for key, info in sorted(fields.items(), key=lambda item: (item[1].rank, item[0]))
    }


def catalog_data(ctx: LiveContext) -> CatalogDoc:
    """The catalogs in a stable, JSON-ready shape (docs/manifests.md, `quotesync catalog`)."""
    connections: dict[str, ConnectionDoc] = {}
    for (connection, actor), infos in sorted(ctx.erp_fields.items()):
        entry = connections.setdefault(connection, {"actors": {}, "lists": {}})
        entry["actors"][actor] = {
            key: {"type": i.field_type, "access": i.access, "list": i.list_name}
            for key, i in infos.items()
        }
    for (connection, address), items in sorted(ctx.erp_list_items.items()):
        entry = connections.setdefault(connection, {"actors": {}, "lists": {}})
        crm_field, crm_list = ctx.crm_list_of.get((connection, address), ("", ""))
        entry["lists"][address] = {
            "erpItems": dict(sorted(items.items())),
            "crmField": crm_field,
            "crmList": crm_list,
        }
    return {
        "formatVersion": CATALOG_FORMAT_VERSION,
        "users": sorted(ctx.users),
        "groups": sorted(ctx.groups),
        "currencies": sorted(ctx.currencies),
        "erpConnectors": {
            name: {"configFields": _fields(fields)}
            for name, (_, fields) in sorted(ctx.erp_connectors.items())
        },
        "quoteConnectors": {
            name: {"configFields": _fields(fields)}
            for name, fields in sorted(ctx.quote_connectors.items())
        },
        "erpConnections": connections,
        "crmLists": {name: sorted(items) for name, items in sorted(ctx.crm_lists.items())},
        # The API has no catalog of CRM field keys: these are the ones mappings use now.
        "crmFieldsInUse": {
            actor: sorted(keys) for actor, keys in sorted(ctx.crm_fields_seen.items())
        },
        "quoteLineFields": {
            name: {"restrictEdit": bool(info.get("restrictEdit"))}
            for name, info in sorted(ctx.line_fields.items())
        },
    }


def render_catalog_json(ctx: LiveContext) -> str:
    """The catalogs as indented JSON (formatVersion 1), ending with a newline."""
    return json.dumps(catalog_data(ctx), indent=2, ensure_ascii=False) + "\n"


def render_catalog_text(ctx: LiveContext) -> str:
    """The catalogs for a terminal, ending with a newline."""
    data = catalog_data(ctx)
    out: list[str] = []

    def names(title: str, values: list[str]) -> None:
        out.append(f"{title}: {', '.join(values) or '(none)'}")

    names("Users", data["users"])
    names("Groups", data["groups"])
    names("Currencies", data["currencies"])
    connectors = (
        ("ERP connector", data["erpConnectors"]),
        ("Quote connector", data["quoteConnectors"]),
    )
    for title, by_name in connectors:
        for name, connector in by_name.items():
            out.append("")
            fields = connector["configFields"]
            out.append(f"{title} {name!r}, configuration fields:{'' if fields else ' (none)'}")
            for field_key, f in fields.items():
                extra = [f["access"].lower()] if f["access"] != "Normal" else []
                if f["default"]:
                    extra.append(f"default {f['default']!r}")
                if f["listName"]:
                    extra.append(f"list {f['listName']}")
                if f["maxLength"]:
                    extra.append(f"at most {f['maxLength']} characters")
                out.append(f"  {field_key:<20} {f['type']:<9} {', '.join(extra)}".rstrip())
    for name, connection in data["erpConnections"].items():
        out.append("")
        out.append(f"ERP connection {name!r}:")
        for actor, erp_fields in connection["actors"].items():
            shown = [
                key + ("*" if f["access"] == "Mandatory" else "") + (" (list)" if f["list"] else "")
                for key, f in erp_fields.items()
            ]
            out.append(f"  {actor}: {', '.join(shown)}")
        for address, entry in connection["lists"].items():
            erp_items = ", ".join(
                f"{k} ({v})" if v and v != k else k for k, v in entry["erpItems"].items()
            )
            target = f" -> CRM list {entry['crmList']}" if entry["crmList"] else ""
            out.append(f"  list {address}: {erp_items}{target}")
    for name, items in data["crmLists"].items():
        out.append("")
        names(f"CRM list {name}", items)
    for actor, keys in data["crmFieldsInUse"].items():
        out.append("")
        names(f"CRM fields of {actor} used by mappings", keys)
    if data["quoteLineFields"]:
        out.append("")
        names(
            "Quote line fields (* locked by the CRM)",
            [k + ("*" if v["restrictEdit"] else "") for k, v in data["quoteLineFields"].items()],
        )
    if data["erpConnections"]:
        out.append("")
        out.append("* mandatory ERP field. CRM field keys: the API publishes no list of them.")
    return "\n".join(out) + "\n"


CatalogFormat = Literal["text", "json"]
CATALOG_RENDERERS: Mapping[CatalogFormat, Callable[[LiveContext], str]] = {
    "text": render_catalog_text,
    "json": render_catalog_json,
}
