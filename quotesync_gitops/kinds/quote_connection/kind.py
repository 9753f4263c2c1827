"""QuoteConnection: a connection of a Quote Connector (``QuoteConnection``; its config
values travel in their own calls, GetConnectionConfigFields / SaveConnectionConfigFields).
``read.py`` is its live read; its checks against the CRM are every connection's
(``kinds/checking.py``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from quotesync_gitops.kinds.base import (
    BaseKind,
    DiffRules,
    Found,
    ManifestSpec,
    Reference,
    ScopeSpec,
    SecretsVersionSpec,
    Spec,
    WriteGuard,
    reference_at,
    scope,
    secrets_version,
    text,
)
from quotesync_gitops.kinds.checking import connection_problems, fixed_at_creation
from quotesync_gitops.kinds.connection_parts import (
    ConfigValue,
    config_from_carrier,
    description_from_carrier,
    description_to_carrier,
    scope_from_carrier,
    scope_to_carrier,
)
from quotesync_gitops.kinds.export_parts import (
    ExportContext,
    config,
    given,
    written_scope,
    written_secrets_version,
)
from quotesync_gitops.model import FieldInfo, Kind, LiveContext, LiveState, Resource
from quotesync_gitops.secrets import reveal

if TYPE_CHECKING:
    from quotesync_gitops.changes import Change
    from quotesync_gitops.kinds.reading import LiveRead
    from quotesync_gitops.kinds.writing import ApplyContext


class QuoteConnectionFields(SecretsVersionSpec):
    """What ``canonical()`` gives (``deleted`` is added beside it)."""

    connector: str
    erpName: str
    #: the name of an ErpConnection
    erpConnection: str | None
    description: str
    scope: ScopeSpec
    config: dict[str, ConfigValue]


class QuoteConnectionSpec(QuoteConnectionFields):
    """A QuoteConnection's canonical spec (docs/design.md)."""

    deleted: bool


def spec_of(resource: Resource) -> QuoteConnectionSpec:
    """A QuoteConnection resource's spec, typed: the one narrowing of this kind's specs."""
    # Every QuoteConnection Resource's spec is built by canonical() (plus "deleted") or by
    # from_carrier() below: that shape.
    return cast(QuoteConnectionSpec, resource.spec)


def _head_of_carrier(row: Mapping[str, Any]) -> dict[str, object]:
    return {
        "name": text(row.get("DisplayName")),
        "description": description_from_carrier(row)["description"],
        "deleted": bool(row.get("Deleted")),
    }


class QuoteConnectionKind(BaseKind):
    kind = Kind.QUOTE_CONNECTION
    rules = DiffRules(server_filled=frozenset({"secretsVersion"}))
    write_guard = WriteGuard(
        lambda c: c.quote_get_installed_connections(),
        "DisplayName",
        "QuoteConnectionId",
        read=lambda c, ident: c.quote_get_connection(ident),
        head_of_carrier=_head_of_carrier,
    )
    export_folder = "quote"
    fallback_stem = "connection"

    def canonical(
        self, spec: ManifestSpec, products: Mapping[str, object] | None
    ) -> QuoteConnectionFields:
        return {
            "connector": spec.get("connector", ""),
            "erpName": spec.get("erpName", ""),
            "erpConnection": spec.get("erpConnection"),
            "description": spec.get("description", ""),
            **secrets_version(spec),
            "scope": scope(spec.get("scope")),
            "config": dict(spec.get("config") or {}),
        }

    def connector_fields(
        self, spec: Mapping[str, object], ctx: LiveContext
    ) -> dict[str, FieldInfo] | None:
        return ctx.quote_connectors.get(str(spec.get("connector", "")))

    def references(self, spec: Mapping[str, object]) -> list[Reference]:
        return reference_at(spec, "erpConnection", Kind.ERP_CONNECTION)

    def fetch(self, read: LiveRead) -> Callable[[], Any] | None:
        from quotesync_gitops.kinds.quote_connection import read as reader  # the HTTP client

        return reader.fetch(read)

    def add(self, state: LiveState, fetched: Any, read: LiveRead) -> None:
        from quotesync_gitops.kinds.quote_connection import read as reader

        reader.add(state, fetched, read)

    def crm_checks(self, resource: Resource, ctx: LiveContext, live: Resource | None) -> Found:
        fields = self.connector_fields(resource.spec, ctx)
        yield from connection_problems(resource, fields, ctx.quote_connectors, ctx)
        yield from fixed_at_creation(resource, live)

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        spec = spec_of(resource)
        keys = ("connector", "erpName", "erpConnection", "description")
        out = given(spec, self.canonical({}, None), keys, always=("connector",))
        written_secrets_version(spec, out)
        written_scope(spec["scope"], out)
        config(resource, spec["config"], self.connector_fields(spec, ctx.live) or {}, ctx, out)
        return out

    def write(self, ac: ApplyContext, change: Change) -> None:
        # Imported on the first write, not with the kind: the writer brings in the HTTP client.
        from quotesync_gitops.kinds.quote_connection.write import write_quote_connection

        write_quote_connection(ac, change)

    def retire(self, ac: ApplyContext, object_id: int, new_name: str) -> None:
        from quotesync_gitops.kinds.quote_connection.write import retire_quote_connection

        retire_quote_connection(ac, object_id, new_name)


KIND = QuoteConnectionKind()


def to_carrier(
    spec: QuoteConnectionSpec,
    name: str,
    *,
    connection_id: int,
    erp_connection_id: int,
    ctx: LiveContext,
) -> dict[str, Any]:
    """The ``QuoteConnection`` header (config values go separately; secrets revealed last)."""
    body: dict[str, Any] = reveal(
        {
            "QuoteConnectionId": connection_id,
            "ConnectorName": spec.get("connector", ""),
            "ERPName": spec.get("erpName", ""),
            "DisplayName": name,
            "DisplayDescription": description_to_carrier(spec),
            "ErpConnectionId": erp_connection_id,
            "Deleted": False,
            **scope_to_carrier(spec["scope"], ctx.users, ctx.groups),
        }
    )
    return body


def from_carrier(
    carrier: Mapping[str, Any],
    values: Mapping[str, object],
    *,
    fields: Mapping[str, FieldInfo],
    erp_names: Mapping[int, str],
    users: Mapping[int, str],
    groups: Mapping[int, str],
) -> tuple[str, QuoteConnectionSpec]:
    """(name, canonical spec) of a ``QuoteConnection`` and its config ``values`` as read
    (``fields``: its connector's; ``erp_names``, ``users``, ``groups``: id → name)."""
    erp_id = int(carrier.get("ErpConnectionId") or 0)
    return text(carrier.get("DisplayName")), {
        "connector": text(carrier.get("ConnectorName")),
        "erpName": text(carrier.get("ERPName")),
        "erpConnection": erp_names.get(erp_id) if erp_id else None,
        **description_from_carrier(carrier),
        "scope": scope_from_carrier(carrier, users, groups),
        "config": config_from_carrier(values, fields),
        "deleted": bool(carrier.get("Deleted", False)),
    }
