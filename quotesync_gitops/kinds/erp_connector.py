"""ErpConnector: the registration of an ERP sync connector (``ErpSyncConnectorEntity``):
what it is, its carrier both ways, and its writer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from quotesync_gitops.changes import Action, Change
from quotesync_gitops.kinds.base import BaseKind, ManifestSpec, Spec, WriteGuard
from quotesync_gitops.kinds.export_parts import ExportContext
from quotesync_gitops.kinds.writing import ApplyContext, record_created, wanted
from quotesync_gitops.model import Kind, Resource
from quotesync_gitops.secrets import Secret, reveal


class ErpConnectorSpec(TypedDict):
    url: str | Secret
    deleted: bool


class ErpConnectorKind(BaseKind):
    kind = Kind.ERP_CONNECTOR
    write_guard = WriteGuard(lambda c: c.erp_get_all_connectors(), "Name", "Id")

    def canonical(self, spec: ManifestSpec, products: Mapping[str, object] | None) -> Spec:
        return {"url": spec.get("url", "")}

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        return {"url": resource.spec["url"]}

    def write(self, ac: ApplyContext, change: Change) -> None:
        write_erp_connector(ac, change)

    def retire(self, ac: ApplyContext, object_id: int, new_name: str) -> None:
        entity = ac.client.erp_get_connector_entity(object_id)
        ac.client.erp_save_connector_entity({**entity, "DisplayName": new_name, "Deleted": True})


KIND = ErpConnectorKind()


def to_carrier(spec: Mapping[str, Any], name: str, *, connector_id: int) -> dict[str, Any]:
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


def from_carrier(entity: Mapping[str, Any]) -> tuple[str, ErpConnectorSpec, dict[str, int]]:
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

        entity = to_carrier(want.spec, change.name, connector_id=0)
        saved = client.erp_save_connector_entity(entity, landed=landed)
        record_created(ac, change.kind, change.name, saved, "ErpConnectorId")
        return
    connector_id = int(change.live_ids["id"])
    entity = client.erp_get_connector_entity(connector_id)
    client.erp_save_connector_entity(
        {**entity, **to_carrier(want.spec, change.name, connector_id=connector_id)}
    )
