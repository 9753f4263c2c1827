"""The erp connection kind: everything it is, in one package (docs/design.md, "How to add a
kind"). ``spec.py`` holds its spec types, ``kind.py`` its canonical form, carrier both ways
and export, ``read.py`` its live read (with the ERP catalog, ``catalog.py``), ``checks.py``
its checks against the CRM's catalogs; the stages reach it only through ``KIND``
(``kinds.KINDS``) and the names below."""

from __future__ import annotations

from quotesync_gitops.kinds.base import ScopeSpec
from quotesync_gitops.kinds.erp_connection.kind import (
    DEFAULT_FLAGS,
    KIND,
    MAPPING_FLAGS,
    ErpConnectionKind,
    actor,
    default_from_carrier,
    default_to_carrier,
    direction,
    field_mappings,
    header_from_carrier,
    sync_flags,
    to_carrier,
)
from quotesync_gitops.kinds.erp_connection.spec import (
    ActorSpec,
    DefaultSpec,
    ErpConnectionFields,
    ErpConnectionHeader,
    ErpConnectionSpec,
    MappingSpec,
    spec_of,
)

__all__ = [
    "DEFAULT_FLAGS",
    "KIND",
    "MAPPING_FLAGS",
    "ActorSpec",
    "DefaultSpec",
    "ErpConnectionFields",
    "ErpConnectionHeader",
    "ErpConnectionKind",
    "ErpConnectionSpec",
    "MappingSpec",
    "ScopeSpec",
    "actor",
    "default_from_carrier",
    "default_to_carrier",
    "direction",
    "field_mappings",
    "header_from_carrier",
    "spec_of",
    "sync_flags",
    "to_carrier",
]
