"""Read the quote settings of sale types (ListAgent ``GetAllSaleTypeEntities``).

A sale type carries far more than its quote settings (stages, duration, guide, stakeholders);
only the quote part becomes the canonical spec (docs/design.md, SaleTypeQuoteSettings). The
templates a sale type names by id are turned into template names, read once from
``GetAllDocumentTemplates``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.live import normalise as norm
from quotesync_gitops.model import SALE_TYPE_QUOTE_KEYS, Kind, LiveState, Resource

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


def unknown_template(template_id: int) -> str:
    """How a template id that names no quote template reads (ids never go into manifests)."""
    return f"(unknown template #{template_id})"


def quote_settings(
    entity: Mapping[str, Any], templates: Mapping[str, Mapping[str, int]]
) -> dict[str, Any]:
    """The quote part of a SaleTypeEntity in canonical form (every key present);
    ``templates`` is ``LiveContext.quote_templates``."""
    spec: dict[str, Any] = {}
    for key, field in PLAIN_FIELDS.items():
        value = entity.get(field)
        spec[key] = bool(value) if key == "allowQuoteAlternatives" else int(value or 0)
    for key, (field, doc_type) in TEMPLATE_FIELDS.items():
        template_id = int(entity.get(field) or 0)
        names = {ident: name for name, ident in templates.get(doc_type, {}).items()}
        spec[key] = names.get(template_id, unknown_template(template_id)) if template_id else None
    for key, (flag, field) in LIMIT_FIELDS.items():
        spec[key] = int(entity.get(field) or 0) if entity.get(flag) else None
    return {key: spec[key] for key in SALE_TYPE_QUOTE_KEYS}


def read_sale_types(client: CrmClient, state: LiveState) -> None:
    """Every sale type in use, as a SaleTypeQuoteSettings resource; templates into the context."""
    ctx = state.context
    templates, entities = client.run_bulk(
        [client.list_get_all_document_templates, client.list_get_all_sale_types]
    )
    for doc_type in sorted(QUOTE_DOC_TYPES):
        ctx.quote_templates[doc_type] = {}
    for template in sorted(templates, key=lambda t: int(t["DocumentTemplateId"])):
        doc_type = norm.text(template.get("QuoteDocType"))
        if doc_type not in QUOTE_DOC_TYPES or template.get("Deleted"):
            continue
        name = norm.text(template.get("Name"))
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
        name = norm.text(entity.get("Name"))
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
                spec={**quote_settings(entity, ctx.quote_templates), "deleted": False},
                ids={"id": int(entity["SaleTypeId"])},
            )
        )
