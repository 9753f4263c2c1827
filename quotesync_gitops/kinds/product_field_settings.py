"""ProductFieldSettings: the singleton of quote line "Configure product" settings
(``QuoteLineConfiguration``, one carrier per quote line field)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from quotesync_gitops.kinds.base import BaseKind, DiffRules, ManifestSpec, Spec, text
from quotesync_gitops.model import Kind
from quotesync_gitops.secrets import reveal


class LineFieldSpec(TypedDict, total=False):
    """Only the keys the manifest gives (live: all of them)."""

    shown: bool
    label: str
    tooltip: str
    editable: bool
    mandatory: bool
    order: int


#: canonical key → QuoteLineConfiguration field
CARRIER_FIELDS: dict[str, str] = {
    "shown": "InUse",
    "label": "Label",
    "tooltip": "Tooltip",
    "editable": "Editable",
    "mandatory": "Mandatory",
    "order": "Rank",
}


class ProductFieldSettingsKind(BaseKind):
    kind = Kind.PRODUCT_FIELD_SETTINGS
    rules = DiffRules(partial=True)

    def canonical(self, spec: ManifestSpec, products: Mapping[str, object] | None) -> Spec:
        fields = {}
        for name, settings in (spec.get("fields") or {}).items():
            given = dict(settings or {})
            if "order" in given:
                given["order"] = int(given["order"])
            fields[name] = given
        return {"fields": fields}


KIND = ProductFieldSettingsKind()


def to_carrier(carrier: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The field's carrier as read with the settings the manifest gives (the others as
    they are: SaveQuoteLineConfigurations replaces the whole configuration)."""
    updated = dict(carrier)
    for key, carrier_key in CARRIER_FIELDS.items():
        if key in wanted and wanted[key] is not None:
            updated[carrier_key] = wanted[key]
    body: dict[str, Any] = reveal(updated)
    return body


def from_carrier(carrier: Mapping[str, Any]) -> LineFieldSpec:
    """One quote line field's settings in canonical form (every key)."""
    return {
        "shown": bool(carrier.get("InUse", False)),
        "label": text(carrier.get("Label")),
        "tooltip": text(carrier.get("Tooltip")),
        "editable": bool(carrier.get("Editable", False)),
        "mandatory": bool(carrier.get("Mandatory", False)),
        "order": int(carrier.get("Rank") or 0),
    }
