"""The kinds, by name: how every stage dispatches (see kinds/base.py and docs/design.md,
"How to add a kind")."""

from __future__ import annotations

from quotesync_gitops.kinds import (
    erp_connection,
    erp_connector,
    price_list,
    product_field_settings,
    quote_connection,
    repository_settings,
    sale_type_quote_settings,
    sync_settings,
)
from quotesync_gitops.kinds.base import DiffRules, KindDef, Reference
from quotesync_gitops.model import Kind

#: Every manifest kind's definition, in dependency order (``model.Kind``'s).
KINDS: dict[str, KindDef] = {
    d.kind: d
    for d in (
        erp_connector.KIND,
        erp_connection.KIND,
        quote_connection.KIND,
        sync_settings.KIND,
        price_list.KIND,
        product_field_settings.KIND,
        sale_type_quote_settings.KIND,
        repository_settings.KIND,
    )
}

_PLAIN = DiffRules()


def rules_of(kind: str) -> DiffRules:
    """How plan compares ``kind`` (products, not a manifest kind, compare plainly)."""
    definition = KINDS.get(kind)
    return definition.rules if definition is not None else _PLAIN


def references_of(kind: str, spec: object) -> list[Reference]:
    """What a spec of ``kind`` names of other kinds ([] for anything but a mapping)."""
    definition = KINDS.get(kind)
    if definition is None or not isinstance(spec, dict):
        return []
    return definition.references(spec)


__all__ = ["KINDS", "DiffRules", "Kind", "KindDef", "Reference", "references_of", "rules_of"]
