"""SyncSettings: the singleton of sync priority and the sync engine's state, and its writer."""

from __future__ import annotations

from collections.abc import Mapping

from quotesync_gitops.changes import Change, Section
from quotesync_gitops.kinds.base import (
    BaseKind,
    DiffRules,
    ManifestSpec,
    Reference,
    Spec,
    references_in,
)
from quotesync_gitops.kinds.export_parts import ExportContext
from quotesync_gitops.kinds.writing import ApplyContext, ResourceFailed, wanted
from quotesync_gitops.model import Kind, Resource


class SyncSettingsKind(BaseKind):
    kind = Kind.SYNC_SETTINGS
    rules = DiffRules(server_filled=frozenset({"automaticSync", "interval"}))

    def canonical(self, spec: ManifestSpec, products: Mapping[str, object] | None) -> Spec:
        return {
            "priority": list(spec.get("priority") or []),
            "automaticSync": spec.get("automaticSync"),
            "interval": spec.get("interval"),
        }

    def references(self, spec: Mapping[str, object]) -> list[Reference]:
        return references_in(spec, "priority", Kind.ERP_CONNECTION)

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
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

    def write(self, ac: ApplyContext, change: Change) -> None:
        write_sync_settings(ac, change)


KIND = SyncSettingsKind()


def write_sync_settings(ac: ApplyContext, change: Change) -> None:
    client = ac.client
    want = wanted(change)
    touched = change.touched
    if Section.PRIORITY in touched:
        names: list[str] = list(want.spec.get("priority", []))
        ids = [ac.id_of(Kind.ERP_CONNECTION, name) for name in names]
        rows = client.erp_get_all_connections(include_deleted=False)
        rest = [int(r["ErpConnectionId"]) for r in rows if int(r["ErpConnectionId"]) not in ids]
        if not client.erp_save_sync_priorities(ids + rest):
            raise ResourceFailed("the CRM did not accept the sync priorities")
    if Section.AUTOMATIC_SYNC in touched:
        client.erp_change_engine_status(bool(want.spec["automaticSync"]))
    if Section.INTERVAL in touched:
        client.erp_change_engine_interval(str(want.spec["interval"]))
