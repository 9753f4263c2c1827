"""SaleTypeQuoteSettings: the quote settings of an existing sale type (``SaleTypeEntity``).

The CRM owns sale types (an attached kind): quotesync never creates or deletes one, and
``SaveSaleTypeEntity`` replaces the whole entity, so the carrier is written as the entity
read right before, with only the planned quote settings changed.

Its live read (ListAgent ``GetAllSaleTypeEntities``): a sale type carries far more than its
quote settings (stages, duration, guide, stakeholders); only the quote part becomes the
canonical spec (docs/design.md, SaleTypeQuoteSettings). The templates a sale type names by
id are turned into template names, read once from ``GetAllDocumentTemplates``. It runs in
``add``, after the other kinds' branches, as it always has.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, cast

from quotesync_gitops.kinds.base import (
    BaseKind,
    CarrierError,
    DiffRules,
    ManifestSpec,
    Spec,
    text,
)
from quotesync_gitops.kinds.export_parts import ExportContext
from quotesync_gitops.model import SALE_TYPE_QUOTE_KEYS, Kind, LiveState, Resource

if TYPE_CHECKING:
    from quotesync_gitops.crm.client import CrmClient
    from quotesync_gitops.kinds.reading import LiveRead
from quotesync_gitops.changes import Change
from quotesync_gitops.kinds.writing import ApplyContext, ResourceFailed, conflict, wanted
from quotesync_gitops.secrets import plain


class SaleTypeQuoteSpec(TypedDict, total=False):
    """Only the keys the manifest gives (live: all of them)."""

    allowQuoteAlternatives: bool
    defaultQuoteValidity: int
    quoteLinesTemplate: str | None
    confirmationLinesTemplate: str | None
    maxDiscountPercent: int | None
    minEarningPercent: int | None
    groupQuoteLinesBy: int
    sortGroupLinesBy: int


class SaleTypeQuoteSettingsSpec(SaleTypeQuoteSpec):
    """A SaleTypeQuoteSettings' canonical spec (docs/design.md): the settings given."""

    deleted: bool


def spec_of(resource: Resource) -> SaleTypeQuoteSettingsSpec:
    """A SaleTypeQuoteSettings resource's spec, typed: the one narrowing of its specs."""
    # Built by canonical() (plus "deleted") or by from_carrier() below: that shape.
    return cast(SaleTypeQuoteSettingsSpec, resource.spec)


#: Canonical key → SaleTypeEntity field, in the order of the manifest reference.
PLAIN_FIELDS: dict[str, str] = {
    "allowQuoteAlternatives": "AllowQuoteAlternatives",
    "defaultQuoteValidity": "DefaultQuoteValidity",
    "groupQuoteLinesBy": "GroupQuoteLinesBy",
    "sortGroupLinesBy": "SortGroupLinesBy",
}
#: Canonical key → (template id field, the QuoteDocType the template must have).
TEMPLATE_FIELDS: dict[str, tuple[str, str]] = {
    "quoteLinesTemplate": ("QuoteLinesTemplate", "QuoteLines"),
    "confirmationLinesTemplate": ("ConfirmationLinesTemplate", "ConfirmationLines"),
}
#: Canonical key → (the "is there a limit" flag, the limit).
LIMIT_FIELDS: dict[str, tuple[str, str]] = {
    "maxDiscountPercent": ("MaxDiscountPercentSet", "MaxDiscountPercent"),
    "minEarningPercent": ("MinEarningPercentSet", "MinEarningPercent"),
}
QUOTE_DOC_TYPES = frozenset(doc_type for _, doc_type in TEMPLATE_FIELDS.values())

#: LiveContext.quote_templates: QuoteDocType → template name → template id
Templates = Mapping[str, Mapping[str, int]]


class SaleTypeQuoteSettingsKind(BaseKind):
    kind = Kind.SALE_TYPE_QUOTE_SETTINGS
    rules = DiffRules(given_only=True)
    export_folder = "settings/sale-types"
    fallback_stem = "sale-type"

    def canonical(
        self, spec: ManifestSpec, products: Mapping[str, object] | None
    ) -> SaleTypeQuoteSpec:
        """Only the settings given: the others are not managed (null is a value: none)."""
        # The keys are SaleTypeQuoteSpec's own (SALE_TYPE_QUOTE_KEYS) and the values have
        # their types (schema-valid): the TypedDict a comprehension cannot be typed as.
        return cast(
            SaleTypeQuoteSpec, {key: spec[key] for key in SALE_TYPE_QUOTE_KEYS if key in spec}
        )

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        """Every setting, null ones too: only the settings a manifest gives are managed, so
        one left out would be left to the other CRM."""
        return {key: resource.spec[key] for key in SALE_TYPE_QUOTE_KEYS}

    def add(self, state: LiveState, fetched: Any, read: LiveRead) -> None:
        """No branch of its own: its calls go out here, once the other kinds are read."""
        if read.wants(self.kind):
            read_sale_types(read.client, state)

    def write(self, ac: ApplyContext, change: Change) -> None:
        write_sale_type_quote_settings(ac, change)


KIND = SaleTypeQuoteSettingsKind()


