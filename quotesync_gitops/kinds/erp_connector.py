"""ErpConnector: the registration of an ERP sync connector (``ErpSyncConnectorEntity``).

Its live read is also the CRM's catalog of ERP connectors and the config fields each one
declares (``GetAllConnectors`` + ``GetConfigurationFields``, the ``FieldMetadata``: type,
access, max length, default), so it is read whatever kinds are asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from quotesync_gitops.kinds.base import BaseKind, ManifestSpec, Spec, WriteGuard
from quotesync_gitops.kinds.export_parts import ExportContext
from quotesync_gitops.kinds.normalise import field_info
from quotesync_gitops.kinds.reading import bind, only_agent_refusals
from quotesync_gitops.model import Kind, LiveState, Resource
from quotesync_gitops.secrets import Secret, reveal

if TYPE_CHECKING:
    from quotesync_gitops.crm.client import CrmClient
    from quotesync_gitops.kinds.reading import LiveRead

#: A connector's entity and the config fields it declares, as read.
Connector = tuple[dict[str, Any], list[dict[str, Any]]]


class ErpConnectorSpec(TypedDict):
    url: str | Secret
    deleted: bool


class ErpConnectorKind(BaseKind):
    kind = Kind.ERP_CONNECTOR
    write_guard = WriteGuard(lambda c: c.erp_get_all_connectors(), "Name", "Id")
    export_folder = "erp/connectors"
    fallback_stem = "connector"

    def canonical(self, spec: ManifestSpec, products: Mapping[str, object] | None) -> Spec:
        return {"url": spec.get("url", "")}

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        return {"url": resource.spec["url"]}

    def fetch(self, read: LiveRead) -> Callable[[], list[Connector]]:
        """Always: the connections of every kind name a connector."""
        return lambda: _fetch_connectors(read.client)

    def add(self, state: LiveState, fetched: list[Connector], read: LiveRead) -> None:
        """Every connector into the catalog; as resources when asked for."""
        include = read.wants(self.kind)
        for entity, meta in fetched:
            name, spec, ids = from_carrier(entity)
            fields = {f.key: f for f in (field_info(m) for m in meta)}
            state.context.erp_connectors[name] = (ids["id"], fields)
            if include:
                state.add(Resource(kind=self.kind, name=name, spec=dict(spec), ids=ids))


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
