"""ErpConnector: the registration of an ERP sync connector (``ErpSyncConnectorEntity``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from quotesync_gitops.kinds.base import BaseKind, ManifestSpec, Spec, WriteGuard
from quotesync_gitops.kinds.export_parts import ExportContext
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
