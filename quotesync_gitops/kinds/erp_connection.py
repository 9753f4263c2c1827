"""ErpConnection: a connection of a Sync Connector (``ErpConnection`` and its mappings).

Its carriers (the connection, per actor type its field mappings and default values, the
list mappings) are built in apply/carriers.py and read in live/erp_reader.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypedDict

from quotesync_gitops.kinds.base import (
    BaseKind,
    DiffRules,
    ManifestSpec,
    Reference,
    Spec,
    reference_at,
    scope,
    secrets_version,
)
from quotesync_gitops.model import Kind
from quotesync_gitops.secrets import Secret

Direction = Literal["toCrm", "toErp", "both", "none"]

#: What a field mapping / a default value gets for a flag the manifest leaves out.
MAPPING_FLAGS: dict[str, bool] = {"showInSearch": False, "showInTab": True}
DEFAULT_FLAGS: dict[str, bool] = {"askUser": False, "mandatory": False}


class ScopeSpec(TypedDict):
    allUsers: bool
    users: list[str]
    groups: list[str]


class MappingSpec(TypedDict):
    crmField: str
    direction: Direction
    showInSearch: bool
    showInTab: bool


class DefaultSpec(TypedDict):
    value: str | Secret | None
    askUser: bool
    mandatory: bool


class ActorSpec(TypedDict):
    enabled: bool
    crmActor: str
    mappings: dict[str, MappingSpec]
    defaults: dict[str, DefaultSpec]
    fieldOrder: list[str]


class ErpConnectionKind(BaseKind):
    kind = Kind.ERP_CONNECTION
    rules = DiffRules(server_filled=frozenset({"secretsVersion"}))

    def canonical(self, spec: ManifestSpec, products: Mapping[str, object] | None) -> Spec:
        actors = {name: actor(settings) for name, settings in (spec.get("actors") or {}).items()}
        list_mappings = {
            f"{entry['actor']}/{entry['erpField']}": {
                str(item["erpItem"]): item["crmItem"] for item in entry["items"]
            }
            for entry in spec.get("listMappings") or []
        }
        return {
            "connector": spec.get("connector", ""),
            "description": spec.get("description", ""),
            **secrets_version(spec),
            "active": spec.get("active", True),
            "scope": scope(spec.get("scope")),
            "config": dict(spec.get("config") or {}),
            "actors": actors,
            "listMappings": list_mappings,
        }

    def references(self, spec: Mapping[str, object]) -> list[Reference]:
        # Connectors are usually pre-installed: only a declared tombstone is an error in
        # the manifests; plan checks the name against the CRM.
        return reference_at(spec, "connector", Kind.ERP_CONNECTOR, must_be_declared=False)


KIND = ErpConnectionKind()


def actor(settings: ManifestSpec) -> ActorSpec:
    """One actor type's settings in canonical form (maps keyed by ERP field)."""
    mappings: dict[str, MappingSpec] = {
        m["erpField"]: {
            "crmField": m["crmField"],
            "direction": m["direction"],
            "showInSearch": m.get("showInSearch", MAPPING_FLAGS["showInSearch"]),
            "showInTab": m.get("showInTab", MAPPING_FLAGS["showInTab"]),
        }
        for m in settings.get("mappings") or []
    }
    defaults: dict[str, DefaultSpec] = {}
    for d in settings.get("defaults") or []:
        value = d.get("value")
        if value == "" or (isinstance(value, Secret) and not value.reveal()):
            value = None  # the CRM does not tell an empty default from none
        entry: DefaultSpec = {
            "value": value,
            "askUser": d.get("askUser", DEFAULT_FLAGS["askUser"]),
            "mandatory": d.get("mandatory", DEFAULT_FLAGS["mandatory"]),
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
