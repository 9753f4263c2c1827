"""ProductFieldSettings: the singleton of quote line "Configure product" settings
(``QuoteLineConfiguration``, one carrier per quote line field): its canonical form, carrier
both ways, live read (``GetAllQuoteLineConfigurations``, which is also the CRM's catalog of
quote line fields) and the check of a manifest's fields against that catalog."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypedDict, cast

from quotesync_gitops.changes import Change, Section
from quotesync_gitops.kinds.base import BaseKind, DiffRules, Found, ManifestSpec, Spec, text
from quotesync_gitops.kinds.export_parts import ExportContext
from quotesync_gitops.kinds.reading import SINGLETON_NAME
from quotesync_gitops.kinds.writing import ApplyContext, ResourceFailed, wanted
from quotesync_gitops.model import Kind, LiveContext, LiveState, Resource
from quotesync_gitops.secrets import reveal
from quotesync_gitops.suggest import did_you_mean

if TYPE_CHECKING:
    from quotesync_gitops.kinds.reading import LiveRead


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
    export_file = "settings/product-fields.yaml"

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

    def fetch(self, read: LiveRead) -> Callable[[], Any] | None:
        if not read.wants(self.kind):
            return None
        return read.client.quote_get_line_configurations

    def add(self, state: LiveState, fetched: Any, read: LiveRead) -> None:
        """The settings of every quote line field, and the fields into the catalog."""
        if fetched is None:
            return
        fields: dict[str, LineFieldSpec] = {}
        for carrier in fetched:
            field_name = text(carrier.get("FieldName"))
            fields[field_name] = from_carrier(carrier)
            state.context.line_fields[field_name] = {
                "id": int(carrier.get("QuoteLineConfigurationId") or 0),
                "restrictEdit": bool(carrier.get("RestrictEdit", False)),
                "carrier": carrier,
            }
        state.add(
            Resource(
                kind=Kind.PRODUCT_FIELD_SETTINGS,
                name=SINGLETON_NAME,
                spec={"fields": fields, "deleted": False},
            )
        )

    def crm_checks(self, resource: Resource, ctx: LiveContext, live: Resource | None) -> Found:
        if not ctx.line_fields:
            return
        for name, settings in sorted(dict(spec_of(resource).get("fields", {})).items()):
            known = ctx.line_fields.get(name)
            if known is None:
                hint = did_you_mean(name, ctx.line_fields, listing="known fields")
                yield ("fields", name), f"the CRM has no quote line field {name!r}{hint}", "key"
            elif known["restrictEdit"] and (settings.get("editable") or settings.get("mandatory")):
                yield (
                    ("fields", name),
                    f"quote line field {name!r} is restricted by the CRM and cannot be made "
                    "editable or mandatory",
                    "key",
                )

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

    def write(self, ac: ApplyContext, change: Change) -> None:
        write_product_field_settings(ac, change)


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


def write_product_field_settings(ac: ApplyContext, change: Change) -> None:
    want = wanted(change)
    known = ac.live.context.line_fields
    fields: Mapping[str, LineFieldSpec] = spec_of(want).get("fields", {})
    bodies = []
    for name in sorted(change.touched.within(Section.FIELDS)):
        if name not in known:
            raise ResourceFailed(f"the CRM has no quote line field {name!r}")
        bodies.append(to_carrier(known[name]["carrier"], fields[name]))
    if bodies:
        ac.client.quote_save_line_configurations(bodies)
