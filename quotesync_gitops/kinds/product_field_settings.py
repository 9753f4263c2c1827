"""ProductFieldSettings: the singleton of quote line "Configure product" settings
(``QuoteLineConfiguration``, one carrier per quote line field): what it is, its carrier
both ways, and its writer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from quotesync_gitops.changes import Change, Section
from quotesync_gitops.kinds.base import BaseKind, DiffRules, ManifestSpec, Spec, text
from quotesync_gitops.kinds.export_parts import ExportContext
from quotesync_gitops.kinds.writing import ApplyContext, ResourceFailed, wanted
from quotesync_gitops.model import Kind, Resource
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
#: Quote line field settings, in the order of the reference (export writes them so).
LINE_FIELD_KEYS = tuple(CARRIER_FIELDS)


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

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        """Every field with every setting: the loader fills in nothing here (only the
        settings a manifest gives are managed), so leaving one out would leave it to the
        other CRM."""
        fields: Mapping[str, Mapping[str, Any]] = resource.spec["fields"]
        in_order = sorted(fields, key=lambda name: (fields[name].get("order", 0), name))
        out = {
            name: {key: fields[name][key] for key in LINE_FIELD_KEYS if key in fields[name]}
            for name in in_order
        }
        return {"fields": out} if out else {}

    def write(self, ac: ApplyContext, change: Change) -> None:
        write_product_field_settings(ac, change)


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


def write_product_field_settings(ac: ApplyContext, change: Change) -> None:
    want = wanted(change)
    known = ac.live.context.line_fields
    fields: Mapping[str, Any] = want.spec.get("fields", {})
    bodies = []
    for name in sorted(change.touched.within(Section.FIELDS)):
        if name not in known:
            raise ResourceFailed(f"the CRM has no quote line field {name!r}")
        bodies.append(to_carrier(known[name]["carrier"], fields[name]))
    if bodies:
        ac.client.quote_save_line_configurations(bodies)
