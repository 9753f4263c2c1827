"""SyncSettings: the singleton of sync priority and the sync engine's state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict, cast

from quotesync_gitops.kinds.base import (
    BaseKind,
    DiffRules,
    ManifestSpec,
    Reference,
    Spec,
    references_in,
)
from quotesync_gitops.kinds.export_parts import ExportContext
from quotesync_gitops.model import Kind, Resource


class SyncSettingsFields(TypedDict):
    """What ``canonical()`` gives (``deleted`` is added beside it)."""

    #: ErpConnection names in SaveErpConnectionSyncPriorities order; [] = not managed
    priority: list[str]
    #: the sync engine running (ChangeEngineStatus); None = not managed
    automaticSync: bool | None
    #: "HH:MM:SS"; None = not managed
    interval: str | None


class SyncSettingsSpec(SyncSettingsFields):
    """SyncSettings' canonical spec (docs/design.md)."""

    deleted: bool


def spec_of(resource: Resource) -> SyncSettingsSpec:
    """A SyncSettings resource's spec, typed: the one narrowing of this kind's specs."""
    # Built by canonical() (plus "deleted") or by the live reader in this shape.
    return cast(SyncSettingsSpec, resource.spec)


class SyncSettingsKind(BaseKind):
    kind = Kind.SYNC_SETTINGS
    rules = DiffRules(server_filled=frozenset({"automaticSync", "interval"}))

    def canonical(
        self, spec: ManifestSpec, products: Mapping[str, object] | None
    ) -> SyncSettingsFields:
        return {
            "priority": list(spec.get("priority") or []),
            "automaticSync": spec.get("automaticSync"),
            "interval": spec.get("interval"),
        }

    def references(self, spec: Mapping[str, object]) -> list[Reference]:
        return references_in(spec, "priority", Kind.ERP_CONNECTION)

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        """Priority only with two connections or more: one connection has nothing to order."""
        spec = spec_of(resource)
        out: Spec = {}
        if len(spec["priority"]) > 1:
            out["priority"] = list(spec["priority"])
        if spec["automaticSync"] is not None:
            out["automaticSync"] = spec["automaticSync"]
        if spec["interval"] is not None:
            out["interval"] = spec["interval"]
        return out


KIND = SyncSettingsKind()
