"""Manifest specs → canonical specs (docs/design.md, "Kinds and their canonical spec").

Runs only on documents without problems: every value here has the type the schema demands.
Defaults are applied, unordered collections sorted, numbers made floats rounded to 6 places.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quotesync_gitops.model import Kind
from quotesync_gitops.secrets import Secret

Spec = dict[str, Any]


def canonical_spec(kind: str, spec: Spec, products: dict[str, dict[str, Any]] | None) -> Spec:
    out = _BUILDERS[kind](spec)
    if kind == Kind.PRICE_LIST:
        out["products"] = products or {}
    out["deleted"] = bool(spec.get("deleted", False))
    return out


def number(value: Any) -> float:
    return round(float(value), 6)


def scope(value: Any) -> Spec:
    if not isinstance(value, dict):  # absent or "all"
        return {"allUsers": True, "users": [], "groups": []}
    users = sorted(value.get("users") or [])
    groups = sorted(value.get("groups") or [])
    all_users = bool(value.get("allUsers", not users and not groups))
    if all_users:
        users, groups = [], []
    return {"allUsers": all_users, "users": users, "groups": groups}


def _erp_connector(spec: Spec) -> Spec:
    return {"url": spec.get("url", "")}


def _erp_connection(spec: Spec) -> Spec:
    actors = {name: _actor(settings) for name, settings in (spec.get("actors") or {}).items()}
    list_mappings = {
        f"{entry['actor']}/{entry['erpField']}": {
            str(item["erpItem"]): item["crmItem"] for item in entry["items"]
        }
        for entry in spec.get("listMappings") or []
    }
    return {
        "connector": spec.get("connector", ""),
        "description": spec.get("description", ""),
        "active": spec.get("active", True),
        "scope": scope(spec.get("scope")),
        "config": dict(spec.get("config") or {}),
        "actors": actors,
        "listMappings": list_mappings,
    }


#: What a field mapping / a default value gets for a flag the manifest leaves out.
MAPPING_FLAGS: dict[str, bool] = {"showInSearch": False, "showInTab": True}
DEFAULT_FLAGS: dict[str, bool] = {"askUser": False, "mandatory": False}


def _actor(settings: Spec) -> Spec:
    mappings = {
        m["erpField"]: {
            "crmField": m["crmField"],
            "direction": m["direction"],
            **{flag: m.get(flag, default) for flag, default in MAPPING_FLAGS.items()},
        }
        for m in settings.get("mappings") or []
    }
    defaults = {}
    for d in settings.get("defaults") or []:
        value = d.get("value")
        if value == "" or (isinstance(value, Secret) and not value.reveal()):
            value = None  # the CRM does not tell an empty default from none
        entry = {
            "value": value,
            **{flag: d.get(flag, default) for flag, default in DEFAULT_FLAGS.items()},
        }
        if value is not None or entry["askUser"] or entry["mandatory"]:
            defaults[d["erpField"]] = entry
    return {
        "enabled": settings.get("enabled", True),
        "crmActor": settings["crmActor"],
        "mappings": mappings,
        "defaults": defaults,
        "fieldOrder": list(settings.get("fieldOrder") or []),
    }


def _quote_connection(spec: Spec) -> Spec:
    return {
        "connector": spec.get("connector", ""),
        "erpName": spec.get("erpName", ""),
        "erpConnection": spec.get("erpConnection"),
        "description": spec.get("description", ""),
        "scope": scope(spec.get("scope")),
        "config": dict(spec.get("config") or {}),
    }


def _sync_settings(spec: Spec) -> Spec:
    return {
        "priority": list(spec.get("priority") or []),
        "automaticSync": spec.get("automaticSync"),
        "interval": spec.get("interval"),
    }


def _price_list(spec: Spec) -> Spec:
    return {
        "description": spec.get("description", ""),
        "currency": spec.get("currency", ""),
        "currencyName": spec.get("currencyName", ""),
        "validFrom": spec.get("validFrom", ""),
        "validTo": spec.get("validTo", ""),
        "active": spec.get("active", True),
        "erpKey": spec.get("erpKey", ""),
        "quoteConnection": spec.get("quoteConnection"),
    }


def _product_field_settings(spec: Spec) -> Spec:
    fields = {}
    for name, settings in (spec.get("fields") or {}).items():
        given = dict(settings or {})
        if "order" in given:
            given["order"] = int(given["order"])
        fields[name] = given
    return {"fields": fields}


def _repository_settings(spec: Spec) -> Spec:
    guards = spec.get("guards") or {}
    return {
        "prune": sorted(spec.get("prune") or []),
        "allowDeletes": spec.get("allowDeletes", False),
        "acknowledgeUnmanaged": sorted(
            ({"kind": a.get("kind"), "name": a.get("name")} for a in _acknowledged(spec)),
            key=lambda a: (str(a["kind"]), str(a["name"])),
        ),
        "guards": {
            "maxDeletePercent": number(guards.get("maxDeletePercent", 30.0)),
            "maxUpdatePercent": number(guards.get("maxUpdatePercent", 30.0)),
            "minExisting": int(guards.get("minExisting", 10)),
        },
    }


def _acknowledged(spec: Spec) -> list[Spec]:
    entries = spec.get("acknowledgeUnmanaged") or []
    return [a for a in entries if isinstance(a, dict)]


_BUILDERS: dict[str, Callable[[Spec], Spec]] = {
    Kind.ERP_CONNECTOR: _erp_connector,
    Kind.ERP_CONNECTION: _erp_connection,
    Kind.QUOTE_CONNECTION: _quote_connection,
    Kind.SYNC_SETTINGS: _sync_settings,
    Kind.PRICE_LIST: _price_list,
    Kind.PRODUCT_FIELD_SETTINGS: _product_field_settings,
    Kind.REPOSITORY_SETTINGS: _repository_settings,
}
