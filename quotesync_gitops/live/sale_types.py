"""Read the quote settings of sale types (ListAgent ``GetAllSaleTypeEntities``).

A sale type carries far more than its quote settings (stages, duration, guide, stakeholders);
only the quote part becomes the canonical spec (docs/design.md, SaleTypeQuoteSettings). The
templates a sale type names by id are turned into template names, read once from
``GetAllDocumentTemplates``.
"""

from __future__ import annotations

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.kinds import normalise as norm
from quotesync_gitops.kinds.sale_type_quote_settings import QUOTE_DOC_TYPES, from_carrier
from quotesync_gitops.model import Kind, LiveState, Resource


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
                spec={**from_carrier(entity, ctx.quote_templates), "deleted": False},
                ids={"id": int(entity["SaleTypeId"])},
            )
        )
