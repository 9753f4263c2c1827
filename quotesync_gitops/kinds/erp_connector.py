"""ErpConnector: the registration of an ERP sync connector (``ErpSyncConnectorEntity``).

Its live read is also the CRM's catalog of ERP connectors and the config fields each one
declares (``GetAllConnectors`` + ``GetConfigurationFields``, the ``FieldMetadata``: type,
access, max length, default), so it is read whatever kinds are asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, cast

from quotesync_gitops.changes import Action, Change
from quotesync_gitops.kinds.base import BaseKind, ManifestSpec, Spec, WriteGuard
from quotesync_gitops.kinds.export_parts import ExportContext
from quotesync_gitops.kinds.normalise import field_info
from quotesync_gitops.kinds.reading import bind, only_agent_refusals
from quotesync_gitops.kinds.writing import ApplyContext, record_created, wanted
from quotesync_gitops.model import Kind, LiveState, Resource, ResourceIds
from quotesync_gitops.secrets import Secret, reveal

if TYPE_CHECKING:
    from quotesync_gitops.crm.client import CrmClient
    from quotesync_gitops.kinds.reading import LiveRead

#: A connector's entity and the config fields it declares, as read.
Connector = tuple[dict[str, Any], list[dict[str, Any]]]


class ErpConnectorFields(TypedDict):
    """What ``canonical()`` gives (``deleted`` is added beside it)."""

    url: str | Secret


class ErpConnectorSpec(ErpConnectorFields):
    """An ErpConnector's canonical spec (docs/design.md)."""

    deleted: bool


def spec_of(resource: Resource) -> ErpConnectorSpec:
    """An ErpConnector resource's spec, typed: the one narrowing of this kind's specs."""
    # Built by canonical() (plus "deleted") or by from_carrier() below: that shape.
    return cast(ErpConnectorSpec, resource.spec)


class ErpConnectorKind(BaseKind):
    kind = Kind.ERP_CONNECTOR
    write_guard = WriteGuard(lambda c: c.erp_get_all_connectors(), "Name", "Id")
    export_folder = "erp/connectors"
    fallback_stem = "connector"

    def canonical(
        self, spec: ManifestSpec, products: Mapping[str, object] | None
    ) -> ErpConnectorFields:
        return {"url": spec.get("url", "")}

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        return {"url": spec_of(resource)["url"]}

    def fetch(self, read: LiveRead) -> Callable[[], list[Connector]]:
        """Always: the connections of every kind name a connector."""
        return lambda: _fetch_connectors(read.client)

    def add(self, state: LiveState, fetched: list[Connector], read: LiveRead) -> None:
        """Every connector into the catalog; as resources when asked for. The soft-deleted
        ones are found through the connections that name them (``add_retired``)."""
        read.rows[self.kind] = [entity for entity, _ in fetched]
        _add_connectors(state, fetched, read.wants(self.kind))

    def write(self, ac: ApplyContext, change: Change) -> None:
        write_erp_connector(ac, change)

    def retire(self, ac: ApplyContext, object_id: int, new_name: str) -> None:
        entity = ac.client.erp_get_connector_entity(object_id)
        ac.client.erp_save_connector_entity({**entity, "DisplayName": new_name, "Deleted": True})


KIND = ErpConnectorKind()


def _fetch_connectors(client: CrmClient) -> list[Connector]:
    """Each registered connector's entity and declared fields, read together."""
    listed = client.erp_get_all_connectors()
    ids = [int(c["Id"]) for c in listed]
    answers = client.run_bulk(
        [bind(client.erp_get_connector_entity, i) for i in ids]
        + [_safe_fields(client, i) for i in ids]
    )
    return list(zip(answers[: len(ids)], answers[len(ids) :], strict=True))


def add_retired(state: LiveState, read: LiveRead, connections: list[dict[str, Any]]) -> None:
    """The soft-deleted connectors the CRM's connections (soft-deleted ones too) still name,
    when ErpConnector is asked for: the ERP connections' read calls it, since only their
    list rows say which connectors are named (it runs after every branch, as its own round).

    ``GetAllConnectors`` leaves soft-deleted connectors out and has no flag to include them;
    the API lists them nowhere else. An ``ErpConnection`` names its connector by
    ``ErpConnectorId`` (``GetAllConnections`` with ``IncludeDeleted`` lists deleted ones too),
    and ``GetErpSyncConnectorEntity`` answers for a deleted id with ``Deleted`` set. A
    soft-deleted connector no connection ever used is out of reach (docs/export.md).
    """
    if not read.wants(Kind.ERP_CONNECTOR):
        return
    client = read.client
    known = {int(entity["ErpConnectorId"]) for entity in read.rows.get(Kind.ERP_CONNECTOR, [])}
    named = {int(c.get("ErpConnectorId") or 0) for c in connections}
    ids = sorted(named - known - {0})
    entities = client.run_bulk([_entity_or_none(client, i) for i in ids])
    deleted = [e for e in entities if e is not None and e.get("Deleted")]
    fields = client.run_bulk([_safe_fields(client, int(e["ErpConnectorId"])) for e in deleted])
    _add_connectors(state, list(zip(deleted, fields, strict=True)), True)