def read_sale_types(client: CrmClient, state: LiveState) -> None:
    """Every sale type in use, as a SaleTypeQuoteSettings resource; templates into the context."""
    ctx = state.context
    templates, entities = client.run_bulk(
        [client.list_get_all_document_templates, client.list_get_all_sale_types]
    )
    for doc_type in sorted(QUOTE_DOC_TYPES):
        ctx.quote_templates[doc_type] = {}
    for template in sorted(templates, key=lambda t: int(t["DocumentTemplateId"])):
        doc_type = text(template.get("QuoteDocType"))
        if doc_type not in QUOTE_DOC_TYPES or template.get("Deleted"):
            continue
        name = text(template.get("Name"))
        named = ctx.quote_templates[doc_type]
        if name in named:
            state.notes.append(
                f"Two {doc_type} document templates are named {name!r}; sale types are "
                "compared with the first one."
            )
            continue
        named[name] = int(template["DocumentTemplateId"])
    for entity in entities:
        if entity.get("Deleted"):
            continue
        name = text(entity.get("Name"))
        if name in ctx.sale_types:
            state.notes.append(
                f"Two sale types are named {name!r} in the CRM; the first one is compared."
            )
            continue
        ctx.sale_types[name] = int(entity["SaleTypeId"])
        state.add(
            Resource(
                kind=Kind.SALE_TYPE_QUOTE_SETTINGS,
                name=name,
                spec={**from_carrier(entity, ctx.quote_templates), "deleted": False},
                ids={"id": int(entity["SaleTypeId"])},
            )
        )


def unknown_template(template_id: int) -> str:
    """How a template id that names no quote template reads (ids never go into manifests)."""
    return f"(unknown template #{template_id})"


def from_carrier(entity: Mapping[str, Any], templates: Templates) -> SaleTypeQuoteSpec:
    """The quote part of a SaleTypeEntity in canonical form (every key present)."""
    spec: dict[str, object] = {}
    for key, field in PLAIN_FIELDS.items():
        value = entity.get(field)
        spec[key] = bool(value) if key == "allowQuoteAlternatives" else int(value or 0)
    for key, (field, doc_type) in TEMPLATE_FIELDS.items():
        template_id = int(entity.get(field) or 0)
        names = {ident: name for name, ident in templates.get(doc_type, {}).items()}
        spec[key] = names.get(template_id, unknown_template(template_id)) if template_id else None
    for key, (flag, field) in LIMIT_FIELDS.items():
        spec[key] = int(entity.get(field) or 0) if entity.get(flag) else None
    # Every key of SaleTypeQuoteSpec, each set to its type above.
    return cast(SaleTypeQuoteSpec, {key: spec[key] for key in SALE_TYPE_QUOTE_KEYS})


def to_carrier(
    entity: Mapping[str, Any],
    settings: Mapping[str, object],
    keys: Collection[str],
    templates: Templates,
) -> dict[str, Any]:
    """``entity`` with the quote settings in ``keys`` set from ``settings`` (canonical)."""
    body = dict(entity)
    for key in sorted(keys):
        value = settings[key]
        if key in PLAIN_FIELDS:
            body[PLAIN_FIELDS[key]] = value
        elif key in TEMPLATE_FIELDS:
            field, doc_type = TEMPLATE_FIELDS[key]
            if value is None:
                body[field] = 0
            elif isinstance(value, str) and value in templates.get(doc_type, {}):
                body[field] = templates[doc_type][value]
            else:
                raise CarrierError(f"the CRM has no {doc_type} document template {value!r}")
        elif key in LIMIT_FIELDS:
            flag, field = LIMIT_FIELDS[key]
            body[flag] = value is not None
            if value is not None:
                body[field] = value
    return body


# --- the writer: read, modify, write the whole entity ----------------------------------------
#
# ``SaveSaleTypeEntity`` replaces the stored sale type with the carrier it is given, so the
# writer fetches the entity right before it writes, checks that the settings it is about to
# change still hold what the plan read (another writer in between stops the run, exit 3), and
# sends the fetched entity back with only the planned quote settings changed: stages,
# duration, guide and every other field travel back exactly as the CRM gave them.


def write_sale_type_quote_settings(ac: ApplyContext, change: Change) -> None:
    want = wanted(change)
    templates = ac.live.context.quote_templates
    sale_type_id = int(change.live_ids["id"])
    keys = {str(section) for section in change.touched}
    entity = ac.client.list_get_sale_type(sale_type_id)
    if str(entity.get("Name") or "").strip() != change.name or entity.get("Deleted"):
        raise conflict(change, "was renamed or deleted")
    now = from_carrier(entity, templates)
    if any(plain(now.get(f.path)) != plain(f.before) for f in change.fields):
        raise conflict(change, "had its quote settings changed")
    try:
        body = to_carrier(entity, want.spec, keys, templates)
    except CarrierError as exc:
        raise ResourceFailed(str(exc)) from exc
    saved = ac.client.list_save_sale_type(body)
    after: Mapping[str, object] = from_carrier(saved, templates)
    differ = sorted(key for key in keys if after[key] != want.spec[key])
    if differ:
        raise ResourceFailed(f"the CRM saved other values for {', '.join(differ)}")
