"""The ErpConnection's canonical spec types (docs/design.md, "Kinds and their canonical
spec"), nested parts included, and ``spec_of``, the typed reading of a resource's spec."""

from __future__ import annotations

from typing import TypedDict, cast

from quotesync_gitops.kinds.base import ScopeSpec, SecretsVersionSpec
from quotesync_gitops.kinds.connection_parts import ConfigValue
from quotesync_gitops.model import Direction, Resource
from quotesync_gitops.secrets import Secret


class MappingSpec(TypedDict):
    crmField: str
    direction: Direction
    showInSearch: bool
    showInTab: bool


class DefaultSpec(TypedDict):
    value: str | Secret | None
    askUser: bool
    mandatory: bool


class ActorSpec(TypedDict):
    enabled: bool
    crmActor: str
    mappings: dict[str, MappingSpec]
    defaults: dict[str, DefaultSpec]
    fieldOrder: list[str]


class ErpConnectionFields(SecretsVersionSpec):
    """What ``canonical()`` gives (``deleted`` is added beside it)."""

    connector: str
    description: str
    active: bool
    scope: ScopeSpec
    config: dict[str, ConfigValue]
    #: keyed by ERP actor type
    actors: dict[str, ActorSpec]
    #: "<actor>/<erpField>" -> ERP list item id -> CRM list item name
    listMappings: dict[str, dict[str, str]]


class ErpConnectionHeader(SecretsVersionSpec):
    """The connection header as read: the canonical spec but ``actors`` and ``listMappings``."""

    connector: str
    description: str
    active: bool
    scope: ScopeSpec
    config: dict[str, ConfigValue]
    deleted: bool


class ErpConnectionSpec(ErpConnectionFields):
    """An ErpConnection's canonical spec (docs/design.md)."""

    deleted: bool


def spec_of(resource: Resource) -> ErpConnectionSpec:
    """An ErpConnection resource's spec, typed: the one narrowing of this kind's specs."""
    # Every ErpConnection Resource's spec is built by canonical() (manifests, plus
    # "deleted") or by the live reader from this module's carriers: that shape.
    return cast(ErpConnectionSpec, resource.spec)
