"""ErpConnector: the registration of an ERP sync connector (``ErpSyncConnectorEntity``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, cast

from quotesync_gitops.kinds.base import BaseKind, ManifestSpec, Spec, WriteGuard
from quotesync_gitops.kinds.export_parts import ExportContext
from quotesync_gitops.model import Kind, Resource, ResourceIds
from quotesync_gitops.secrets import Secret, reveal


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

    def canonical(
        self, spec: ManifestSpec, products: Mapping[str, object] | None
    ) -> ErpConnectorFields:
        return {"url": spec.get("url", "")}

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        return {"url": spec_of(resource)["url"]}


KIND = ErpConnectorKind()


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
