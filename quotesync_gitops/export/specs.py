"""What export adds around each kind's ``export()`` (``KindDef.export``, in the kind's module).

``spec()`` dispatches through ``KINDS``; here remain what is not one kind's: which config
values must come from the environment (the caller names the variables,
:class:`ExportContext.env_name`), the tombstone, and the escaping of ``${`` in values.
"""

from __future__ import annotations

from quotesync_gitops.kinds import KINDS
from quotesync_gitops.kinds.connection_parts import config_of
from quotesync_gitops.kinds.export_parts import (
    EnvReference,
    ExportContext,
    Flow,
    FlowList,
    is_hidden_secret,
)
from quotesync_gitops.model import FieldInfo, Kind, LiveContext, Resource
from quotesync_gitops.plan.prepare import connector_fields as declared_fields

Spec = dict[str, object]

__all__ = ["ExportContext", "escape_refs", "secret_fields", "spec", "tombstone"]


def connector_fields(resource: Resource, ctx: LiveContext) -> dict[str, FieldInfo]:
    """The connector's declared fields ({} when the CRM has no such connector)."""
    return declared_fields(resource, ctx) or {}


def secret_fields(resource: Resource, ctx: LiveContext) -> list[str]:
    """Config keys of ``resource`` whose values must come from the environment."""
    if resource.deleted or resource.kind not in (Kind.ERP_CONNECTION, Kind.QUOTE_CONNECTION):
        return []
    fields = connector_fields(resource, ctx)
    config = config_of(resource)
    return [key for key, value in config.items() if is_hidden_secret(value, fields.get(key))]


def tombstone() -> Spec:
    return {"deleted": True}


def spec(resource: Resource, ctx: ExportContext) -> Spec:
    """The manifest spec of a live resource that is not deleted: its kind's ``export()``."""
    return KINDS[resource.kind].export(resource, ctx)


def escape_refs(value: object) -> object:
    """Values written as they are: ``${`` becomes ``$${`` so the loader reads no reference.

    Keys are left alone (the loader resolves references in values only), and so are the
    :class:`EnvReference` values export puts in on purpose.
    """
    if isinstance(value, EnvReference):
        return value
    if isinstance(value, str):
        return value.replace("${", "$${") if "${" in value else value
    if isinstance(value, Flow):
        return Flow({k: escape_refs(v) for k, v in value.items()})
    if isinstance(value, dict):
        return {k: escape_refs(v) for k, v in value.items()}
    if isinstance(value, FlowList):
        return FlowList(escape_refs(v) for v in value)
    if isinstance(value, list):
        return [escape_refs(v) for v in value]
    return value
