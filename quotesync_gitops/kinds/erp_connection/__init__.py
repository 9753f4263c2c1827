"""The erp connection kind: everything it is, in one package (docs/design.md, "How to add a
kind"). ``kind.py`` holds its spec types, canonical form, carrier both ways and export; the
stages reach it only through ``KIND`` (``kinds.KINDS``) and the names below."""

from __future__ import annotations

from quotesync_gitops.kinds.erp_connection.kind import (
    DEFAULT_FLAGS,
    KIND,
    MAPPING_FLAGS,
    ActorSpec,
    DefaultSpec,
    ErpConnectionKind,
    MappingSpec,
    ScopeSpec,
    actor,
    default_from_carrier,
    default_to_carrier,
    direction,
    field_mappings,
    header_from_carrier,
    sync_flags,
    to_carrier,
)

__all__ = [
    "DEFAULT_FLAGS",
    "KIND",
    "MAPPING_FLAGS",
    "ActorSpec",
    "DefaultSpec",
    "ErpConnectionKind",
    "MappingSpec",
    "ScopeSpec",
    "actor",
    "default_from_carrier",
    "default_to_carrier",
    "direction",
    "field_mappings",
    "header_from_carrier",
    "sync_flags",
    "to_carrier",
]