def _add_connectors(state: LiveState, connectors: list[Connector], include: bool) -> None:
    """Soft-deleted connectors come last, each only under a name no connector in use (or
    deleted one before it) has. A connection cannot use one: they stay out of the context's
    connectors until the plan restores them (plan/planner.py)."""
    ctx = state.context
    for entity, meta in connectors:
        name, spec, ids = from_carrier(entity)
        fields = {f.key: f for f in (field_info(m) for m in meta)}
        if spec["deleted"]:
            if name in ctx.erp_connectors or name in ctx.erp_connectors_deleted:
                continue
            ctx.erp_connectors_deleted[name] = (ids["id"], fields)
        else:
            ctx.erp_connectors[name] = (ids["id"], fields)
        if include:
            state.add(Resource(kind=Kind.ERP_CONNECTOR, name=name, spec=dict(spec), ids=ids))


def _entity_or_none(client: CrmClient, connector_id: int) -> Callable[[], dict[str, Any] | None]:
    def call() -> dict[str, Any] | None:
        from quotesync_gitops.crm.errors import CrmNotFound  # the HTTP client

        try:
            return client.erp_get_connector_entity(connector_id)
        except CrmNotFound:  # removed for good: nothing to export
            return None

    return call


def _safe_fields(client: CrmClient, connector_id: int) -> Callable[[], list[dict[str, Any]]]:
    """A connector the CRM cannot reach declares no fields (plan reports it when used)."""

    def call() -> list[dict[str, Any]]:
        from quotesync_gitops.crm.errors import CrmNotFound, CrmRejected  # the HTTP client

        try:
            return client.erp_get_configuration_fields(connector_id)
        except (CrmRejected, CrmNotFound) as exc:
            only_agent_refusals(exc)
            return []

    return call


def to_carrier(spec: ErpConnectorSpec, name: str, *, connector_id: int) -> dict[str, Any]:
    """The entity SaveErpSyncConnectorEntity takes (secrets revealed, the last step)."""
    body: dict[str, Any] = reveal(
        {
            "ErpConnectorId": connector_id,
            "DisplayName": name,
            "URL": spec.get("url", ""),
            "Deleted": bool(spec.get("deleted", False)),
        }
    )
    return body


def from_carrier(entity: Mapping[str, Any]) -> tuple[str, ErpConnectorSpec, ResourceIds]:
    """(name, canonical spec, ids) of an ``ErpSyncConnectorEntity`` as read."""
    name = "" if entity.get("DisplayName") is None else str(entity.get("DisplayName"))
    url = entity.get("URL")
    spec: ErpConnectorSpec = {
        "url": "" if url is None else str(url),
        "deleted": bool(entity.get("Deleted")),
    }
    return name, spec, {"id": int(entity["ErpConnectorId"])}


def write_erp_connector(ac: ApplyContext, change: Change) -> None:
    client = ac.client
    if change.action is Action.DELETE:
        entity = client.erp_get_connector_entity(int(change.live_ids["id"]))
        client.erp_save_connector_entity({**entity, "Deleted": True})
        return
    want = wanted(change)
    if change.action is Action.CREATE:

        def landed() -> dict[str, Any] | None:
            for item in client.erp_get_all_connectors():
                if item.get("Name") == change.name:
                    return client.erp_get_connector_entity(int(item["Id"]))
            return None

        entity = to_carrier(spec_of(want), change.name, connector_id=0)
        saved = client.erp_save_connector_entity(entity, landed=landed)
        record_created(ac, change.kind, change.name, saved, "ErpConnectorId")
        return
    connector_id = int(change.live_ids["id"])
    entity = client.erp_get_connector_entity(connector_id)
    client.erp_save_connector_entity(
        {**entity, **to_carrier(spec_of(want), change.name, connector_id=connector_id)}
    )
