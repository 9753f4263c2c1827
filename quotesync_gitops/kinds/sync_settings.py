"""SyncSettings: the singleton of sync priority and the sync engine's state.

Its carrier is in two parts: the order of the ERP connections (the CRM lists them in sync
priority order; ``SaveSyncPriorities`` takes their ids in that order) and the sync engine's
status (``GetEngineStatus``: ``IsRunning`` and ``Interval``, a TimeSpan; written by
``ChangeEngineStatus`` and ``ChangeEngineInterval``). Its live read takes the connections
from the ERP connections' read (``LiveRead.rows``) and reads only the engine itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, cast

from quotesync_gitops.changes import Change, Section
from quotesync_gitops.kinds.base import (
    BaseKind,
    Carrier,
    DiffRules,
    ManifestSpec,
    Reference,
    Spec,
    references_in,
    text,
)
from quotesync_gitops.kinds.export_parts import ExportContext
from quotesync_gitops.kinds.normalise import interval
from quotesync_gitops.kinds.reading import SINGLETON_NAME
from quotesync_gitops.kinds.writing import ApplyContext, ResourceFailed, wanted
from quotesync_gitops.model import Kind, LiveState, Resource, ResourceIds

if TYPE_CHECKING:
    from quotesync_gitops.kinds.reading import LiveRead


class SyncCarrier(TypedDict):
    """What the writes take: ``SaveSyncPriorities``' connection ids in order, and the
    engine's ``IsRunning`` and ``Interval`` (None: not written, the CRM keeps its own)."""

    Priorities: list[int]
    IsRunning: bool | None
    Interval: str | None


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
    # Built by canonical() (plus "deleted") or by from_carrier() below: that shape.
    return cast(SyncSettingsSpec, resource.spec)


class SyncSettingsKind(BaseKind):
    kind = Kind.SYNC_SETTINGS
    rules = DiffRules(server_filled=frozenset({"automaticSync", "interval"}))
    export_file = "settings/sync.yaml"

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

    def fetch(self, read: LiveRead) -> Callable[[], Any] | None:
        if not read.wants(self.kind):
            return None
        return read.client.erp_get_engine_status

    def add(self, state: LiveState, fetched: Any, read: LiveRead) -> None:
        """The ERP connections' read (before it, in ``KINDS`` order) left their rows."""
        if fetched is None:
            return
        spec, ids = from_carrier(read.rows.get(Kind.ERP_CONNECTION, []), fetched)
        state.add(Resource(kind=self.kind, name=SINGLETON_NAME, spec=dict(spec), ids=ids))

    def write(self, ac: ApplyContext, change: Change) -> None:
        write_sync_settings(ac, change)


KIND = SyncSettingsKind()


def to_carrier(spec: SyncSettingsFields, connection_ids: Mapping[str, int]) -> SyncCarrier:
    """The priority as connection ids (``connection_ids``: name -> ErpConnectionId), and the
    engine settings the spec gives."""
    return {
        "Priorities": [connection_ids[name] for name in spec["priority"]],
        "IsRunning": spec["automaticSync"],
        "Interval": spec["interval"],
    }


def from_carrier(
    connections: Iterable[Carrier], engine: Carrier
) -> tuple[SyncSettingsSpec, ResourceIds]:
    """(canonical spec, ids) from the ERP connections as listed (soft-deleted ones are in no
    priority) and the engine's status; ids: ``connectionIds``, name -> ErpConnectionId."""
    live = [c for c in connections if not c.get("Deleted")]
    spec: SyncSettingsSpec = {
        "priority": [text(c.get("DisplayName")) for c in live],
        "automaticSync": bool(engine.get("IsRunning", False)),
        "interval": interval(engine.get("Interval")),
        "deleted": False,
    }
    ids: ResourceIds = {
        "connectionIds": {text(c.get("DisplayName")): int(c["ErpConnectionId"]) for c in live}
    }
    return spec, ids


def write_sync_settings(ac: ApplyContext, change: Change) -> None:
    """Each touched part through its own call, from ``to_carrier``; the priority names only
    the managed connections, and the CRM's others keep their order after them."""
    client = ac.client
    spec = spec_of(wanted(change))
    touched = change.touched
    # Ids only when the priority is written: ``id_of`` refuses a name the CRM lacks.
    priority = spec["priority"] if Section.PRIORITY in touched else []
    carrier = to_carrier(
        {
            "priority": priority,
            "automaticSync": spec["automaticSync"],
            "interval": spec["interval"],
        },
        {name: ac.id_of(Kind.ERP_CONNECTION, name) for name in priority},
    )
    if Section.PRIORITY in touched:
        ids = carrier["Priorities"]
        rows = client.erp_get_all_connections(include_deleted=False)
        rest = [int(r["ErpConnectionId"]) for r in rows if int(r["ErpConnectionId"]) not in ids]
        if not client.erp_save_sync_priorities(ids + rest):
            raise ResourceFailed("the CRM did not accept the sync priorities")
    if Section.AUTOMATIC_SYNC in touched:
        client.erp_change_engine_status(bool(carrier["IsRunning"]))
    if Section.INTERVAL in touched:
        client.erp_change_engine_interval(str(carrier["Interval"]))
