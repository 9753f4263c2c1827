"""The erp connection kind: everything it is, in one package (docs/design.md, "How to add a
kind"). ``kind.py`` holds its spec types, canonical form, carrier both ways and export;
``write.py`` its writer and ``guard.py`` the writer's all-or-nothing; this module assembles
``KIND`` from them. The stages reach it only through ``KIND`` (``kinds.KINDS``) and the names
below; the siblings never import this module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quotesync_gitops.kinds.erp_connection.kind import (
    DEFAULT_FLAGS,
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

if TYPE_CHECKING:
    from quotesync_gitops.changes import Change
    from quotesync_gitops.kinds.writing import ApplyContext


class ErpConnection(ErpConnectionKind):
    """The kind with its writer. ``write.py`` is imported on the first write, not with the
    kind: it brings in the HTTP client, and importing the kinds must not."""

    def write(self, ac: ApplyContext, change: Change) -> None:
        from quotesync_gitops.kinds.erp_connection.write import write_erp_connection

        write_erp_connection(ac, change)

    def retire(self, ac: ApplyContext, object_id: int, new_name: str) -> None:
        from quotesync_gitops.kinds.erp_connection.write import retire_erp_connection

        retire_erp_connection(ac, object_id, new_name)


KIND = ErpConnection()

__all__ = [
    "DEFAULT_FLAGS",
    "KIND",
    "MAPPING_FLAGS",
    "ActorSpec",
    "DefaultSpec",
    "ErpConnection",
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
