"""ProductFieldSettings: the singleton of quote line "Configure product" settings
(``QuoteLineConfiguration``, one carrier per quote line field)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict, cast

from quotesync_gitops.kinds.base import BaseKind, DiffRules, ManifestSpec, Spec, text
from quotesync_gitops.kinds.export_parts import ExportContext
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


class ProductFieldSettingsFields(TypedDict):
    """What ``canonical()`` gives (``deleted`` is added beside it)."""

    #: by quote line field name; only the settings the manifest gives (live: all)
    fields: dict[str, LineFieldSpec]


class ProductFieldSettingsSpec(ProductFieldSettingsFields):
    """ProductFieldSettings' canonical spec (docs/design.md)."""

    deleted: bool


def spec_of(resource: Resource) -> ProductFieldSettingsSpec:
    """A ProductFieldSettings resource's spec, typed: the one narrowing of its specs."""
    # Built by canonical() (plus "deleted") or by the live reader from from_carrier().
    return cast(ProductFieldSettingsSpec, resource.spec)


LineFieldKey = Literal["shown", "label", "tooltip", "editable", "mandatory", "order"]
#: canonical key → QuoteLineConfiguration field
CARRIER_FIELDS: dict[LineFieldKey, str] = {
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

    def canonical(
        self, spec: ManifestSpec, products: Mapping[str, object] | None
    ) -> ProductFieldSettingsFields:
        fields: dict[str, LineFieldSpec] = {}
        for name, settings in (spec.get("fields") or {}).items():
            given = dict(settings or {})
            if "order" in given:
                given["order"] = int(given["order"])
            # schema-valid: its keys are LineFieldSpec's, with their types
            fields[name] = cast(LineFieldSpec, given)
        return {"fields": fields}

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        """Every field with every setting: the loader fills in nothing here (only the
        settings a manifest gives are managed), so leaving one out would leave it to the
        other CRM."""
        fields = spec_of(resource)["fields"]
        in_order = sorted(fields, key=lambda name: (fields[name].get("order", 0), name))
        out = {
            name: {key: fields[name][key] for key in LINE_FIELD_KEYS if key in fields[name]}
            for name in in_order
        }
        return {"fields": out} if out else {}


KIND = ProductFieldSettingsKind()


def to_carrier(carrier: Mapping[str, Any], wanted: LineFieldSpec) -> dict[str, Any]:
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
