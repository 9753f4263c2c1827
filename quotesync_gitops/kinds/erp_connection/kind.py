"""ErpConnection: a connection of a Sync Connector (``ErpConnection`` and its mappings).

Its carriers: the connection header (here, both ways), and per actor type the field
mappings and default values (here, both ways); its live read is ``read.py`` (with the ERP
catalog, ``catalog.py``), its checks against that catalog ``checks.py``; the list mappings
are written in apply/erp.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from quotesync_gitops.kinds.base import (
    BaseKind,
    DiffRules,
    Found,
    ManifestSpec,
    Reference,
    Spec,
    WriteGuard,
    reference_at,
    scope,
    secrets_version,
    text,
)
from quotesync_gitops.kinds.connection_parts import (
    config_from_carrier,
    description_from_carrier,
    description_to_carrier,
    scope_from_carrier,
    scope_to_carrier,
)
from quotesync_gitops.kinds.erp_connection import checks
from quotesync_gitops.kinds.erp_connection.spec import (
    ActorSpec,
    DefaultSpec,
    ErpConnectionFields,
    ErpConnectionHeader,
    ErpConnectionSpec,
    MappingSpec,
    spec_of,
)
from quotesync_gitops.kinds.export_parts import (
    ExportContext,
    Flow,
    FlowList,
    config,
    given,
    ordered,
    written_scope,
    written_secrets_version,
)
from quotesync_gitops.model import (
    ERP_ACTOR_TYPES,
    Direction,
    FieldInfo,
    Kind,
    LiveContext,
    LiveState,
    Resource,
)
from quotesync_gitops.secrets import Secret, reveal

if TYPE_CHECKING:
    from quotesync_gitops.changes import Change
    from quotesync_gitops.kinds.reading import LiveRead
    from quotesync_gitops.kinds.writing import ApplyContext

#: What a field mapping / a default value gets for a flag the manifest leaves out.
MAPPING_FLAGS: dict[Literal["showInSearch", "showInTab"], bool] = {
    "showInSearch": False,
    "showInTab": True,
}
DEFAULT_FLAGS: dict[Literal["askUser", "mandatory"], bool] = {"askUser": False, "mandatory": False}


def _head_of_carrier(row: Mapping[str, Any]) -> dict[str, object]:
    return {
        "name": text(row.get("DisplayName")),
        "description": description_from_carrier(row)["description"],
        "active": bool(row.get("Active")),
        "deleted": bool(row.get("Deleted")),
    }


class ErpConnectionKind(BaseKind):
    kind = Kind.ERP_CONNECTION
    rules = DiffRules(server_filled=frozenset({"secretsVersion"}))
    write_guard = WriteGuard(
        lambda c: c.erp_get_all_connections(include_deleted=True),
        "DisplayName",
        "ErpConnectionId",
        read=lambda c, ident: c.erp_get_connection(ident),
        head_of_carrier=_head_of_carrier,
    )
    export_folder = "erp/connections"
    fallback_stem = "connection"

    def canonical(
        self, spec: ManifestSpec, products: Mapping[str, object] | None
    ) -> ErpConnectionFields:
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

    def connector_fields(
        self, spec: Mapping[str, object], ctx: LiveContext
    ) -> dict[str, FieldInfo] | None:
        found = ctx.erp_connectors.get(str(spec.get("connector", "")))
        return found[1] if found is not None else None

    def references(self, spec: Mapping[str, object]) -> list[Reference]:
        # Connectors are usually pre-installed: only a declared tombstone is an error in
        # the manifests; plan checks the name against the CRM.
        return reference_at(spec, "connector", Kind.ERP_CONNECTOR, must_be_declared=False)

    def fetch(self, read: LiveRead) -> Callable[[], Any]:
        from quotesync_gitops.kinds.erp_connection import read as reader  # the HTTP client

        return reader.fetch(read)

    def add(self, state: LiveState, fetched: Any, read: LiveRead) -> None:
        from quotesync_gitops.kinds.erp_connection import read as reader

        reader.add(state, fetched, read)

    def crm_checks(self, resource: Resource, ctx: LiveContext, live: Resource | None) -> Found:
        fields = self.connector_fields(resource.spec, ctx)
        return checks.crm_checks(resource, fields, ctx, live)

    def waits_for_creation(self, resource: Resource, ctx: LiveContext) -> bool:
        return checks.waits_for_creation(resource, ctx)

    def deferred_checks(self, resource: Resource, ctx: LiveContext) -> list[str]:
        return checks.deferred_checks(resource, ctx)

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        spec = spec_of(resource)
        keys = ("connector", "description", "active")
        out = given(spec, self.canonical({}, None), keys, always=("connector",))
        written_secrets_version(spec, out)
        written_scope(spec["scope"], out)
        config(resource, spec["config"], self.connector_fields(spec, ctx.live) or {}, ctx, out)
        actors = {
            name: _export_actor(spec["actors"][name])
            for name in ordered(spec["actors"], ERP_ACTOR_TYPES)
        }
        if actors:
            out["actors"] = actors
        list_mappings = _export_list_mappings(spec["listMappings"], spec["actors"])
        if list_mappings:
            out["listMappings"] = list_mappings
        return out

    def write(self, ac: ApplyContext, change: Change) -> None:
        # Imported on the first write, not with the kind: the writer brings in the HTTP client.
        from quotesync_gitops.kinds.erp_connection.write import write_erp_connection

        write_erp_connection(ac, change)

    def retire(self, ac: ApplyContext, object_id: int, new_name: str) -> None:
        from quotesync_gitops.kinds.erp_connection.write import retire_erp_connection

        retire_erp_connection(ac, object_id, new_name)


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


def to_carrier(
    spec: ErpConnectionSpec,
    name: str,
    *,
    connection_id: int,
    connector_id: int,
    ctx: LiveContext,
    config: Mapping[str, str],
    active: bool,
) -> dict[str, Any]:
    """The ``ErpConnection`` header SaveConnection takes (``config``: request-ready values,
    see ``config_to_carrier``; ``Active`` only changes through ToggleErpConnectionActive)."""
    body: dict[str, Any] = reveal(
        {
            "ErpConnectionId": connection_id,
            "ErpConnectorId": connector_id,
            "DisplayName": name,
            "DisplayDescription": description_to_carrier(spec),
            "Active": active,
            "ConfigFields": dict(config),
            "Deleted": False,
            **scope_to_carrier(spec["scope"], ctx.users, ctx.groups),
        }
    )
    return body


def header_from_carrier(
    carrier: Mapping[str, Any],
    values: Mapping[str, object],
    *,
    connector: str,
    fields: Mapping[str, FieldInfo],
    users: Mapping[int, str],
    groups: Mapping[int, str],
) -> tuple[str, ErpConnectionHeader]:
    """(name, the canonical spec but ``actors`` and ``listMappings``) of an
    ``ErpConnection`` and its config ``values`` as read."""
    return text(carrier.get("DisplayName")), {
        "connector": connector,
        **description_from_carrier(carrier),
        "active": bool(carrier.get("Active", False)),
        "scope": scope_from_carrier(carrier, users, groups),
        "config": config_from_carrier(values, fields),
        "deleted": bool(carrier.get("Deleted", False)),
    }


def direction(sync_to_crm: object, sync_to_erp: object) -> Direction:
    """SyncToCrm/SyncToErp → direction: both=T/T, toCrm=T/F, toErp=F/T, none=F/F."""
    to_crm, to_erp = bool(sync_to_crm), bool(sync_to_erp)
    if to_crm and to_erp:
        return "both"
    if to_crm:
        return "toCrm"
    if to_erp:
        return "toErp"
    return "none"


def sync_flags(value: str) -> tuple[bool, bool]:
    """direction → (SyncToCrm, SyncToErp)"""
    return value in ("both", "toCrm"), value in ("both", "toErp")


def field_mappings(
    current: list[dict[str, Any]], mappings: Mapping[str, MappingSpec]
) -> list[dict[str, Any]]:
    """Rewrite a GetActorTypeMapping field list so exactly ``mappings`` are mapped."""
    out = []
    for item in current:
        wanted = mappings.get(str(item.get("ErpFieldKey", "")))
        updated = dict(item)
        if wanted is None:
            updated.update(
                CrmFieldKey="",
                SyncToCrm=False,
                SyncToErp=False,
                ShowInSearch=False,
                ShowInGui=False,
            )
        else:
            to_crm, to_erp = sync_flags(wanted["direction"])
            updated.update(
                CrmFieldKey=wanted["crmField"],
                SyncToCrm=to_crm,
                SyncToErp=to_erp,
                ShowInSearch=bool(wanted.get("showInSearch", False)),
                ShowInGui=bool(wanted.get("showInTab", False)),
            )
        out.append(updated)
    return out


def default_to_carrier(field_id: int, key: str, wanted: DefaultSpec | None) -> dict[str, Any]:
    """The ``ErpSyncDefaultValue`` of one ERP field (None: no default; secrets revealed)."""
    value = None if wanted is None else wanted.get("value")
    body: dict[str, Any] = reveal(
        {
            "ErpFieldId": field_id,
            "ErpFieldKey": key,
            "DefaultValue": value or "",
            "HasFirstSyncDefaultValue": value is not None,
            "FirstSyncDefaultValue": value or "",
            "PromptUser": bool(wanted and wanted.get("askUser")),
            "Mandatory": bool(wanted and wanted.get("mandatory")),
        }
    )
    return body


def default_from_carrier(carrier: Mapping[str, Any]) -> DefaultSpec | None:
    """ErpSyncDefaultValue → canonical default, or None when it sets nothing."""
    value = text(carrier.get("DefaultValue")) or text(carrier.get("FirstSyncDefaultValue"))
    out: DefaultSpec = {
        "value": value or None,
        "askUser": bool(carrier.get("PromptUser", False)),
        "mandatory": bool(carrier.get("Mandatory", False)),
    }
    if out["value"] is None and not out["askUser"] and not out["mandatory"]:
        return None
    return out


# --- export: the manifest form of the actors and list mappings -----------------------------


def _export_actor(actor: ActorSpec) -> Spec:
    order: list[str] = list(actor["fieldOrder"])
    out: Spec = {}
    if not actor["enabled"]:
        out["enabled"] = False
    out["crmActor"] = actor["crmActor"]
    mapped = ordered(actor["mappings"], order)
    if mapped:
        out["mappings"] = [_export_mapping(key, actor["mappings"][key]) for key in mapped]
    with_defaults = ordered(actor["defaults"], order)
    if with_defaults:
        out["defaults"] = [_export_default(key, actor["defaults"][key]) for key in with_defaults]
    in_order = [key for key in order if key in actor["mappings"]]
    if len(in_order) > 1:
        out["fieldOrder"] = FlowList(in_order)
    return out


def _export_mapping(key: str, mapping: MappingSpec) -> Flow:
    out = Flow(erpField=key, crmField=mapping["crmField"], direction=mapping["direction"])
    out.update({f: mapping[f] for f, default in MAPPING_FLAGS.items() if mapping[f] != default})
    return out


def _export_default(key: str, default: DefaultSpec) -> Flow:
    out = Flow(erpField=key)
    if default["value"] is not None:
        out["value"] = default["value"]
    out.update({f: default[f] for f, unset in DEFAULT_FLAGS.items() if default[f] != unset})
    return out


def _export_list_mappings(
    list_mappings: Mapping[str, Mapping[str, str]], actors: Mapping[str, ActorSpec]
) -> list[Spec]:
    def position(address: str) -> tuple[int, int, str]:
        actor, _, field = address.partition("/")
        actor_rank = ERP_ACTOR_TYPES.index(actor) if actor in ERP_ACTOR_TYPES else 99
        found = actors.get(actor)
        order = found["fieldOrder"] if found is not None else []
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
